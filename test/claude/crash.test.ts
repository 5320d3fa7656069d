// A worker process running Claude research passes is killed with SIGKILL; a new one resumes the scan and
// no pass that completed is asked of the model again. The worker is configured from its environment.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startStandIn, type StandIn } from '../helpers/anthropic-standin.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';
import { brain, fixture } from './brain.js';

const KEY = 'sk-ant-api03-CRASH-TEST-KEY-b81d44e0';
const workerScript = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/** Research activities the server has recorded as completed (only the injection pass can complete here). */
async function completedResearchActivities(handle: Awaited<ReturnType<typeof startScan>>): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const research = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'claudeResearch').map((e) => String(e.eventId)),
  );
  return events.filter((e) => research.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId))).length;
}

async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('claude engine durability', () => {
  let h: Harness;
  let s: StandIn;
  const children: ChildProcess[] = [];
  let output = '';
  before(async () => {
    h = await createHarness('claude-crash');
    s = await startStandIn(brain());
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await h.close();
    await s.close();
  });

  function spawnWorker(log: string): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: h.address,
        TEMPORAL_NAMESPACE: h.namespace,
        VIGIL_TASK_QUEUE: h.taskQueue,
        VIGIL_DATA_DIR: h.dir,
        VIGIL_SQLITE_FILE: h.storeFile,
        VIGIL_LOG_LEVEL: 'INFO',
        TEST_EXEC_LOG: log,
        ANTHROPIC_API_KEY: KEY,
        ANTHROPIC_BASE_URL: s.url,
        VIGIL_CLAUDE_EFFORT: 'low',
        VIGIL_CLAUDE_MODEL: 'claude-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    children.push(child);
    return child;
  }

  test('SIGKILL during research: the scan resumes and completed passes are not repeated', async () => {
    const log = join(h.dir, 'claude-exec.log');
    const executions = () => (existsSync(log) ? readFileSync(log, 'utf8') : '').split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
    const count = (name: string) => executions().filter((e) => e === name).length;
    const isAuthz = (task: string) => task.includes('authentication, authorisation');
    let hang = true;
    s.script = brain({
      research: (req) => (hang && isAuthz(req.task) ? { hang: true } : brain()(req)),
    });
    const first = spawnWorker(log);
    const input = scanInput(h, gitRepoFromFixture(fixture, h.dir), { engine: 'claude', tuning: { heartbeatTimeoutSeconds: 3 } });
    const handle = await startScan(h, input);
    await until(
      async () =>
        s.requests.some((r) => r.role === 'research' && isAuthz(r.task)) &&
        (await h.store.getArtifact('default', input.scanId, 'claude:pass:c0-injection')) !== undefined &&
        // Its completion recorded by the server too: a kill between storing the pass and reporting the activity
        // done would rightly run the activity again (and find the pass stored), which is not what this tests.
        (await completedResearchActivities(handle)) >= 1,
      60_000,
      'the injection pass to complete while the authz pass is in flight',
    );
    const injectionCalls = s.requests.filter((r) => r.role === 'research' && !isAuthz(r.task)).length;
    assert.equal(injectionCalls, 2);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    hang = false;

    spawnWorker(log);
    const status = await waitForStage(handle, ['awaiting_decisions'], 90_000);
    assert.equal(status.counts.claude?.passesRun, 2);
    assert.equal(status.counts.verification?.confirmed, 1);
    assert.equal(count('claudeThreatModel'), 1, 'the threat model ran once');
    assert.equal(count('claudeResearch:c0-injection'), 1, 'the completed pass was not run again');
    assert.equal(count('claudeResearch:c0-authz'), 2, 'the interrupted pass ran again on the new worker');
    assert.equal(s.requests.filter((r) => r.role === 'threatModel').length, 1);
    assert.equal(s.requests.filter((r) => r.role === 'research' && !isAuthz(r.task)).length, injectionCalls, 'no model call repeated for it');
    const history = JSON.stringify(await handle.fetchHistory());
    assert.ok(!history.includes(KEY), 'no key in history');
    assert.ok(output.length > 0, 'the worker logged');
    assert.ok(!output.includes(KEY), 'no key in worker logs');
    await handle.terminate('test done');
  });
});
