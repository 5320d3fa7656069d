import { Hono } from 'hono';
import { jwt } from 'hono/jwt';
import { requireAdmin } from './middleware/roles';
import * as settings from './services/settings';
import * as users from './services/users';

const app = new Hono();

app.use('/api/*', jwt({ secret: process.env.JWT_SECRET! }));

app.get('/api/settings/smtp', requireAdmin, async (c) => c.json(await settings.smtp()));

app.put('/api/settings/smtp', async (c) => {
  const { host, port, username, password } = await c.req.json();
  await settings.saveSmtp({ host: String(host), port: Number(port), username: String(username), password: String(password) });
  return c.body(null, 204);
});

app.delete('/api/users/:id', requireAdmin, async (c) => {
  await users.remove(c.req.param('id'));
  return c.body(null, 204);
});

export default app;
