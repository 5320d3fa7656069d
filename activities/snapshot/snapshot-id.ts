// The snapshot id: a content address of the manifest, so the same tree always gets the same id and a
// retried snapshot step lands on the row the first attempt wrote.
import { createHash } from 'node:crypto';
import type { SnapshotFile } from '../store/store.js';

/** sha256 over `mode path\0hash\n` rows sorted by path (a path cannot contain NUL, so rows are unambiguous). */
export function snapshotId(files: readonly Pick<SnapshotFile, 'path' | 'hash' | 'mode'>[]): string {
  const sorted = isSortedByPath(files) ? files : [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const h = createHash('sha256');
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
