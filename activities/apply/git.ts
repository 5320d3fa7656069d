// Runs git with an argument array (never a shell) against one repository, with an environment that
// cannot be redirected at another repository or index by variables the worker happened to inherit.
import { spawn } from 'node:child_process';

export interface GitOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Return non-zero exits instead of throwing (for probes such as "does this ref exist"). */
  allowFailure?: boolean;
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

// Variables that would make git operate on a different repository, index or object store than repoDir's.
const LOCATION_VARS = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

// GIT_LITERAL_PATHSPECS: a file named like ":(glob)*" must mean that file, not pathspec magic.
export async function git(repoDir: string, args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const v of LOCATION_VARS) delete env[v];
  Object.assign(env, { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_LITERAL_PATHSPECS: '1' }, opts.env);

  const child = spawn('git', ['-C', repoDir, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  // git may exit before reading all input (e.g. on a bad argument); that EPIPE is reported via the exit code.
  child.stdin.on('error', () => {});
  child.stdin.end(opts.input ?? '');

  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`could not run git (${e.message}); is git installed and on PATH?`)));
    child.on('close', (c) => resolve(c ?? 1));
  });
  const result = { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8').trim() };
  if (code !== 0 && !opts.allowFailure) {
    throw new Error(`git ${args[0]} failed (exit ${code}) in ${repoDir}: ${result.stderr || '(no output)'}`);
  }
  return result;
}

/** stdout as trimmed text, for commands that print one value. */
export async function gitText(repoDir: string, args: string[], opts: GitOptions = {}): Promise<string> {
  return (await git(repoDir, args, opts)).stdout.toString('utf8').trim();
}
