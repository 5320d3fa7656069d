// The snapshot id: a content address of the manifest and of where it came from (repository, commit), so
// the same tree of the same repository always gets the same id and a retried snapshot step lands on the
// row the first attempt wrote, while two repositories with identical files keep separate records.
import { createHash } from 'node:crypto';
import type { SnapshotFile } from '../store/store.js';

export interface SnapshotOrigin {
  repoKey: string;
  commit?: string;
  dirty?: boolean;
}

/**
 * sha256 over an origin line, when given, then `mode path\0hash\n` rows sorted by path (a path cannot contain
 * NUL, so rows are unambiguous).
 */
export function snapshotId(files: readonly Pick<SnapshotFile, 'path' | 'hash' | 'mode'>[], origin?: SnapshotOrigin): string {
  const sorted = isSortedByPath(files) ? files : [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const h = createHash('sha256');
  if (origin) h.update(`origin ${origin.repoKey}\0${origin.commit ?? ''}\0${origin.dirty ? 'dirty' : 'clean'}\n`);
  // Joined in chunks: one update per row costs more than the hashing itself.
  const CHUNK = 4096;
  for (let i = 0; i < sorted.length; i += CHUNK) {
    let s = '';
    for (const f of sorted.slice(i, i + CHUNK)) s += `${f.mode} ${f.path}\0${f.hash}\n`;
    h.update(s);
  }
  return h.digest('hex');
}

function isSortedByPath(files: readonly { path: string }[]): boolean {
  for (let i = 1; i < files.length; i++) if (files[i - 1].path >= files[i].path) return false;
  return true;
}
