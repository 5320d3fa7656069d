// The server's path policy from its environment: VIGIL_SCAN_ROOTS, with the data directory and key files
// protected. Shared by `vigil serve` and `vigil worker` so both processes judge paths the same way.
import { resolve } from 'node:path';
import { SCAN_ROOTS_ENV, createPathPolicy, parseScanRoots, type PathPolicy } from '../../activities/scan-roots.js';

/** Throws, naming the bad entry, when VIGIL_SCAN_ROOTS lists a relative or missing directory. */
export function pathPolicyFromEnv(opts: { env: NodeJS.ProcessEnv; dataDir: string; keysFile: string }): PathPolicy {
  const { env, dataDir, keysFile } = opts;
  const masterKeyFile = env.VIGIL_MASTER_KEY_FILE ? [resolve(env.VIGIL_MASTER_KEY_FILE)] : [];
  // Never scanned, even under a root such as "/": the data directory (store, keys, work area) and key files.
  return createPathPolicy({ roots: parseScanRoots(env[SCAN_ROOTS_ENV]), protect: [dataDir, keysFile, ...masterKeyFile] });
}

/** One line for the operator: whether path sources are enabled, and where. */
export function describePathPolicy(policy: PathPolicy): string {
  return policy.roots.length
    ? `path sources enabled under ${policy.roots.join(', ')} (${SCAN_ROOTS_ENV}; keys may narrow them with "roots")`
    : `path sources disabled (set ${SCAN_ROOTS_ENV}=/abs/dir[:/abs/dir2] to allow scanning local directories); git URLs work`;
}
