// A hosted embedding model: Pinecone's inference API (`embed`) through the real client, chosen by
// configuration (VIGIL_EMBEDDER=pinecone). Its model name is prefixed with the host, so its vectors never mix
// with the local model's in a store (the store keeps vectors per model). Texts are normalised as the local
// embedder's are (well-formed Unicode, bounded length); vectors come back L2-normalised whatever the model does.
import { Pinecone } from '@pinecone-database/pinecone';
import { normaliseText, type Embedder } from './embedder.js';
import { explainPineconeError, retryingFetch, type PineconeRetries } from './pinecone-http.js';

export interface PineconeEmbedderOptions {
  apiKey: string;
  /** A model Pinecone hosts, e.g. multilingual-e5-large. */
  model: string;
  /** What the model returns; checked on every answer. */
  dimensions: number;
  /** The API host (default https://api.pinecone.io). */
  apiHost?: string;
  retries?: PineconeRetries;
}

/** Pinecone's embed limit is 96 inputs a request for its hosted dense models. */
const EMBED_BATCH = 96;

/** Dimensions of the dense models Pinecone hosts (their defaults), so configuration only needs the name. */
export const PINECONE_MODEL_DIMENSIONS: Record<string, number> = {
  'multilingual-e5-large': 1024,
  'llama-text-embed-v2': 1024,
};

export function openPineconeEmbedder(opts: PineconeEmbedderOptions): Embedder {
  const retries = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5000, ...opts.retries };
  const host = (opts.apiHost ?? 'https://api.pinecone.io').replace(/\/+$/, '');
  const client = new Pinecone({ apiKey: opts.apiKey, controllerHostUrl: host, maxRetries: 0, fetchApi: retryingFetch(retries, host) });
  return {
    model: `pinecone/${opts.model}`,
    dimensions: opts.dimensions,
    async embed(texts) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += EMBED_BATCH) {
        // Findings are compared with findings: one input type for both sides.
        const inputs = texts.slice(i, i + EMBED_BATCH).map((t) => normaliseText(t) || ' ');
        let res;
        try {
          res = await client.inference.embed({ model: opts.model, inputs, parameters: { inputType: 'passage', truncate: 'END' } });
        } catch (err) {
          throw explainPineconeError(err, `embed texts with ${opts.model}`, {
            hostSetting: 'VIGIL_PINECONE_API_HOST',
            badRequest: 'Check VIGIL_PINECONE_EMBED_MODEL names a model Pinecone hosts for embedding (e.g. multilingual-e5-large).',
          });
        }
        if (res.data.length !== inputs.length) throw new Error(`Pinecone embedded ${res.data.length} of ${inputs.length} texts with ${opts.model}.`);
        for (const e of res.data) {
          const values = 'values' in e ? (e.values as number[] | undefined) : undefined;
          if (!values || values.length !== opts.dimensions) {
            throw new Error(
              `Pinecone's ${opts.model} returned ${values ? `${values.length}-dimension` : 'non-dense'} embeddings, not ${opts.dimensions}: set VIGIL_PINECONE_EMBED_DIMENSIONS to the model's dimension (and the index's).`,
            );
          }
          const v = Float32Array.from(values);
          const n = Math.hypot(...v) || 1;
          out.push(v.map((x) => x / n));
        }
      }
      return out;
    },
    async close() {
      // Nothing held: the client keeps no connection of its own.
    },
  };
}
