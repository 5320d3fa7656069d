// Chooses the code store from configuration. One setting: VIGIL_STORE (sqlite is the embedded default).
import { join } from 'node:path';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export function openConfiguredStore(dataDir: string, env: NodeJS.ProcessEnv = process.env): Store {
  const kind = env.VIGIL_STORE ?? 'sqlite';
  if (kind === 'sqlite') return openSqliteStore(env.VIGIL_SQLITE_FILE ?? join(dataDir, 'vigil.db'));
  throw new Error(`VIGIL_STORE=${kind} is not a store Vigil knows; use "sqlite".`);
}
