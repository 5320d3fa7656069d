// Decision memory from configuration, for a worker on a data directory. The embedder: the local model from
// the provisioned cache (checked, never downloaded), or Pinecone's hosted inference (VIGIL_EMBEDDER=pinecone,
// VIGIL_PINECONE_EMBED_MODEL). The vector store: the file beside the code store (VIGIL_VECTOR_STORE=sqlite,
// the default), or one Pinecone index (VIGIL_VECTOR_STORE=pinecone, PINECONE_API_KEY, VIGIL_PINECONE_INDEX_HOST).
// VIGIL_RETRIEVAL=off turns it off. A missing or corrupt model is reported at start, and scans then run
// without retrieval; a Pinecone index that refuses us or has the wrong shape is reported at start too.
import { checkEmbeddingModel, embeddingModelDir, EMBEDDING_MODEL_NAME, type ModelFiles } from '../../infra/embedding-model.js';
import type { StoreCrypto } from '../crypto/seal.js';
import type { DecisionMemory } from './decision-memory.js';
import { openLocalEmbedder, type Embedder } from './embedder.js';
import { openPineconeEmbedder, PINECONE_MODEL_DIMENSIONS } from './pinecone-embedder.js';
import { openVectorStore } from './open-vector-store.js';

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
  const embedderKind = env.VIGIL_EMBEDDER ?? 'local';
  let embedder: Embedder;
  if (embedderKind === 'pinecone') {
    embedder = pineconeEmbedderFromEnv(env);
  } else if (embedderKind === 'local') {
    let files: ModelFiles;
    try {
      files = await checkEmbeddingModel(opts.modelDir ?? embeddingModelDir());
    } catch (err) {
      return { unavailable: `retrieval of similar past decisions is off: ${(err as Error).message}` };
    }
    embedder = lazyLocalEmbedder(files);
  } else {
    throw new Error(`VIGIL_EMBEDDER=${embedderKind} is not an embedder Vigil knows; use "local" (the default, the provisioned model) or "pinecone" (Pinecone's hosted inference).`);
  }
  const vectors = openVectorStore({ ...opts, env, warn, dimensions: embedder.dimensions });
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

/** Pinecone's hosted inference: PINECONE_API_KEY, VIGIL_PINECONE_EMBED_MODEL (default multilingual-e5-large). */
function pineconeEmbedderFromEnv(env: NodeJS.ProcessEnv): Embedder {
  if (!env.PINECONE_API_KEY) throw new Error('VIGIL_EMBEDDER=pinecone needs PINECONE_API_KEY.');
  const model = env.VIGIL_PINECONE_EMBED_MODEL ?? 'multilingual-e5-large';
  const dimensions = env.VIGIL_PINECONE_EMBED_DIMENSIONS ? Number(env.VIGIL_PINECONE_EMBED_DIMENSIONS) : PINECONE_MODEL_DIMENSIONS[model];
  if (!dimensions || !Number.isInteger(dimensions) || dimensions <= 0) {
    throw new Error(`VIGIL_EMBEDDER=pinecone with model ${model} needs VIGIL_PINECONE_EMBED_DIMENSIONS (a positive integer: the model's output dimension).`);
  }
  return openPineconeEmbedder({ apiKey: env.PINECONE_API_KEY, model, dimensions, ...(env.VIGIL_PINECONE_API_HOST ? { apiHost: env.VIGIL_PINECONE_API_HOST } : {}) });
}
