// Scans survive a worker killed mid-stage and a Temporal server killed while they wait for people.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { decideUpdate, statusQuery, type ScanStatus } from '../workflows/definitions.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from './helpers/scan-harness.js';
import { startPrivateDevServer } from './helpers/temporal.js';

const fixture = fileURLToPath(new URL('./fixtures/vulnerable-express', import.meta.url));
const workerScript = fileURLToPath(new URL('./helpers/worker-process.ts', import.meta.url));

function spawnWorker(h: Harness, address: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', workerScript], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: h.namespace,
      VIGIL_TASK_QUEUE: h.taskQueue,
      VIGIL_DATA_DIR: h.dir,
      VIGIL_SQLITE_FILE: h.storeFile,
      VIGIL_LOG_LEVEL: 'WARN',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function until(pred: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const executions = (log: string) =>
  (existsSync(log) ? readFileSync(log, 'utf8') : '').split('\n').filter(Boolean).map((l) => l.split(' ')[0]);

describe('durability', () => {
  let h: Harness;
  const children: ChildProcess[] = [];
  before(async () => {
    h = await createHarness('durable');
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await h.close();
  });

  test('a worker killed with SIGKILL during reasoning: the scan completes and finished stages do not run again', async () => {
    const repo = gitRepoFromFixture(fixture, h.dir);
    const log = join(h.dir, 'executions.log');
    const first = spawnWorker(h, h.address, { TEST_EXEC_LOG: log, TEST_REASON_DELAY_MS: '600000' });
    children.push(first);
    const input = scanInput(h, repo, { tuning: { heartbeatTimeoutSeconds: 3 } });
    const handle = await startScan(h, input);
    await until(() => executions(log).includes('reason-running'), 60_000, 'the reasoning stage to start');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    children.push(spawnWorker(h, h.address, { TEST_EXEC_LOG: log, TEST_REASON_DELAY_MS: '0' }));
    const status = await waitForStage(handle, ['awaiting_decisions'], 90_000);
    assert.ok(status.findings.length > 0);

    const count = (name: string) => executions(log).filter((e) => e === name).length;
    assert.equal(count('snapshot'), 1, 'snapshot ran once');
    assert.equal(count('merkleSync'), 1, 'merkle sync ran once');
    assert.equal(count('reason'), 2, 'reasoning ran on the killed worker, then once more');
    assert.equal(count('verify'), 1);
    assert.equal(count('score'), 1);
    // History agrees: the reasoning activity's second attempt is the one that completed.
    const events = (await handle.fetchHistory()).events ?? [];
    const attempts = events.flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : []));
    assert.ok(attempts.includes(2), 'one activity was retried after the crash');
    await handle.terminate('test done');
  });

  test('a dev server killed and restarted on the same DB file: the waiting scan is still there and a decision completes it', async () => {
    const dbFile = join(h.dir, 'temporal-restart.db');
    let server = await startPrivateDevServer(dbFile);
    const repo = gitRepoFromFixture(fixture, h.dir);
    const log = join(h.dir, 'executions-restart.log');
    let worker = spawnWorker(h, server.address, { TEST_EXEC_LOG: log });
    children.push(worker);
    let connection = await Connection.connect({ address: server.address });
    let client = new Client({ connection, namespace: server.namespace, dataConverter: h.payloads?.dataConverter });
    const input = scanInput(h, repo);
    const wf = await client.workflow.start('scan', { taskQueue: h.taskQueue, workflowId: `restart-${input.scanId}`, args: [input] });
    const waiting = await waitForStage(wf, ['awaiting_decisions']);
    assert.ok(waiting.findings.length > 0);

    worker.kill('SIGKILL');
    server.kill('SIGKILL');
    await connection.close();
    server = await startPrivateDevServer(dbFile);
    worker = spawnWorker(h, server.address, { TEST_EXEC_LOG: log });
    children.push(worker);
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection, namespace: server.namespace, dataConverter: h.payloads?.dataConverter });
    const handle = client.workflow.getHandle(`restart-${input.scanId}`);
    const again: ScanStatus = await waitForStage(handle, ['awaiting_decisions']);
    assert.deepEqual(again.findings.map((f) => f.id), waiting.findings.map((f) => f.id));

    for (const f of again.findings) {
      await handle.executeUpdate(decideUpdate, {
        args: [{ findingId: f.id, decision: 'reject', actor: 'bob', tenant: 'default', roles: ['approver'] }],
      });
    }
    const done: ScanStatus = await handle.result();
    assert.equal(done.stage, 'completed');
    assert.equal((await handle.query(statusQuery)).stage, 'completed');
    worker.kill('SIGTERM');
    await connection.close();
    await server.stop();
  });
});
