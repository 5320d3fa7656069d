// Finds the `temporal` CLI (which embeds the dev server), building the pinned version with Go if needed.
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { vigilCacheDir, withDirLock } from './data-dir.js';

/** Pinned CLI version: the newest tag that `go install <pkg>@<version>` accepts. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

const CLI_MODULE = 'github.com/temporalio/cli';
const CLI_PACKAGE = `${CLI_MODULE}/cmd/temporal`;
const BINARY_NAME = process.platform === 'win32' ? 'temporal.exe' : 'temporal';
const execFileAsync = promisify(execFile);

export interface EnsureTemporalCliOptions {
  log?: (line: string) => void;
}

/** Where the Go-built CLI is cached: `<cache>/temporal-cli/<version>/temporal`. */
export function cachedTemporalCliPath(): string {
  return path.join(vigilCacheDir(), 'temporal-cli', TEMPORAL_CLI_VERSION, BINARY_NAME);
}

/**
 * Absolute path of a `temporal` binary. Order: `TEMPORAL_CLI`; `VIGIL_TEMPORAL_CLI` (already resolved
 * by a parent such as run-with-temporal); `temporal` on PATH; the cached Go build; a fresh Go build.
 */
export async function ensureTemporalCli(opts: EnsureTemporalCliOptions = {}): Promise<string> {
  const log = opts.log ?? (() => {});
  const explicit = process.env.TEMPORAL_CLI;
  if (explicit) {
    const bin = path.resolve(explicit);
    if (!isExecutableFile(bin)) {
      throw new Error(
        `TEMPORAL_CLI is set to ${explicit}, but that is not an executable file. Point TEMPORAL_CLI at a ` +
          `temporal binary, or unset it so Vigil uses \`temporal\` from PATH or builds ${TEMPORAL_CLI_VERSION} with Go.`,
      );
    }
    return bin;
  }
  const inherited = process.env.VIGIL_TEMPORAL_CLI;
  if (inherited && isExecutableFile(inherited)) return path.resolve(inherited);

  const onPath = findOnPath(BINARY_NAME);
  if (onPath) return onPath;

  const cached = cachedTemporalCliPath();
  if (isExecutableFile(cached)) {
    const version = await readTemporalCliVersion(cached);
    if (version === TEMPORAL_CLI_VERSION) return cached;
    log(`Cached Temporal CLI ${cached} is ${version ?? 'of unknown version'}, want ${TEMPORAL_CLI_VERSION}; rebuilding.`);
  }
  return buildTemporalCli(cached, log);
}

/**
 * The CLI's version as `vX.Y.Z`, or undefined if it cannot be told. `go install` builds report
 * "0.0.0-DEV" (the release version is injected by ldflags), so for those we read the module version
 * from the Go build info embedded in the binary.
 */
export async function readTemporalCliVersion(bin: string): Promise<string | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(bin, ['--version'], { timeout: 15_000 }));
  } catch {
    return undefined;
  }
  const reported = /temporal version v?(\S+)/.exec(stdout)?.[1];
  if (reported && reported !== '0.0.0-DEV') return `v${reported}`;
  return readGoModuleVersion(bin, CLI_MODULE);
}

/** Scans a Go binary's embedded build info for `mod\t<module>\t<version>` (what `go version -m` prints). */
export async function readGoModuleVersion(file: string, module: string): Promise<string | undefined> {
  const needle = Buffer.from(`\nmod\t${module}\t`);
  const keep = needle.length + 64; // enough to carry a match split across chunks
  let carry = Buffer.alloc(0);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20 })) {
    const buf = Buffer.concat([carry, chunk as Buffer]);
    const at = buf.indexOf(needle);
    if (at >= 0) {
      const rest = buf.subarray(at + needle.length, at + needle.length + 64);
      const end = rest.findIndex((b) => b === 0x09 || b === 0x0a);
      if (end > 0) return rest.subarray(0, end).toString('utf8');
      carry = buf.subarray(at); // version continues in the next chunk
    } else {
      carry = buf.subarray(Math.max(0, buf.length - keep));
    }
  }
  return undefined;
}

