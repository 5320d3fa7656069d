// npm run bench:detect — what the built-in engine finds and how fast:
//   1. recall and precision per class over the detection suite (test/detection/cases): recall = expected findings
//      reported / expected; precision = reported findings that are expected / all findings the verifier did not
//      reject, on the vulnerable and the fixed variants together;
//   2. a full analysis of a generated Express application of >= BENCH_LINES lines (default 100000; see
//      generate-app.ts): lines per second, wall time, peak RSS, and whether the planted vulnerabilities are found;
//   3. re-analysis after a one-file change, the way the reason stage does it (planIncremental picks the scope from
//      the dependency map, the same engine instance analyses the edited tree with that scope), and a check that the
//      carried + re-analysed results equal a full analysis of the edited tree;
//   4. real, dense TypeScript: Vigil's own source (activities, api, workers, workflows, infra), the hard case for
//      a summary-based engine (one context object threaded through hundreds of mutually recursive functions).
// Each measurement of 2 and 3 runs in a child process (peak RSS is the child's own); BENCH_RUNS children
// (default 3) and the median is printed. Figures only: no assertion on time (the machine may be shared).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { createBuiltinEngine, ENGINE_NAME, ENGINE_VERSION } from '../../activities/engines/builtin/index.js';
import { mergeState, planIncremental } from '../../activities/incremental.js';
import type { AnalysisState, Candidate, SourceFiles } from '../../activities/model.js';
import { analyseCase, loadCases, matches, type Reported } from '../detection/suite.js';
import { generateAppOfSize, type PlantedFinding } from './generate-app.js';

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(0)} %` : 'n/a');

function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

// ------------------------------------------------------------------ 1. detection suite

async function suite(): Promise<void> {
  const cases = loadCases();
  const perClass = new Map<string, { cases: number; expected: number; found: number; reported: number; correct: number }>();
  const t0 = performance.now();
  for (const c of cases) {
    const row = perClass.get(c.rule) ?? { cases: 0, expected: 0, found: 0, reported: 0, correct: 0 };
    perClass.set(c.rule, row);
    const vuln = await analyseCase(c.vulnerable);
    const fixed = await analyseCase(c.fixed);
    row.cases++;
    row.expected += c.expected.length;
    row.found += c.expected.filter((e) => vuln.findings.some((r) => matches(r, e))).length;
    const correct = (r: Reported) => c.expected.some((e) => matches(r, e));
    row.reported += vuln.findings.length + fixed.findings.length;
    row.correct += vuln.findings.filter(correct).length;
  }
  const rows = [['class', 'cases', 'expected', 'found', 'recall', 'reported', 'correct', 'precision']];
  const total = { cases: 0, expected: 0, found: 0, reported: 0, correct: 0 };
  for (const [rule, r] of [...perClass].sort(([a], [b]) => a.localeCompare(b))) {
    rows.push([rule, String(r.cases), String(r.expected), String(r.found), pct(r.found, r.expected), String(r.reported), String(r.correct), pct(r.correct, r.reported)]);
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
  }
  rows.push(['overall', String(total.cases), String(total.expected), String(total.found), pct(total.found, total.expected), String(total.reported), String(total.correct), pct(total.correct, total.reported)]);
  console.log(`\n1. detection suite (${cases.length} cases, vulnerable + fixed variants, ${fmtS(performance.now() - t0)})`);
  table(rows);
}

// ------------------------------------------------------------------ 2 + 3. generated application (child process)

interface ChildResult {
  files: number;
  lines: number;
  fullMs: number;
  /** CPU time (user + system) of the full analysis: less sensitive than wall time to other load on the machine. */
  fullCpuMs: number;
  rssAfterFullMb: number;
  peakRssMb: number;
  candidates: number;
  planted: { rule: string; file: string; line: number; found: boolean }[];
  extra: string[];
  edits: { name: string; file: string; scope: number; ms: number; cpuMs: number; identical: boolean }[];
}

const memoryFiles = (files: Record<string, string>): SourceFiles => {
  const paths = Object.keys(files).sort();
  return { paths: () => paths, read: (p) => files[p] };
};

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const byId = (cs: Candidate[]) => [...cs].sort((a, b) => a.id.localeCompare(b.id));

async function child(): Promise<void> {
  const app = generateAppOfSize(LINES);
  let files = app.files;
  const engine = createBuiltinEngine();
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const c0 = cpuMs();
  const full = await engine.analyse({ files: memoryFiles(files), scope: null });
  const fullMs = performance.now() - t0;
  const fullCpuMs = cpuMs() - c0;
  const rssAfterFullMb = process.resourceUsage().maxRSS / 1024;

  const planted = app.planted.map((p: PlantedFinding) => ({
    ...p,
    found: full.candidates.some((c) => c.ruleId === p.rule && c.location.file === p.file && c.location.startLine === p.line),
  }));
  const extra = [
    ...new Set(
      full.candidates
        .filter((c) => !app.planted.some((p) => c.ruleId === p.rule && c.location.file === p.file && c.location.startLine === p.line))
        .map((c) => `${c.ruleId}@${c.location.file}:${c.location.startLine}`),
    ),
  ];

  // One-file changes, one after the other, each re-analysed incrementally by the same engine instance.
  const present = new Set(Object.keys(files));
  let state: AnalysisState = mergeState(undefined, { engine: ENGINE_NAME, engineVersion: ENGINE_VERSION, dependencies: full.dependencies, candidates: full.candidates }, present);
  const model = Object.keys(files).find((f) => f.startsWith('models/'))!;
  const controller = Object.keys(files).filter((f) => f.startsWith('controllers/'))[7];
  const service = Object.keys(files).find((f) => f.startsWith('services/') && f.endsWith('.ts'))!;
  const edits = [
    { name: 'repository (leaf of a resource)', file: model, change: (t: string) => t.replace("this.table = '", "this.table = 'v2_") },
    { name: 'controller', file: controller, change: (t: string) => `${t}\nexports.ping = (req, res) => res.json({ ok: true });\n` },
    { name: 'TypeScript service', file: service, change: (t: string) => t.replace('const MAX_PAGE = 100;', 'const MAX_PAGE = 50;') },
  ];
  const results: ChildResult['edits'] = [];
  for (const e of edits) {
    const edited = { ...files, [e.file]: e.change(files[e.file]) };
    if (edited[e.file] === files[e.file]) throw new Error(`detect.bench: the edit "${e.name}" changed nothing in ${e.file}; update the bench to the generator`);
    const plan = planIncremental(state, { added: [], changed: [e.file], removed: [] }, present);
    const t = performance.now();
    const c = cpuMs();
    const out = await engine.analyse({ files: memoryFiles(edited), scope: plan.scope });
    const ms = performance.now() - t;
    const editCpuMs = cpuMs() - c;
    const merged = [...plan.carried, ...out.candidates];
    // Identity with a full analysis of the edited tree by a fresh engine (nothing cached).
    const reference = await createBuiltinEngine().analyse({ files: memoryFiles(edited), scope: null });
    const identical = JSON.stringify(byId(merged)) === JSON.stringify(byId(reference.candidates));
    results.push({ name: e.name, file: e.file, scope: plan.scope.size, ms, cpuMs: editCpuMs, identical });
    files = edited;
    state = mergeState(state, { engine: ENGINE_NAME, engineVersion: ENGINE_VERSION, dependencies: out.dependencies, candidates: merged }, present);
  }
  const result: ChildResult = {
    files: Object.keys(app.files).length,
    lines: app.lines,
    fullMs,
    fullCpuMs,
    rssAfterFullMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    candidates: full.candidates.length,
    planted,
    extra,
    edits: results,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(): ChildResult {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child'], {
    env: { ...process.env, BENCH_LINES: String(LINES) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`detect.bench: the measuring child process failed (exit ${r.status}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as ChildResult;
}

