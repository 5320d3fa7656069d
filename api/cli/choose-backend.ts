// A running `vigil serve` (named by VIGIL_API_URL, or announced in the data directory) is used over HTTP;
// otherwise the CLI runs the pipeline itself.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPidAlive, vigilDataDir } from '../../infra/data-dir.js';
import type { Backend } from './backend.js';
import { createLocalBackend } from './local-backend.js';
import { CliError, createRemoteBackend } from './remote-backend.js';

export const SERVE_STATE_FILE = 'serve.json';

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

function apiKey(dataDir: string): string {
  if (process.env.VIGIL_API_KEY) return process.env.VIGIL_API_KEY;
  const file = join(dataDir, 'admin.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new CliError(`No API key: set VIGIL_API_KEY (the server's admin key is in ${file} on its machine).`);
}

export async function chooseBackend(opts: { log: (line: string) => void }): Promise<Backend> {
  const dataDir = vigilDataDir();
  if (process.env.VIGIL_API_URL) {
    if (!(await healthy(process.env.VIGIL_API_URL))) throw new CliError(`VIGIL_API_URL=${process.env.VIGIL_API_URL} does not answer /healthz.`);
    return createRemoteBackend(process.env.VIGIL_API_URL, apiKey(dataDir));
  }
  const stateFile = join(dataDir, SERVE_STATE_FILE);
  if (existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string; pid: number };
    if (isPidAlive(state.pid) && (await healthy(state.url))) return createRemoteBackend(state.url, apiKey(dataDir));
  }
  return createLocalBackend(opts);
}
