// Chooses the code store from configuration. One setting: VIGIL_STORE=sqlite|turbopuffer (sqlite is the
// embedded default). Both encrypt at rest under the keyring: VIGIL_MASTER_KEY / VIGIL_MASTER_KEY_FILE, or
// the data directory's generated master.key.
import { join } from 'node:path';
import { loadKeyring } from '../crypto/keyring.js';
import { createStoreCrypto } from '../crypto/seal.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';
import { openTurbopufferStore } from './turbopuffer-store.js';

export function openConfiguredStore(dataDir: string, env: NodeJS.ProcessEnv = process.env): Store {
  const kind = env.VIGIL_STORE ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'turbopuffer') {
    throw new Error(`VIGIL_STORE=${kind} is not a store Vigil knows; use "sqlite" or "turbopuffer".`);
  }
  const keyring = loadKeyring({ env, dataDir, generate: true })!;
  const crypto = createStoreCrypto(keyring);
  if (kind === 'sqlite') return openSqliteStore(env.VIGIL_SQLITE_FILE ?? join(dataDir, 'vigil.db'), { crypto });
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
