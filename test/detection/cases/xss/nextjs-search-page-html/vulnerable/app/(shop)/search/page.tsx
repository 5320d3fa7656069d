import { PrismaClient } from '@prisma/client';
import { summary } from '../../../lib/highlight';

const prisma = new PrismaClient();

type Props = { searchParams: Promise<{ q?: string; page?: string }> };

export default async function SearchPage({ searchParams }: Props) {
  const { q = '' } = await searchParams;
  const books = await prisma.book.findMany({
    where: { title: { contains: q, mode: 'insensitive' } },
    take: 20,
  });
  return (
    <section>
      <h2 dangerouslySetInnerHTML={{ __html: summary(q, books.length) }} />
      <ul>
        {books.map((b) => (
          <li key={b.id}>{b.title}</li>
        ))}
      </ul>
    </section>
  );
}
