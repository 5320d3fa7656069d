// A snapshot's files as engines see them: contents come from the store's content-addressed blobs.
import type { SourceFiles } from './model.js';
import type { SnapshotRecord, Store } from './store/store.js';

export async function loadSourceFiles(store: Store, snapshot: SnapshotRecord): Promise<SourceFiles> {
  const texts = new Map<string, string>();
  for (const f of snapshot.files) {
    const blob = await store.getBlob(snapshot.tenant, f.hash);
    if (blob) texts.set(f.path, blob.toString('utf8'));
  }
  const paths = [...texts.keys()].sort();
  return { paths: () => paths, read: (p) => texts.get(p) };
}

export function sourceFilesFromRecord(files: Record<string, string>): SourceFiles {
  const paths = Object.keys(files).sort();
  return { paths: () => paths, read: (p) => files[p] };
}
