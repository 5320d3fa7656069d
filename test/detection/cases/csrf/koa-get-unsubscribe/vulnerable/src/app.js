const Koa = require('koa');
const Router = require('@koa/router');
const { Subscription, Member } = require('./db');

const app = new Koa();
const router = new Router();

router.post('/login', async (ctx) => {
  const member = await Member.findOne({ where: { email: ctx.request.body.email } });
  ctx.cookies.set('member_session', member.sessionKey, { httpOnly: true, sameSite: 'lax' });
  ctx.body = { ok: true };
});

// Linked from newsletters: one click removes the subscription of whoever is signed in.
router.get('/newsletters/:list/unsubscribe', async (ctx) => {
  const member = await Member.findOne({ where: { sessionKey: ctx.cookies.get('member_session') } });
  if (!member) ctx.throw(401);
  await Subscription.destroy({ where: { memberId: member.id, list: ctx.params.list } });
  ctx.body = 'You have been unsubscribed.';
});

app.use(router.routes());
app.listen(3000);
