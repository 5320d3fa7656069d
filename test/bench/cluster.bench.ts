// npm run bench:cluster — scans per minute with 1, 2 and 4 `vigil worker` processes on the Temporal cluster
// (infra/cluster: four services on PostgreSQL) and on the dev server (SQLite, in memory), the store being the same
// PostgreSQL in both. Per run: BENCH_SCANS scans (default 20) of the vulnerable-express fixture started at once,
// timed until all await decisions. From their histories: the Temporal overhead per activity, i.e. a scan's time
// from start to scored minus its activities' own run time, divided by its activities (each is a round trip:
// workflow task, schedule, dispatch to a worker, completion, next workflow task); and the mean
// schedule-to-start latency. Peak RSS (VmHWM) per worker and per server process. Figures only, no assertion.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common';
import { startCluster } from '../../infra/cluster/cluster.js';
import { makeSecrets, SECRET_FILES } from '../../infra/deploy/make-secrets.js';
import { payloadEncryptionFromEnv } from '../../workers/codec/data-converter.js';
import { scanWorkflowType, statusQuery, type ScanInput } from '../../workflows/definitions.js';
import { gitRepoFromFixture } from '../helpers/scan-harness.js';
import { startPrivateDevServer } from '../helpers/temporal.js';

const SCANS = Math.max(2, Number(process.env.BENCH_SCANS ?? 20));
const WORKERS = [1, 2, 4];
const fixture = fileURLToPath(new URL('../fixtures/vulnerable-express', import.meta.url));
const vigilBin = fileURLToPath(new URL('../../api/bin/vigil.js', import.meta.url));

interface Target {
  name: string;
  address: string;
  namespace: string;
  serverPids: number[];
}

interface Result {
  target: string;
  workers: number;
  seconds: number;
  perMinute: number;
  overheadMs: number;
  scheduleToStartMs: number;
  workerPeakMb: number[];
}

