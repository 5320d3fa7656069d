// Which local directories a server may read (scan) and write (apply a branch to). A path is allowed when
// its real path lies at or below an allowed root and is neither inside nor above a forbidden location
// (the data directory with its keys, /proc, /sys, /dev). The local CLI has no policy: it scans what its
// user names. Plain data and functions; nothing here reads the environment by itself.
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PathPolicy {
  /** The deployment's roots (real paths). Empty: path sources are refused. */
  readonly roots: readonly string[];
  /** Never readable nor writable, nor is any directory that contains one (real and given paths). */
  readonly forbidden: readonly string[];
}

/** A key's or tenant's own roots, narrowing the deployment's; undefined = no narrowing. */
export type Narrowing = readonly string[] | undefined;

export const SYSTEM_FORBIDDEN = ['/proc', '/sys', '/dev'] as const;

export const SCAN_ROOTS_ENV = 'VIGIL_SCAN_ROOTS';

/** `child` equals `parent` or lies below it, compared by whole path segments (/srv/repo2 is not under /srv/repo). */
export function isWithin(child: string, parent: string): boolean {
  if (child === parent) return true;
  const base = parent.endsWith(sep) ? parent : parent + sep;
  return child.startsWith(base);
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * VIGIL_SCAN_ROOTS: absolute directories separated by ':'. Each must exist (it is resolved to its real path
 * now, so a later symlink swap cannot widen it); a bad entry throws, naming it, so the server does not start.
 */
export function parseScanRoots(value: string | undefined, origin = SCAN_ROOTS_ENV): string[] {
  const entries = (value ?? '').split(':').map((s) => s.trim()).filter(Boolean);
  const roots: string[] = [];
  for (const entry of entries) {
    if (!isAbsolute(entry)) {
      throw new Error(`${origin}: "${entry}" is not an absolute path; list absolute directories separated by ":" (e.g. /srv/repos:/home/ci/checkouts).`);
    }
    let real: string;
    try {
      real = realpathSync(entry);
    } catch {
      throw new Error(`${origin}: "${entry}" does not exist or is not readable by this server; create it or remove it from the list.`);
    }
    roots.push(real);
  }
  return [...new Set(roots)];
}

/**
 * The policy for a server: its roots plus what is never allowed. `protect` names the data directory, the
 * keys file, the master key file and the like; /proc, /sys and /dev are always added, with their real paths.
 */
export function createPathPolicy(opts: { roots: readonly string[]; protect?: readonly string[] }): PathPolicy {
  const forbidden = new Set<string>();
  for (const p of [...SYSTEM_FORBIDDEN, ...(opts.protect ?? [])]) {
    if (!isAbsolute(p)) continue;
    forbidden.add(resolve(p));
    forbidden.add(realOrResolved(p));
  }
  return { roots: opts.roots.map(realOrResolved), forbidden: [...forbidden] };
}

/** No roots: every path source is refused (the server's default). */
export const NO_PATHS: PathPolicy = createPathPolicy({ roots: [] });

/**
 * The roots a key or tenant may actually use: the intersection of the deployment's roots with its own.
 * A narrowing root outside every deployment root contributes nothing; one above a deployment root yields that root.
 */
export function effectiveRoots(policy: PathPolicy, narrowing: Narrowing): string[] {
  if (narrowing === undefined) return [...policy.roots];
  const out = new Set<string>();
  for (const raw of narrowing) {
    const own = realOrResolved(raw);
    for (const root of policy.roots) {
      if (isWithin(own, root)) out.add(own);
      else if (isWithin(root, own)) out.add(root);
    }
  }
  return [...out];
}

export type PathRefusal = 'disabled' | 'outside' | 'forbidden';

export type PathCheck =
  | { ok: true; real: string }
  | { ok: false; refusal: PathRefusal }
  | { ok: false; refusal: 'missing' };

function verdict(policy: PathPolicy, roots: readonly string[], path: string): PathRefusal | undefined {
  if (policy.forbidden.some((f) => isWithin(path, f) || isWithin(f, path))) return 'forbidden';
  if (!roots.some((r) => isWithin(path, r))) return 'outside';
  return undefined;
}

/**
 * Resolves `path` (which must be absolute) and decides. A path that does not resolve is 'missing' only when
 * its lexical form lies inside the roots: outside them the answer is the same whether or not it exists.
 */
export async function checkPath(policy: PathPolicy, narrowing: Narrowing, path: string): Promise<PathCheck> {
  const roots = effectiveRoots(policy, narrowing);
  if (roots.length === 0) return { ok: false, refusal: 'disabled' };
  const lexical = resolve(path);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    const refusal = verdict(policy, roots, lexical);
    return refusal ? { ok: false, refusal } : { ok: false, refusal: 'missing' };
  }
  // The real path decides (a symlink inside a root may point outside it); the given form is also never
  // let through /proc, /sys or /dev (e.g. /proc/self/root/...).
  const forbiddenAsGiven = policy.forbidden.some((f) => isWithin(lexical, f) || isWithin(f, lexical));
  const refusal = forbiddenAsGiven ? 'forbidden' : verdict(policy, roots, real);
  return refusal ? { ok: false, refusal } : { ok: true, real };
}

/** What to tell the caller, including how an operator allows more. `action` says whether it was a scan or a write. */
export function refusalMessage(refusal: PathRefusal, path: string, roots: readonly string[], action: 'scan' | 'write' = 'scan'): string {
  const howTo =
    `An operator allows directories with ${SCAN_ROOTS_ENV} (absolute paths separated by ":") when starting \`vigil serve\`, ` +
    'and may narrow a key to some of them with "roots" in its entry of the API keys file.';
  const done = action === 'scan' ? 'scanned' : 'written to';
  switch (refusal) {
    case 'disabled':
      return `Local path sources are not enabled for this key on this server, so ${path} cannot be ${done}. ${howTo}${action === 'scan' ? ' Or scan a git URL instead.' : ''}`;
    case 'forbidden':
      return `${path} is, contains or lies inside Vigil's data directory or a system directory (/proc, /sys, /dev), which are never ${done}; choose the repository's own directory.`;
    case 'outside':
      return `${path} is outside the directories this key may ${action === 'scan' ? 'scan' : 'write branches into'} (${roots.join(', ')}); choose a path under one of them. ${howTo}`;
  }
}

/**
 * The local path a git URL of the file protocol reads (file:///srv/x, or a plain absolute path), undefined for
 * other URLs; null for a file URL that names no usable absolute path (relative, or another host).
 */
export function fileUrlPath(url: string): string | null | undefined {
  if (/^file:/i.test(url)) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) return undefined; // scheme://, transport::, scp-like host:path
  return isAbsolute(url) ? url : null;
}
