// The project's declared dependency versions (package.json, and the exact version a lockfile pins), so
// sinks that are only dangerous in some versions of a library (js-yaml 3 load, old lodash merge) are
// judged against what the project actually uses.
import { posix } from 'node:path';
import type { SourceFiles } from '../../../model.js';

export interface Manifest {
  /** Path of the package.json in the snapshot. */
  path: string;
  /** Declared ranges (dependencies, devDependencies, optional and peer). */
  ranges: Map<string, string>;
  /** Exact versions pinned by package-lock.json / npm-shrinkwrap.json next to it. */
  locked: Map<string, string>;
  /** That lockfile's path, if there is one. */
  lockPath?: string;
}

export interface Manifests {
  /** Directory → its manifest. */
  byDir: Map<string, Manifest>;
  /** Nearest-manifest cache per directory (undefined: none above it). */
  nearest: Map<string, Manifest | undefined>;
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // a malformed manifest declares nothing
  }
}

function lockedVersions(lock: Record<string, unknown> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!lock) return out;
  // lockfileVersion 2/3: packages["node_modules/<name>"].version; version 1: dependencies[<name>].version.
  const packages = lock.packages as Record<string, { version?: string }> | undefined;
  for (const [key, entry] of Object.entries(packages ?? {})) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key);
    if (m && typeof entry?.version === 'string') out.set(m[1], entry.version);
  }
  const deps = lock.dependencies as Record<string, { version?: string }> | undefined;
  for (const [name, entry] of Object.entries(deps ?? {})) {
    if (!out.has(name) && typeof entry?.version === 'string') out.set(name, entry.version);
  }
  return out;
}

export function readManifests(files: SourceFiles): Manifests {
  const byDir = new Map<string, Manifest>();
  for (const p of files.paths()) {
    if (posix.basename(p) !== 'package.json' || /(^|\/)node_modules\//.test(p)) continue;
    const pkg = parseJson(files.read(p));
    if (!pkg) continue;
    const ranges = new Map<string, string>();
    for (const field of ['peerDependencies', 'optionalDependencies', 'devDependencies', 'dependencies']) {
      const deps = pkg[field] as Record<string, unknown> | undefined;
      for (const [name, range] of Object.entries(deps ?? {})) if (typeof range === 'string') ranges.set(name, range);
    }
    const dir = posix.dirname(p);
    const at = (name: string) => (dir === '.' ? name : `${dir}/${name}`);
    const lockPath = ['package-lock.json', 'npm-shrinkwrap.json'].map(at).find((l) => files.read(l) !== undefined);
    byDir.set(dir, { path: p, ranges, locked: lockedVersions(lockPath ? parseJson(files.read(lockPath)) : undefined), lockPath });
  }
  return { byDir, nearest: new Map() };
}

/** The manifest that governs `file`: the nearest package.json in its directory or above. */
export function manifestFor(m: Manifests, file: string): Manifest | undefined {
  let dir = posix.dirname(file);
  const seen: string[] = [];
  let found: Manifest | undefined;
  for (;;) {
    if (m.nearest.has(dir)) {
      found = m.nearest.get(dir);
      break;
    }
    seen.push(dir);
    const here = m.byDir.get(dir);
    if (here) {
      found = here;
      break;
    }
    if (dir === '.' || dir === '/' || dir === '') break;
    dir = posix.dirname(dir);
  }
  for (const d of seen) m.nearest.set(d, found);
  return found;
}

export type Version = [number, number, number];

export function parseVersion(text: string): Version | undefined {
  const m = /(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?/.exec(text);
  if (!m) return undefined;
  const n = (s: string | undefined) => (s === undefined || s === 'x' || s === '*' ? 0 : Number(s));
  return [n(m[1]), n(m[2]), n(m[3])];
}

export const compareVersions = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * The lowest version a declared range admits (`^3.13.1` → 3.13.1, `>=3 <4` → 3.0.0, `~4.17.4` → 4.17.4);
 * undefined for ranges that name no version (tags, URLs, `*`).
 */
export function lowestVersion(range: string): Version | undefined {
  const r = range.trim();
  if (!r || r === '*' || r === 'latest' || /^(npm:|git|https?:|file:|link:|workspace:)/.test(r)) {
    const alias = /^npm:(?:@?[^@]+)@(.+)$/.exec(r);
    return alias ? lowestVersion(alias[1]) : undefined;
  }
  // The lowest of the alternatives of `a || b`.
  let low: Version | undefined;
  for (const alt of r.split('||')) {
    const v = parseVersion(alt.replace(/<=?\s*[\d.x*]+/g, ''));
    if (v && (!low || compareVersions(v, low) < 0)) low = v;
  }
  return low;
}

/**
 * Whether `version` predates the fix: `fixed` lists the first fixed version of each release line (a
 * backport on 2.x as well as the fix on 4.x). A version is fixed when its major line has a fixed version
 * at or below it, or when it is newer than every fixed version.
 */
export function isVulnerable(version: Version, fixed: string[]): boolean {
  const fixes = fixed.map(parseVersion).filter((v): v is Version => !!v);
  const sameLine = fixes.filter((f) => f[0] === version[0]);
  if (sameLine.length) return sameLine.every((f) => compareVersions(version, f) < 0);
  return fixes.some((f) => compareVersions(version, f) < 0);
}

export interface ResolvedDependency {
  version: Version;
  /** How it was read, for the trace: "js-yaml ^3.14.0 in package.json". */
  source: string;
  manifest: string;
}

/** The version of `pkg` the project governing `file` uses: the lockfile's pin, else the range's lowest version. */
export function dependencyVersion(m: Manifests, file: string, pkg: string): ResolvedDependency | undefined {
  const man = manifestFor(m, file);
  if (!man) return undefined;
  const locked = man.locked.get(pkg);
  const lv = locked ? parseVersion(locked) : undefined;
  if (lv) return { version: lv, source: `${pkg} ${locked} (lockfile next to ${man.path})`, manifest: man.path };
  const range = man.ranges.get(pkg);
  const v = range ? lowestVersion(range) : undefined;
  return v ? { version: v, source: `${pkg} ${range} in ${man.path}`, manifest: man.path } : undefined;
}
