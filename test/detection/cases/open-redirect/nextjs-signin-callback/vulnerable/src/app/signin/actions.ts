'use server';

import bcrypt from 'bcryptjs';
import { redirect } from 'next/navigation';
import { PrismaClient } from '@prisma/client';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import { getSession } from '@/lib/session';

const prisma = new PrismaClient();
const signInLimiter = new Ratelimit({ redis: Redis.fromEnv(), limiter: Ratelimit.slidingWindow(5, '10 m') });

export async function signInAction(formData: FormData) {
  const email = String(formData.get('email') ?? '');
  const password = String(formData.get('password') ?? '');
  const { success } = await signInLimiter.limit(email.toLowerCase());
  if (!success) return { error: 'Too many sign-in attempts, try again later' };
  const user = await prisma.user.findUnique({ where: { email } });
  if (!user || !(await bcrypt.compare(password, user.passwordHash))) {
    return { error: 'Invalid email or password' };
  }
  const session = await getSession();
  session.userId = user.id;
  await session.save();
  const callbackUrl = String(formData.get('callbackUrl') || '/account');
  redirect(callbackUrl);
}
