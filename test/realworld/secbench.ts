// SecBench-dev (../shared/dev-corpus/secbench-dev.json): real vulnerable npm package versions with the file:line
// of each sink. The packages are fetched with `npm pack` into a cache outside the repository,
// <vigilCacheDir()>/secbench/<package>@<version>/package/, shared by every checkout on the machine.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { vigilCacheDir } from '../../infra/data-dir.js';
import { corpusDir } from './truth.js';

const run = promisify(execFile);

export const SecBenchEntry = z.object({
  id: z.string().nullable(),
  package: z.string().min(1),
  version: z.string().min(1),
  class: z.string().min(1),
  cwe: z.string(),
  sinkFile: z.string().min(1),
  sinkLine: z.number().int().positive(),
  fixedVersion: z.string().nullable().optional(),
  links: z.array(z.string()).optional(),
});
export type SecBenchEntry = z.infer<typeof SecBenchEntry>;

/** SecBench writes some versions as ranges of one version ("=1.20.0", "= 0.0.20"): the version itself. */
export const cleanVersion = (v: string) => v.trim().replace(/^=\s*/, '');

/**
 * The package file a SecBench sink names. Some entries give the path relative to a subdirectory ("util.js" for
 * lib/compile/util.js): when the exact path is absent, the one file whose path ends with "/<sinkFile>" is taken.
 * Undefined when there is none or more than one (the sink is in sources not published, or the entry is wrong).
 */
export function resolveSinkFile(files: readonly string[], sinkFile: string): { file: string; bySuffix: boolean } | undefined {
  if (files.includes(sinkFile)) return { file: sinkFile, bySuffix: false };
  const candidates = files.filter((f) => f.endsWith(`/${sinkFile}`));
  return candidates.length === 1 ? { file: candidates[0], bySuffix: true } : undefined;
}

export function loadSecBench(corpus = corpusDir()): SecBenchEntry[] {
  const path = join(corpus, 'secbench-dev.json');
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { entries?: unknown };
  const parsed = z.array(SecBenchEntry).safeParse(raw.entries);
  if (!parsed.success) throw new Error(`${path}: the entries do not have the expected shape (${parsed.error.issues[0]?.message}); update SecBenchEntry in test/realworld/secbench.ts`);
  return parsed.data.map((e) => ({ ...e, version: cleanVersion(e.version), fixedVersion: e.fixedVersion ? cleanVersion(e.fixedVersion) : e.fixedVersion }));
}

export const secbenchCacheDir = () => join(vigilCacheDir(), 'secbench');

/** The cache directory of one package version (npm names have no path separators except a scope's '/'). */
export const packageKey = (name: string, version: string) => `${name.replace('/', '+')}@${version}`;

export type FetchResult = { ok: true; dir: string; cached: boolean } | { ok: false; error: string };

/**
 * The unpacked package root of `name@version`, fetched on first use. The tarball is unpacked into a private
 * staging directory and renamed into place, so fetchers running at once (other checkouts, other benches) never see
 * a half-written package; the loser of the rename discards its copy. A failure is recorded in `<key>.failed.json`
 * and returned (not thrown): a bench skips that entry. `retryFailed` tries a recorded failure again.
 */
export async function fetchPackage(name: string, version: string, opts: { cache?: string; retryFailed?: boolean } = {}): Promise<FetchResult> {
  const cache = opts.cache ?? secbenchCacheDir();
  const key = packageKey(name, version);
  const final = join(cache, key);
  const root = join(final, 'package');
  const failedFile = join(cache, `${key}.failed.json`);
  if (existsSync(root)) return { ok: true, dir: root, cached: true };
  if (!opts.retryFailed && existsSync(failedFile)) {
    try {
      return { ok: false, error: (JSON.parse(readFileSync(failedFile, 'utf8')) as { error: string }).error };
    } catch {
      /* unreadable record: fetch again */
    }
  }
  mkdirSync(cache, { recursive: true });
  const stage = join(cache, `.stage-${key}-${process.pid}-${randomUUID()}`);
  mkdirSync(join(stage, 'out', 'package'), { recursive: true });
  try {
    const { stdout } = await run('npm', ['pack', `${name}@${version}`, '--pack-destination', stage, '--loglevel', 'error', '--ignore-scripts'], { timeout: 120_000, maxBuffer: 4 * 1024 * 1024 });
    const tgz = stdout.trim().split('\n').pop();
    if (!tgz || !existsSync(join(stage, tgz))) throw new Error(`npm pack printed no tarball name (${stdout.trim().slice(0, 200)})`);
    // Most tarballs have one top directory called "package"; old ones use other names: strip it whatever it is.
    await run('tar', ['-xzf', join(stage, tgz), '-C', join(stage, 'out', 'package'), '--strip-components=1', '--no-same-owner', '--no-same-permissions'], { timeout: 120_000 });
    try {
      renameSync(join(stage, 'out'), final);
    } catch (err) {
      if (!existsSync(root)) throw err; // not a lost race: a real failure
    }
    rmSync(failedFile, { force: true });
    return { ok: true, dir: root, cached: false };
  } catch (err) {
    const e = err as Error & { stderr?: string };
    // npm's first error lines say why (notarget, E404); the last one only points at its debug log.
    const why = (e.stderr || e.message).split('\n').filter((l) => l.trim() && !/complete log of this run/.test(l)).slice(0, 2).join(' ');
    const error = `npm pack ${name}@${version} failed: ${why.trim().slice(0, 500)}`;
    writeFileSync(failedFile, JSON.stringify({ error, at: new Date().toISOString() }));
    return { ok: false, error };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Runs `fn` over `items` with at most `concurrency` at a time; results in input order. */
export async function mapLimit<T, R>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return out;
}

/**
 * A bounded selection: `classes` keeps those classes; `sample` takes about N entries stratified by class
 * (each class in proportion, at least one, the same entries every run: a deterministic stride); `limit` cuts the end.
 */
export function selectEntries(entries: SecBenchEntry[], opts: { classes?: string[]; sample?: number; limit?: number }): SecBenchEntry[] {
  let out = opts.classes?.length ? entries.filter((e) => opts.classes!.includes(e.class)) : entries;
  if (opts.sample !== undefined && opts.sample < out.length) {
    const byClass = new Map<string, SecBenchEntry[]>();
    for (const e of out) byClass.set(e.class, [...(byClass.get(e.class) ?? []), e]);
    const picked: SecBenchEntry[] = [];
    for (const group of byClass.values()) {
      const n = Math.max(1, Math.round((opts.sample * group.length) / out.length));
      const stride = group.length / n;
      for (let k = 0; k < n && k * stride < group.length; k++) picked.push(group[Math.floor(k * stride)]);
    }
    const chosen = new Set(picked);
    out = out.filter((e) => chosen.has(e));
  }
  if (opts.limit !== undefined) out = out.slice(0, opts.limit);
  return out;
}

/** Names of unpacked cache entries (for a quick look at what is there). */
export const cachedKeys = (cache = secbenchCacheDir()) => (existsSync(cache) ? readdirSync(cache).filter((n) => !n.startsWith('.') && !n.endsWith('.json')) : []);
