import { NextResponse } from 'next/server';
import { listProducts } from '../../../server/products';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const { searchParams } = new URL(request.url);
  const products = await listProducts({
    category: searchParams.get('category') ?? 'all',
    sort: searchParams.get('sort') ?? 'name',
  });
  return NextResponse.json(products);
}
