// A running `vigil serve` (named by VIGIL_API_URL, or announced in the data directory) is used over HTTP;
// otherwise the CLI runs the pipeline itself.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPidAlive, vigilDataDir } from '../../infra/data-dir.js';
import type { Backend } from './backend.js';
import { CliError } from './cli-error.js';
import { assertUsableApiKey } from '../auth/tokens.js';

export const SERVE_STATE_FILE = 'serve.json';

/** ok, or why not: unreachable, or the dependencies /healthz says are down. */
async function health(url: string): Promise<{ ok: true } | { ok: false; why: string }> {
  try {
    const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(3000) });
    if (res.ok) return { ok: true };
    const body = (await res.json().catch(() => ({}))) as { dependencies?: Record<string, { ok?: boolean; message?: string }> };
    const down = Object.entries(body.dependencies ?? {}).filter(([, d]) => d.ok === false);
    return { ok: false, why: down.length ? down.map(([name, d]) => `${name}: ${d.message ?? 'down'}`).join('; ') : `HTTP ${res.status}` };
  } catch {
    return { ok: false, why: 'no answer' };
  }
}

function apiKey(dataDir: string): string {
  const file = join(dataDir, 'admin.key');
  const [key, origin] = process.env.VIGIL_API_KEY
    ? [process.env.VIGIL_API_KEY, 'VIGIL_API_KEY']
    : existsSync(file)
      ? [readFileSync(file, 'utf8').trim(), file]
      : [undefined, ''];
  if (key === undefined) throw new CliError(`No API key: set VIGIL_API_KEY (the server's admin key is in ${file} on its machine).`);
  try {
    assertUsableApiKey(key, origin);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  return key;
}

/** Loaded only here: it brings Hono's client, which the local mode never needs. */
async function remoteBackend(url: string, key: string): Promise<Backend> {
  const { createRemoteBackend } = await import('./remote-backend.js');
  return createRemoteBackend(url, key);
}

export async function chooseBackend(opts: { log: (line: string) => void }): Promise<Backend> {
  const dataDir = vigilDataDir();
  if (process.env.VIGIL_API_URL) {
    const h = await health(process.env.VIGIL_API_URL);
    if (!h.ok) throw new CliError(`VIGIL_API_URL=${process.env.VIGIL_API_URL} is not healthy (/healthz: ${h.why}).`);
    return remoteBackend(process.env.VIGIL_API_URL, apiKey(dataDir));
  }
  const stateFile = join(dataDir, SERVE_STATE_FILE);
  if (existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string; pid: number };
    if (isPidAlive(state.pid) && (await health(state.url)).ok) return remoteBackend(state.url, apiKey(dataDir));
  }
  // Loaded only here: it brings the worker, every stage and engine, which the remote mode never needs.
  const { createLocalBackend } = await import('./local-backend.js');
  return createLocalBackend(opts);
}

/**
 * The running API the CLI would talk to (VIGIL_API_URL, or the data directory's `vigil serve`), with its key;
 * undefined when there is none (then commands that need no workflow read the store themselves).
 */
export async function runningApi(dataDir: string): Promise<{ url: string; key: string } | undefined> {
  if (process.env.VIGIL_API_URL) {
    const h = await health(process.env.VIGIL_API_URL);
    if (!h.ok) throw new CliError(`VIGIL_API_URL=${process.env.VIGIL_API_URL} is not healthy (/healthz: ${h.why}).`);
    return { url: process.env.VIGIL_API_URL, key: apiKey(dataDir) };
  }
  const stateFile = join(dataDir, SERVE_STATE_FILE);
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string; pid: number };
  return isPidAlive(state.pid) && (await health(state.url)).ok ? { url: state.url, key: apiKey(dataDir) } : undefined;
}
