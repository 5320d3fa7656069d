// The libraries a finding's code is written against, from the manifest nearest its file (package.json
// dependencies): the cue that picks, among a class's fix passages, the one for the reader's own framework or
// driver ("mysql and mysql2" for a mysql app's SQL finding, not TypeORM). Manifests are repository files: hostile,
// so bounded, parsed defensively, and only well-formed package names are kept.
import type { SourceReader } from '../model.js';

/** Manifests larger than this are not read for their dependencies. */
const MAX_MANIFEST_BYTES = 512 * 1024;
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** The manifest whose directory is the nearest ancestor of `file` (POSIX, repository-relative), if any. */
export function nearestManifest(file: string, has: (path: string) => boolean): string | undefined {
  const parts = file.split('/').slice(0, -1);
  for (let n = parts.length; n >= 0; n--) {
    const candidate = [...parts.slice(0, n), 'package.json'].join('/');
    if (has(candidate)) return candidate;
  }
  return undefined;
}

/** Names a manifest's text depends on: each package name, and for a scoped one its scope and name too. */
export function manifestNames(text: string | undefined): Set<string> {
  const names = new Set<string>();
  if (!text || text.length > MAX_MANIFEST_BYTES) return names;
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return names;
  }
  if (!manifest || typeof manifest !== 'object') return names;
  for (const field of DEPENDENCY_FIELDS) {
    const deps = (manifest as Record<string, unknown>)[field];
    if (!deps || typeof deps !== 'object' || Array.isArray(deps)) continue;
    for (const raw of Object.keys(deps)) {
      const name = raw.toLowerCase();
      if (!PACKAGE_NAME.test(name)) continue;
      names.add(name);
      const scoped = /^@([^/]+)\/(.+)$/.exec(name);
      if (scoped) names.add(scoped[1]!).add(scoped[2]!);
    }
  }
  return names;
}

/** Each file's stack (the names of its nearest manifest), reading each manifest once. */
export async function stacksOf(files: SourceReader, paths: Iterable<string>): Promise<Map<string, Set<string>>> {
  const manifestOf = new Map<string, string | undefined>();
  for (const p of paths) manifestOf.set(p, nearestManifest(p, (m) => files.has(m)));
  const manifests = new Set([...manifestOf.values()].filter((m): m is string => m !== undefined));
  await files.load(manifests);
  const names = new Map([...manifests].map((m) => [m, manifestNames(files.read(m))]));
  return new Map([...manifestOf].map(([p, m]) => [p, m === undefined ? new Set<string>() : names.get(m)!]));
}

/**
 * The libraries a guidance heading names ("pg (node-postgres) and pg-promise" → pg, node-postgres, pg-promise;
 * "Next.js" → next): its last part, split at separators and "and".
 */
export function headingNames(heading: string): Set<string> {
  const last = heading.split(' > ').at(-1)!.toLowerCase();
  const names = new Set<string>();
  for (const word of last.split(/[\s,()`]+/)) {
    if (!word || word === 'and') continue;
    names.add(word);
    if (word.endsWith('.js')) names.add(word.slice(0, -3));
  }
  return names;
}

/** True when the heading names one of the stack's libraries. */
export function headingMatchesStack(heading: string, stack: ReadonlySet<string>): boolean {
  if (stack.size === 0) return false;
  for (const name of headingNames(heading)) if (stack.has(name)) return true;
  return false;
}
