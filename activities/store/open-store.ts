// Chooses the code store from configuration. One setting: VIGIL_STORE=sqlite|turbopuffer|postgres (sqlite is
// the embedded default). All encrypt at rest under the keyring: VIGIL_MASTER_KEY / VIGIL_MASTER_KEY_FILE, or
// the data directory's generated master.key (machines sharing a Turbopuffer or PostgreSQL store must share it).
import { join } from 'node:path';
import { loadKeyring } from '../crypto/keyring.js';
import { createStoreCrypto } from '../crypto/seal.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';
import { openTurbopufferStore } from './turbopuffer-store.js';

const KINDS = ['sqlite', 'turbopuffer', 'postgres'] as const;

export function openConfiguredStore(dataDir: string, env: NodeJS.ProcessEnv = process.env): Store {
  const kind = env.VIGIL_STORE ?? 'sqlite';
  if (!(KINDS as readonly string[]).includes(kind)) {
    throw new Error(`VIGIL_STORE=${kind} is not a store Vigil knows; use "sqlite", "turbopuffer" or "postgres".`);
  }
  const keyring = loadKeyring({ env, dataDir, generate: true })!;
  const crypto = createStoreCrypto(keyring);
  if (kind === 'sqlite') return openSqliteStore(env.VIGIL_SQLITE_FILE ?? join(dataDir, 'vigil.db'), { crypto });
  if (kind === 'postgres') return openPostgresStore({ url: databaseUrl(env), crypto, urlSource: 'VIGIL_DATABASE_URL' });
  const apiKey = env.TURBOPUFFER_API_KEY;
  if (!apiKey) throw new Error('VIGIL_STORE=turbopuffer needs TURBOPUFFER_API_KEY (and TURBOPUFFER_REGION or TURBOPUFFER_BASE_URL).');
  if (!env.TURBOPUFFER_BASE_URL && !env.TURBOPUFFER_REGION) {
    throw new Error('VIGIL_STORE=turbopuffer needs TURBOPUFFER_REGION (e.g. gcp-us-central1) or TURBOPUFFER_BASE_URL.');
  }
  return openTurbopufferStore({
    apiKey,
    ...(env.TURBOPUFFER_BASE_URL ? { baseURL: env.TURBOPUFFER_BASE_URL } : { region: env.TURBOPUFFER_REGION }),
    prefix: env.VIGIL_TURBOPUFFER_PREFIX ?? 'vigil',
    crypto,
  });
}

/** VIGIL_DATABASE_URL, checked for shape; the value itself (it holds a password) never goes into a message. */
function databaseUrl(env: NodeJS.ProcessEnv): string {
  const url = env.VIGIL_DATABASE_URL;
  const example = 'postgres://user:password@host:5432/database';
  if (!url) throw new Error(`VIGIL_STORE=postgres needs VIGIL_DATABASE_URL (${example}).`);
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error(`VIGIL_DATABASE_URL is not a URL; it should look like ${example} (percent-encode special characters in the password).`);
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new Error(`VIGIL_DATABASE_URL must start with postgres:// or postgresql:// (got ${protocol}//...).`);
  }
  return url;
}
