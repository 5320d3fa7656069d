// Shallow-clones a git source for a snapshot. Every value from the request is checked first (see
// git-source.ts), the host is checked and pinned (git/host-guard.ts), values reach git only after `--`,
// and failures are told in our words: git's own output names hosts, ports and TLS details.
import { rm } from 'node:fs/promises';
import { nonRetryable } from '../errors.js';
import { canConnect, checkGitHost, pinClone } from '../git/host-guard.js';
import { runGit, type GitResult } from '../git/run-git.js';
import { allowedProtocols, checkGitSource, redactUrl } from './git-source.js';

export interface CloneOptions {
  signal?: AbortSignal;
  /** The operator's settings: GIT_ALLOW_PROTOCOL and VIGIL_GIT_ALLOW_HOSTS. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Attempts when the host cannot be reached, before failing for good (default 2). */
  connectAttempts?: number;
  /** Pause between those attempts (default 2 s). */
  retryDelayMs?: number;
  /** For opening a connection to the host (default 10 s). */
  connectTimeoutMs?: number;
  /** For the whole clone (default 10 minutes). */
  timeoutMs?: number;
}

export interface ClonedSource {
  dir: string;
  commit: string;
}

/** Clones `source` (depth 1) into `dir`, which must not exist or be empty. */
export async function cloneGitSource(source: { url: string; ref?: string }, dir: string, opts: CloneOptions = {}): Promise<ClonedSource> {
  const env = opts.env ?? process.env;
  const allowed = allowedProtocols(env);
  const { url, ref, refIsCommit, protocol } = checkGitSource(source, allowed);
  const attempts = Math.max(1, opts.connectAttempts ?? 2);
  for (let attempt = 1; ; attempt++) {
    try {
      return await cloneOnce(url, ref, refIsCommit, protocol, dir, allowed, env, opts);
    } catch (err) {
      if (!(err instanceof Unreachable)) throw err;
      if (attempt >= attempts) {
        throw nonRetryable(
          'GitUnreachableError',
          `git host of "${redactUrl(url)}" could not be reached (${attempts} attempts); check the URL and that the worker can reach the host, then start a new scan`,
        );
      }
      await pause(opts.retryDelayMs ?? 2_000, opts.signal);
      await rm(dir, { recursive: true, force: true });
    }
  }
}

async function cloneOnce(
  url: string,
  ref: string | undefined,
  refIsCommit: boolean,
  protocol: string,
  dir: string,
  allowed: string[],
  env: NodeJS.ProcessEnv,
  opts: CloneOptions,
): Promise<ClonedSource> {
  // Checked again here (not only in the API): DNS may answer differently now, and this check is the one pinned.
  const checked = await checkGitHost(url, protocol, { env });
  if (checked && !(await canConnect(checked, opts.connectTimeoutMs, opts.signal))) {
    opts.signal?.throwIfAborted();
    throw new Unreachable('connect');
  }
  const pin = pinClone(url, checked);
  const run = (args: string[]) =>
    runGit(args, { signal: opts.signal, allowProtocols: allowed, config: pin.config, env: pin.env, timeoutMs: opts.timeoutMs });

  if (ref !== undefined && !refIsCommit) {
    // Our own check already passed; git has the last word on what it will accept.
    const r = await run(['check-ref-format', '--allow-onelevel', ref]);
    if (r.code !== 0) throw nonRetryable('InvalidSourceError', `ref "${ref}" is not a valid branch or tag name`);
  }

  if (ref !== undefined && refIsCommit) {
    // A commit id cannot be cloned by name: fetch just that commit.
    await must(run(['init', '-q', '--', dir]), 'init', url);
    await must(run(['-C', dir, 'remote', 'add', '--', 'origin', pin.url]), 'remote add', url);
    await must(run(['-C', dir, 'fetch', '-q', '--depth', '1', '--no-tags', '--', 'origin', ref]), 'fetch', url, ref);
    await must(run(['-C', dir, 'checkout', '-q', '--detach', ref, '--']), 'checkout', url, ref);
  } else {
    const branch = ref !== undefined ? ['--branch', ref] : [];
    await must(run(['clone', '-q', '--depth', '1', '--single-branch', '--no-tags', ...branch, '--', pin.url, dir]), 'clone', url, ref);
  }
  const head = await must(run(['-C', dir, 'rev-parse', '--verify', 'HEAD^{commit}']), 'rev-parse', url);
  return { dir, commit: head.stdout.toString('utf8').trim() };
}

/** Thrown inside one attempt: the host did not answer; the caller may try again. */
class Unreachable extends Error {}

async function must(result: Promise<GitResult>, step: string, url: string, ref?: string): Promise<GitResult> {
  const r = await result;
  if (r.code === 0) return r;
  throw gitFailure(step, r, url, ref);
}

const UNREACHABLE =
  /(Could not resolve host|Couldn't resolve|Connection refused|Failed to connect|Connection timed out|timed out|Network is unreachable|No route to host|Could not connect|Connection reset|Connection closed|unexpected disconnect|early EOF|the remote end hung up|gnutls_handshake|SSL|TLS|certificate|handshake|kex_exchange_identification|ssh: connect to host|Could not read from remote repository|unable to connect)/i;
const AUTH =
  /(Authentication failed|could not read Username|could not read Password|terminal prompts disabled|Permission denied|Host key verification failed|returned error: 40[13]|HTTP 40[13]|access denied|authentication required)/i;
const NOT_FOUND = /(does not appear to be a git repository|repository .* not found|not found|does not exist|returned error: 404|HTTP 404)/i;
const BAD_REF = /(Remote branch .* not found|couldn't find remote ref|not our ref|unadvertised object|did not match any|reference is not a tree|bad object)/i;

/**
 * Our message for git's failure. Bad input (refused transport, missing ref, missing or private
 * repository) fails the scan at once; an unreachable host is retried by the caller; anything else stays
 * retryable for Temporal. git's stderr is only matched, never repeated.
 */
function gitFailure(step: string, r: GitResult, url: string, ref?: string): Error {
  const shown = redactUrl(url);
  const { stderr } = r;
  if (r.timedOut) return new Error(`git ${step} of "${shown}" did not finish in time; the failure will be retried`);
  if (/transport '[^']*' not allowed/i.test(stderr)) {
    return nonRetryable('DisallowedSourceError', `git refused to fetch "${shown}": its transport is not allowed on this server (operators set GIT_ALLOW_PROTOCOL)`);
  }
  if (/returned error: 30\d|redirect/i.test(stderr)) {
    return nonRetryable('GitHostRefusedError', `"${shown}" answered with a redirect, which Vigil does not follow; give the repository's final URL`);
  }
  if (ref !== undefined && BAD_REF.test(stderr)) {
    return nonRetryable('InvalidSourceError', `ref "${ref}" was not found in "${shown}"; check the branch, tag or commit id`);
  }
  if (AUTH.test(stderr)) {
    return nonRetryable(
      'GitAuthRequiredError',
      `"${shown}" needs credentials the worker does not have (or, over ssh, its host key is not in the worker's known_hosts); Vigil clones public repositories over https, and private ones over ssh with the worker's SSH key`,
    );
  }
  if (/(Remote branch .* not found|couldn't find remote ref)/i.test(stderr) || NOT_FOUND.test(stderr)) {
    return nonRetryable('GitNotFoundError', `no git repository was found at "${shown}"; check the URL`);
  }
  if (UNREACHABLE.test(stderr)) return new Unreachable(step);
  return new Error(`git ${step} of "${shown}" failed (exit ${r.code}); the failure will be retried`);
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });
}
