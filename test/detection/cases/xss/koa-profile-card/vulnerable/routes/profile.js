const Router = require('@koa/router');

const router = new Router({ prefix: '/profile' });

router.get('/card', (ctx) => {
  const { name, bio } = ctx.query;
  ctx.body = `<section class="card"><h2>${name}</h2><p>${bio}</p></section>`;
});

router.get('/greeting', (ctx) => {
  ctx.body = 'Hello, ' + ctx.query.name;
});

module.exports = router;
