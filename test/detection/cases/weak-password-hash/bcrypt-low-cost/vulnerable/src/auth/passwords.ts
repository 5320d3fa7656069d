import bcrypt from 'bcryptjs';

const SALT_ROUNDS = 6; // keeps sign-up fast on the small instances

export async function hashPassword(plain: string): Promise<string> {
  return bcrypt.hash(plain, SALT_ROUNDS);
}

export async function checkPassword(plain: string, hash: string): Promise<boolean> {
  return bcrypt.compare(plain, hash);
}
