// npm run bench:realworld — the built-in engine on code written by others (../shared/dev-corpus, or VIGIL_DEV_CORPUS):
//   1. the four deliberately vulnerable apps: documented flaws in scope (test/realworld/truth/<app>.json), found,
//      recall per app and per class, findings that match no documented flaw (per KLOC of JS/TS), time, peak RSS;
//   2. SecBench-dev: real vulnerable npm package versions under the library threat model (the engine decides: a
//      package that serves nothing is a library), fetched with `npm pack` into <vigilCacheDir()>/secbench/; recall
//      overall and per class (a finding of the class in sinkFile within LINE_WINDOW lines of sinkLine), and, of the
//      found entries with a fixed release, how many are still flagged at the fixed sink (the vulnerable sink line
//      carried to the fixed file by a line diff).
// Options (after `--`):
//   --apps | --secbench        only one part (default both)
//   --class X[,Y]              SecBench classes to keep
//   --sample N                 about N SecBench entries, stratified by class (the same ones every run)
//   --limit N                  the first N SecBench entries after the other filters
//   --concurrency N            parallel npm pack fetches (default 4)
//   --timeout S                seconds one package may take to analyse before it is recorded as a timeout (default 120)
//   --retry-failed             fetch again the packages whose fetch failed before
//   --no-fixed                 skip the fixed releases
//   --json PATH                where to write the JSON summary (default <cache>/realworld-<timestamp>.json)
//   --verbose                  list every miss and unmatched finding
// Each project is analysed in a child process (a fresh engine; the child's peak RSS is the project's).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBuiltinEngine, createBuiltinVerifier } from '../../activities/engines/builtin/index.js';
import type { SourceFiles } from '../../activities/model.js';
import { CHECK_RULE_IDS, RULE_IDS } from '../../activities/engines/builtin/models/rules.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../activities/snapshot/limits.js';
import { fetchPackage, loadSecBench, mapLimit, packageKey, resolveSinkFile, secbenchCacheDir, selectEntries, type SecBenchEntry } from '../realworld/secbench.js';
import { corpusDir, LINE_WINDOW, loadTruth, mapLine, matchesTruth, sameFamily, scoreApp, type FoundAt } from '../realworld/truth.js';

// ------------------------------------------------------------------ reading a project from disk

const CODE_FILE = /\.(js|jsx|mjs|cjs|ts|tsx|mts|cts)$/;
const SKIP_DIRS = new Set(['node_modules', '.git']);

/** The project's text files as a scan would take them: no node_modules or .git, nothing binary or over the size limit. */
export function readProject(root: string): { files: Record<string, string>; codeLines: number } {
  const files: Record<string, string> = {};
  let codeLines = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(p);
        continue;
      }
      if (!st.isFile() || st.size > DEFAULT_MAX_FILE_BYTES) continue;
      const buf = readFileSync(p);
      if (buf.subarray(0, 8000).includes(0)) continue;
      const rel = relative(root, p).split('\\').join('/');
      const text = buf.toString('utf8');
      files[rel] = text;
      if (CODE_FILE.test(name)) codeLines += text.split('\n').length;
    }
  };
  walk(root);
  return { files, codeLines };
}

const memoryFiles = (files: Record<string, string>): SourceFiles => {
  const paths = Object.keys(files).sort();
  return { paths: () => paths, read: (p) => files[p] };
};

interface Finding extends FoundAt {
  cwe: string;
  verdict: string;
}

interface Analysis {
  findings: Finding[];
  /** Paths of the files given to the engine (to resolve a SecBench sink path). */
  paths: string[];
  /** Candidates the verifier rejected (not counted as findings). */
  rejected: number;
  files: number;
  codeLines: number;
  ms: number;
  peakRssMb: number;
}

