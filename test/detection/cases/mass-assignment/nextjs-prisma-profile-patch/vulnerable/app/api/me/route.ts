import { NextResponse } from 'next/server';
import { auth } from '../../../auth';
import prisma from '../../../lib/prisma';

export async function GET() {
  const session = await auth();
  if (!session) return new NextResponse('Unauthorized', { status: 401 });
  const me = await prisma.user.findUnique({ where: { id: session.user.id }, select: { id: true, email: true, name: true, bio: true } });
  return NextResponse.json(me);
}

export async function PATCH(request: Request) {
  const session = await auth();
  if (!session) return new NextResponse('Unauthorized', { status: 401 });
  const body = await request.json();
  const updated = await prisma.user.update({
    where: { id: session.user.id },
    data: body,
  });
  return NextResponse.json({ id: updated.id, name: updated.name, bio: updated.bio });
}
