// The guidance passages embedded and searchable. Vectors are cached on disk keyed by (model, sha256 of the
// passage's embedded text), so a worker start embeds only passages that changed; the index itself is in
// memory, built on first search. Guidance is ours and shared by every tenant; queries carry finding text and
// are never logged or stored.
import { createHash } from 'node:crypto';
import { openPrivateSqlite } from '../store/open-sqlite.js';
import { cosine, type Embedder } from './embedder.js';
import { loadGuidanceLibrary, type GuidanceChunk, type GuidanceLibrary } from './guidance-docs.js';

export interface GuidanceHit {
  chunk: GuidanceChunk;
  /** Cosine similarity of query and passage, -1 to 1. */
  similarity: number;
}

export interface GuidanceQuery {
  text: string;
  /** Only these classes' passages (one, or those of a CWE more than one class reports). */
  ruleIds?: readonly string[];
  /** Only this `##` section and its subsections (e.g. "How to fix it"). */
  section?: string;
}

function inClasses(chunk: GuidanceChunk, query: GuidanceQuery): boolean {
  return query.ruleIds === undefined || query.ruleIds.includes(chunk.ruleId);
}

function inSection(chunk: GuidanceChunk, section: string | undefined): boolean {
  return section === undefined || chunk.heading === section || chunk.heading.startsWith(`${section} > `);
}

export interface GuidanceIndex {
  readonly library: GuidanceLibrary;
  /** The best passages for a query, best first. */
  searchGuidance(query: string, opts?: { ruleId?: string; limit?: number }): Promise<GuidanceHit[]>;
  /** The same for many queries at once (their texts embedded in one batch). */
  searchMany(queries: GuidanceQuery[], limit: number): Promise<GuidanceHit[][]>;
  /** Passages embedded (not found in the cache) since this index was opened. */
  embedded(): number;
  /** Where a retrieval failure is reported: it degrades guidance only, never the scan. */
  warn(message: string): void;
  close(): Promise<void>;
}

export const DEFAULT_GUIDANCE_LIMIT = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS guidance_vectors (
  model TEXT NOT NULL, hash TEXT NOT NULL, vector BLOB NOT NULL,
  PRIMARY KEY (model, hash)) WITHOUT ROWID;
`;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

interface Built {
  chunks: GuidanceChunk[];
  vectors: Float32Array[];
}

/**
 * An index over `library` (default: the guidance directory's documents), its vectors cached in `cacheFile`
 * (a SQLite file keyed by model and passage hash; see open-guidance.ts). Nothing is read or embedded until the first search.
 */
export function openGuidanceIndex(opts: {
  embedder: Embedder;
  cacheFile: string;
  library?: GuidanceLibrary;
  dir?: string;
  warn?: (message: string) => void;
}): GuidanceIndex {
  const library = opts.library ?? loadGuidanceLibrary(opts.dir);
  const { embedder } = opts;
  const db = openPrivateSqlite(opts.cacheFile);
  db.exec(SCHEMA);
  const q = {
    get: db.prepare('SELECT vector FROM guidance_vectors WHERE model = ? AND hash = ?').pluck(),
    put: db.prepare('INSERT OR REPLACE INTO guidance_vectors (model, hash, vector) VALUES (?, ?, ?)'),
  };
  // One in-memory index per model: vectors of different models never mix.
  const built = new Map<string, Promise<Built>>();
  let embeddedCount = 0;

  const build = async (): Promise<Built> => {
    const model = embedder.model;
    const hashes = library.chunks.map((c) => sha256(c.text));
    const vectors: (Float32Array | undefined)[] = hashes.map((h) => {
      const blob = q.get.get(model, h) as Buffer | undefined;
      return blob && blob.byteLength === embedder.dimensions * 4 ? new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)) : undefined;
    });
    const missing = vectors.flatMap((v, i) => (v ? [] : [i]));
    if (missing.length > 0) {
      const fresh = await embedder.embed(missing.map((i) => library.chunks[i]!.text));
      embeddedCount += missing.length;
      db.transaction(() => {
        missing.forEach((i, k) => {
          vectors[i] = fresh[k]!;
          q.put.run(model, hashes[i]!, Buffer.from(fresh[k]!.buffer, fresh[k]!.byteOffset, fresh[k]!.byteLength));
        });
      })();
    }
    // Vectors of passages edited away stay: the cache is keyed by content and shared by every checkout on the
    // machine (their guidance may differ), and a few hundred 1.5 KB rows per edit are not worth a prune.
    return { chunks: library.chunks, vectors: vectors as Float32Array[] };
  };
  const ready = () => {
    let b = built.get(embedder.model);
    if (!b) {
      b = build();
      // A failed build (the model would not load) is tried again by the next search.
      b.catch(() => built.delete(embedder.model));
      built.set(embedder.model, b);
    }
    return b;
  };

  const searchMany = async (queries: GuidanceQuery[], limit: number): Promise<GuidanceHit[][]> => {
    if (queries.length === 0 || library.chunks.length === 0 || limit <= 0) return queries.map(() => []);
    const index = await ready();
    const qv = await embedder.embed(queries.map((x) => x.text));
    return queries.map((query, n) => {
      const hits: GuidanceHit[] = [];
      index.chunks.forEach((chunk, i) => {
        if (inClasses(chunk, query) && inSection(chunk, query.section)) hits.push({ chunk, similarity: cosine(qv[n]!, index.vectors[i]!) });
      });
      return hits.sort((a, b) => b.similarity - a.similarity).slice(0, limit);
    });
  };

  return {
    library,
    searchMany,
    async searchGuidance(query, o = {}) {
      const [hits] = await searchMany([{ text: query, ...(o.ruleId !== undefined ? { ruleIds: [o.ruleId] } : {}) }], o.limit ?? DEFAULT_GUIDANCE_LIMIT);
      return hits!;
    },
    embedded: () => embeddedCount,
    warn: opts.warn ?? ((m: string) => console.error(`vigil: warning: ${m}`)),
    async close() {
      db.close();
    },
  };
}