async function analyseDir(root: string): Promise<Analysis> {
  const { files, codeLines } = readProject(root);
  const t0 = performance.now();
  const src = memoryFiles(files);
  const { candidates } = await createBuiltinEngine().analyse({ files: src, scope: null });
  const verdicts = await createBuiltinVerifier().verify({ files: src, candidates });
  const ms = performance.now() - t0;
  const verdictOf = new Map(verdicts.map((v) => [v.candidateId, v.verdict]));
  const all = candidates.map((c) => ({ rule: c.ruleId, cwe: c.cwe, file: c.location.file, line: c.location.startLine, verdict: verdictOf.get(c.id) ?? 'none' }));
  return {
    findings: all.filter((f) => f.verdict !== 'rejected'),
    paths: Object.keys(files),
    rejected: all.length - all.filter((f) => f.verdict !== 'rejected').length,
    files: Object.keys(files).length,
    codeLines,
    ms,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

// ------------------------------------------------------------------ child processes

/** Child: analyse each directory named on stdin (one JSON array), printing one JSON line per directory. */
async function worker(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const dirs = JSON.parse(Buffer.concat(chunks).toString('utf8')) as string[];
  for (let i = 0; i < dirs.length; i++) {
    process.stdout.write(`${JSON.stringify({ start: i })}\n`);
    try {
      const a = await analyseDir(dirs[i]);
      process.stdout.write(`${JSON.stringify({ done: i, analysis: a })}\n`);
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ done: i, error: String((err as Error)?.stack ?? err).slice(0, 2000) })}\n`);
    }
  }
}

type Outcome = { ok: true; analysis: Analysis } | { ok: false; error: string };

/**
 * Analyses `dirs` in child processes, `perChild` per child (a fresh process bounds memory and isolates a crash);
 * a directory that takes longer than `timeoutMs` kills its child and is recorded as a timeout, the rest go on.
 */
async function analyseInChildren(dirs: string[], opts: { perChild: number; timeoutMs: number; onDone?: (i: number, o: Outcome) => void }): Promise<Outcome[]> {
  const out: Outcome[] = new Array(dirs.length);
  let next = 0;
  while (next < dirs.length) {
    const batch = dirs.slice(next, next + opts.perChild);
    const base = next;
    const consumed = await new Promise<number>((resolveBatch) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let buffered = '';
      let current = -1;
      let finished = 0;
      let timer: NodeJS.Timeout | undefined;
      let stderr = '';
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          out[base + current] = { ok: false, error: `timeout: analysis took longer than ${opts.timeoutMs / 1000} s` };
          opts.onDone?.(base + current, out[base + current]);
          finished = current + 1;
          child.kill('SIGKILL');
        }, opts.timeoutMs);
      };
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (!line.startsWith('{')) continue;
          const msg = JSON.parse(line) as { start?: number; done?: number; analysis?: Analysis; error?: string };
          if (msg.start !== undefined) {
            current = msg.start;
            arm();
          } else if (msg.done !== undefined) {
            out[base + msg.done] = msg.analysis ? { ok: true, analysis: msg.analysis } : { ok: false, error: msg.error ?? 'unknown error' };
            opts.onDone?.(base + msg.done, out[base + msg.done]);
            finished = msg.done + 1;
          }
        }
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString('utf8')).slice(-4000);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (finished < batch.length) {
          // The child died (out of memory, a crash) in or before a directory: record that one and go on after it.
          const at = Math.max(current, finished);
          out[base + at] = { ok: false, error: `the analysing process exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}` };
          opts.onDone?.(base + at, out[base + at]);
          finished = at + 1;
        }
        resolveBatch(finished);
      });
      child.stdin.end(JSON.stringify(batch));
    });
    next = base + consumed;
  }
  return out;
}

// ------------------------------------------------------------------ output helpers

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(0)} %` : 'n/a');
const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

interface Options {
  apps: boolean;
  secbench: boolean;
  classes?: string[];
  sample?: number;
  limit?: number;
  concurrency: number;
  timeoutMs: number;
  retryFailed: boolean;
  fixed: boolean;
  json?: string;
  verbose: boolean;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`bench:realworld: ${name} needs a value (for example ${name} 50)`);
    return v;
  };
  const num = (name: string) => {
    const v = value(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`bench:realworld: ${name} takes a positive whole number, not "${v}"`);
    return n;
  };
  const onlyApps = argv.includes('--apps');
  const onlySec = argv.includes('--secbench');
  return {
    apps: onlyApps || !onlySec,
    secbench: onlySec || !onlyApps,
    classes: value('--class')?.split(',').filter(Boolean),
    sample: num('--sample'),
    limit: num('--limit'),
    concurrency: num('--concurrency') ?? 4,
    timeoutMs: (num('--timeout') ?? 120) * 1000,
    retryFailed: argv.includes('--retry-failed'),
    fixed: !argv.includes('--no-fixed'),
    json: value('--json'),
    verbose: argv.includes('--verbose'),
  };
}

