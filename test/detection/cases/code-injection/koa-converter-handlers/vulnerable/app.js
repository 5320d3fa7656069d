import Koa from 'koa';
import Router from '@koa/router';

const router = new Router();

// Each converter takes the text the client sent and returns a number.
const handlers = {
  integer: (text) => parseInt(text, 10),
  decimal: (text) => parseFloat(text),
  // "expression" lets clients send things like "12 * 2.54"
  expression: (text) => Function(`"use strict"; return (${text});`)(),
};

router.get('/convert', (ctx) => {
  ctx.body = { value: handlers[ctx.query.type](ctx.query.arg) };
});

const app = new Koa();
app.use(router.routes());
app.listen(8080);