async function generated(): Promise<void> {
  const runs: ChildResult[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(runChild());
  const r = runs[0];
  const full = median(runs.map((x) => x.fullMs));
  const rss = median(runs.map((x) => x.rssAfterFullMb));
  const peak = median(runs.map((x) => x.peakRssMb));
  console.log(`\n2. full analysis of a generated Express app (median of ${RUNS} child processes)`);
  table([
    ['project', `${r.files} files, ${r.lines} lines`, 'routers, controllers, services (1/3 TypeScript), repositories, schemas'],
    ['wall time', fmtS(full), `runs: ${runs.map((x) => fmtS(x.fullMs)).join(', ')}; target <= 10 s`],
    ['CPU time (user + system)', fmtS(median(runs.map((x) => x.fullCpuMs))), `runs: ${runs.map((x) => fmtS(x.fullCpuMs)).join(', ')}`],
    ['lines per second (wall)', String(Math.round(r.lines / (full / 1000))), ''],
    ['peak RSS after full analysis', `${rss.toFixed(0)} MB`, 'target <= 1536 MB'],
    ['peak RSS of the child, end', `${peak.toFixed(0)} MB`, '(includes the re-analyses and reference runs below)'],
    ['candidates', String(r.candidates), ''],
    ['planted vulnerabilities found', `${r.planted.filter((p) => p.found).length} / ${r.planted.length}`, ''],
    ['other finding locations', String(r.extra.length), r.extra.slice(0, 5).join(', ')],
  ]);
  for (const p of r.planted.filter((x) => !x.found)) console.log(`  missed: ${p.rule} at ${p.file}:${p.line}`);

  console.log(`\n3. re-analysis after a one-file change (incremental scope, same engine instance; median of ${RUNS})`);
  const rows = [['changed file', 'files in scope', 'wall', 'CPU', 'wall of each run', 'identical to a full run']];
  r.edits.forEach((e, i) => {
    const times = runs.map((x) => x.edits[i].ms);
    const cpu = runs.map((x) => x.edits[i].cpuMs);
    rows.push([`${e.name}: ${e.file}`, String(e.scope), fmtS(median(times)), fmtS(median(cpu)), times.map(fmtS).join(', '), runs.every((x) => x.edits[i].identical) ? 'yes' : 'NO']);
  });
  table(rows);
  console.log('target: <= 1 s for a one-file change');
}

// ------------------------------------------------------------------ 4. Vigil's own source (child process)

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const OWN_DIRS = ['activities', 'api', 'workers', 'workflows', 'infra'];

function ownSource(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|mjs)$/.test(name)) out[relative(REPO, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  for (const d of OWN_DIRS) walk(join(REPO, d));
  return out;
}

async function ownChild(): Promise<void> {
  const files = ownSource();
  const lines = Object.values(files).reduce((n, t) => n + t.split('\n').length, 0);
  const t0 = performance.now();
  const c0 = cpuMs();
  const out = await createBuiltinEngine().analyse({ files: memoryFiles(files), scope: null });
  process.stdout.write(
    `${JSON.stringify({ files: Object.keys(files).length, lines, ms: performance.now() - t0, cpuMs: cpuMs() - c0, rssMb: process.resourceUsage().maxRSS / 1024, candidates: out.candidates.length })}\n`,
  );
}

function own(): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--own'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`detect.bench: the measuring child process failed (exit ${r.status}):\n${r.stderr}`);
  const x = JSON.parse(r.stdout.trim().split('\n').pop()!) as { files: number; lines: number; ms: number; cpuMs: number; rssMb: number; candidates: number };
  console.log(`\n4. real, dense TypeScript: Vigil's own source (${OWN_DIRS.join(', ')}; one child process)`);
  table([
    ['project', `${x.files} files, ${x.lines} lines`],
    ['wall time / CPU time', `${fmtS(x.ms)} / ${fmtS(x.cpuMs)}`],
    ['lines per second (wall)', String(Math.round(x.lines / (x.ms / 1000)))],
    ['peak RSS', `${x.rssMb.toFixed(0)} MB`],
    ['candidates', String(x.candidates)],
  ]);
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) return child();
  if (process.argv.includes('--own')) return ownChild();
  console.log(`bench:detect — ${process.arch}, ${cpus().length} cores, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (!process.env.BENCH_SKIP_SUITE) await suite();
  await generated();
  own();
  console.log(`\nload average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

await main();
