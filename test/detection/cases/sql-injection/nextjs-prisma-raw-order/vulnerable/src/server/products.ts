import { Prisma } from '@prisma/client';
import { prisma } from './db';

export interface ProductQuery {
  category: string;
  sort: string;
}

export async function listProducts({ category, sort }: ProductQuery) {
  return prisma.$queryRaw`
    SELECT id, name, price FROM "Product"
    WHERE category = ${category}
    ORDER BY ${Prisma.raw(sort)}
    LIMIT 50`;
}
