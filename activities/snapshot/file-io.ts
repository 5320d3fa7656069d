// Low-level file access for the tree walk: one file at a time, never following a symlink.
import { hash as oneShotHash } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, readlinkSync, readSync, realpathSync, type Dirent } from 'node:fs';
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

export type ReadResult = { length: number; error?: undefined } | { length?: undefined; error: 'unreadable' | 'tooLarge' | 'symlinkOutside' | 'special' };

/** Reads a whole regular file into `into.buf`, growing it if the file grew since it was stat'ed. */
export function readWhole(abs: string, into: { buf: Buffer }, maxFileBytes: number): ReadResult {
  let fd: number;
  try {
    fd = openSync(abs, OPEN_FLAGS);
  } catch (err) {
    // ELOOP: it became a symlink after lstat; never follow it.
    return { error: (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'symlinkOutside' : 'unreadable' };
  }
  try {
    let length = 0;
    for (;;) {
      if (length === into.buf.length) {
        const bigger = Buffer.allocUnsafe(into.buf.length * 2);
        into.buf.copy(bigger, 0, 0, length);
        into.buf = bigger;
      }
      const n = readSync(fd, into.buf, length, into.buf.length - length, null);
      if (n === 0) return { length };
      length += n;
      // It grew past the limit while we read it.
      if (length > maxFileBytes) return { error: 'tooLarge' };
    }
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code === 'EISDIR' ? 'special' : 'unreadable' };
  } finally {
    closeSync(fd);
  }
}

export function readBlobChecked(root: string, file: SnapshotFile, maxFileBytes: number): Buffer {
  const abs = join(root, file.path);
  const into = { buf: Buffer.allocUnsafe(file.size + 1) };
  const r = readWhole(abs, into, maxFileBytes);
  if (r.error === undefined) {
    const content = into.buf.subarray(0, r.length);
    if (sha256Hex(content) === file.hash) return content;
  }
  throw new Error(`"${file.path}" changed or vanished while the snapshot was being taken; the snapshot step will retry`);
}
