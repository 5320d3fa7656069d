// Guidance for a worker on a data directory: our guidance documents, embedded with the embedder decision
// memory uses (one model loaded), vectors cached in `<data dir>/guidance-vectors.db`. A malformed document is
// said once at start; scans then run without guidance links.
import { join } from 'node:path';
import type { Embedder } from './embedder.js';
import { GUIDANCE_DIR } from './guidance-docs.js';
import { openGuidanceIndex, type GuidanceIndex } from './guidance-index.js';

export type GuidanceOutcome = { index: GuidanceIndex; unavailable?: undefined } | { index?: undefined; unavailable: string };

export function openGuidance(opts: { dataDir: string; embedder: Embedder; dir?: string; warn?: (message: string) => void }): GuidanceOutcome {
  try {
    return { index: openGuidanceIndex({ embedder: opts.embedder, cacheFile: join(opts.dataDir, 'guidance-vectors.db'), dir: opts.dir ?? GUIDANCE_DIR, warn: opts.warn }) };
  } catch (err) {
    return { unavailable: `security guidance is off: ${(err as Error).message}` };
  }
}
