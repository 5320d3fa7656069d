// npm run bench:pipeline — one scan of the generated 100k-line Express app (generate-app.ts, as in bench:detect)
// through the real workflow: a real Temporal dev server (TEMPORAL_ADDRESS when set, else a private in-memory
// one), a real encrypted SQLite store and a worker in this process. Decides every finding (approves a few
// that carry patches, rejects the rest) so apply and report run too, then prints for each stage its time (from
// the workflow's event history: scheduled to closed) and the blobs it read from the store (getBlob/getBlobs
// calls, blobs and bytes, counted by a wrapper around the store keyed by the running activity's type).
// Figures only: no assertion on time (the machine may be shared). BENCH_LINES (default 100000) sizes the app.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { decideUpdate, type ScanStatus } from '../../workflows/definitions.js';
import { countBlobReads, type BlobReads } from '../helpers/blob-reads.js';
import { createHarness, git, scanInput, startScan, waitForStage } from '../helpers/scan-harness.js';
import { generateAppOfSize } from './generate-app.js';

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
/** How many findings with patches are approved (apply commits them on a branch); the rest are rejected. */
const APPROVE = 3;

const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} B`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

// Protobuf-decoded history events: read defensively.
type Loose = { [key: string]: any };

function eventMs(e: Loose): number {
  const t = e.eventTime;
  return Number(t?.seconds ?? 0) * 1000 + Number(t?.nanos ?? 0) / 1e6;
}

interface StageTime {
  runs: number;
  ms: number;
}

/** Per activity type: executions and total time from ActivityTaskScheduled to its close (queue wait included). */
async function stageTimes(handle: WorkflowHandle): Promise<Map<string, StageTime>> {
  const history = await handle.fetchHistory();
  const scheduled = new Map<string, { type: string; at: number }>();
  const times = new Map<string, StageTime>();
  for (const e of (history.events ?? []) as Loose[]) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      scheduled.set(String(e.eventId), { type: String(s.activityType?.name), at: eventMs(e) });
      continue;
    }
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    if (!closed) continue;
    const from = scheduled.get(String(closed.scheduledEventId));
    if (!from) continue;
    const t = times.get(from.type) ?? { runs: 0, ms: 0 };
    t.runs++;
    t.ms += eventMs(e) - from.at;
    times.set(from.type, t);
  }
  return times;
}

async function main(): Promise<void> {
  console.log(`bench:pipeline — ${process.arch}, ${cpus().length} cores, node ${process.version}, load average ${load()}\n`);

  const h = await createHarness('bench-pipeline');
  const counted = countBlobReads(h.store);
  try {
    const app = generateAppOfSize(LINES);
    const repo = join(h.dir, 'app');
    for (const [path, text] of Object.entries(app.files)) {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), text);
    }
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'generated app');
    console.log(`project: generated Express app, ${Object.keys(app.files).length} files, ${app.lines} lines, in a git repository`);

    // Reads made by the bench itself (fetching findings to decide) are not the workflow's: they go to h.store.
    await h.startWorker({ store: counted.store });
    // The production heartbeat timeout: a 100k-line analysis is CPU-bound for seconds.
    const input = scanInput(h, repo, { tuning: { heartbeatTimeoutSeconds: 30 } });
    const t0 = performance.now();
    const handle = await startScan(h, input);
    const awaiting = await waitForStage(handle, ['awaiting_decisions'], 30 * 60_000);
    const toDecisionsMs = performance.now() - t0;

    const findings = (await h.store.getArtifact(input.tenant, input.scanId, 'findings')) ?? [];
    const approve = new Set(findings.filter((f) => f.patch).slice(0, APPROVE).map((f) => f.id));
    const principal = { tenant: input.tenant, roles: ['approver' as const], actor: 'bench' };
    const d0 = performance.now();
    for (const f of awaiting.findings) {
      const decision = approve.has(f.id) ? 'approve' : 'reject';
      await handle.executeUpdate(decideUpdate, { args: [{ findingId: f.id, decision, ...principal, comment: `${decision}d by the bench` }] });
    }
    const decideMs = performance.now() - d0;
    const result: ScanStatus = await handle.result();
    const totalMs = performance.now() - t0;
    if (result.stage !== 'completed') throw new Error(`bench:pipeline: the scan ended in stage ${result.stage}: ${result.error ?? ''}`);

    console.log(
      `findings: ${awaiting.findings.length} (${findings.filter((f) => f.patch).length} with patches); approved ${approve.size}, rejected ${awaiting.findings.length - approve.size}; applied ${result.counts.apply?.applied ?? 0}\n`,
    );
    const times = await stageTimes(handle);
    const order = ['snapshot', 'merkleSync', 'reason', 'verify', 'score', 'recordDecision', 'apply', 'report'];
    const types = [...new Set([...order.filter((t) => times.has(t) || counted.reads.has(t)), ...times.keys(), ...counted.reads.keys()])];
    const none: BlobReads = { calls: 0, blobs: 0, bytes: 0 };
    const rows = [['stage (activity)', 'runs', 'time', 'blob reads (calls)', 'blobs', 'bytes read']];
    const sum = { ms: 0, calls: 0, blobs: 0, bytes: 0 };
    for (const type of types) {
      const t = times.get(type);
      const r = counted.reads.get(type) ?? none;
      rows.push([type, String(t?.runs ?? 0), t ? fmtS(t.ms) : '-', String(r.calls), String(r.blobs), fmtBytes(r.bytes)]);
      sum.ms += t?.ms ?? 0;
      sum.calls += r.calls;
      sum.blobs += r.blobs;
      sum.bytes += r.bytes;
    }
    rows.push(['all stages', '', fmtS(sum.ms), String(sum.calls), String(sum.blobs), fmtBytes(sum.bytes)]);
    table(rows);
    console.log('');
    table([
      ['wall time', ''],
      ['start to awaiting decisions', fmtS(toDecisionsMs)],
      [`${awaiting.findings.length} decisions (one Update each)`, fmtS(decideMs)],
      ['start to completed (apply + report included)', fmtS(totalMs)],
    ]);
    console.log(`\nload average at the end ${load()}`);
  } finally {
    await h.close();
  }
}

await main();
// The harness's private dev server (when TEMPORAL_ADDRESS is unset) is stopped on exit.
process.exit(0);