async function buildTemporalCli(target: string, log: (line: string) => void): Promise<string> {
  const go = findOnPath(process.platform === 'win32' ? 'go.exe' : 'go');
  if (!go) {
    throw new Error(
      `Vigil needs the Temporal CLI to run a local Temporal server, but TEMPORAL_CLI is not set, there is no ` +
        `\`temporal\` on PATH, and Go is not installed to build ${TEMPORAL_CLI_VERSION}. Install Go ` +
        `(https://go.dev/dl/), or install the Temporal CLI (https://docs.temporal.io/cli) and set ` +
        `TEMPORAL_CLI=/path/to/temporal. To use an existing server instead, set TEMPORAL_ADDRESS.`,
    );
  }
  const versionDir = path.dirname(target);
  const parent = path.dirname(versionDir);
  fs.mkdirSync(parent, { recursive: true });
  return withDirLock(
    `${versionDir}.lock`,
    async () => {
      // Another process may have finished the build while we waited for the lock.
      if (isExecutableFile(target) && (await readTemporalCliVersion(target)) === TEMPORAL_CLI_VERSION) return target;
      // Build into a private GOBIN and rename into place, so readers never see a half-written binary.
      const gobin = fs.mkdtempSync(path.join(parent, `${TEMPORAL_CLI_VERSION}.build-`));
      try {
        log(`Building Temporal CLI ${TEMPORAL_CLI_VERSION} with \`go install\` into ${versionDir} (first run only; takes a few minutes)...`);
        await runGoInstall(go, {
          gobin,
          cwd: parent,
          log,
          what: 'Temporal CLI',
          args: [
            // Same version stamp as release builds, so `temporal --version` tells the truth.
            `-ldflags=-X ${CLI_MODULE}/temporalcli.Version=${TEMPORAL_CLI_VERSION.slice(1)}`,
            `${CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`,
          ],
          hint: 'install the Temporal CLI yourself and set TEMPORAL_CLI=/path/to/temporal.',
        });
        const built = path.join(gobin, BINARY_NAME);
        const version = await readTemporalCliVersion(built);
        if (version !== TEMPORAL_CLI_VERSION) {
          throw new Error(`go install produced ${built} reporting version ${version ?? 'unknown'}, expected ${TEMPORAL_CLI_VERSION}.`);
        }
        fs.mkdirSync(versionDir, { recursive: true });
        fs.renameSync(built, target);
        log(`Temporal CLI ${TEMPORAL_CLI_VERSION} ready at ${target}.`);
        return target;
      } finally {
        fs.rmSync(gobin, { recursive: true, force: true });
      }
    },
    { purpose: `build Temporal CLI ${TEMPORAL_CLI_VERSION}`, timeoutMs: 30 * 60_000, log },
  );
}

export interface GoInstallOptions {
  /** Where the binaries go (GOBIN): a private directory the caller renames from. */
  gobin: string;
  /** Outside any Go module, so a go.mod nearby cannot influence the build. */
  cwd: string;
  /** Flags and `<package>@<version>` arguments after `go install`. */
  args: string[];
  /** What is built, for progress lines ("Temporal CLI"). */
  what: string;
  /** What to do instead when the build fails. */
  hint: string;
  log: (line: string) => void;
}

/** `go install <args>` with GOBIN set, its output forwarded to `log`, progress every 30 s. */
export function runGoInstall(go: string, opts: GoInstallOptions): Promise<void> {
  const { gobin, cwd, log, what } = opts;
  const args = ['install', ...opts.args];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(go, args, { cwd, env: { ...process.env, GOBIN: gobin }, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (data: Buffer) => {
      for (const line of data.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        log(`go: ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const progress = setInterval(() => log(`Still building ${what} (${Math.round((Date.now() - started) / 1000)} s)...`), 30_000);
    child.on('error', (err) => {
      clearInterval(progress);
      reject(new Error(`Could not run ${go}: ${err.message}. Install Go, or ${opts.hint}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(progress);
      if (code === 0) return resolve();
      reject(
        new Error(
          `\`go ${args.join(' ')}\` failed (${signal ?? `exit ${code}`}):\n${tail.join('\n')}\n` +
            `Check access to the Go module proxy (GOPROXY=${process.env.GOPROXY ?? 'default'}), or ${opts.hint}`,
        ),
      );
    });
  });
}

/** First executable file called `name` on PATH, as an absolute path. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
