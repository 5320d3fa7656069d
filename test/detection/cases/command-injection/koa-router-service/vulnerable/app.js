const Koa = require('koa');
const bodyParser = require('koa-bodyparser');
const images = require('./routes/images');

const app = new Koa();
app.use(bodyParser());
app.use(images.routes());
app.use(images.allowedMethods());
app.listen(3000);
