// Walks a working tree and hashes what a scan should see: text files the repository's .gitignore rules
// keep, never .git/, never a symlink's target. Everything left out is counted so reports can say why.
import { lstatSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import type { SnapshotFile } from '../store/store.js';
import { direntKind, lstatKind, readBlobChecked, readWhole, readWholeChunked, sha256Hex, symlinkPointsInside, type ReadResult } from './file-io.js';
import { isIgnored, parseIgnoreLevel, readExcludeLevel, type IgnoreLevel } from './gitignore.js';
import { DEFAULT_SNAPSHOT_LIMITS, snapshotLimitError, type SnapshotLimits } from './limits.js';
import { validateRoot } from './source-path.js';
import { isFresh, type StatCache, type StatEntry } from './stat-cache.js';

export type SkipReason = 'binary' | 'tooLarge' | 'symlink' | 'symlinkOutside' | 'ignored' | 'unreadable' | 'special';
export type SkipCounts = Record<SkipReason, number>;

/** A file's content, handed out for upload. */
export interface Blob {
  hash: string;
  content: Buffer;
}

export interface ReadProgress {
  files: number;
  bytes: number;
}

export interface ReadTreeOptions {
  maxFileBytes: number;
  /**
   * Bounds on the whole walk, checked as it goes: past one the walk stops with a SnapshotLimitError.
   * Each defaults to DEFAULT_SNAPSHOT_LIMITS.
   */
  limits?: Partial<Pick<SnapshotLimits, 'maxFiles' | 'maxBytes' | 'maxEntries'>>;
  statCache?: StatCache;
  onProgress?: (p: ReadProgress) => void;
  /**
   * Receives the content of every file the walk had to read, each distinct hash once, in batches of at
   * most ~8 MiB; the walk waits for it, so memory stays bounded. Files recognised by the stat cache are
   * not read: fetch those with `readBlob` if they are needed.
   */
  onBlobs?: (batch: Blob[]) => Promise<void>;
  signal?: AbortSignal;
}

export interface LocalTree {
  /** The real path of the walked directory. */
  root: string;
  /** Sorted by path. */
  files: SnapshotFile[];
  skipped: SkipCounts;
  /** Total size of `files`. */
  bytes: number;
  stats: { hashed: number; cacheHits: number; bytesRead: number };
  /** Reads a file of this tree again, failing if its content no longer has the hash the walk recorded. */
  readBlob(file: SnapshotFile): Buffer;
}

/** Files larger than this are read in chunks with awaits between them, so cancellation gets in. */
const CHUNKED_READ_BYTES = 4 * 1024 * 1024;
/** sha256 of no bytes: the only content a size-0 stat can stand for in the stat cache. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_FILES = 1000;
/** Hand the event loop back this often so heartbeats, progress and cancellation get through. */
const YIELD_EVERY_MS = 50;
export function emptySkipCounts(): SkipCounts {
  return { binary: 0, tooLarge: 0, symlink: 0, symlinkOutside: 0, ignored: 0, unreadable: 0, special: 0 };
}

interface PendingDir {
  abs: string;
  /** '' for the root, else 'a/b/'. */
  prefix: string;
  levels: readonly IgnoreLevel[];
}

export async function readLocalTree(rootPath: string, opts: ReadTreeOptions): Promise<LocalTree> {
  const root = validateRoot(rootPath);
  const { maxFileBytes, statCache, onProgress, onBlobs, signal } = opts;
  const { maxFiles, maxBytes, maxEntries } = { ...DEFAULT_SNAPSHOT_LIMITS, ...opts.limits };
  /** Called before a file is kept: the first file past a limit fails the walk, before its blob is stored. */
  const admit = (size: number) => {
    if (files.length + 1 > maxFiles) throw snapshotLimitError('maxFiles', files.length + 1, maxFiles);
    if (bytes + size > maxBytes) throw snapshotLimitError('maxBytes', bytes + size, maxBytes);
  };
  signal?.throwIfAborted();

  const startedAtMs = Date.now();
  const cached = statCache ? statCache.load(root) : new Map<string, StatEntry>();
  /** The cache as it will be saved: hits kept, re-hashed files updated, vanished files dropped. */
  const nextCache = new Map<string, StatEntry>();
  const files: SnapshotFile[] = [];
  const skipped = emptySkipCounts();
  const stats = { hashed: 0, cacheHits: 0, bytesRead: 0 };
  let bytes = 0;

  // One read buffer for the whole walk, grown to the largest file read.
  const io = { buf: Buffer.allocUnsafe(256 * 1024) };
  const emitted = new Set<string>();
  let batch: Blob[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0 || !onBlobs) return;
    const b = batch;
    batch = [];
    batchBytes = 0;
    await onBlobs(b);
  };

  let seen = 0;
  let lastYield = performance.now();
  let lastProgress = lastYield;
  const pause = async () => {
    await new Promise<void>((r) => setImmediate(r));
    lastYield = performance.now();
    signal?.throwIfAborted();
    if (onProgress && lastYield - lastProgress >= 500) {
      lastProgress = lastYield;
      onProgress({ files: files.length, bytes });
    }
  };

  const exclude = readExcludeLevel(root);
  const stack: PendingDir[] = [{ abs: root, prefix: '', levels: exclude ? [exclude] : [] }];

  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir.abs, { withFileTypes: true });
    } catch (err) {
      if (dir.prefix === '') throw err;
      skipped.unreadable++;
      continue;
    }

    let levels = dir.levels;
    if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      try {
        const level = parseIgnoreLevel(dir.prefix, readFileSync(join(dir.abs, '.gitignore'), 'utf8'));
        if (level) levels = [...levels, level];
      } catch {
        skipped.unreadable++;
      }
    }

    for (const entry of entries) {
      // Checked every 64 entries: an await per file would cost more than the lstat.
      if (++seen > maxEntries) throw snapshotLimitError('maxEntries', seen, maxEntries);
      if ((seen & 63) === 0 && performance.now() - lastYield >= YIELD_EVERY_MS) await pause();
      const name = entry.name;
      if (name === '.git') continue;
      const rel = dir.prefix + name;
      // Plain concatenation: root is a real path and a name never holds a '/', so nothing to normalise.
      const abs = `${dir.abs}/${name}`;
      let kind = direntKind(entry);
      if (kind === 'unknown') kind = lstatKind(abs);
      if (kind === 'gone') continue;

      if (levels.length > 0 && isIgnored(levels, rel, kind === 'dir')) {
        skipped.ignored++;
        continue;
      }
      if (kind === 'dir') {
        stack.push({ abs, prefix: `${rel}/`, levels });
        continue;
      }
      if (kind === 'symlink') {
        skipped[symlinkPointsInside(root, abs) ? 'symlink' : 'symlinkOutside']++;
        continue;
      }
      if (kind === 'special') {
        skipped.special++;
        continue;
      }

      let st;
      try {
        st = lstatSync(abs);
      } catch {
        skipped.unreadable++;
        continue;
      }
      if (!st.isFile()) {
        // Replaced since readdir: count it as what it is now.
        skipped[st.isSymbolicLink() ? (symlinkPointsInside(root, abs) ? 'symlink' : 'symlinkOutside') : st.isDirectory() ? 'unreadable' : 'special']++;
        continue;
      }
      // Decided from the size alone: a huge file is never opened.
      if (st.size > maxFileBytes) {
        skipped.tooLarge++;
        continue;
      }
      // Git records only the owner's exec bit.
      const mode = st.mode & 0o100 ? '100755' : '100644';
      const hit = cached.get(rel);
      // A size-0 stat with content (a /proc-like file) is re-read: its size says nothing about its bytes.
      if (isFresh(hit, st) && (st.size > 0 || hit.hash === EMPTY_SHA256)) {
        stats.cacheHits++;
        nextCache.set(rel, hit);
        if (hit.hash === null) {
          skipped.binary++;
        } else {
          admit(st.size);
          files.push({ path: rel, hash: hit.hash, size: st.size, mode });
          bytes += st.size;
        }
        continue;
      }

      if (io.buf.length <= st.size) io.buf = Buffer.allocUnsafe(Math.max(st.size + 1, io.buf.length * 2));
      let read: ReadResult;
      if (st.size > CHUNKED_READ_BYTES) {
        read = await readWholeChunked(abs, io, maxFileBytes, signal);
        lastYield = performance.now();
      } else {
        read = readWhole(abs, io, maxFileBytes);
      }
      if (read.error) {
        skipped[read.error]++;
        continue;
      }
      stats.bytesRead += read.length;
      stats.hashed++;
      const content = io.buf.subarray(0, read.length);
      const hash = read.binary ? null : (read.hash ?? sha256Hex(content));
      if (statCache) {
        nextCache.set(rel, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, hash, checkedAtMs: startedAtMs });
      }
      if (hash === null) {
        skipped.binary++;
        continue;
      }
      admit(read.length);
      files.push({ path: rel, hash, size: read.length, mode });
      bytes += read.length;

      if (onBlobs && !emitted.has(hash)) {
        emitted.add(hash);
        batch.push({ hash, content: Buffer.from(content) });
        batchBytes += read.length;
        if (batchBytes >= BATCH_BYTES || batch.length >= BATCH_FILES) await flush();
      }
    }
  }
  await flush();
  signal?.throwIfAborted();

  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  // Saved only when something changed: every entry a hit and none gone means the same cache.
  if (statCache && (stats.hashed > 0 || nextCache.size !== cached.size)) statCache.save(root, nextCache);
  onProgress?.({ files: files.length, bytes });

  return {
    root,
    files,
    skipped,
    bytes,
    stats,
    readBlob: (file) => readBlobChecked(root, file, maxFileBytes),
  };
}
