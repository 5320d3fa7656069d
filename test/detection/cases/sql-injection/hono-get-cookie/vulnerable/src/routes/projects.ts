import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });

export const projects = new Hono();

projects.get('/', async (c) => {
  const tenant = getCookie(c, 'tenant') ?? 'public';
  const { rows } = await pool.query(`SELECT id, name FROM projects WHERE tenant = '${tenant}' ORDER BY name`);
  return c.json(rows);
});
