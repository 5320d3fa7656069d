// Text → unit vectors. The default is all-MiniLM-L6-v2 run locally (int8 ONNX through onnxruntime-node, its
// WordPiece tokenizer through @huggingface/tokenizers, both from the provisioned cache: nothing is fetched).
// A hosted model can implement the same interface and be chosen by configuration.
import fs from 'node:fs';
import type { ModelFiles } from '../../infra/embedding-model.js';

export interface Embedder {
  /** Names the model; vectors of different models never mix in one store. */
  readonly model: string;
  readonly dimensions: number;
  /** One L2-normalised vector per text, in order (cosine similarity is then a dot product). */
  embed(texts: string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** sentence-transformers' max_seq_length for this model: longer texts are truncated to their first 256 tokens. */
const MAX_TOKENS = 256;
/** Characters kept before tokenising: 256 WordPiece tokens never need more, and a 100 KB comment costs nothing. */
const MAX_CHARS = 4096;
const DIMENSIONS = 384;

/**
 * Text as the model sees it: well-formed Unicode (lone surrogates from badly decoded bytes become U+FFFD),
 * control characters as spaces, bounded in length.
 */
export function normaliseText(text: string): string {
  const bounded = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
  // eslint-disable-next-line no-control-regex
  // Encoding to UTF-8 replaces lone surrogates with U+FFFD.
  return Buffer.from(bounded, 'utf8').toString('utf8').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
}

export interface LocalEmbedderOptions {
  /** Texts per ONNX run (default 32). */
  batchSize?: number;
  /** onnxruntime intra-op threads (default 1: a worker shares its cores with scans). */
  threads?: number;
}

interface Encoded {
  ids: number[];
  mask: number[];
}

/** Loads the provisioned model; throws (naming the file) when the tokenizer or the ONNX graph does not load. */
export async function openLocalEmbedder(files: ModelFiles, opts: LocalEmbedderOptions = {}): Promise<Embedder> {
  // Loaded here, not at the top: a worker without retrieval never pays for the runtime.
  const [ort, { Tokenizer }] = await Promise.all([import('onnxruntime-node'), import('@huggingface/tokenizers')]);
  let tokenizer: InstanceType<typeof Tokenizer>;
  try {
    tokenizer = new Tokenizer(JSON.parse(fs.readFileSync(files.tokenizer, 'utf8')), JSON.parse(fs.readFileSync(files.tokenizerConfig, 'utf8')));
  } catch (err) {
    throw new Error(`Could not load the tokenizer ${files.tokenizer}: ${(err as Error).message}. Delete ${files.dir} and run \`npm run models:fetch\`.`, { cause: err });
  }
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    const threads = opts.threads ?? 1;
    session = await ort.InferenceSession.create(files.model, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (err) {
    throw new Error(`Could not load the embedding model ${files.model}: ${(err as Error).message}. Delete ${files.dir} and run \`npm run models:fetch\`.`, { cause: err });
  }
  const batchSize = opts.batchSize ?? 32;
  const clsId = tokenizer.token_to_id('[CLS]') ?? 101;
  const sepId = tokenizer.token_to_id('[SEP]') ?? 102;

  const encode = (text: string): Encoded => {
    const out = tokenizer.encode(normaliseText(text));
    let ids = out.ids;
    if (ids.length > MAX_TOKENS) ids = [...ids.slice(0, MAX_TOKENS - 1), sepId];
    if (ids.length === 0) ids = [clsId, sepId];
    return { ids, mask: ids.map(() => 1) };
  };

  const runBatch = async (batch: Encoded[]): Promise<Float32Array[]> => {
    const width = Math.max(...batch.map((e) => e.ids.length));
    const n = batch.length;
    const ids = new BigInt64Array(n * width);
    const mask = new BigInt64Array(n * width);
    batch.forEach((e, row) => {
      for (let i = 0; i < e.ids.length; i++) {
        ids[row * width + i] = BigInt(e.ids[i]!);
        mask[row * width + i] = 1n;
      }
    });
    const feeds = {
      input_ids: new ort.Tensor('int64', ids, [n, width]),
      attention_mask: new ort.Tensor('int64', mask, [n, width]),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(n * width), [n, width]),
    };
    const result = await session.run(feeds);
    const hidden = result.last_hidden_state!.data as Float32Array;
    // Mean over the real tokens (not the padding), then L2 normalisation.
    return batch.map((e, row) => {
      const v = new Float32Array(DIMENSIONS);
      const len = e.ids.length;
      for (let t = 0; t < len; t++) {
        const base = (row * width + t) * DIMENSIONS;
        for (let d = 0; d < DIMENSIONS; d++) v[d]! += hidden[base + d]!;
      }
      let norm = 0;
      for (let d = 0; d < DIMENSIONS; d++) norm += v[d]! * v[d]!;
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < DIMENSIONS; d++) v[d]! /= norm;
      return v;
    });
  };

  return {
    model: 'all-MiniLM-L6-v2-int8',
    dimensions: DIMENSIONS,
    async embed(texts) {
      const encoded = texts.map(encode);
      // Similar lengths share a batch, so little of each run is padding.
      const order = encoded.map((_, i) => i).sort((a, b) => encoded[a]!.ids.length - encoded[b]!.ids.length);
      const out = new Array<Float32Array>(texts.length);
      for (let i = 0; i < order.length; i += batchSize) {
        const idx = order.slice(i, i + batchSize);
        const vectors = await runBatch(idx.map((j) => encoded[j]!));
        idx.forEach((j, k) => (out[j] = vectors[k]!));
      }
      return out;
    },
    async close() {
      await session.release();
    },
  };
}

/** Cosine similarity of two unit vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
