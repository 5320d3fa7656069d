// Operator-tunable limits of the snapshot stage, read from the worker's environment.

/** Files larger than this are skipped (and counted): generated bundles, data dumps and the like. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

/** VIGIL_MAX_FILE_BYTES, or the 2 MiB default when it is unset. */
export function maxFileBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VIGIL_MAX_FILE_BYTES?.trim();
  if (!raw) return DEFAULT_MAX_FILE_BYTES;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new Error(`VIGIL_MAX_FILE_BYTES must be a positive whole number of bytes, got "${raw}"; fix or unset it`);
  }
  return n;
}