const peakMb = (pid: number) => {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return NaN;
  }
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-bench-cluster-'));
  chmodSync(tmp, 0o711); // as root, PostgreSQL runs as its own user and must reach <tmp>/cluster/postgres
  const children: ChildProcess[] = [];
  const cluster = await startCluster({ dir: join(tmp, 'cluster'), log: (l) => process.stderr.write(`[cluster] ${l}\n`) });
  const dev = await startPrivateDevServer();
  try {
    const secrets = join(tmp, 'secrets');
    makeSecrets(secrets, { apiUrl: 'http://127.0.0.1:8787' });
    const masterKeyFile = join(secrets, SECRET_FILES.masterKey);
    const dataConverter = payloadEncryptionFromEnv(join(tmp, 'client'), { VIGIL_MASTER_KEY_FILE: masterKeyFile })?.dataConverter;
    const targets: Target[] = [
      { name: 'cluster', address: cluster.address, namespace: cluster.namespace, serverPids: cluster.services.map((s) => s.pid) },
      { name: 'dev server', address: dev.address, namespace: dev.namespace, serverPids: [dev.pid] },
    ];
    const results: Result[] = [];
    for (const target of targets) {
      const connection = await Connection.connect({ address: target.address });
      const client = new Client({ connection, namespace: target.namespace, dataConverter });
      for (const n of WORKERS) {
        const taskQueue = `bench-${target.name.replace(' ', '-')}-${n}-${Date.now()}`;
        const workers = await Promise.all(
          Array.from({ length: n }, async (_, i) => {
            const dataDir = join(tmp, `${taskQueue}-w${i}`);
            mkdirSync(dataDir, { mode: 0o700 });
            const child = spawn(process.execPath, [vigilBin, 'worker'], {
              env: {
                ...process.env,
                TEMPORAL_ADDRESS: target.address,
                TEMPORAL_NAMESPACE: target.namespace,
                VIGIL_TASK_QUEUE: taskQueue,
                VIGIL_DATA_DIR: dataDir,
                VIGIL_STORE: 'postgres',
                VIGIL_DATABASE_URL: cluster.databaseUrl,
                VIGIL_MASTER_KEY_FILE: masterKeyFile,
                VIGIL_LOG_LEVEL: 'WARN',
              },
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            children.push(child);
            let err = '';
            child.stderr!.on('data', (d) => (err += d));
            while (!err.includes('vigil worker: serving')) {
              if (child.exitCode !== null) throw new Error(`worker exited: ${err}`);
              await sleep(100);
            }
            return child;
          }),
        );
        const repos = Array.from({ length: SCANS }, () => gitRepoFromFixture(fixture, tmp));
        const t0 = Date.now();
        const handles: WorkflowHandle[] = await Promise.all(
          repos.map((repo, i) => {
            const input: ScanInput = {
              scanId: `scn_bench${t0.toString(16)}${i}`,
              tenant: 'default',
              repoKey: repo,
              source: { kind: 'local', path: repo },
              engine: 'builtin',
              requestedBy: 'bench',
            };
            return client.workflow.start(scanWorkflowType, { taskQueue, workflowId: `bench-${input.scanId}`, args: [input] });
          }),
        );
        const pending = new Set(handles);
        while (pending.size) {
          for (const h of [...pending]) {
            const s = await h.query(statusQuery).catch(() => undefined);
            if (s?.stage === 'failed') throw new Error(`scan failed: ${s.error}`);
            if (s?.stage === 'awaiting_decisions') pending.delete(h);
          }
          if (pending.size) await sleep(200);
        }
        const seconds = (Date.now() - t0) / 1000;
        const overheads: number[] = [];
        const s2s: number[] = [];
        for (const h of handles) {
          const events = (await h.fetchHistory()).events ?? [];
          const at = (e: (typeof events)[number]) => tsToMs(e.eventTime);
          const scheduled = new Map<number, number>();
          let work = 0;
          let activities = 0;
          let scored = 0;
          const started = at(events[0]!);
          const startedAt = new Map<number, number>();
          for (const e of events) {
            if (e.activityTaskScheduledEventAttributes) scheduled.set(Number(e.eventId), at(e));
            if (e.activityTaskStartedEventAttributes) {
              const sched = scheduled.get(Number(e.activityTaskStartedEventAttributes.scheduledEventId));
              startedAt.set(Number(e.eventId), at(e));
              if (sched !== undefined) s2s.push(at(e) - sched);
            }
            if (e.activityTaskCompletedEventAttributes) {
              const st = startedAt.get(Number(e.activityTaskCompletedEventAttributes.startedEventId));
              if (st !== undefined) work += at(e) - st;
              activities++;
              scored = at(e);
            }
          }
          overheads.push((scored - started - work) / Math.max(1, activities));
        }
        const workerPeakMb = workers.map((w) => peakMb(w.pid!));
        results.push({ target: target.name, workers: n, seconds, perMinute: (SCANS / seconds) * 60, overheadMs: mean(overheads), scheduleToStartMs: mean(s2s), workerPeakMb });
        await Promise.all(handles.map((h) => h.terminate('bench done').catch(() => {})));
        for (const w of workers) w.kill('SIGTERM');
        await Promise.all(workers.map((w) => (w.exitCode !== null ? undefined : new Promise((r) => w.once('exit', r)))));
        process.stderr.write(`${target.name}, ${n} worker(s): ${results.at(-1)!.perMinute.toFixed(0)} scans/min\n`);
      }
      await connection.close();
    }
    const serverMb = targets.map((t) => `${t.name}: ${t.serverPids.map(peakMb).join(' + ')} MB`).join('; ');

    console.log(`\nbench:cluster — ${SCANS} scans of the vulnerable-express fixture per run, PostgreSQL store; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}\n`);
    console.log('| Temporal | workers | time to all awaiting decisions | scans/min | overhead per activity | schedule-to-start | worker peak RSS |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of results) {
      console.log(
        `| ${r.target} | ${r.workers} | ${r.seconds.toFixed(1)} s | ${r.perMinute.toFixed(0)} | ${r.overheadMs.toFixed(0)} ms | ${r.scheduleToStartMs.toFixed(0)} ms | ${r.workerPeakMb.join(', ')} MB |`,
      );
    }
    for (const n of WORKERS) {
      const [c, d] = ['cluster', 'dev server'].map((t) => results.find((r) => r.target === t && r.workers === n)!);
      console.log(`${n} worker(s): cluster / dev server throughput = ${(c!.perMinute / d!.perMinute).toFixed(2)}`);
    }
    console.log(`Server peak RSS — ${serverMb} (cluster: frontend, history, matching, worker)`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await dev.stop();
    await cluster.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