// ------------------------------------------------------------------ 1. apps

async function apps(opts: Options, corpus: string) {
  const truths = loadTruth();
  const dirs = truths.map((t) => join(corpus, 'apps', t.app));
  for (const d of dirs) if (!existsSync(d)) throw new Error(`bench:realworld: ${d} is missing; set VIGIL_DEV_CORPUS to the dev corpus`);
  const results = await analyseInChildren(dirs, { perChild: 1, timeoutMs: opts.timeoutMs * 5 });
  const rows = [['app', 'in scope', 'out', 'found', 'recall', 'findings', 'unmatched', 'KLOC', 'unmatched/KLOC', 'time', 'peak RSS']];
  const perClass = new Map<string, { inScope: number; found: number }>();
  const summary: unknown[] = [];
  let tot = { inScope: 0, found: 0, findings: 0, unmatched: 0, kloc: 0 };
  const details: string[] = [];
  truths.forEach((t, i) => {
    const r = results[i];
    if (!r.ok) {
      rows.push([t.app, '', '', '', `ERROR: ${r.error.slice(0, 80)}`]);
      summary.push({ app: t.app, error: r.error });
      return;
    }
    const a = r.analysis;
    const s = scoreApp(t.entries, a.findings);
    for (const [cls, v] of s.perClass) {
      const row = perClass.get(cls) ?? { inScope: 0, found: 0 };
      perClass.set(cls, row);
      row.inScope += v.inScope;
      row.found += v.found;
    }
    const kloc = a.codeLines / 1000;
    tot = { inScope: tot.inScope + s.inScope, found: tot.found + s.found.length, findings: tot.findings + a.findings.length, unmatched: tot.unmatched + s.unmatched.length, kloc: tot.kloc + kloc };
    rows.push([t.app, String(s.inScope), String(t.entries.length - s.inScope), String(s.found.length), pct(s.found.length, s.inScope), String(a.findings.length), String(s.unmatched.length), kloc.toFixed(1), (s.unmatched.length / kloc).toFixed(2), fmtS(a.ms), `${a.peakRssMb.toFixed(0)} MB`]);
    const missed = s.missed.map((id) => t.entries.find((e) => e.id === id)!);
    details.push(`  ${t.app}: missed ${missed.map((e) => `${e.id} (${e.class})`).join(', ') || 'none'}`);
    if (opts.verbose) for (const f of s.unmatched) details.push(`    unmatched: ${f.rule} ${f.file}:${f.line}`);
    summary.push({
      app: t.app,
      inScope: s.inScope,
      outOfScope: t.entries.length - s.inScope,
      found: s.found,
      missed: s.missed,
      findings: a.findings.length,
      rejectedByVerifier: a.rejected,
      unmatched: s.unmatched.map((f) => `${f.rule}@${f.file}:${f.line}`),
      codeLines: a.codeLines,
      files: a.files,
      ms: Math.round(a.ms),
      peakRssMb: Math.round(a.peakRssMb),
      perClass: Object.fromEntries(s.perClass),
    });
  });
  rows.push(['all apps', String(tot.inScope), '', String(tot.found), pct(tot.found, tot.inScope), String(tot.findings), String(tot.unmatched), tot.kloc.toFixed(1), (tot.unmatched / (tot.kloc || 1)).toFixed(2), '', '']);
  // The same recall restricted to flaws of a class Vigil has a rule for: what the engine could report today.
  const modelled = new Set<string>([...RULE_IDS, ...CHECK_RULE_IDS]);
  const isModelled = (e: { class: string; alsoClass?: string[] }) => [e.class, ...(e.alsoClass ?? [])].some((c) => modelled.has(c));
  const modelledScope = truths.flatMap((t, i) => {
    const r = results[i];
    if (!r.ok) return [];
    const s = scoreApp(t.entries, r.analysis.findings);
    return t.entries.filter((e) => e.static && isModelled(e)).map((e) => s.found.includes(e.id));
  });
  const modelledFound = modelledScope.filter(Boolean).length;
  console.log(`\n1. deliberately vulnerable apps (truth: test/realworld/truth/; a finding matches a documented flaw of its class family in the same file within ±${LINE_WINDOW} lines)`);
  table(rows);
  console.log(`of the in-scope flaws whose class Vigil has a rule for: ${modelledFound} / ${modelledScope.length} found (${pct(modelledFound, modelledScope.length)})`);
  console.log('\nper class (apps):');
  const classRows = [['class', 'in scope', 'found', 'recall']];
  for (const [cls, v] of [...perClass].sort(([a], [b]) => a.localeCompare(b))) classRows.push([cls, String(v.inScope), String(v.found), pct(v.found, v.inScope)]);
  table(classRows);
  console.log(details.join('\n'));
  return { total: { ...tot, recall: tot.inScope ? tot.found / tot.inScope : null }, modelledClasses: { inScope: modelledScope.length, found: modelledFound }, perClass: Object.fromEntries(perClass), apps: summary };
}

