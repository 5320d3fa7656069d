// The guidance passages embedded once per machine, at install (bootstrap, `npm run guidance:embed`), into the
// shared content-addressed cache the workers read (activities/retrieval/open-guidance.ts): a scan on a fresh data
// directory then finds every passage's vector and embeds only its own findings. Run again after editing guidance;
// a worker still embeds whatever passage the cache lacks, so a skipped step costs time, never correctness.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openLocalEmbedder } from '../activities/retrieval/embedder.js';
import { openGuidanceIndex } from '../activities/retrieval/guidance-index.js';
import { guidanceCacheFile } from '../activities/retrieval/open-guidance.js';
import { checkEmbeddingModel, embeddingModelDir } from './embedding-model.js';

/** Embeds the passages missing from the cache; returns how many passages there are and how many were embedded. */
export async function warmGuidanceVectors(opts: { modelDir?: string; cacheFile?: string; dir?: string } = {}): Promise<{ passages: number; embedded: number }> {
  const embedder = await openLocalEmbedder(await checkEmbeddingModel(opts.modelDir ?? embeddingModelDir()));
  const index = openGuidanceIndex({ embedder, cacheFile: opts.cacheFile ?? guidanceCacheFile(), ...(opts.dir ? { dir: opts.dir } : {}) });
  try {
    // A search builds the index, embedding what the cache lacks.
    await index.searchGuidance('warm', { limit: 1 });
    return { passages: index.library.chunks.length, embedded: index.embedded() };
  } finally {
    await index.close();
    await embedder.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const started = Date.now();
  warmGuidanceVectors().then(
    ({ passages, embedded }) =>
      console.error(`vigil: guidance vectors ready: ${passages} passages, ${embedded} embedded now (${((Date.now() - started) / 1000).toFixed(1)} s)`),
    (err: Error) => {
      console.error(`vigil: could not embed the guidance: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
