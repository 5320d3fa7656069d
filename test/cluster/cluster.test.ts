// Vigil scaled out on a real Temporal cluster (infra/cluster: frontend, history, matching and worker services as
// separate processes on PostgreSQL) with the PostgreSQL store: `vigil worker` processes and two
// `vigil serve --no-worker` API replicas, each with its own data directory as if on its own machine, sharing
// only the cluster, the store, the master key and the API keys file. One cluster for the whole file.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { describeTimings, startCluster, type TemporalCluster } from '../../infra/cluster/cluster.js';
import { makeSecrets, SECRET_FILES } from '../../infra/deploy/make-secrets.js';
import { payloadEncryptionFromEnv } from '../../workers/codec/data-converter.js';
import { TASK_QUEUE, analysisTaskQueue, decideUpdate, scanWorkflowType, type FindingState, type ScanInput, type ScanStatus } from '../../workflows/definitions.js';
import { gitRepoFromFixture, waitForStage } from '../helpers/scan-harness.js';

const fixture = fileURLToPath(new URL('../fixtures/vulnerable-express', import.meta.url));
const workerScript = fileURLToPath(new URL('../helpers/worker-process.ts', import.meta.url));
const vigilBin = fileURLToPath(new URL('../../api/bin/vigil.js', import.meta.url));
/** Scans started at once through the two API replicas (the issue asks for 30; they take about a minute here). */
const SCANS = 30;
const log = (line: string) => process.stderr.write(`# ${line}\n`);

interface Proc {
  name: string;
  child: ChildProcess;
  /** The last lines of its stderr, for failure messages. */
  output: string[];
  exited: Promise<number | null>;
}

interface Api {
  proc: Proc;
  url: string;
}

interface Worker {
  proc: Proc;
  execLog: string;
}

interface ScanView {
  scanId: string;
  workflowId: string;
  stage: string | null;
  status?: ScanStatus;
}

let cluster: TemporalCluster;
let tmp: string;
let sharedEnv: NodeJS.ProcessEnv;
let adminKey: string;
let client: Client;
let connection: Connection;
let reposDir: string;
const procs: Proc[] = [];
const startedAt = Date.now();

