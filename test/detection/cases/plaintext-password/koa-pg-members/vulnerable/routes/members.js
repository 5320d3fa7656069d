import Router from '@koa/router';
import { insertMember, memberByEmail } from '../db/members.js';

const router = new Router({ prefix: '/members' });

router.post('/', async (ctx) => {
  const { email, password } = ctx.request.body;
  if (!email || !password || password.length < 10) ctx.throw(400, 'email and a 10+ character password are required');
  const id = await insertMember(email, password);
  ctx.status = 201;
  ctx.body = { id };
});

router.post('/session', async (ctx) => {
  const { email, password } = ctx.request.body;
  const member = await memberByEmail(String(email));
  if (!member || member.password !== password) ctx.throw(401, 'wrong email or password');
  ctx.session.memberId = member.id;
  ctx.body = { ok: true };
});

export default router;
