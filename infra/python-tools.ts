// Python tools the test suite uses (Schemathesis), installed from PyPI into a private venv under the
// cache directory: created once under a lock, reused after. Pinned, so every machine runs the same checks.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { vigilCacheDir, withDirLock } from './data-dir.js';

const execFileAsync = promisify(execFile);

/** Pinned Schemathesis release (PyPI). Bump deliberately: its checks and CLI flags change between minors. */
export const SCHEMATHESIS_VERSION = '4.32.5';

export interface EnsureToolOptions {
  log?: (line: string) => void;
  /** The Python interpreter that creates the venv (default: VIGIL_PYTHON or python3). */
  python?: string;
}

/** `<cache>/python/schemathesis-<version>`: one venv per pinned version, so a bump never mixes installs. */
export function schemathesisVenv(): string {
  return path.join(vigilCacheDir(), 'python', `schemathesis-${SCHEMATHESIS_VERSION}`);
}

function venvBin(venv: string, name: string): string {
  return process.platform === 'win32' ? path.join(venv, 'Scripts', `${name}.exe`) : path.join(venv, 'bin', name);
}

/** The `installed` marker is written last, so a half-finished install is redone rather than trusted. */
function markerFile(venv: string): string {
  return path.join(venv, 'vigil-installed');
}

/**
 * Absolute path of the pinned `schemathesis` (`st`) executable, installing it on first use. Needs Python
 * 3.9+ with venv, and pip access to PyPI (or a configured index) the first time.
 */
export async function ensureSchemathesis(opts: EnsureToolOptions = {}): Promise<string> {
  const log = opts.log ?? (() => {});
  const venv = schemathesisVenv();
  const bin = venvBin(venv, 'schemathesis');
  if (fs.existsSync(markerFile(venv)) && fs.existsSync(bin)) return bin;
  return withDirLock(
    `${venv}.lock`,
    async () => {
      if (fs.existsSync(markerFile(venv)) && fs.existsSync(bin)) return bin; // installed while we waited
      const python = opts.python ?? process.env.VIGIL_PYTHON ?? 'python3';
      fs.rmSync(venv, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(venv), { recursive: true });
      log(`Installing schemathesis==${SCHEMATHESIS_VERSION} into ${venv} (once)...`);
      await run(python, ['-m', 'venv', venv], 'create a Python venv', `Install Python 3.9+ with venv (e.g. apt-get install python3-venv), or set VIGIL_PYTHON to an interpreter that has it.`);
      await run(
        venvBin(venv, 'python'),
        ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`],
        `pip install schemathesis==${SCHEMATHESIS_VERSION}`,
        'Check that pip can reach PyPI (proxy, PIP_INDEX_URL), then retry.',
      );
      fs.writeFileSync(markerFile(venv), `${SCHEMATHESIS_VERSION}\n`);
      return bin;
    },
    { purpose: `install schemathesis ${SCHEMATHESIS_VERSION}`, timeoutMs: 15 * 60_000, log },
  );
}

async function run(cmd: string, args: string[], what: string, advice: string): Promise<void> {
  try {
    await execFileAsync(cmd, args, { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const tail = (e.stderr ?? '').trim().split('\n').slice(-5).join('\n');
    throw new Error(`Could not ${what}: ${tail || e.message}. ${advice}`, { cause: err });
  }
}
