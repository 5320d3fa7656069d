import Koa from 'koa';
import Router from '@koa/router';
import { bearer } from './bearer';

const app = new Koa();
const router = new Router({ prefix: '/ops' });
const startedAt = new Date();

router.get('/health', (ctx) => {
  ctx.body = { ok: true };
});

router.get('/diagnostics', bearer, (ctx) => {
  const memory = process.memoryUsage();
  ctx.body = {
    startedAt: startedAt.toISOString(),
    uptimeSeconds: Math.round(process.uptime()),
    heapUsed: memory.heapUsed,
    runtime: process.version,
    environment: process.env,
  };
});

app.use(router.routes());
app.listen(Number(process.env.PORT ?? 7000));