function spawnProc(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const output: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    output.push(...chunk.split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 60));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc = { name, child, output, exited };
  procs.push(proc);
  return proc;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, procsToWatch: Proc[] = []): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const p of procsToWatch) {
      if (p.child.exitCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode}) while waiting for ${what}:\n${p.output.join('\n')}`);
    }
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

function processEnv(name: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dataDir = join(tmp, name);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return { ...sharedEnv, VIGIL_DATA_DIR: dataDir, ...extra };
}

async function startWorker(name: string, extra: Record<string, string> = {}): Promise<Worker> {
  const execLog = join(tmp, `${name}.exec.log`);
  const proc = spawnProc(name, ['--import', 'tsx', workerScript], processEnv(name, { TEST_EXEC_LOG: execLog, ...extra }));
  await until(`${name} to poll`, 60_000, () => (proc.output.some((l) => l.includes('vigil worker: serving task queues')) ? true : undefined), [proc]);
  return { proc, execLog };
}

async function startApi(name: string): Promise<Api> {
  const env = processEnv(name);
  const proc = spawnProc(name, [vigilBin, 'serve', '--no-worker', '--port', '0'], env);
  const stateFile = join(env.VIGIL_DATA_DIR!, 'serve.json');
  const url = await until(`${name} to listen`, 60_000, () => (existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string }).url : undefined), [proc]);
  return { proc, url };
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

async function startScans(apis: Api[], repos: string[]): Promise<{ scanId: string; workflowId: string; api: number }[]> {
  return Promise.all(
    repos.map(async (repo, i) => {
      const api = i % apis.length;
      const res = await call(apis[api]!.url, 'POST', '/v1/scans', { source: { path: repo } });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      return { scanId: res.json.scanId as string, workflowId: res.json.workflowId as string, api };
    }),
  );
}

/** Waits until every scan in `ids` is in `stage`, asking the replicas in turn (the list is Temporal's visibility on PostgreSQL). */
async function waitForScans(apis: Api[], ids: string[], stage: string, timeoutMs: number): Promise<void> {
  let turn = 0;
  await until(`${ids.length} scans to reach ${stage}`, timeoutMs, async () => {
    const res = await call(apis[turn++ % apis.length]!.url, 'GET', `/v1/scans?status=${stage}&limit=200`);
    if (res.status !== 200) return undefined;
    const seen = new Set((res.json.scans as { scanId: string }[]).map((s) => s.scanId));
    return ids.every((id) => seen.has(id)) ? true : undefined;
  }, apis.map((a) => a.proc));
}

async function getScan(api: Api, scanId: string): Promise<ScanView> {
  const res = await call(api.url, 'GET', `/v1/scans/${scanId}`);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json as ScanView;
}

/** What must be equal between two runs of the same code: each finding's fingerprint and severity. */
const findingKeys = (findings: Pick<FindingState, 'fingerprint' | 'severity'>[]) => findings.map((f) => `${f.severity} ${f.fingerprint}`).sort();

async function decideAll(api: Api, scanId: string, decision: 'approve' | 'reject'): Promise<void> {
  const scan = await getScan(api, scanId);
  for (const f of scan.status!.findings) {
    const res = await call(api.url, 'POST', `/v1/scans/${scanId}/findings/${f.id}/decision`, { decision, comment: 'cluster test' });
    assert.equal(res.status, 200, JSON.stringify(res.json));
  }
}

const executions = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n').filter(Boolean).map((l) => l.split(' ')[0]!);

describe('Vigil on a Temporal cluster with the PostgreSQL store', () => {
  let apis: Api[];
  let workers: Worker[];
  let soloKeys: string[];
  let completedScanId: string;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'vigil-cluster-'));
    chmodSync(tmp, 0o711); // as root, PostgreSQL runs as its own user, which must pass through to cluster/postgres
    cluster = await startCluster({ dir: join(tmp, 'cluster'), log });
    log(`cluster started in ${(cluster.timings.total / 1000).toFixed(1)} s (${describeTimings(cluster.timings)})`);
    const secrets = join(tmp, 'secrets');
    makeSecrets(secrets, { apiUrl: 'http://127.0.0.1:8787' });
    adminKey = readFileSync(join(secrets, SECRET_FILES.adminKey), 'utf8').trim();
    reposDir = join(tmp, 'repos');
    mkdirSync(reposDir);
    sharedEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: cluster.namespace,
      VIGIL_STORE: 'postgres',
      VIGIL_DATABASE_URL: cluster.databaseUrl,
      VIGIL_MASTER_KEY_FILE: join(secrets, SECRET_FILES.masterKey),
      VIGIL_API_KEYS_FILE: join(secrets, SECRET_FILES.apiKeys),
      VIGIL_SCAN_ROOTS: reposDir,
      VIGIL_LOG_LEVEL: 'WARN',
    };
    delete sharedEnv.VIGIL_TASK_QUEUE;
    delete sharedEnv.VIGIL_SQLITE_FILE;
    connection = await Connection.connect({ address: cluster.address });
    const payloads = payloadEncryptionFromEnv(join(tmp, 'test-client'), { VIGIL_MASTER_KEY_FILE: sharedEnv.VIGIL_MASTER_KEY_FILE });
    client = new Client({ connection, namespace: cluster.namespace, dataConverter: payloads?.dataConverter });
    const t = Date.now();
    [apis, workers] = await Promise.all([
      Promise.all([startApi('api-1'), startApi('api-2')]),
      Promise.all([startWorker('worker-1'), startWorker('worker-2')]),
    ]);
    log(`two API replicas and two workers ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await connection?.close();
    await cluster?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    log(`cluster test file: ${((Date.now() - startedAt) / 1000).toFixed(1)} s wall`);
  });

  test(`${SCANS} scans through both API replicas spread over both workers, reach awaiting decisions, and decisions through either replica complete them`, async () => {
    const repos = Array.from({ length: SCANS }, () => gitRepoFromFixture(fixture, reposDir));
    const t = Date.now();
    const scans = await startScans(apis, repos);
    await waitForScans(apis, scans.map((s) => s.scanId), 'awaiting_decisions', 8 * 60_000);
    log(`${SCANS} scans awaited decisions ${((Date.now() - t) / 1000).toFixed(1)} s after the first was started`);

    // Both workers served the scan queue and the analysis queue.
    for (const w of workers) {
      const ran = executions(w.execLog);
      for (const activity of ['snapshot', 'reason', 'verify', 'score']) {
        assert.ok(ran.includes(activity), `${w.proc.name} ran no ${activity} (it ran: ${[...new Set(ran)].join(', ') || 'nothing'})`);
      }
    }
    const perWorker = workers.map((w) => executions(w.execLog).filter((a) => a === 'reason').length);
    assert.equal(perWorker.reduce((a, b) => a + b, 0), SCANS, `every scan reasoned exactly once (${perWorker.join(' + ')})`);
    log(`reasoning per worker: ${perWorker.join(', ')}`);

    // Each replica sees every scan, whichever replica started it; the same code gives the same findings.
    const views = await Promise.all(scans.map((s) => getScan(apis[(s.api + 1) % 2]!, s.scanId)));
    soloKeys = findingKeys(views[0]!.status!.findings);
    assert.ok(soloKeys.length >= 4, `the fixture has findings (${soloKeys.length})`);
    for (const v of views) {
      assert.equal(v.stage, 'awaiting_decisions');
      assert.deepEqual(findingKeys(v.status!.findings), soloKeys, `scan ${v.scanId} found the same as the others`);
    }

    // Decisions through the replica that did not start the scan; four scans at a time.
    const t2 = Date.now();
    for (let i = 0; i < scans.length; i += 4) {
      await Promise.all(scans.slice(i, i + 4).map((s) => decideAll(apis[(s.api + 1) % 2]!, s.scanId, 'reject')));
    }
    await waitForScans(apis, scans.map((s) => s.scanId), 'completed', 5 * 60_000);
    log(`decided and completed ${SCANS} scans in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    completedScanId = scans[0]!.scanId;
  });

  test('workers stopped by SIGTERM hand a running analysis back; one SIGKILLed during reasoning: another finishes the scan, no finished stage runs again, findings as a solo run', async () => {
    for (const w of workers) w.proc.child.kill('SIGTERM');
    for (const w of workers) {
      assert.equal(await w.proc.exited, 0, `${w.proc.name} exits 0 after SIGTERM:\n${w.proc.output.join('\n')}`);
      assert.ok(w.proc.output.some((l) => /SIGTERM: no new tasks; 0 running activities/.test(l)), w.proc.output.join('\n'));
    }

    // Reasoning is held on each worker in turn: the first is stopped gracefully (1 s of grace), the second killed.
    const stopped = await startWorker('worker-stopped', { TEST_REASON_DELAY_MS: '600000', VIGIL_SHUTDOWN_GRACE_SECONDS: '1' });
    const repo = gitRepoFromFixture(fixture, reposDir);
    const scanId = `scn_kill${Date.now().toString(16)}`;
    const input: ScanInput = {
      scanId,
      tenant: 'default',
      repoKey: repo,
      source: { kind: 'local', path: repo },
      engine: 'builtin',
      requestedBy: 'cluster-test',
      // A killed worker is noticed by its missing heartbeats: 3 s instead of 30 keeps the test short.
      tuning: { heartbeatTimeoutSeconds: 3 },
    };
    const handle = await client.workflow.start(scanWorkflowType, { taskQueue: TASK_QUEUE, workflowId: `cluster-kill-${scanId}`, args: [input] });
    const reasoningOn = (w: Worker) => () => (executions(w.execLog).includes('reason-running') ? true : undefined);
    await until('reasoning to start on the first held worker', 60_000, reasoningOn(stopped), [stopped.proc]);

    const killed = await startWorker('worker-killed', { TEST_REASON_DELAY_MS: '600000' });
    stopped.proc.child.kill('SIGTERM');
    assert.equal(await stopped.proc.exited, 0, `a worker stopped with an activity running exits 0:\n${stopped.proc.output.join('\n')}`);
    assert.ok(stopped.proc.output.some((l) => /SIGTERM: no new tasks; 1 running activity gets up to 1 s/.test(l)), stopped.proc.output.join('\n'));
    await until('the handed-back reasoning to start on the second held worker', 60_000, reasoningOn(killed), [killed.proc]);

    const rescue = await startWorker('worker-rescue');
    workers = [rescue];
    killed.proc.child.kill('SIGKILL');
    await killed.proc.exited;
    const status = await waitForStage(handle, ['awaiting_decisions'], 120_000);

    const ran = [stopped, killed, rescue].flatMap((w) => executions(w.execLog));
    const count = (name: string) => ran.filter((a) => a === name).length;
    assert.equal(count('snapshot'), 1, 'snapshot ran once');
    assert.equal(count('merkleSync'), 1, 'merkle sync ran once');
    assert.equal(count('reason'), 3, 'reasoning ran on the stopped worker, on the killed one, then once on the third');
    assert.deepEqual(executions(rescue.execLog).filter((a) => a === 'reason'), ['reason'], 'the third worker finished the reasoning');
    assert.equal(count('verify'), 1, 'verification ran once');
    assert.equal(count('score'), 1, 'scoring ran once');
    assert.deepEqual(findingKeys(status.findings), soloKeys, 'the same findings as an uninterrupted run');

    // History: the analysis ran on the analysis task queue, and its third attempt is the one that completed.
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
    const queueOf = (type: string) => scheduled.find((a) => a.activityType?.name === type)?.taskQueue?.name;
    assert.equal(queueOf('reason'), analysisTaskQueue(TASK_QUEUE));
    assert.equal(queueOf('verify'), analysisTaskQueue(TASK_QUEUE));
    assert.equal(queueOf('snapshot'), TASK_QUEUE);
    const attempts = events.flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : []));
    assert.ok(attempts.includes(3), `the reasoning activity completed on its third attempt (attempts seen: ${attempts.join(', ')})`);

    for (const f of status.findings) {
      await handle.executeUpdate(decideUpdate, { args: [{ findingId: f.id, decision: 'reject', actor: 'bob', tenant: 'default', roles: ['approver'] }] });
    }
    assert.equal((await handle.result()).stage, 'completed');
  });

  test('PostgreSQL restarted while scans wait for decisions: nothing is lost, and decisions afterwards complete them', async () => {
    const repos = Array.from({ length: 4 }, () => gitRepoFromFixture(fixture, reposDir));
    const scans = await startScans(apis, repos);
    const ids = scans.map((s) => s.scanId);
    await waitForScans(apis, ids, 'awaiting_decisions', 3 * 60_000);
    const findingsOf = async (api: Api, id: string) => {
      const res = await call(api.url, 'GET', `/v1/scans/${id}/findings`);
      return res.status === 200 ? (res.json.findings as { id: string; fingerprint: string; status: string }[]).map((f) => `${f.id} ${f.fingerprint} ${f.status}`).sort() : undefined;
    };
    const before = await Promise.all(ids.map((id, i) => findingsOf(apis[i % 2]!, id)));

    const t = Date.now();
    await cluster.restartPostgres();
    log(`PostgreSQL restarted in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // Both the store's pool and Temporal's services reconnect by themselves.
    for (const [i, id] of ids.entries()) {
      const api = apis[(i + 1) % 2]!;
      const after = await until(`scan ${id} to be readable again`, 120_000, async () => {
        const res = await call(api.url, 'GET', `/v1/scans/${id}`).catch(() => undefined);
        return res?.status === 200 && res.json.stage === 'awaiting_decisions' ? findingsOf(api, id) : undefined;
      });
      assert.deepEqual(after, before[i], `scan ${id}'s findings survived the restart`);
    }
    for (const [i, id] of ids.entries()) await decideAll(apis[(i + 1) % 2]!, id, i === 0 ? 'approve' : 'reject');
    await waitForScans(apis, ids, 'completed', 3 * 60_000);
    const approved = await call(apis[0]!.url, 'GET', `/v1/scans/${ids[0]}/findings`);
    assert.ok((approved.json.findings as { status: string }[]).every((f) => f.status === 'approved'));
  });

  test('one API replica killed under load: the other keeps answering, and scans started through it complete', async () => {
    const [survivor, victim] = apis as [Api, Api];
    type Tally = { ok: number; failed: number; failedAfterKill: number; sample?: string };
    const results = new Map<Api, Tally>([
      [survivor, { ok: 0, failed: 0, failedAfterKill: 0 }],
      [victim, { ok: 0, failed: 0, failedAfterKill: 0 }],
    ]);
    let killedAt = 0;
    let stop = false;
    const load = async (api: Api) => {
      while (!stop) {
        const r = results.get(api)!;
        try {
          // A scan's page (the store, and the workflow's description and query), as a dashboard polls it. Not the
          // list: Temporal's frontend allows a namespace 10 visibility requests a second by default
          // (frontend.namespaceRPS.visibility), and this load would be refused with 503s on both replicas.
          const res = await call(api.url, 'GET', `/v1/scans/${completedScanId}`);
          if (res.status === 200) r.ok++;
          else {
            r.failed++;
            r.sample ??= `${res.status} ${JSON.stringify(res.json).slice(0, 300)}`;
          }
        } catch (err) {
          r.failed++;
          r.sample ??= String(err);
          if (killedAt) r.failedAfterKill++;
          await sleep(50); // a refused connection fails at once: do not spin
        }
      }
    };
    const loops = [survivor, survivor, victim, victim].map(load);
    await sleep(1_500);
    victim.proc.child.kill('SIGKILL');
    killedAt = Date.now();
    await victim.proc.exited;
    const okBefore = results.get(survivor)!.ok;
    await sleep(2_000);
    stop = true;
    await Promise.all(loops);
    const s = results.get(survivor)!;
    assert.equal(s.failed, 0, `the surviving replica answered every request (${s.ok} did; first failure: ${s.sample})`);
    assert.ok(s.ok > okBefore, 'and went on answering after the other was killed');
    assert.ok(results.get(victim)!.failedAfterKill > 0, 'the killed replica stopped answering (the load did reach it)');

    const [scan] = await startScans([survivor], [gitRepoFromFixture(fixture, reposDir)]);
    await waitForScans([survivor], [scan!.scanId], 'awaiting_decisions', 2 * 60_000);
    await decideAll(survivor, scan!.scanId, 'reject');
    await waitForScans([survivor], [scan!.scanId], 'completed', 2 * 60_000);
  });
});
