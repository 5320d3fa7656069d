// A snapshot's files as engines see them: contents come from the store's content-addressed blobs.
import type { Location, Patch, SourceFiles, TraceStep } from './model.js';
import type { SnapshotRecord, Store } from './store/store.js';

/**
 * The snapshot's files. With `only`, just those paths are fetched (and decrypted): stages after reasoning
 * read the few files their candidates name, not the whole repository; paths() still lists every file.
 */
export async function loadSourceFiles(store: Store, snapshot: SnapshotRecord, only?: ReadonlySet<string>): Promise<SourceFiles> {
  const texts = new Map<string, string>();
  for (const f of snapshot.files) {
    if (only && !only.has(f.path)) continue;
    const blob = await store.getBlob(snapshot.tenant, f.hash);
    if (blob) texts.set(f.path, blob.toString('utf8'));
  }
  const paths = only ? snapshot.files.map((f) => f.path).sort() : [...texts.keys()].sort();
  return { paths: () => paths, read: (p) => texts.get(p) };
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

export function sourceFilesFromRecord(files: Record<string, string>): SourceFiles {
  const paths = Object.keys(files).sort();
  return { paths: () => paths, read: (p) => files[p] };
}