// ------------------------------------------------------------------ 2. SecBench

interface EntryResult {
  id: string | null;
  package: string;
  version: string;
  class: string;
  sinkFile: string;
  sinkLine: number;
  /** The package file the sink was resolved to when sinkFile is given relative to a subdirectory. */
  resolvedSinkFile?: string;
  status: 'found' | 'missed' | 'fetch-failed' | 'sink-file-missing' | 'analysis-failed';
  detail?: string;
  /** Findings of the entry's class anywhere in the package. */
  sameClassFindings?: number;
  fixed?: { version: string; status: 'flagged' | 'clean' | 'fetch-failed' | 'sink-file-missing' | 'analysis-failed'; line?: number; detail?: string };
}

const matchesSink = (f: FoundAt, cls: string, file: string, line: number) => sameFamily(f.rule, cls) && f.file === file && Math.abs(f.line - line) <= LINE_WINDOW;

async function secbench(opts: Options, corpus: string) {
  const entries = selectEntries(loadSecBench(corpus), { classes: opts.classes, sample: opts.sample, limit: opts.limit });
  const selection = opts.sample || opts.classes || opts.limit ? `a selection of ${entries.length} entries (${[opts.classes && `class ${opts.classes.join(',')}`, opts.sample && `stratified sample ${opts.sample}`, opts.limit && `limit ${opts.limit}`].filter(Boolean).join(', ')})` : `all ${entries.length} entries`;
  console.log(`\n2. SecBench-dev, ${selection}; cache ${secbenchCacheDir()}`);

  // Fetch (vulnerable versions first; the fixed ones are needed only for entries found).
  const t0 = performance.now();
  const versions = new Map<string, SecBenchEntry>();
  for (const e of entries) versions.set(packageKey(e.package, e.version), e);
  const fetched = new Map<string, Awaited<ReturnType<typeof fetchPackage>>>();
  await mapLimit([...versions.entries()], opts.concurrency, async ([key, e]) => fetched.set(key, await fetchPackage(e.package, e.version, { retryFailed: opts.retryFailed })));
  const fetchMs = performance.now() - t0;

  // Analyse each fetched package once.
  const keys = [...fetched.entries()].filter(([, f]) => f.ok).map(([k]) => k);
  const dirOf = (k: string) => (fetched.get(k) as { dir: string }).dir;
  const t1 = performance.now();
  let done = 0;
  const progress = (n: number) => {
    done++;
    if (done % 25 === 0 || done === n) process.stderr.write(`  analysed ${done}/${n} (${fmtS(performance.now() - t1)})\n`);
  };
  const outcomes = await analyseInChildren(keys.map(dirOf), { perChild: 20, timeoutMs: opts.timeoutMs, onDone: () => progress(keys.length) });
  const analysisMs = performance.now() - t1;
  const analysed = new Map(keys.map((k, i) => [k, outcomes[i]]));

  const results: EntryResult[] = entries.map((e) => {
    const key = packageKey(e.package, e.version);
    const base = { id: e.id, package: e.package, version: e.version, class: e.class, sinkFile: e.sinkFile, sinkLine: e.sinkLine };
    const f = fetched.get(key)!;
    if (!f.ok) return { ...base, status: 'fetch-failed', detail: f.error };
    const o = analysed.get(key)!;
    if (!o.ok) return { ...base, status: 'analysis-failed', detail: o.error };
    const sink = resolveSinkFile(o.analysis.paths, e.sinkFile);
    if (!sink) return { ...base, status: 'sink-file-missing' };
    const hit = o.analysis.findings.some((x) => matchesSink(x, e.class, sink.file, e.sinkLine));
    return { ...base, ...(sink.bySuffix ? { resolvedSinkFile: sink.file } : {}), status: hit ? 'found' : 'missed', sameClassFindings: o.analysis.findings.filter((x) => sameFamily(x.rule, e.class)).length };
  });

  // Fixed releases of the entries found: is the carried sink line still flagged?
  let fixedMs = 0;
  if (opts.fixed) {
    const t2 = performance.now();
    const want = results.filter((r) => r.status === 'found' && entries.find((e) => e.package === r.package && e.version === r.version)?.fixedVersion);
    const fixedVersions = new Map<string, { name: string; version: string }>();
    for (const r of want) {
      const fv = entries.find((e) => e.package === r.package && e.version === r.version)!.fixedVersion!;
      fixedVersions.set(packageKey(r.package, fv), { name: r.package, version: fv });
    }
    const ff = new Map<string, Awaited<ReturnType<typeof fetchPackage>>>();
    await mapLimit([...fixedVersions.entries()], opts.concurrency, async ([k, v]) => ff.set(k, await fetchPackage(v.name, v.version, { retryFailed: opts.retryFailed })));
    const fk = [...ff.entries()].filter(([, f]) => f.ok).map(([k]) => k);
    const fo = await analyseInChildren(fk.map((k) => (ff.get(k) as { dir: string }).dir), { perChild: 20, timeoutMs: opts.timeoutMs });
    const fa = new Map(fk.map((k, i) => [k, fo[i]]));
    for (const r of want) {
      const fv = entries.find((e) => e.package === r.package && e.version === r.version)!.fixedVersion!;
      const k = packageKey(r.package, fv);
      const f = ff.get(k)!;
      if (!f.ok) {
        r.fixed = { version: fv, status: 'fetch-failed', detail: f.error };
        continue;
      }
      const o = fa.get(k)!;
      if (!o.ok) {
        r.fixed = { version: fv, status: 'analysis-failed', detail: o.error };
        continue;
      }
      const vulnDir = (fetched.get(packageKey(r.package, r.version)) as { dir: string }).dir;
      const sinkFile = r.resolvedSinkFile ?? r.sinkFile;
      if (!existsSync(join(f.dir, sinkFile))) {
        r.fixed = { version: fv, status: 'sink-file-missing' };
        continue;
      }
      const line = mapLine(readFileSync(join(vulnDir, sinkFile), 'utf8'), readFileSync(join(f.dir, sinkFile), 'utf8'), r.sinkLine) ?? r.sinkLine;
      const still = o.analysis.findings.some((x) => matchesSink(x, r.class, sinkFile, line));
      r.fixed = { version: fv, status: still ? 'flagged' : 'clean', line };
    }
    fixedMs = performance.now() - t2;
  }

  // Report.
  const classes = [...new Set(results.map((r) => r.class))].sort();
  const rows = [['class', 'entries', 'analysed', 'found', 'recall', 'fetch failed', 'sink file missing', 'analysis failed', 'fixed: found w/ fix', 'still flagged']];
  const perClass: Record<string, unknown> = {};
  const tally = (rs: EntryResult[]) => {
    const analysedN = rs.filter((r) => r.status === 'found' || r.status === 'missed').length;
    const found = rs.filter((r) => r.status === 'found').length;
    const withFix = rs.filter((r) => r.fixed && (r.fixed.status === 'flagged' || r.fixed.status === 'clean')).length;
    const flagged = rs.filter((r) => r.fixed?.status === 'flagged').length;
    return {
      entries: rs.length,
      analysed: analysedN,
      found,
      recall: analysedN ? found / analysedN : null,
      fetchFailed: rs.filter((r) => r.status === 'fetch-failed').length,
      sinkFileMissing: rs.filter((r) => r.status === 'sink-file-missing').length,
      analysisFailed: rs.filter((r) => r.status === 'analysis-failed').length,
      foundWithFixedRelease: withFix,
      stillFlaggedAtFix: flagged,
    };
  };
  const row = (name: string, t: ReturnType<typeof tally>) => [name, String(t.entries), String(t.analysed), String(t.found), pct(t.found, t.analysed), String(t.fetchFailed), String(t.sinkFileMissing), String(t.analysisFailed), String(t.foundWithFixedRelease), `${t.stillFlaggedAtFix} (${pct(t.stillFlaggedAtFix, t.foundWithFixedRelease)})`];
  for (const c of classes) {
    const t = tally(results.filter((r) => r.class === c));
    perClass[c] = t;
    rows.push(row(c, t));
  }
  const overall = tally(results);
  rows.push(row('overall', overall));
  console.log(`recall = found / analysed (entries whose package was fetched, analysed, and has the sink file); found = a finding of the class within ±${LINE_WINDOW} lines of the sink`);
  table(rows);
  const peak = Math.max(0, ...[...analysed.values()].map((o) => (o.ok ? o.analysis.peakRssMb : 0)));
  const times = [...analysed.values()].flatMap((o) => (o.ok ? [o.analysis.ms] : [])).sort((a, b) => a - b);
  const codeLines = [...analysed.values()].reduce((n, o) => n + (o.ok ? o.analysis.codeLines : 0), 0);
  console.log(
    `fetch ${fmtS(fetchMs)} (${versions.size} versions, ${[...fetched.values()].filter((f) => f.ok && !f.cached).length} downloaded now); ` +
      `analysis ${fmtS(analysisMs)} for ${keys.length} packages, ${(codeLines / 1000).toFixed(0)} KLOC (per package: median ${Math.round(times[Math.floor(times.length / 2)] ?? 0)} ms, max ${fmtS(times[times.length - 1] ?? 0)}); sink paths resolved by suffix: ${results.filter((r) => r.resolvedSinkFile).length}; ` +
      `fixed releases ${fmtS(fixedMs)}; peak RSS of one package's analysis ${peak.toFixed(0)} MB`,
  );
  const failures = results.filter((r) => r.status === 'fetch-failed' || r.status === 'analysis-failed');
  for (const r of failures.slice(0, opts.verbose ? failures.length : 5)) console.log(`  ${r.status}: ${r.package}@${r.version}: ${r.detail?.slice(0, 160)}`);
  if (opts.verbose) for (const r of results.filter((x) => x.status === 'missed')) console.log(`  missed: ${r.class} ${r.package}@${r.version} ${r.sinkFile}:${r.sinkLine} (${r.sameClassFindings} findings of the class elsewhere)`);
  for (const r of results.filter((x) => x.fixed?.status === 'flagged')) console.log(`  still flagged at the fix: ${r.class} ${r.package}@${r.fixed!.version} ${r.resolvedSinkFile ?? r.sinkFile}:${r.fixed!.line}`);
  return { selection, overall, perClass, fetchMs: Math.round(fetchMs), analysisMs: Math.round(analysisMs), fixedMs: Math.round(fixedMs), peakRssMb: Math.round(peak), codeLines, entries: results };
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  if (process.argv.includes('--worker')) return worker();
  const opts = parseOptions(process.argv.slice(2));
  const corpus = corpusDir();
  if (!existsSync(corpus)) throw new Error(`bench:realworld: the dev corpus is not at ${corpus}; set VIGIL_DEV_CORPUS to its directory`);
  console.log(`bench:realworld — ${process.arch}, ${cpus().length} cores, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; corpus ${corpus}`);
  const t0 = performance.now();
  const summary: Record<string, unknown> = { at: new Date().toISOString(), corpus, lineWindow: LINE_WINDOW };
  if (opts.apps) summary.apps = await apps(opts, corpus);
  if (opts.secbench) summary.secbench = await secbench(opts, corpus);
  summary.totalMs = Math.round(performance.now() - t0);
  const jsonPath = opts.json ?? join(secbenchCacheDir(), '..', `realworld-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\ntotal ${fmtS(performance.now() - t0)}; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}; JSON summary: ${jsonPath}`);
}

await main();
