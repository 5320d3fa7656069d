// The one place Vigil runs git. Every repository Vigil touches is someone else's: its .git/config, hooks
// and attributes must not run programs, and the worker's own git configuration (system, global, credential
// helpers, inherited GIT_* variables) must not change what a command does or where it connects.
import { spawn } from 'node:child_process';

export interface GitResult {
  code: number;
  stdout: Buffer;
  /** The tail of git's stderr: for classifying failures only, never for messages shown to anyone. */
  stderr: string;
  /** The command was killed because it ran past timeoutMs. */
  timedOut: boolean;
}

export interface RunGitOptions {
  /** Passed as `git -C <cwd>`. */
  cwd?: string;
  signal?: AbortSignal;
  /** Default 10 minutes; the process group is killed when it passes. */
  timeoutMs?: number;
  input?: string | Buffer;
  /** Extra variables set on top of the hardened environment (e.g. GIT_INDEX_FILE, author identity). */
  env?: Record<string, string>;
  /** Extra `-c key=value` settings, after the hardened ones. */
  config?: string[];
  /** Transports git may use (protocol.<name>.allow); none by default: local commands need none. */
  allowProtocols?: readonly string[];
  /** stdout beyond this kills git and rejects; default 256 MiB. */
  maxStdoutBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_MAX_STDOUT = 256 * 1024 * 1024;
const MAX_STDERR = 64 * 1024;

/** ssh as git runs it: never prompts (no terminal, no askpass), gives up on a dead host quickly. */
export const SSH_COMMAND = 'ssh -o BatchMode=yes -o ConnectTimeout=15';

/** `-c` settings on every invocation; command-line config wins over the repository's own. */
export function hardenedConfig(allowProtocols: readonly string[] = []): string[] {
  return [
    'core.hooksPath=/dev/null',
    'core.fsmonitor=false',
    // An empty value clears every helper configured anywhere, so no stored credential is offered.
    'credential.helper=',
    'core.askPass=',
    'protocol.allow=never',
    ...allowProtocols.map((p) => `protocol.${p}.allow=always`),
    // A redirect could lead a clone to an address the host check never saw.
    'http.followRedirects=false',
    // A stalled transfer ends instead of pinning a worker slot.
    'http.lowSpeedLimit=1000',
    'http.lowSpeedTime=30',
    'advice.detachedHead=false',
  ];
}

/** The process environment minus everything that steers git, plus the variables that pin it down. */
export function hardenedEnv(allowProtocols: readonly string[] = [], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // GIT_DIR, GIT_CONFIG_*, GIT_SSH*, GIT_EXEC_PATH, GIT_ASKPASS...: none of them were meant for us.
    if (k.startsWith('GIT_') || k === 'SSH_ASKPASS' || k === 'SSH_ASKPASS_REQUIRE') continue;
    env[k] = v;
  }
  Object.assign(env, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS_REQUIRE: 'never',
    GIT_PROTOCOL_FROM_USER: '0',
    // Git enforces this list itself, for every indirection (submodules, alternates, helpers).
    GIT_ALLOW_PROTOCOL: allowProtocols.join(':'),
    // Wins over core.sshCommand in a repository's config.
    GIT_SSH_COMMAND: SSH_COMMAND,
    GIT_SSH_VARIANT: 'ssh',
    GIT_LFS_SKIP_SMUDGE: '1',
    LC_ALL: 'C',
    ...extra,
  });
  return env;
}

/** Runs git (argument array, no shell) in its own process group, so abort and timeout kill its helpers too. */
export function runGit(args: string[], opts: RunGitOptions = {}): Promise<GitResult> {
  const { signal } = opts;
  const allow = opts.allowProtocols ?? [];
  const config = [...hardenedConfig(allow), ...(opts.config ?? [])].flatMap((c) => ['-c', c]);
  const fullArgs = [...config, ...(opts.cwd !== undefined ? ['-C', opts.cwd] : []), ...args];
  const maxStdout = opts.maxStdoutBytes ?? DEFAULT_MAX_STDOUT;
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawn('git', fullArgs, {
      env: hardenedEnv(allow, opts.env),
      stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let timedOut = false;
    let overflow = false;
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    child.stdout!.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > maxStdout) {
        overflow = true;
        kill();
        return;
      }
      out.push(b);
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-MAX_STDERR);
    });
    if (child.stdin) {
      // git may exit before reading all input (e.g. on a bad argument); the exit code reports that.
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    signal?.addEventListener('abort', kill, { once: true });
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
    };
    child.on('error', (err) => {
      done();
      reject(new Error(`could not run git (${err.message}); is git installed and on PATH?`));
    });
    child.on('close', (code, sig) => {
      done();
      if (signal?.aborted) return reject(signal.reason);
      if (overflow) return reject(new Error(`git ${args[0]} printed more than ${maxStdout} bytes; stopped`));
      resolvePromise({ code: code ?? (sig ? 128 : 1), stdout: Buffer.concat(out), stderr, timedOut });
    });
  });
}
