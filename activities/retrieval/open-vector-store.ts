// The configured decision vector store, one rule for every caller: the file beside the code store
// (VIGIL_VECTOR_STORE=sqlite, the default: VIGIL_VECTOR_FILE, else <data dir>/vectors.db) or one Pinecone index
// (VIGIL_VECTOR_STORE=pinecone, PINECONE_API_KEY, VIGIL_PINECONE_INDEX_HOST). Decision memory opens it with its
// embedder; deleting a tenant's data opens it on its own (without the model), since vectors remembered before
// retrieval was turned off or its model went missing must go too.
import { join } from 'node:path';
import { loadKeyring } from '../crypto/keyring.js';
import { createStoreCrypto, type StoreCrypto } from '../crypto/seal.js';
import { openPineconeVectorStore } from './pinecone-vector-store.js';
import { openSqliteVectorStore, type DecisionVectorStore } from './vector-store.js';

/** The configured vector store. A wrong setting throws (the operator asked for something that cannot be). */
export function openVectorStore(opts: {
  dataDir: string;
  crypto?: StoreCrypto;
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
  /** The embedder's dimensions, checked against a Pinecone index at start; omitted, not checked. */
  dimensions?: number;
}): DecisionVectorStore {
  const { env } = opts;
  const kind = env.VIGIL_VECTOR_STORE ?? 'sqlite';
  if (kind === 'sqlite') return openSqliteVectorStore(env.VIGIL_VECTOR_FILE ?? join(opts.dataDir, 'vectors.db'), { crypto: opts.crypto });
  if (kind !== 'pinecone') throw new Error(`VIGIL_VECTOR_STORE=${kind} is not a vector store Vigil knows; use "sqlite" (the default) or "pinecone".`);
  const missing = ['PINECONE_API_KEY', 'VIGIL_PINECONE_INDEX_HOST'].filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new Error(`VIGIL_VECTOR_STORE=pinecone needs ${missing.join(' and ')} (the API key, and the index's data-plane host from the Pinecone console).`);
  }
  if (!opts.crypto) throw new Error('VIGIL_VECTOR_STORE=pinecone needs the store keyring: decisions leave this machine sealed, never in clear.');
  let host = env.VIGIL_PINECONE_INDEX_HOST!;
  if (!/^https?:\/\//.test(host)) host = `https://${host}`;
  const store = openPineconeVectorStore({ apiKey: env.PINECONE_API_KEY!, indexHost: host, crypto: opts.crypto });
  // Said once at start, without waiting for it: an index that refuses the key or has another dimension.
  void store
    .describe()
    .then(({ dimension }) => {
      if (dimension !== undefined && opts.dimensions !== undefined && dimension !== opts.dimensions) {
        opts.warn(`the Pinecone index at ${host} has ${dimension} dimensions, the embedding model ${opts.dimensions}: create the index with dimension ${opts.dimensions} and metric cosine; until then retrieval fails.`);
      }
    })
    .catch((err: Error) => opts.warn(`decision memory: Pinecone is not usable yet: ${err.message}`));
  return store;
}

/** The data directory's vector store with its keyring, for callers without decision memory (tenant deletion). */
export function openConfiguredVectorStore(dataDir: string, env: NodeJS.ProcessEnv = process.env): DecisionVectorStore {
  const crypto = createStoreCrypto(loadKeyring({ env, dataDir, generate: true })!);
  return openVectorStore({ dataDir, crypto, env, warn: (m) => console.error(`vigil: warning: ${m}`) });
}
