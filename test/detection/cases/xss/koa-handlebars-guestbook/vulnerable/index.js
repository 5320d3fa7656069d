const Koa = require('koa');
const Router = require('@koa/router');
const views = require('koa-views');
const { bodyParser } = require('@koa/bodyparser');

const app = new Koa();
const router = new Router();

app.use(bodyParser());
app.use(views(__dirname + '/views', { extension: 'hbs', map: { hbs: 'handlebars' } }));

router.post('/guestbook/sign', async (ctx) => {
  const entry = { author: ctx.request.body.author, message: ctx.request.body.message };
  await ctx.render('guestbook', { entries: [entry], heading: 'Thanks for signing!' });
});

app.use(router.routes());
app.listen(3000);
