// Truth files for the real-world bench: the flaws each deliberately vulnerable app in ../shared/dev-corpus/apps
// documents about itself (README, exploits, solutions, tests), one entry per flaw, and the matcher that decides
// whether an engine finding is one of them. Written from the apps' own documentation, never from Vigil's output.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const TRUTH_DIR = fileURLToPath(new URL('./truth/', import.meta.url));

/** `VIGIL_DEV_CORPUS`, else `<repo>/../shared/dev-corpus` (where CI and every checkout on the dev machines have it). */
export function corpusDir(): string {
  if (process.env.VIGIL_DEV_CORPUS) return resolve(process.env.VIGIL_DEV_CORPUS);
  // A git worktree under /work/wt/<name> and the main checkout /work/main both sit beside /work/shared.
  for (let d = resolve(REPO_DIR); ; d = dirname(d)) {
    const c = join(d, '..', 'shared', 'dev-corpus');
    if (existsSync(c)) return resolve(c);
    if (dirname(d) === d) return resolve(REPO_DIR, '..', 'shared', 'dev-corpus');
  }
}

const Location = z.object({
  file: z.string().min(1).refine((f) => !f.startsWith('/') && !f.split('/').includes('..'), 'a path relative to the app root'),
  line: z.number().int().positive(),
  /** Last line of the sink or handler when it spans several. */
  endLine: z.number().int().positive().optional(),
});

export const TruthEntry = Location.extend({
  id: z.string().regex(/^[a-z0-9-]+$/),
  /** A Vigil rule id (models/rules.ts) or, for a class Vigil has no rule for, a kebab-case name of the weakness. */
  class: z.string().regex(/^[a-z0-9-]+$/),
  cwe: z.string().regex(/^CWE-\d+$/),
  /** What the app's documentation says, quoted or closely paraphrased. */
  description: z.string().min(10),
  /** Where the app documents it (path inside the app, optionally with a heading). */
  doc: z.string().min(1),
  /** False: no static analysis of this code can see it (configuration, runtime, dependency versions, client only). */
  static: z.boolean(),
  /** Why an entry is out of scope; required when static is false. */
  reason: z.string().optional(),
  /** Other places a finding may legitimately be reported for the same flaw (the route registration of a handler). */
  also: z.array(Location).optional(),
  /** Other classes a finding may carry for the same flaw (the docs name it by effect, an engine by mechanism). */
  alsoClass: z.array(z.string().regex(/^[a-z0-9-]+$/)).optional(),
}).refine((e) => e.static || (e.reason && e.reason.length >= 10), { message: 'an out-of-scope entry (static: false) needs a reason' })
  .refine((e) => e.endLine === undefined || e.endLine >= e.line, { message: 'endLine is before line' });
export type TruthEntry = z.infer<typeof TruthEntry>;

export const TruthFile = z.object({
  app: z.string(),
  upstream: z.string(),
  /** Files of the app the engine is not given, with why (client bundles the server never runs, tests). */
  notes: z.string().optional(),
  entries: z.array(TruthEntry).min(1),
});
export type TruthFile = z.infer<typeof TruthFile>;

export function loadTruth(dir = TRUTH_DIR): TruthFile[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => {
      const raw = JSON.parse(readFileSync(join(dir, n), 'utf8')) as unknown;
      const r = TruthFile.safeParse(raw);
      if (!r.success) throw new Error(`${join(dir, n)}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      if (`${r.data.app}.json` !== n) throw new Error(`${join(dir, n)}: "app" must be the file's name without .json`);
      return r.data;
    });
}

// ------------------------------------------------------------------ matching

/**
 * Classes that answer the same documented flaw: the docs name the weakness by effect, the engine by mechanism.
 * Server-side template injection is code execution; the access-control checks overlap (a missing role check is
 * reported as missing authorisation or as an unprotected admin function depending on what siblings do). A
 * limiter keyed on a forgeable header is no limit at all: either rule answers unlimited authentication attempts.
 */
const FAMILIES: string[][] = [
  ['code-injection', 'template-injection'],
  ['missing-authorization', 'unprotected-admin', 'client-side-authorization', 'idor'],
  ['missing-rate-limit', 'rate-limit-bypass'],
];

