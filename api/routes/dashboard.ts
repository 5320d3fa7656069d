// The review dashboard: a static page and script served from api/dashboard/static, talking to the /v1 API
// with the API key the user signs in with. Nothing is fetched from elsewhere, and a strict CSP backs the
// page's own rule of never turning finding text (attacker-controlled code) into markup.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';

const STATIC_DIR = new URL('../dashboard/static/', import.meta.url);

const ASSETS: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  'style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': DASHBOARD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

/** Reads the files once, when the app is built: the page is a handful of small files. */
function loadAssets(): Map<string, { body: string; type: string }> {
  const loaded = new Map<string, { body: string; type: string }>();
  for (const [name, asset] of Object.entries(ASSETS)) {
    loaded.set(name, { body: readFileSync(fileURLToPath(new URL(asset.file, STATIC_DIR)), 'utf8'), type: asset.type });
  }
  return loaded;
}

/**
 * Serves /dashboard/ and its assets. A middleware (like hono's serveStatic) rather than GET routes: the page
 * is not part of the API, so it stays out of the OpenAPI document. Anything else under /dashboard is 404.
 */
export function dashboardAssets(): MiddlewareHandler<AppEnv> {
  const assets = loadAssets();
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    if (c.req.path === '/dashboard') return c.redirect('/dashboard/', 302);
    const name = c.req.path.slice('/dashboard/'.length);
    const asset = assets.get(name);
    if (!asset) return next();
    const headers = { 'Content-Type': asset.type, ...SECURITY_HEADERS };
    return c.req.method === 'HEAD' ? c.body(null, 200, headers) : c.body(asset.body, 200, headers);
  };
}

/** GET /v1/me: the dashboard asks who the key is to show (or not) the approve controls. */
export function principalRouter() {
  return new Hono<AppEnv>().get('/', (c) => {
    const { name, tenant, roles } = c.get('principal');
    return c.json({ name, tenant, roles });
  });
}
