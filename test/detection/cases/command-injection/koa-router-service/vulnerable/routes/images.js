const Router = require('@koa/router');
const { resize } = require('../services/thumbnails');

const router = new Router({ prefix: '/images' });

router.post('/thumbnail', async (ctx) => {
  const { file, width } = ctx.request.body;
  ctx.body = await resize(file, width);
});

router.get('/health', (ctx) => {
  ctx.body = 'ok';
});

module.exports = router;
