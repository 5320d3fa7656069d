// Operator-tunable limits of the snapshot stage, read from the worker's environment when the worker is
// built (a bad value stops the worker at start, not the first scan).
import { nonRetryable } from '../errors.js';

/** Files larger than this are skipped (and counted): generated bundles, data dumps and the like. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

export interface SnapshotLimits {
  /** A file larger than this is skipped (not fatal). */
  maxFileBytes: number;
  /** Files kept in one snapshot; one more fails the scan. */
  maxFiles: number;
  /** Bytes of file content kept in one snapshot (as read, not as stat reports); one more fails the scan. */
  maxBytes: number;
  /**
   * Directory entries looked at, kept or not (ignored, binary, too large, special, symlinks), so a tree
   * of millions of skipped entries cannot keep the walk going forever.
   */
  maxEntries: number;
}

/**
 * Sized for a large monorepo with room to spare: the Linux kernel is ~90k files / ~1.4 GB, and the text
 * files a scan keeps (binaries and files over 2 MiB are skipped) of most monorepos are far fewer. 1M
 * entries bounds a walk to well under a minute here while leaving room for skipped build output.
 */
export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = {
  maxFileBytes: DEFAULT_MAX_FILE_BYTES,
  maxFiles: 250_000,
  maxBytes: 2 * 1024 * 1024 * 1024,
  maxEntries: 1_000_000,
};

/** The environment variable that raises each limit; error messages name it. */
export const LIMIT_ENV: Record<keyof SnapshotLimits, string> = {
  maxFileBytes: 'VIGIL_MAX_FILE_BYTES',
  maxFiles: 'VIGIL_MAX_SNAPSHOT_FILES',
  maxBytes: 'VIGIL_MAX_SNAPSHOT_BYTES',
  maxEntries: 'VIGIL_MAX_SNAPSHOT_ENTRIES',
};

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, unit: string): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new Error(`${name} must be a positive whole number of ${unit}, got "${raw}"; fix or unset it`);
  }
  return n;
}

/** VIGIL_MAX_FILE_BYTES, or the 2 MiB default when it is unset. */
export function maxFileBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return positiveInt(env, LIMIT_ENV.maxFileBytes, DEFAULT_MAX_FILE_BYTES, 'bytes');
}

/** All snapshot limits from the environment, defaults where unset; throws on a value that is not a positive integer. */
export function snapshotLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): SnapshotLimits {
  return {
    maxFileBytes: maxFileBytesFromEnv(env),
    maxFiles: positiveInt(env, LIMIT_ENV.maxFiles, DEFAULT_SNAPSHOT_LIMITS.maxFiles, 'files'),
    maxBytes: positiveInt(env, LIMIT_ENV.maxBytes, DEFAULT_SNAPSHOT_LIMITS.maxBytes, 'bytes'),
    maxEntries: positiveInt(env, LIMIT_ENV.maxEntries, DEFAULT_SNAPSHOT_LIMITS.maxEntries, 'entries'),
  };
}

const WHAT: Record<Exclude<keyof SnapshotLimits, 'maxFileBytes'>, string> = {
  maxFiles: 'files',
  maxBytes: 'bytes of file content',
  maxEntries: 'directory entries walked',
};

/**
 * The walk went past a limit: a non-retryable SnapshotLimitError naming the limit, the value reached and
 * the variable that raises it. Retrying would walk the same tree into the same wall.
 */
export function snapshotLimitError(limit: Exclude<keyof SnapshotLimits, 'maxFileBytes'>, value: number, max: number) {
  const env = LIMIT_ENV[limit];
  return nonRetryable(
    'SnapshotLimitError',
    `The source tree exceeds the snapshot limit of ${max} ${WHAT[limit]} (reached ${value} and stopped walking); ` +
      `scan a smaller directory, add what should not be scanned to .gitignore, or raise ${env} on the worker.`,
    { limit: env, max, reached: value },
  );
}
