// Guidance for a worker: our guidance documents, embedded with the embedder decision memory uses (one model
// loaded). Their vectors hold no tenant data and depend only on the model and the passage text, so they are
// cached once per machine in the cache directory (filled at install by infra/guidance-vectors.ts), not per data
// directory: a fresh data directory never spends a scan embedding 255 passages. A malformed document is said
// once at start; scans then run without guidance links.
import { join } from 'node:path';
import { vigilCacheDir } from '../../infra/data-dir.js';
import type { Embedder } from './embedder.js';
import { GUIDANCE_DIR } from './guidance-docs.js';
import { openGuidanceIndex, type GuidanceIndex } from './guidance-index.js';

export type GuidanceOutcome = { index: GuidanceIndex; unavailable?: undefined } | { index?: undefined; unavailable: string };

/** The machine's guidance vector cache (content-addressed: model and sha256 of each passage). */
export function guidanceCacheFile(cacheDir: string = vigilCacheDir()): string {
  return join(cacheDir, 'guidance', 'vectors.db');
}

export function openGuidance(opts: { embedder: Embedder; dir?: string; cacheFile?: string; warn?: (message: string) => void }): GuidanceOutcome {
  try {
    return { index: openGuidanceIndex({ embedder: opts.embedder, cacheFile: opts.cacheFile ?? guidanceCacheFile(), dir: opts.dir ?? GUIDANCE_DIR, warn: opts.warn }) };
  } catch (err) {
    return { unavailable: `security guidance is off: ${(err as Error).message}` };
  }
}
