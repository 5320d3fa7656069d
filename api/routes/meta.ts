// Unauthenticated routes: health (of the API and what it depends on) and the API description.
import { Hono } from 'hono';
import type { AppEnv, Services } from '../env.js';
import { RETRY_AFTER_SECONDS } from '../http-errors.js';
import { openApiDocument } from '../openapi.js';
import type { DependencyState } from '../temporal-health.js';

const STORE_TIMEOUT_MS = 1_500;

/** A cheap read of the store, bounded in time; the message says what to check, never how it failed inside. */
async function checkStore(s: Services): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STORE_TIMEOUT_MS)));
  try {
    const outcome = await Promise.race([s.store.getScan('healthz', 'scn_healthz').then(() => 'ok' as const), timeout]);
    if (outcome === 'ok') return { ok: true };
    return { ok: false, message: `The store did not answer within ${STORE_TIMEOUT_MS / 1000} s; check the database (or store service) the API uses.` };
  } catch {
    return { ok: false, message: 'The store cannot be read; check the database (or store service) the API uses and the API logs.' };
  } finally {
    clearTimeout(timer);
  }
}

export function metaRouter(s: Services) {
  return new Hono<AppEnv>()
    .get('/healthz', async (c) => {
      const [temporal, store] = await Promise.all([s.temporalHealth.check(), checkStore(s)]);
      const ok = temporal.ok && store.ok;
      const body = { ok, dependencies: { temporal, store } };
      return ok ? c.json(body, 200) : c.json(body, 503, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
    })
    .get('/openapi.json', (c) => c.json(openApiDocument()));
}
