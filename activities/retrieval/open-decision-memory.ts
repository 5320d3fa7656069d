// Decision memory from configuration, for a worker on a data directory: the local model from the provisioned
// cache (checked, never downloaded) and the vector file beside the code store. VIGIL_RETRIEVAL=off turns it
// off. A missing or corrupt model is reported at start, and scans then run without retrieval.
import { join } from 'node:path';
import { checkEmbeddingModel, embeddingModelDir, EMBEDDING_MODEL_NAME, type ModelFiles } from '../../infra/embedding-model.js';
import type { StoreCrypto } from '../crypto/seal.js';
import type { DecisionMemory } from './decision-memory.js';
import { openLocalEmbedder, type Embedder } from './embedder.js';
import { openSqliteVectorStore } from './vector-store.js';

export type DecisionMemoryOutcome = { memory: DecisionMemory; unavailable?: undefined } | { memory?: undefined; unavailable: string };

/** The model's session is created on first use: a worker whose tenants have no decisions yet never loads it. */
export function lazyLocalEmbedder(files: ModelFiles): Embedder {
  let loading: Promise<Embedder> | undefined;
  const load = () => (loading ??= openLocalEmbedder(files));
  return {
    model: EMBEDDING_MODEL_NAME,
    dimensions: 384,
    async embed(texts) {
      return (await load()).embed(texts);
    },
    async close() {
      if (loading) await (await loading.catch(() => undefined))?.close();
    },
  };
}

export async function openDecisionMemory(opts: {
  dataDir: string;
  crypto?: StoreCrypto;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
  /** Where the model was provisioned (default: the cache directory's). */
  modelDir?: string;
}): Promise<DecisionMemoryOutcome> {
  const env = opts.env ?? process.env;
  const warn = opts.warn ?? ((m: string) => console.error(`vigil: warning: ${m}`));
  const setting = env.VIGIL_RETRIEVAL ?? 'local';
  if (setting === 'off') return { unavailable: 'retrieval is turned off (VIGIL_RETRIEVAL=off)' };
  if (setting !== 'local') {
    throw new Error(`VIGIL_RETRIEVAL=${setting} is not an embedder Vigil knows; use "local" (the default) or "off".`);
  }
  let files: ModelFiles;
  try {
    files = await checkEmbeddingModel(opts.modelDir ?? embeddingModelDir());
  } catch (err) {
    return { unavailable: `retrieval of similar past decisions is off: ${(err as Error).message}` };
  }
  const embedder = lazyLocalEmbedder(files);
  const vectors = openSqliteVectorStore(env.VIGIL_VECTOR_FILE ?? join(opts.dataDir, 'vectors.db'), { crypto: opts.crypto });
  return {
    memory: {
      embedder,
      vectors,
      warn,
      async close() {
        await embedder.close();
        await vectors.close();
      },
    },
  };
}
