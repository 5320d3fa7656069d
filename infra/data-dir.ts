// Where Vigil keeps its files, and a cross-process lock for work done in those directories.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tightenDataDir } from './private-files.js';

/** `VIGIL_DATA_DIR` or `~/.vigil`, created private (0700) because it holds scan state; its files are made 0600. */
export function vigilDataDir(): string {
  const dir = path.resolve(process.env.VIGIL_DATA_DIR || path.join(os.homedir(), '.vigil'));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  tightenDataDir(dir);
  return dir;
}

/** `VIGIL_CACHE_DIR`, `$XDG_CACHE_HOME/vigil` or `~/.cache/vigil`: rebuildable artefacts, kept out of the repo. */
export function vigilCacheDir(): string {
  if (process.env.VIGIL_CACHE_DIR) return path.resolve(process.env.VIGIL_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME;
  // The XDG spec says relative values must be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'vigil');
}

export interface DirLockOptions {
  /** Give up waiting after this long (default 10 min). */
  timeoutMs?: number;
  /** A lock older than this is considered abandoned even if its pid looks alive (pid reuse). Default 1 h. */
  staleMs?: number;
  /** What the lock protects, for messages. */
  purpose?: string;
  log?: (line: string) => void;
}

interface LockOwner {
  pid: number;
  hostname: string;
  token: string;
  createdAt: number;
  purpose?: string;
}

const OWNER_FILE = 'owner.json';

/**
 * Runs `fn` while holding a lock directory. mkdir is atomic on every local file system, so exactly
 * one process wins; a lock whose owner died (same host, pid gone) or that is very old is broken.
 */
export async function withDirLock<T>(lockDir: string, fn: () => Promise<T>, opts: DirLockOptions = {}): Promise<T> {
  const release = await acquireDirLock(lockDir, opts);
  try {
    return await fn();
  } finally {
    release();
  }
}

export async function acquireDirLock(lockDir: string, opts: DirLockOptions = {}): Promise<() => void> {
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  const staleMs = opts.staleMs ?? 60 * 60_000;
  const log = opts.log ?? (() => {});
  const me: LockOwner = {
    pid: process.pid,
    hostname: os.hostname(),
    token: randomUUID(),
    createdAt: Date.now(),
    purpose: opts.purpose,
  };
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  let delay = 100;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, OWNER_FILE), JSON.stringify(me));
      return () => releaseDirLock(lockDir, me.token);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readOwner(lockDir);
    if (isStale(lockDir, holder, staleMs)) {
      log(`Breaking abandoned lock ${lockDir} (held by pid ${holder?.pid ?? 'unknown'}).`);
      breakLock(lockDir);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for lock ${lockDir}` +
          ` (held by pid ${holder?.pid ?? 'unknown'}${holder?.purpose ? ` to ${holder.purpose}` : ''}).` +
          ` If no other Vigil process is running, delete that directory and retry.`,
      );
    }
    if (!announced) {
      announced = true;
      log(`Waiting for pid ${holder?.pid ?? 'unknown'} to ${holder?.purpose ?? 'release'} (lock ${lockDir})...`);
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 1000);
  }
}

function releaseDirLock(lockDir: string, token: string): void {
  // Only remove our own lock: if it was broken as stale, someone else may hold it now.
  if (readOwner(lockDir)?.token === token) fs.rmSync(lockDir, { recursive: true, force: true });
}

function readOwner(lockDir: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(lockDir, OWNER_FILE), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isStale(lockDir: string, holder: LockOwner | undefined, staleMs: number): boolean {
  if (!holder) {
    // The owner writes owner.json right after mkdir; a lock without it for seconds means the owner died in between.
    try {
      return Date.now() - fs.statSync(lockDir).mtimeMs > 5_000;
    } catch {
      return false; // released meanwhile; the next mkdir decides
    }
  }
  if (Date.now() - holder.createdAt > staleMs) return true;
  return holder.hostname === os.hostname() && !isPidAlive(holder.pid);
}

function breakLock(lockDir: string): void {
  // Rename (atomic) before deleting so that only one of several breakers removes it. A breaker that
  // judged the lock stale just before someone re-acquired it can still break the fresh lock; that
  // window is microseconds and only opens after a crash, which we accept.
  const grave = `${lockDir}.stale-${process.pid}-${randomUUID()}`;
  try {
    fs.renameSync(lockDir, grave);
  } catch {
    return; // someone else broke or released it
  }
  fs.rmSync(grave, { recursive: true, force: true });
}

/** True if a process with this pid exists (EPERM means it exists but belongs to another user). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
