// The decision vectors of a data directory, opened on their own (without the embedding model): what deleting a
// tenant's data needs even where retrieval is off or its model missing — vectors remembered before still go.
// Same file as the decision memory's (open-decision-memory.ts): VIGIL_VECTOR_FILE, else <data dir>/vectors.db.
import { join } from 'node:path';
import { loadKeyring } from '../crypto/keyring.js';
import { createStoreCrypto } from '../crypto/seal.js';
import { openSqliteVectorStore, type DecisionVectorStore } from './vector-store.js';

export function openConfiguredVectorStore(dataDir: string, env: NodeJS.ProcessEnv = process.env): DecisionVectorStore {
  const crypto = createStoreCrypto(loadKeyring({ env, dataDir, generate: true })!);
  return openSqliteVectorStore(env.VIGIL_VECTOR_FILE ?? join(dataDir, 'vectors.db'), { crypto });
}
