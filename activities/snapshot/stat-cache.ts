// A stat cache, like git's index: (root, path) -> the stat data a file had when it was hashed, so an
// unchanged file is recognised from one lstat instead of being read and hashed again.
//
// Like git's index, each root's entries are stored packed, as one record: a walk needs all of them at
// once, and one row loads and saves several times faster than 100k rows (it was a third of a cold walk).
import { dirname } from 'node:path';
import { openPrivateSqlite } from '../store/open-sqlite.js';

export interface StatEntry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  /** sha256 hex of the content; null when the file was found to be binary. */
  hash: string | null;
  /** Wall-clock time (ms) just before the walk that hashed the file started. */
  checkedAtMs: number;
}

/** What lstat says about a file now. */
export interface StatNow {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export interface StatCache {
  readonly file: string;
  /** Every entry recorded under `root`. */
  load(root: string): Map<string, StatEntry>;
  /** Replaces root's entries with `entries`. */
  save(root: string, entries: ReadonlyMap<string, StatEntry>): void;
  close(): void;
}

/**
 * Racy-git protection. File timestamps come from a coarse clock (a kernel tick; 1-2 s on some file
 * systems), so a file rewritten right after it was hashed can keep its old mtime and size. An entry is
 * trusted only when the file's mtime is clearly older than the walk that hashed it; otherwise the file
 * is hashed again (and then, being older, trusted next time).
 */
export const RACY_MARGIN_MS = 2000;

export function isFresh(entry: StatEntry | undefined, now: StatNow): entry is StatEntry {
  return (
    entry !== undefined &&
    entry.size === now.size &&
    entry.mtimeMs === now.mtimeMs &&
    entry.ctimeMs === now.ctimeMs &&
    entry.ino === now.ino &&
    now.mtimeMs < entry.checkedAtMs - RACY_MARGIN_MS
  );
}

/** Bump when the packed layout changes: older records are then ignored (and rewritten). */
const FORMAT = 1;
const NUMS = 5; // size, mtimeMs, ctimeMs, ino, checkedAtMs
const NO_HASH = '-'.repeat(64);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stat_roots (
  root TEXT PRIMARY KEY, format INTEGER NOT NULL, count INTEGER NOT NULL,
  paths TEXT NOT NULL,   -- NUL-separated
  hashes TEXT NOT NULL,  -- 64 hex chars per entry; '-' x 64 for a binary file
  nums BLOB NOT NULL,    -- float64 x 5 per entry
  written_at TEXT NOT NULL);
`;

interface PackedRow {
  format: number;
  count: number;
  paths: string;
  hashes: string;
  nums: Buffer;
}

/** Opens (creating if needed) the stat cache at `file`, usually in Vigil's data directory. */
export function openStatCache(file: string): StatCache {
  // Paths and hashes of scanned files: private like the rest of the data directory (0600, -wal/-shm too).
  // Two scans on one machine may share the cache: the lock wait is in openPrivateSqlite.
  const db = openPrivateSqlite(file);
  db.exec(SCHEMA);
  const select = db.prepare('SELECT format, count, paths, hashes, nums FROM stat_roots WHERE root = ?');
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO stat_roots (root, format, count, paths, hashes, nums, written_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );

  return {
    file,
    load(root) {
      const map = new Map<string, StatEntry>();
      const row = select.get(root) as PackedRow | undefined;
      if (!row || row.format !== FORMAT || row.count === 0) return map;
      const paths = row.paths.split('\0');
      // Copied: the blob's buffer need not be 8-byte aligned.
      const nums = new Float64Array(new Uint8Array(row.nums).buffer);
      if (paths.length !== row.count || nums.length !== row.count * NUMS || row.hashes.length !== row.count * 64) return map;
      for (let i = 0; i < row.count; i++) {
        const hash = row.hashes.slice(i * 64, i * 64 + 64);
        const n = i * NUMS;
        map.set(paths[i], {
          size: nums[n],
          mtimeMs: nums[n + 1],
          ctimeMs: nums[n + 2],
          ino: nums[n + 3],
          hash: hash === NO_HASH ? null : hash,
          checkedAtMs: nums[n + 4],
        });
      }
      return map;
    },
    save(root, entries) {
      const paths: string[] = [];
      const hashes: string[] = [];
      const nums = new Float64Array(entries.size * NUMS);
      let i = 0;
      for (const [path, e] of entries) {
        paths.push(path);
        hashes.push(e.hash ?? NO_HASH);
        nums.set([e.size, e.mtimeMs, e.ctimeMs, e.ino, e.checkedAtMs], i * NUMS);
        i++;
      }
      upsert.run(root, FORMAT, entries.size, paths.join('\0'), hashes.join(''), Buffer.from(nums.buffer), new Date().toISOString());
    },
    close() {
      db.close();
    },
  };
}