export function sameFamily(a: string, b: string): boolean {
  if (a === b) return true;
  return FAMILIES.some((f) => f.includes(a) && f.includes(b));
}

/** What the matcher needs of a finding. */
export interface FoundAt {
  rule: string;
  file: string;
  line: number;
}

/** Lines of slack either side of a sink: the engine may report the call's first line, the docs its argument. */
export const LINE_WINDOW = 3;

export function atLocation(f: FoundAt, loc: { file: string; line: number; endLine?: number }, window = LINE_WINDOW): boolean {
  return f.file === loc.file && f.line >= loc.line - window && f.line <= (loc.endLine ?? loc.line) + window;
}

export function matchesTruth(f: FoundAt, e: Pick<TruthEntry, 'class' | 'file' | 'line' | 'endLine' | 'also' | 'alsoClass'>, window = LINE_WINDOW): boolean {
  if (![e.class, ...(e.alsoClass ?? [])].some((c) => sameFamily(f.rule, c))) return false;
  return atLocation(f, e, window) || (e.also ?? []).some((l) => atLocation(f, l, window));
}

export interface AppScore {
  inScope: number;
  found: string[];
  missed: string[];
  /** Findings that match no truth entry (in scope or not). */
  unmatched: FoundAt[];
  perClass: Map<string, { inScope: number; found: number }>;
}

export function scoreApp(entries: TruthEntry[], findings: FoundAt[], window = LINE_WINDOW): AppScore {
  const inScope = entries.filter((e) => e.static);
  const found: string[] = [];
  const missed: string[] = [];
  const perClass = new Map<string, { inScope: number; found: number }>();
  for (const e of inScope) {
    const row = perClass.get(e.class) ?? { inScope: 0, found: 0 };
    perClass.set(e.class, row);
    row.inScope++;
    if (findings.some((f) => matchesTruth(f, e, window))) {
      found.push(e.id);
      row.found++;
    } else missed.push(e.id);
  }
  const unmatched = findings.filter((f) => !entries.some((e) => matchesTruth(f, e, window)));
  return { inScope: inScope.length, found, missed, unmatched, perClass };
}

// ------------------------------------------------------------------ line mapping between two releases

/**
 * Where line `line` (1-based) of `before` is in `after`: lines that occur exactly once in each text anchor the
 * two versions (as in patience diff); the longest increasing run of anchors is kept, and the line maps to its own
 * anchor or keeps its offset from the nearest anchor above it. Undefined when `after` is empty.
 */
export function mapLine(before: string, after: string, line: number): number | undefined {
  const a = before.split('\n').map((l) => l.trim());
  const b = after.split('\n').map((l) => l.trim());
  if (!after.length) return undefined;
  const count = (xs: string[]) => {
    const m = new Map<string, { n: number; at: number }>();
    xs.forEach((x, i) => {
      const c = m.get(x);
      if (c) c.n++;
      else m.set(x, { n: 1, at: i });
    });
    return m;
  };
  const ca = count(a);
  const cb = count(b);
  const pairs: [number, number][] = [];
  a.forEach((x, i) => {
    if (!x) return;
    const p = ca.get(x)!;
    const q = cb.get(x);
    if (p.n === 1 && q?.n === 1) pairs.push([i, q.at]);
  });
  // Longest increasing subsequence of the `after` indices (patience sorting), so crossed anchors drop out.
  const tails: number[] = [];
  const prev = new Array<number>(pairs.length).fill(-1);
  pairs.forEach(([, j], k) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]][1] < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[k] = tails[lo - 1];
    tails[lo] = k;
  });
  const anchors: [number, number][] = [];
  for (let k = tails.length ? tails[tails.length - 1] : -1; k >= 0; k = prev[k]) anchors.unshift(pairs[k]);
  const i = line - 1;
  let best: [number, number] | undefined;
  for (const an of anchors) if (an[0] <= i) best = an;
  const mapped = best ? best[1] + (i - best[0]) : i;
  return Math.min(Math.max(mapped, 0), b.length - 1) + 1;
}
