import { NextResponse, type NextRequest } from 'next/server';
import { readDoc } from '@/lib/docs';

export async function GET(request: NextRequest, { params }: { params: { slug: string } }) {
  const version = request.nextUrl.searchParams.get('v') ?? 'latest';
  try {
    const markdown = await readDoc(version, params.slug);
    return new NextResponse(markdown, { headers: { 'content-type': 'text/markdown' } });
  } catch {
    return NextResponse.json({ error: 'not found' }, { status: 404 });
  }
}
