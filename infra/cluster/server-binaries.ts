// The Temporal server and its SQL schema tool, built once from their Go module (the version the pinned
// Temporal CLI depends on) into the cache outside the repository, the way infra/temporal-cli.ts builds the CLI.
import fs from 'node:fs';
import path from 'node:path';
import { vigilCacheDir, withDirLock } from '../data-dir.js';
import { findOnPath, isExecutableFile, readGoModuleVersion, runGoInstall } from '../temporal-cli.js';

/** go.temporal.io/server at the version github.com/temporalio/cli v1.5.1 (TEMPORAL_CLI_VERSION) requires. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';

export interface TemporalServerBinaries {
  /** `temporal-server` (go.temporal.io/server/cmd/server). */
  server: string;
  /** `temporal-sql-tool` (go.temporal.io/server/cmd/tools/sql). */
  sqlTool: string;
  version: string;
}

/** `<cache>/temporal-server/<version>/`: where both binaries are cached. */
export function cachedServerDir(): string {
  return path.join(vigilCacheDir(), 'temporal-server', TEMPORAL_SERVER_VERSION);
}

/** go install names each binary after its package directory; we rename them to what Temporal's images call them. */
const BUILT = [
  { pkg: `${SERVER_MODULE}/cmd/server`, built: 'server', name: 'temporal-server', key: 'server' },
  { pkg: `${SERVER_MODULE}/cmd/tools/sql`, built: 'sql', name: 'temporal-sql-tool', key: 'sqlTool' },
] as const;

/**
 * Paths of both binaries at TEMPORAL_SERVER_VERSION: VIGIL_TEMPORAL_SERVER / VIGIL_TEMPORAL_SQL_TOOL when set
 * (checked for the version), else the cache, else a fresh `go install` (about 10 minutes on 2 cores; once).
 */
export async function ensureTemporalServerBinaries(opts: { log?: (line: string) => void } = {}): Promise<TemporalServerBinaries> {
  const log = opts.log ?? (() => {});
  const explicit = { server: process.env.VIGIL_TEMPORAL_SERVER, sqlTool: process.env.VIGIL_TEMPORAL_SQL_TOOL };
  if (explicit.server || explicit.sqlTool) {
    if (!explicit.server || !explicit.sqlTool) {
      throw new Error('Set both VIGIL_TEMPORAL_SERVER and VIGIL_TEMPORAL_SQL_TOOL (or neither, to build them with Go).');
    }
    const out = { server: path.resolve(explicit.server), sqlTool: path.resolve(explicit.sqlTool), version: TEMPORAL_SERVER_VERSION };
    for (const bin of [out.server, out.sqlTool]) await assertVersion(bin);
    return out;
  }
  const dir = cachedServerDir();
  if (await cacheIsComplete(dir)) return pathsIn(dir);
  return build(dir, log);
}

function pathsIn(dir: string): TemporalServerBinaries {
  return { server: path.join(dir, 'temporal-server'), sqlTool: path.join(dir, 'temporal-sql-tool'), version: TEMPORAL_SERVER_VERSION };
}

async function cacheIsComplete(dir: string): Promise<boolean> {
  for (const b of BUILT) {
    const file = path.join(dir, b.name);
    if (!isExecutableFile(file) || (await readGoModuleVersion(file, SERVER_MODULE)) !== TEMPORAL_SERVER_VERSION) return false;
  }
  return true;
}

async function assertVersion(bin: string): Promise<void> {
  if (!isExecutableFile(bin)) throw new Error(`${bin} (VIGIL_TEMPORAL_SERVER / VIGIL_TEMPORAL_SQL_TOOL) is not an executable file.`);
  const version = await readGoModuleVersion(bin, SERVER_MODULE);
  if (version !== TEMPORAL_SERVER_VERSION) {
    throw new Error(`${bin} is ${SERVER_MODULE} ${version ?? 'of unknown version'}; Vigil's cluster needs ${TEMPORAL_SERVER_VERSION}. Unset the variable to build it with Go.`);
  }
}

async function build(dir: string, log: (line: string) => void): Promise<TemporalServerBinaries> {
  const go = findOnPath(process.platform === 'win32' ? 'go.exe' : 'go');
  if (!go) {
    throw new Error(
      `The Temporal cluster needs temporal-server and temporal-sql-tool ${TEMPORAL_SERVER_VERSION}, which Vigil builds with Go, ` +
        `but Go is not installed. Install Go (https://go.dev/dl/), or set VIGIL_TEMPORAL_SERVER and VIGIL_TEMPORAL_SQL_TOOL to binaries you have.`,
    );
  }
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  return withDirLock(
    `${dir}.lock`,
    async () => {
      if (await cacheIsComplete(dir)) return pathsIn(dir); // built by another process while we waited
      const gobin = fs.mkdtempSync(path.join(parent, `${TEMPORAL_SERVER_VERSION}.build-`));
      try {
        const started = Date.now();
        log(`Building temporal-server and temporal-sql-tool ${TEMPORAL_SERVER_VERSION} with \`go install\` into ${dir} (first run only; about 10 minutes on 2 cores)...`);
        await runGoInstall(go, {
          gobin,
          cwd: parent,
          log,
          what: `Temporal server ${TEMPORAL_SERVER_VERSION}`,
          args: BUILT.map((b) => `${b.pkg}@${TEMPORAL_SERVER_VERSION}`),
          hint: 'build them elsewhere and set VIGIL_TEMPORAL_SERVER and VIGIL_TEMPORAL_SQL_TOOL.',
        });
        fs.mkdirSync(dir, { recursive: true });
        // Renamed into place one by one; cacheIsComplete checks both, so a half-finished cache is rebuilt.
        for (const b of BUILT) fs.renameSync(path.join(gobin, b.built), path.join(dir, b.name));
        if (!(await cacheIsComplete(dir))) throw new Error(`go install produced binaries in ${dir} that do not report ${SERVER_MODULE} ${TEMPORAL_SERVER_VERSION}.`);
        log(`Temporal server ${TEMPORAL_SERVER_VERSION} built in ${Math.round((Date.now() - started) / 1000)} s.`);
        return pathsIn(dir);
      } finally {
        fs.rmSync(gobin, { recursive: true, force: true });
      }
    },
    { purpose: `build Temporal server ${TEMPORAL_SERVER_VERSION}`, timeoutMs: 45 * 60_000, log },
  );
}
