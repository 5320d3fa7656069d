import { Hono } from 'hono';
import { projects } from './routes/projects';

const app = new Hono();
app.route('/projects', projects);

export default app;
