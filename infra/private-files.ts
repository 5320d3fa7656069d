// Files in Vigil's data directory are private to its user: 0600 files, 0700 directories. They hold scan
// state, source snapshots, keys and logs. New files are created with these modes (and the entry points
// set a 0o077 umask, so children such as the Temporal dev server create theirs private too); files left
// wider by an older version, or by a shell redirect, are tightened when Vigil opens the directory.
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
/** A SQLite database's companions; SQLite gives new ones the database file's own mode. */
const SQLITE_SIBLINGS = ['-wal', '-shm', '-journal'];

/** chmod to 0600 (0700 for a directory) when group or others have any access; a missing path is fine. */
export function tightenMode(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (st.isSymbolicLink() || (st.mode & 0o077) === 0) return;
  fs.chmodSync(file, st.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
}

/** A directory created (or tightened) 0700. */
export function privateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tightenMode(dir);
  return dir;
}

/**
 * Before SQLite opens `file`: creates it empty with 0600 when missing (SQLite treats an empty file as a
 * new database, and gives the -wal/-shm files it creates the same mode), else tightens it and its siblings.
 */
export function prepareSqliteFile(file: string): void {
  if (file === ':memory:' || file === '') return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  tightenSqliteFile(file);
}

export function tightenSqliteFile(file: string): void {
  for (const suffix of ['', ...SQLITE_SIBLINGS]) tightenMode(file + suffix);
}

/** The data directory and everything directly in it made private (cheap: one readdir). */
export function tightenDataDir(dir: string): void {
  tightenMode(dir);
  for (const name of fs.readdirSync(dir)) tightenMode(path.join(dir, name));
}

/**
 * Runs `fn` (e.g. spawning a child that creates files) with umask 0o077, then restores it. spawn() forks
 * synchronously, so the child inherits the private umask. In a worker thread umask cannot change: run as is.
 */
export function withPrivateUmask<T>(fn: () => T): T {
  let previous: number | undefined;
  try {
    previous = process.umask(0o077);
  } catch {
    previous = undefined;
  }
  try {
    return fn();
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
}

/** For entry points (the CLI, `vigil worker`): every file this process or its children create is private. */
export function usePrivateUmask(): void {
  try {
    process.umask(0o077);
  } catch {
    // worker threads cannot change the umask; files are still created with explicit modes
  }
}
