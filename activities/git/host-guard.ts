// Keeps a git URL from turning the worker into a proxy for the network it sits in: the host is resolved
// before git runs, every address it resolves to must be public (unless the operator lists the host in
// VIGIL_GIT_ALLOW_HOSTS), and the clone is then pinned to the address that was checked.
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { nonRetryable } from '../errors.js';
import { redactUrl } from '../snapshot/git-source.js';
import { parseIPv4, parseIPv6, refusedAddressReason } from './ip-ranges.js';
import { SSH_COMMAND } from './run-git.js';

export interface GitEndpoint {
  protocol: string;
  /** Lower-case, without brackets or a trailing dot. */
  host: string;
  port?: number;
}

/** Names that reach cloud metadata services whatever they resolve to. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

const DEFAULT_PORTS: Record<string, number> = { https: 443, http: 80, ftps: 990, ftp: 21, ssh: 22, git: 9418 };

/** VIGIL_GIT_ALLOW_HOSTS: comma-separated host names or IP addresses, matched exactly as the URL writes them. */
export function allowedGitHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.VIGIL_GIT_ALLOW_HOSTS ?? '')
    .split(',')
    .map((h) => normaliseHost(h.trim()))
    .filter((h) => h !== '');
}

function normaliseHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

const refused = (url: string, why: string) =>
  nonRetryable(
    'GitHostRefusedError',
    `git URL "${redactUrl(url)}" is refused: ${why}. Vigil clones only from public addresses; an operator can allow a host with VIGIL_GIT_ALLOW_HOSTS`,
  );

/**
 * The host and port git would connect to; undefined for a local path (file protocol). Throws
 * GitHostRefusedError for a transport whose host Vigil cannot check (remote helpers) or a host name
 * with characters no DNS name has.
 */
