// A snapshot's files as engines and stages see them: contents come from the store's content-addressed blobs,
// read lazily, in batches (one getBlobs per load), each blob decrypted once and kept for the activity.
import type { Location, Patch, SourceFiles, SourceReader, TraceStep } from './model.js';
import type { SnapshotRecord, Store } from './store/store.js';

/**
 * The reader of one snapshot, for one activity: nothing is read until a stage or pass asks. paths() and has()
 * come from the snapshot record and never read a blob.
 */
export function openSourceFiles(store: Store, snapshot: SnapshotRecord): SourceReader {
  const hashOf = new Map(snapshot.files.map((f) => [f.path, f.hash]));
  const paths = [...hashOf.keys()].sort();
  // By content hash: two paths with the same content are fetched and decoded once.
  const texts = new Map<string, string | undefined>();
  const reader: SourceReader = {
    paths: () => paths,
    has: (p) => hashOf.has(p),
    read(p) {
      const hash = hashOf.get(p);
      return hash === undefined ? undefined : texts.get(hash);
    },
    async load(wanted) {
      const missing = new Set<string>();
      for (const p of wanted) {
        const hash = hashOf.get(p);
        if (hash !== undefined && !texts.has(hash)) missing.add(hash);
      }
      if (missing.size === 0) return reader;
      const blobs = await store.getBlobs(snapshot.tenant, [...missing]);
      // A blob the store lacks reads as absent (and is not asked for again).
      for (const hash of missing) texts.set(hash, blobs.get(hash)?.toString('utf8'));
      return reader;
    },
    loadAll: () => reader.load(paths),
  };
  return reader;
}

/** Every file a set of candidates or findings names: where it manifests, its trace, its patch. */
export function filesNamedBy(items: readonly { location: Location; trace: TraceStep[]; patch?: Patch }[]): Set<string> {
  const files = new Set<string>();
  for (const item of items) {
    files.add(item.location.file);
    for (const step of item.trace) files.add(step.file);
    if (item.patch) files.add(item.patch.file);
  }
  return files;
}

/** Files held in memory (tests, fixtures): everything is loaded already. */
export function sourceFilesFromRecord(files: Record<string, string>): SourceReader {
  const paths = Object.keys(files).sort();
  const reader: SourceReader = {
    paths: () => paths,
    has: (p) => Object.hasOwn(files, p),
    read: (p) => (Object.hasOwn(files, p) ? files[p] : undefined),
    load: async () => reader,
    loadAll: async () => reader,
  };
  return reader;
}
