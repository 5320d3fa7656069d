// Decides whether a git URL and ref may be fetched, before git ever sees them. Pure (no I/O), so the API
// can answer a bad URL with a 400 instead of starting a scan that will fail.
import { nonRetryable } from '../errors.js';

/** Used when the operator has not set GIT_ALLOW_PROTOCOL. */
export const DEFAULT_ALLOWED_PROTOCOLS = ['https', 'ssh'];

/**
 * The protocols the operator allows (GIT_ALLOW_PROTOCOL, colon-separated). `ext` runs an arbitrary
 * command named by the URL, so it is dropped even when listed.
 */
export function allowedProtocols(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.GIT_ALLOW_PROTOCOL?.trim();
  const list = raw ? raw.split(':').map((p) => p.trim().toLowerCase()) : DEFAULT_ALLOWED_PROTOCOLS;
  return [...new Set(list.filter((p) => p !== '' && p !== 'ext'))];
}

/**
 * The protocol git would use for `url`, named as GIT_ALLOW_PROTOCOL names them: `scheme://`,
 * `transport::address` (a remote helper, e.g. `ext::`), scp-like `[user@]host:path` = ssh, and a plain
 * path = file.
 */
export function gitUrlProtocol(url: string): string {
  const helper = /^([A-Za-z][A-Za-z0-9+.-]*)::/.exec(url);
  if (helper) return helper[1].toLowerCase();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (scheme) {
    const s = scheme[1].toLowerCase();
    return s === 'git+ssh' || s === 'ssh+git' ? 'ssh' : s;
  }
  // git's rule: a colon before any slash makes it scp-like ("host:path", "[host:22]:path").
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon > 0 && (slash === -1 || colon < slash)) return 'ssh';
  return 'file';
}

export interface CheckedGitSource {
  url: string;
  ref?: string;
  protocol: string;
  /** The ref is a full commit id (fetched by id rather than cloned by name). */
  refIsCommit: boolean;
}

/**
 * Throws InvalidSourceError for a malformed URL or ref (including any that git could take for an option)
 * and DisallowedSourceError for a protocol the operator does not allow.
 */
export function checkGitSource(source: { url: string; ref?: string }, allowed: readonly string[] = allowedProtocols()): CheckedGitSource {
  const { url, ref } = source;
  if (typeof url !== 'string' || url === '') throw nonRetryable('InvalidSourceError', 'git URL is empty; give the repository URL, e.g. https://github.com/org/repo.git');
  if (url.startsWith('-')) throw nonRetryable('InvalidSourceError', `git URL "${redactUrl(url)}" starts with "-"; give a URL or path, not an option`);
  if (/[\x00-\x1f\x7f]/.test(url) || url !== url.trim()) {
    throw nonRetryable('InvalidSourceError', `git URL "${redactUrl(url)}" has surrounding spaces or control characters; remove them`);
  }
  const protocol = gitUrlProtocol(url);
  if (protocol === 'ssh' && sshHostLooksLikeOption(url)) {
    throw nonRetryable('InvalidSourceError', `git URL "${redactUrl(url)}" has a user or host starting with "-"; that is not a valid host`);
  }
  if (protocol === 'ext' || !allowed.includes(protocol)) {
    throw nonRetryable(
      'DisallowedSourceError',
      `git URL "${redactUrl(url)}" uses protocol "${protocol}", which this server does not allow` +
        (protocol === 'ext' ? ' (ext is never allowed)' : `; allowed: ${allowed.join(', ') || 'none'} (operators set GIT_ALLOW_PROTOCOL)`),
    );
  }
  if (ref === undefined || ref === '') return { url, protocol, refIsCommit: false };
  const refIsCommit = isCommitId(ref);
  if (!refIsCommit) checkRefName(ref);
  return { url, ref, protocol, refIsCommit };
}

export function isCommitId(ref: string): boolean {
  return /^[0-9a-f]{40}$/.test(ref) || /^[0-9a-f]{64}$/.test(ref);
}

/** `git check-ref-format --allow-onelevel` rules, checked here so the API needs no git. */
export function checkRefName(ref: string): void {
  const bad = (why: string) => nonRetryable('InvalidSourceError', `ref "${ref}" is not a valid branch or tag name: ${why}`);
  if (ref.startsWith('-')) throw bad('it starts with "-"');
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) throw bad('it contains a space, control character or one of ~ ^ : ? * [ \\');
  if (ref === '@') throw bad('"@" alone is not a name');
  if (ref.includes('..')) throw bad('it contains ".."');
  if (ref.includes('@{')) throw bad('it contains "@{"');
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) throw bad('it has an empty path component');
  if (ref.endsWith('.')) throw bad('it ends with "."');
  for (const part of ref.split('/')) {
    if (part.startsWith('.')) throw bad('a component starts with "."');
    if (part.endsWith('.lock')) throw bad('a component ends with ".lock"');
  }
}

/** user@host or host of an ssh URL beginning with "-" would reach ssh as an option. */
function sshHostLooksLikeOption(url: string): boolean {
  const authority = /^[A-Za-z+]+:\/\/([^/]*)/.exec(url)?.[1] ?? url.slice(0, url.indexOf(':'));
  return authority.split('@').some((part) => part.replace(/^\[/, '').startsWith('-'));
}

/** The URL with any password or token replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@]*@/, '$1***@');
}
