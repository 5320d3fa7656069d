'use strict';
const Koa = require('koa');
const bodyParser = require('koa-bodyparser');
const session = require('koa-session');
const { loadUser } = require('./middleware/session');
const invoices = require('./routes/invoices');

const app = new Koa();
app.keys = [process.env.SESSION_KEY];
app.use(session({ sameSite: 'strict' }, app));
app.use(bodyParser());
app.use(loadUser);
app.use(invoices.routes());
app.use(invoices.allowedMethods());

app.listen(process.env.PORT || 3000);
