import type { Context, Next } from 'hono';

export async function requireAdmin(c: Context, next: Next) {
  const payload = c.get('jwtPayload') as { role?: string } | undefined;
  if (payload?.role !== 'admin') return c.json({ error: 'forbidden' }, 403);
  await next();
}
