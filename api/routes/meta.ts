// Unauthenticated routes: liveness and the API description.
import { Hono } from 'hono';
import type { AppEnv } from '../app.js';
import { openApiDocument } from '../openapi.js';

export function metaRouter() {
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.json({ ok: true as const }))
    .get('/openapi.json', (c) => c.json(openApiDocument()));
}
