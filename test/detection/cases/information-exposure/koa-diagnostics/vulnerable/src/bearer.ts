import type { Context, Next } from 'koa';
import { jwtVerify } from 'jose';

const key = new TextEncoder().encode(process.env.OPS_TOKEN_KEY);

export async function bearer(ctx: Context, next: Next) {
  const token = (ctx.get('authorization') || '').replace(/^Bearer /, '');
  try {
    const { payload } = await jwtVerify(token, key);
    ctx.state.user = payload;
  } catch {
    ctx.throw(401, 'invalid token');
  }
  await next();
}
