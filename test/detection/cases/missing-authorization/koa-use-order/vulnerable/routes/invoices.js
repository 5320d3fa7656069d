'use strict';
const Router = require('@koa/router');
const { requireUser } = require('../middleware/session');
const invoices = require('../services/invoices');

const router = new Router({ prefix: '/invoices' });

router.get('/overdue', async (ctx) => {
  ctx.body = await invoices.overdueSummary();
});

router.use(requireUser);

router.get('/', async (ctx) => {
  ctx.body = await invoices.listFor(ctx.state.user.id);
});

router.get('/:id', async (ctx) => {
  const invoice = await invoices.getFor(ctx.params.id, ctx.state.user.id);
  if (!invoice) ctx.throw(404);
  ctx.body = invoice;
});

router.post('/', async (ctx) => {
  const { customer, amount } = ctx.request.body;
  ctx.status = 201;
  ctx.body = await invoices.create(ctx.state.user.id, { customer: String(customer), amount: Number(amount) });
});

module.exports = router;
