// Shallow-clones a git source for a snapshot. Every value from the request is checked first (see
// git-source.ts) and reaches git only after `--`, and git itself is told which protocols it may use.
import { nonRetryable } from '../errors.js';
import { runGit, type GitResult } from './git-command.js';
import { allowedProtocols, checkGitSource, redactUrl } from './git-source.js';

export interface CloneOptions {
  signal?: AbortSignal;
  /** The worker's environment; GIT_ALLOW_PROTOCOL in it is the operator's allow-list. */
  env?: NodeJS.ProcessEnv;
}

export interface ClonedSource {
  dir: string;
  commit: string;
}

// ext:: runs a command named by the URL; refuse it whatever the user's or system's git config says.
const BASE_ARGS = ['-c', 'protocol.ext.allow=never'];

/** Clones `source` (depth 1) into `dir`, which must not exist or be empty. */
export async function cloneGitSource(source: { url: string; ref?: string }, dir: string, opts: CloneOptions = {}): Promise<ClonedSource> {
  const baseEnv = opts.env ?? process.env;
  const allowed = allowedProtocols(baseEnv);
  const { url, ref, refIsCommit } = checkGitSource(source, allowed);
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    // Setting it makes git itself enforce the list, for redirects and submodule-like indirections too.
    GIT_ALLOW_PROTOCOL: allowed.join(':'),
    // A worker has nobody to answer a password prompt: fail instead of hanging. (ssh cannot prompt
    // either: runGit starts git in a new session, without a terminal.)
    GIT_TERMINAL_PROMPT: '0',
    // Large-file pointers are scanned as they are; their content is not source code.
    GIT_LFS_SKIP_SMUDGE: '1',
  };
  const run = (args: string[]) => runGit([...BASE_ARGS, ...args], { env, signal: opts.signal });

  if (ref !== undefined && !refIsCommit) {
    // Our own check already passed; git has the last word on what it will accept.
    const r = await run(['check-ref-format', '--allow-onelevel', ref]);
    if (r.code !== 0) throw nonRetryable('InvalidSourceError', `ref "${ref}" is not a valid branch or tag name`);
  }

  if (ref !== undefined && refIsCommit) {
    // A commit id cannot be cloned by name: fetch just that commit.
    await must(run(['init', '-q', '--', dir]), 'init', url);
    await must(run(['-C', dir, 'remote', 'add', '--', 'origin', url]), 'remote add', url);
    await must(run(['-C', dir, 'fetch', '-q', '--depth', '1', '--no-tags', '--', 'origin', ref]), 'fetch', url, ref);
    await must(run(['-C', dir, '-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', ref, '--']), 'checkout', url, ref);
  } else {
    const branch = ref !== undefined ? ['--branch', ref] : [];
    await must(run(['clone', '-q', '--depth', '1', '--single-branch', '--no-tags', ...branch, '--', url, dir]), 'clone', url, ref);
  }
  const head = await must(run(['-C', dir, 'rev-parse', '--verify', 'HEAD^{commit}']), 'rev-parse', url);
  return { dir, commit: head.stdout.trim() };
}

async function must(result: Promise<GitResult>, step: string, url: string, ref?: string): Promise<GitResult> {
  const r = await result;
  if (r.code === 0) return r;
  throw gitFailure(step, r.stderr, url, ref);
}

/** Bad input fails the scan at once; anything else (network, server trouble) stays retryable. */
function gitFailure(step: string, stderr: string, url: string, ref?: string): Error {
  const shown = redactUrl(url);
  const detail = stderr.trim().split('\n').slice(-3).join(' | ').replaceAll(url, shown);
  if (/transport '[^']*' not allowed/i.test(stderr)) {
    return nonRetryable('DisallowedSourceError', `git refused to fetch "${shown}": ${detail}`);
  }
  if (ref !== undefined && /(Remote branch .* not found|couldn't find remote ref|not our ref|unadvertised object|did not match any|reference is not a tree|bad object)/i.test(stderr)) {
    return nonRetryable('InvalidSourceError', `ref "${ref}" was not found in "${shown}"; check the branch, tag or commit id`);
  }
  if (/(does not appear to be a git repository|repository .* not found|does not exist|Authentication failed|could not read Username|terminal prompts disabled|Permission denied \(publickey)/i.test(stderr)) {
    return nonRetryable('InvalidSourceError', `cannot read repository "${shown}" (it does not exist or needs credentials the worker does not have): ${detail}`);
  }
  return new Error(`git ${step} of "${shown}" failed: ${detail || 'no error output'}`);
}