export function gitEndpoint(url: string, protocol: string): GitEndpoint | undefined {
  if (protocol === 'file') return undefined;
  let hostPort: string;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) throw refused(url, `the "${protocol}::" transport's destination cannot be checked`);
  if (scheme) {
    const authority = scheme[1];
    hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  } else {
    // scp-like [user@]host:path or [user@host:port]:path / [host:port]:path
    const bracket = /^\[([^\]]*)\]:/.exec(url);
    const raw = bracket ? bracket[1] : url.slice(0, url.indexOf(':'));
    hostPort = raw.slice(raw.lastIndexOf('@') + 1);
    if (bracket && parseIPv6(hostPort)) hostPort = `[${hostPort}]`;
  }
  let host = hostPort;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d*))?$/.exec(hostPort);
  if (v6) {
    host = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else if (hostPort.includes(':')) {
    const at = hostPort.lastIndexOf(':');
    host = hostPort.slice(0, at);
    const p = hostPort.slice(at + 1);
    if (p !== '') port = Number(p);
  }
  host = normaliseHost(decodeURIComponentSafe(host));
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw refused(url, 'its port is not a number from 1 to 65535');
  if (host === '') throw refused(url, 'it names no host');
  if (!parseIPv6(host) && !/^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/.test(host)) throw refused(url, `host "${host}" is not a valid host name`);
  return { protocol, host, port: port ?? DEFAULT_PORTS[protocol] };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface GuardOptions {
  env?: NodeJS.ProcessEnv;
  /** Give up resolving after this long (default 10 s). */
  timeoutMs?: number;
}

export interface CheckedHost extends GitEndpoint {
  /** The operator listed the host in VIGIL_GIT_ALLOW_HOSTS. */
  allowed: boolean;
  /** The address git must connect to; absent when the host is itself an IP literal. */
  address?: string;
}

/**
 * Refuses (GitHostRefusedError) a host that is, or resolves to, a loopback, private, link-local,
 * multicast, reserved or metadata address, unless the operator allows it; GitUnreachableError when it
 * does not resolve. `resolve: false` skips DNS for allowed hosts (the API's quick check).
 */
export async function checkGitHost(url: string, protocol: string, opts: GuardOptions & { resolve?: boolean } = {}): Promise<CheckedHost | undefined> {
  const endpoint = gitEndpoint(url, protocol);
  if (!endpoint) return undefined;
  const { host } = endpoint;
  const allowed = allowedGitHosts(opts.env).includes(host);
  const literal = parseIPv4(host) ? ipv4Text(parseIPv4(host)!) : parseIPv6(host) ? host : undefined;
  if (literal !== undefined) {
    const why = refusedAddressReason(literal);
    if (why && !allowed) throw refused(url, `${literal} is a ${why} address`);
    return { ...endpoint, allowed };
  }
  if (METADATA_NAMES.has(host) && !allowed) throw refused(url, `"${host}" names a cloud metadata service`);
  if (allowed && opts.resolve === false) return { ...endpoint, allowed };
  const addresses = await resolveHost(url, host, opts.timeoutMs ?? 10_000);
  if (!allowed) {
    for (const a of addresses) {
      const why = refusedAddressReason(a);
      // The address itself stays out of the message: it would map the internal network for the caller.
      if (why) throw refused(url, `host "${host}" resolves to a ${why} address`);
    }
  }
  return { ...endpoint, allowed, address: addresses[0] };
}

function ipv4Text(bytes: number[]): string {
  return bytes.join('.');
}

async function resolveHost(url: string, host: string, timeoutMs: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
  });
  try {
    const found = await Promise.race([lookup(host, { all: true, verbatim: true }), timeout]);
    if (found.length === 0) throw new Error('no addresses');
    return found.map((a) => a.address);
  } catch {
    throw nonRetryable(
      'GitUnreachableError',
      `git host "${host}" of "${redactUrl(url)}" does not resolve to an address; check the host name (and the worker's DNS), then retry`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a TCP connection to the checked address opens within timeoutMs. git's transports wait minutes
 * for a host that drops packets (curl's connect timeout is 300 s); this answers in seconds.
 */
export function canConnect(checked: CheckedHost, timeoutMs = 10_000, signal?: AbortSignal): Promise<boolean> {
  const host = checked.address ?? (parseIPv4(checked.host) ? parseIPv4(checked.host)!.join('.') : checked.host);
  if (!checked.port) return Promise.resolve(true);
  return new Promise((resolve) => {
    const socket = connect({ host, port: checked.port!, timeout: timeoutMs });
    const finish = (ok: boolean) => {
      socket.destroy();
      signal?.removeEventListener('abort', abort);
      resolve(ok);
    };
    const abort = () => finish(false);
    signal?.addEventListener('abort', abort, { once: true });
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

export interface PinnedClone {
  /** The URL git is given (git:// is rewritten to the address itself). */
  url: string;
  /** `-c` settings for git. */
  config: string[];
  /** Environment for git (ssh is told which address to connect to). */
  env: Record<string, string>;
}

/**
 * Makes git connect to the checked address instead of resolving the name again, so a DNS answer that
 * changes between check and clone (rebinding) cannot redirect it.
 */
export function pinClone(url: string, checked: CheckedHost | undefined): PinnedClone {
  if (!checked?.address) return { url, config: [], env: {} };
  const { protocol, host, port, address } = checked;
  const bracketed = address.includes(':') ? `[${address}]` : address;
  if (protocol === 'ssh') {
    // Host names were checked to hold only [a-z0-9_.-] and the address is an IP literal: safe in a shell word.
    return { url, config: [], env: { GIT_SSH_COMMAND: `${SSH_COMMAND} -o HostName=${address} -o HostKeyAlias=${host}` } };
  }
  if (protocol === 'git') {
    return { url: url.replace(/^(git:\/\/)([^/?#]*@)?[^/?#]*/i, `$1$2${bracketed}${port ? `:${port}` : ''}`), config: [], env: {} };
  }
  // http(s) and ftp(s) go through curl, which takes a pre-resolved answer for host:port.
  // Both spellings of the name: "host." reaches curl unchanged and would otherwise miss the entry.
  return { url, config: [host, `${host}.`].map((h) => `http.curloptResolve=${h}:${port}:${bracketed}`), env: {} };
}
