'use server';

import { revalidatePath } from 'next/cache';
import { auth } from '@/auth';
import { db } from '@/lib/prisma';

export async function createNote(formData: FormData) {
  const session = await auth();
  if (!session?.user?.id) throw new Error('Unauthorized');
  await db.note.create({
    data: { title: String(formData.get('title')), body: String(formData.get('body')), authorId: session.user.id },
  });
  revalidatePath('/notes');
}

export async function renameNote(noteId: string, title: string) {
  const session = await auth();
  if (!session?.user?.id) throw new Error('Unauthorized');
  await db.note.updateMany({ where: { id: noteId, authorId: session.user.id }, data: { title } });
  revalidatePath('/notes');
}

export async function deleteNote(noteId: string) {
  await db.note.deleteMany({ where: { id: noteId } });
  revalidatePath('/notes');
}
