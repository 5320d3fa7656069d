import { Hono } from 'hono';
import { logger } from 'hono/logger';
import { pricing } from './routes/pricing';

const app = new Hono();
app.use('*', logger());
app.route('/pricing', pricing);

export default app;
