// npm run bench:startup — what `vigil scan` of a one-file repository costs from a cold start: each run is the
// real CLI (api/bin/vigil.js, as `npx vigil` runs it) on a FRESH data directory, so it starts its own Temporal
// dev server, worker and scan, and exits once the scan awaits decisions. Printed: wall time, CPU time (the CLI
// and every child it waited for: the dev server, git), and the breakdown from the CLI's timing marks
// (VIGIL_TIMINGS, infra/timings.ts): ms since the CLI process started at which each step was reached, and each
// stage's own duration. One first run is shown apart (it may build what the install left out); then BENCH_RUNS
// runs (default 5, at least 3) and their median. Figures only, no assertion on time (the machine may be shared).
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'api', 'bin', 'vigil.js');

interface Run {
  wallMs: number;
  cpuMs: number;
  marks: Map<string, number>;
  findings: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);

function oneFileRepo(dir: string): string {
  const repo = join(dir, 'repo');
  execFileSync('git', ['init', '-q', repo]);
  writeFileSync(
    join(repo, 'app.js'),
    "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send(req.query.name));\napp.listen(3000);\n",
  );
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args]);
  git('add', '.');
  git('commit', '-qm', 'one file');
  return repo;
}

/** bash's `times` prints the CPU time of the children it waited for: the CLI and, through it, its own children. */
function childCpuMs(timesOutput: string): number {
  const line = timesOutput.trim().split('\n')[1] ?? '';
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return Math.round((secs[0] + secs[1]) * 1000);
}

async function scanOnce(work: string, repo: string, i: number): Promise<Run> {
  const dataDir = mkdtempSync(join(work, `data-${i}-`));
  const timings = join(work, `timings-${i}.jsonl`);
  const timesFile = join(work, `times-${i}.txt`);
  const outFile = join(work, `out-${i}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_DATA_DIR: dataDir, VIGIL_TIMINGS: timings, CI: '1' };
  // A fresh data directory has no `vigil serve` of its own; an operator's cluster or API must not be used.
  for (const k of ['TEMPORAL_ADDRESS', 'VIGIL_API_URL', 'NODE_OPTIONS']) delete env[k];
  const script = `node "$0" scan "$1" --format json --output "$2" 2>"$3"; rc=$?; times > "$4"; exit $rc`;
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('bash', ['-c', script, cli, repo, outFile, join(work, `stderr-${i}.txt`), timesFile], { env, stdio: 'ignore' });
    child.on('close', resolve);
  });
  const wallMs = performance.now() - started;
  if (code !== 0) {
    throw new Error(`vigil scan exited ${code}:\n${readFileSync(join(work, `stderr-${i}.txt`), 'utf8')}`);
  }
  const marks = new Map<string, number>();
  for (const line of readFileSync(timings, 'utf8').split('\n').filter(Boolean)) {
    const { mark, ms } = JSON.parse(line) as { mark: string; ms: number };
    if (!marks.has(mark)) marks.set(mark, ms); // the first time a step is reached
  }
  const report = JSON.parse(readFileSync(outFile, 'utf8')) as { findings?: unknown[] };
  rmSync(dataDir, { recursive: true, force: true });
  return { wallMs, cpuMs: childCpuMs(readFileSync(timesFile, 'utf8')), marks, findings: report.findings?.length ?? 0 };
}

const STEPS: [string, string][] = [
  ['cli.loaded', 'CLI modules loaded (node start, imports)'],
  ['devserver.spawned', 'dev server process spawned'],
  ['devserver.answering', 'dev server answers gRPC'],
  ['devserver.ready', 'dev server ready (search attributes)'],
  ['cli.worker-modules-loaded', 'worker modules loaded (while the server boots)'],
  ['temporal.connected', 'client connected'],
  ['worker.bundle', 'workflow bundle loaded'],
  ['worker.created', 'worker created'],
  ['worker.running', 'worker running'],
  ['scan.started', 'workflow started'],
  ['scan.settled', 'CLI sees awaiting_decisions'],
  ['cli.output', 'findings written'],
  ['worker.stopped', 'worker shut down'],
  ['temporal.closed', 'dev server stopped'],
  ['cli.exit', 'CLI exits'],
];
// The stages before the scan awaits decisions (apply and report run after them).
const STAGES = ['snapshot', 'merkleSync', 'reason', 'verify', 'score'];

function printRuns(runs: Run[]): void {
  const pick = (f: (r: Run) => number | undefined) => {
    const xs = runs.map(f).filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  console.log(`  wall ${fmt(pick((r) => r.wallMs))}   CPU ${fmt(pick((r) => r.cpuMs))}   findings ${runs[0].findings}` +
    (runs.length > 1 ? `   (wall of each run: ${runs.map((r) => fmt(r.wallMs)).join(', ')})` : ''));
  const built = runs.filter((r) => r.marks.has('launcher.built')).length;
  console.log(`  ran the JavaScript build in ${built} of ${runs.length} run(s), the TypeScript sources through tsx in the others`);
  console.log('  reached at (ms since the CLI process started):');
  for (const [key, label] of STEPS) console.log(`    ${label.padEnd(44)} ${fmt(pick((r) => r.marks.get(key)))}`);
  console.log('  stages (activity start to end):');
  for (const stage of STAGES) {
    const d = pick((r) => {
      const [s, e] = [r.marks.get(`activity.${stage}.start`), r.marks.get(`activity.${stage}.end`)];
      return s !== undefined && e !== undefined ? e - s : undefined;
    });
    console.log(`    ${stage.padEnd(44)} ${d === undefined ? '-' : `${Math.round(d)} ms`}`);
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-startup-'));
  try {
    const repo = oneFileRepo(work);
    console.log(`vigil scan of a one-file repository, fresh data directory per run (${cpus().length} cores, load ${loadavg()[0].toFixed(2)})`);
    console.log('first run:');
    printRuns([await scanOnce(work, repo, 0)]);
    const runs: Run[] = [];
    for (let i = 1; i <= RUNS; i++) runs.push(await scanOnce(work, repo, i));
    console.log(`median of ${RUNS} runs:`);
    printRuns(runs);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
