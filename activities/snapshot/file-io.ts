// Low-level file access for the tree walk: one file at a time, never following a symlink.
import { createHash, hash as oneShotHash } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, readlinkSync, readSync, realpathSync, type Dirent } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { SnapshotFile } from '../store/store.js';

// O_NOFOLLOW: a file swapped for a symlink after the walk looked at it is refused, not followed.
// O_NONBLOCK: one swapped for a FIFO cannot hang the walk.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** One-shot hashing: for small files it is measurably cheaper than createHash().update().digest(). */
export function sha256Hex(data: Buffer): string {
  return oneShotHash('sha256', data, 'hex');
}

export type Kind = 'file' | 'dir' | 'symlink' | 'special' | 'unknown' | 'gone';

export function direntKind(e: Dirent): Kind {
  if (e.isFile()) return 'file';
  if (e.isDirectory()) return 'dir';
  if (e.isSymbolicLink()) return 'symlink';
  if (e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice()) return 'special';
  return 'unknown'; // DT_UNKNOWN: some file systems do not report types in readdir
}

export function lstatKind(abs: string): Kind {
  try {
    const st = lstatSync(abs);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'special';
  } catch {
    return 'gone';
  }
}

/** Where a symlink leads, without ever opening its target. A dangling link is judged by its text. */
export function symlinkPointsInside(root: string, link: string): boolean {
  let target: string;
  try {
    target = realpathSync(link);
  } catch {
    try {
      target = resolve(dirname(link), readlinkSync(link));
    } catch {
      return false;
    }
  }
  return target === root || target.startsWith(`${root}/`);
}

export type ReadResult =
  | { length: number; binary?: boolean; hash?: string; error?: undefined }
  | { length?: undefined; error: 'unreadable' | 'tooLarge' | 'symlinkOutside' | 'special' };

/** As git does: a NUL byte in the first 8000 bytes makes a file binary. */
export const BINARY_PROBE = 8000;

/** Looks for a NUL in the part of the probe window read since the last look; returns the new mark. */
function probe(buf: Buffer, from: number, length: number): { binary: boolean; to: number } {
  const to = Math.min(length, BINARY_PROBE);
  return { binary: from < to && buf.subarray(from, to).indexOf(0) !== -1, to };
}

/**
 * Reads a whole regular file into `into.buf`, growing it if the file grew since it was stat'ed. Never
 * holds more than maxFileBytes + 1 bytes of it (a /proc-like file reports size 0 whatever it yields), and
 * stops at the first NUL in the probe window: a binary file is skipped, so the rest is never read.
 */
export function readWhole(abs: string, into: { buf: Buffer }, maxFileBytes: number): ReadResult {
  let fd: number;
  try {
    fd = openSync(abs, OPEN_FLAGS);
  } catch (err) {
    // ELOOP: it became a symlink after lstat; never follow it.
    return { error: (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'symlinkOutside' : 'unreadable' };
  }
  try {
    const cap = maxFileBytes + 1;
    let length = 0;
    let probed = 0;
    for (;;) {
      if (length === into.buf.length) grow(into, length, cap);
      const n = readSync(fd, into.buf, length, Math.min(into.buf.length, cap) - length, null);
      if (n === 0) return { length };
      length += n;
      const p = probe(into.buf, probed, length);
      if (p.binary) return { length, binary: true };
      probed = p.to;
      // It grew past the limit while we read it.
      if (length > maxFileBytes) return { error: 'tooLarge' };
    }
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code === 'EISDIR' ? 'special' : 'unreadable' };
  } finally {
    closeSync(fd);
  }
}

/** Doubles the reusable read buffer (up to the cap), keeping the `length` bytes already read. */
function grow(into: { buf: Buffer }, length: number, cap: number): void {
  const bigger = Buffer.allocUnsafe(Math.min(into.buf.length * 2, Math.max(cap, into.buf.length + 1)));
  into.buf.copy(bigger, 0, 0, length);
  into.buf = bigger;
}

const CHUNK = 1024 * 1024;

/**
 * readWhole for a large file: read and hashed a chunk at a time, yielding to the event loop between
 * chunks, so a cancelled scan stops inside a big file rather than after it.
 */
export async function readWholeChunked(abs: string, into: { buf: Buffer }, maxFileBytes: number, signal?: AbortSignal): Promise<ReadResult> {
  let fh;
  try {
    fh = await open(abs, OPEN_FLAGS);
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'symlinkOutside' : 'unreadable' };
  }
  try {
    const cap = maxFileBytes + 1;
    const hasher = createHash('sha256');
    let length = 0;
    let probed = 0;
    for (;;) {
      signal?.throwIfAborted();
      if (length === into.buf.length) grow(into, length, cap);
      const { bytesRead: n } = await fh.read(into.buf, length, Math.min(CHUNK, Math.min(into.buf.length, cap) - length), null);
      if (n === 0) return { length, hash: hasher.digest('hex') };
      hasher.update(into.buf.subarray(length, length + n));
      length += n;
      const p = probe(into.buf, probed, length);
      if (p.binary) return { length, binary: true };
      probed = p.to;
      if (length > maxFileBytes) return { error: 'tooLarge' };
    }
  } catch (err) {
    if (signal?.aborted) throw err;
    return { error: (err as NodeJS.ErrnoException).code === 'EISDIR' ? 'special' : 'unreadable' };
  } finally {
    await fh.close();
  }
}

export function readBlobChecked(root: string, file: SnapshotFile, maxFileBytes: number): Buffer {
  const abs = join(root, file.path);
  const into = { buf: Buffer.allocUnsafe(file.size + 1) };
  const r = readWhole(abs, into, maxFileBytes);
  if (r.error === undefined && !r.binary) {
    const content = into.buf.subarray(0, r.length);
    if (sha256Hex(content) === file.hash) return content;
  }
  throw new Error(`"${file.path}" changed or vanished while the snapshot was being taken; the snapshot step will retry`);
}
