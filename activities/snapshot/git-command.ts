// Runs git without a shell, in its own process group so cancelling a scan kills git and every helper it
// started (remote-https, index-pack, ssh), not just the parent.
import { spawn } from 'node:child_process';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunGitOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Output beyond this is dropped: git's progress chatter can be long and only the tail matters. */
const MAX_OUTPUT = 64 * 1024;

export function runGit(args: string[], opts: RunGitOptions = {}): Promise<GitResult> {
  const { signal } = opts;
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawn('git', args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-MAX_OUTPUT);
    });
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', kill);
      reject(err);
    });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', kill);
      if (signal?.aborted) return reject(signal.reason);
      resolvePromise({ code: code ?? (sig ? 128 : 1), stdout, stderr });
    });
  });
}
