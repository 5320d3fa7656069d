// Every scan leaves its events in the outbox, through a real worker, real Temporal and the real (encrypted)
// SQLite store: each expected event, in order, once by id, valid against its published schema, with no code or
// secrets in any; an activity retried after writing its events adds none; a failed scan records its failure.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CloudEvent, OutboxRecord } from '../../activities/events/cloud-event.js';
import { staticTenantSettings } from '../../activities/events/tenant-settings.js';
import type { Store } from '../../activities/store/store.js';
import { resolveSource, startScan as startScanRequest } from '../../api/scan-requests.js';
import { decideUpdate, scanWorkflowType, type ScanStatus } from '../../workflows/definitions.js';
import { eventValidator } from '../helpers/event-schemas.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';

const fixture = fileURLToPath(new URL('../fixtures/vulnerable-express', import.meta.url));
const validate = eventValidator();
const short = (e: CloudEvent) => e.type.replace(/^dev\.vigil\./, '').replace(/\.v1$/, '');

async function eventsOf(store: Store, tenant: string, scanId: string): Promise<OutboxRecord[]> {
  const out: OutboxRecord[] = [];
  for (let after = 0; ; ) {
    const page = await store.readEvents({ tenant, after, limit: 200 });
    if (page.length === 0) return out.filter((r) => r.event.subject === scanId);
    out.push(...page);
    after = page[page.length - 1]!.seq;
  }
}

/** The sequence with each stage's started/completed pair and the per-finding events collapsed, for comparison. */
function shape(records: OutboxRecord[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    const d = r.event.data as { stage?: string };
    const label = d.stage && short(r.event).startsWith('stage.') ? `${short(r.event)}:${d.stage}` : short(r.event);
    if (out[out.length - 1] !== `${label}*` && out[out.length - 1] === label && (label === 'finding.created' || label === 'decision.recorded')) {
      out[out.length - 1] = `${label}*`;
    } else if (out[out.length - 1] !== `${label}*`) out.push(label);
  }
  return out;
}

describe('scan events', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness('events');
    await h.startWorker({ tenantSettings: staticTenantSettings({ tenants: { chatty: { decisionComments: true } } }) });
  });
  after(async () => h.close());

  test('a scan from request to report: every expected event, in order, once by id, schema-valid, no code or secrets', async () => {
    const repo = gitRepoFromFixture(fixture, h.dir);
    const started = await startScanRequest(
      { client: h.client, store: h.store, taskQueue: h.taskQueue },
      { tenant: 'default', name: 'alice' },
      await resolveSource({ path: repo }),
      'builtin',
    );
    const handle = h.client.workflow.getHandle(started.workflowId);
    const status = await waitForStage(handle, ['awaiting_decisions']);
    const findings = (await h.store.getArtifact('default', started.scanId, 'findings'))!;
    const patched = findings.find((f) => f.patch)!;
    for (const f of status.findings) {
      await handle.executeUpdate(decideUpdate, {
        args: [{ findingId: f.id, decision: f.id === patched.id ? 'approve' : 'reject', tenant: 'default', roles: ['approver'], actor: 'alice', comment: 'the secret plan: ship it' }],
      });
    }
    const result: ScanStatus = await handle.result();
    assert.equal(result.stage, 'completed');

    const records = await eventsOf(h.store, 'default', started.scanId);
    const events = records.map((r) => r.event);
    assert.deepEqual(shape(records), [
      'scan.requested',
      'scan.started',
      'stage.started:snapshot',
      'stage.completed:snapshot',
      'stage.started:merkle_sync',
      'stage.completed:merkle_sync',
      'stage.started:reasoning',
      'stage.completed:reasoning',
      'stage.started:verification',
      'stage.completed:verification',
      'stage.started:scoring',
      ...(findings.length > 1 ? ['finding.created*'] : ['finding.created']),
      'stage.completed:scoring',
      ...(findings.length > 1 ? ['decision.recorded*'] : ['decision.recorded']),
      'stage.started:applying',
      'patch.applied',
      'stage.completed:applying',
      'stage.started:reporting',
      'stage.completed:reporting',
      'scan.completed',
    ]);
    assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'each event once by id');
    assert.ok(records.every((r, i) => i === 0 || r.seq > records[i - 1]!.seq), 'seq increases');
    for (const e of events) {
      assert.deepEqual(validate(e), [], `${e.type} is valid against its schema`);
      assert.equal(e.subject, started.scanId);
      assert.equal(e.tenant, 'default');
    }

    const created = events.filter((e) => e.type === 'dev.vigil.finding.created.v1').map((e) => e.data as Record<string, unknown>);
    assert.deepEqual(created.map((d) => d.findingId).sort(), findings.map((f) => f.id).sort(), 'one finding.created per finding');
    const one = created.find((d) => d.findingId === patched.id)!;
    assert.deepEqual(
      [one.fingerprint, one.cwe, one.severity, one.confidence, one.file, one.line],
      [patched.fingerprint, patched.cwe, patched.severity, patched.confidence, patched.location.file, patched.location.startLine],
    );
    const decisions = events.filter((e) => e.type === 'dev.vigil.decision.recorded.v1').map((e) => e.data as Record<string, unknown>);
    assert.equal(decisions.length, findings.length);
    assert.deepEqual(decisions.find((d) => d.findingId === patched.id), { scanId: started.scanId, findingId: patched.id, fingerprint: patched.fingerprint, decision: 'approve', actor: 'alice' }, 'no comment: the tenant did not allow it');
    const applied = events.find((e) => e.type === 'dev.vigil.patch.applied.v1')!.data as Record<string, unknown>;
    assert.equal(applied.branch, result.counts.apply?.branch);
    assert.equal(applied.commit, result.counts.apply?.commit);
    const snap = events.find((e) => e.type === 'dev.vigil.stage.completed.v1' && (e.data as { stage: string }).stage === 'snapshot')!;
    assert.equal((snap.data as { counts: Record<string, number> }).counts.files, result.counts.snapshot?.files, "the stage's counts");

    // No code, no secrets: nothing of the findings' code, traces, explanations or patches, and not the comment.
    const text = JSON.stringify(events);
    for (const f of findings) {
      for (const step of f.trace) if (step.snippet && step.snippet.length > 8) assert.ok(!text.includes(step.snippet), `trace code leaked: ${step.snippet}`);
      assert.ok(!text.includes(f.explanation), 'explanation leaked');
      if (f.patch) assert.ok(!text.includes(f.patch.diff.slice(0, 40)), 'patch leaked');
    }
    assert.ok(!text.includes('secret plan'), 'the comment stays out');
    assert.ok(!text.includes(repo), 'the repository path stays out');
  });

  test('a tenant that allows comments gets them in decision events', async () => {
    const repo = gitRepoFromFixture(fixture, mkdtempSync(join(h.dir, 'chatty-')));
    const input = scanInput(h, repo, { tenant: 'chatty' });
    const handle = await startScan(h, input);
    const status = await waitForStage(handle, ['awaiting_decisions']);
    const f = status.findings[0]!;
    await handle.executeUpdate(decideUpdate, { args: [{ findingId: f.id, decision: 'reject', tenant: 'chatty', roles: ['approver'], actor: 'bob', comment: 'test code' }] });
    const decision = (await eventsOf(h.store, 'chatty', input.scanId)).find((r) => r.event.type === 'dev.vigil.decision.recorded.v1');
    assert.equal((decision?.event.data as { comment?: string }).comment, 'test code');
    await handle.terminate('test done');
  });

  test('an activity retried after writing its events adds none', async () => {
    // A second worker on its own queue whose store fails once right after the scoring events are written,
    // as a worker that crashed before reporting the activity's completion would.
    let failed = false;
    const flaky = new Proxy(h.store, {
      get(target, prop, receiver) {
        if (prop !== 'appendEvents') return Reflect.get(target, prop, receiver);
        return async (events: CloudEvent[]) => {
          await target.appendEvents(events);
          if (!failed && events.some((e) => e.type === 'dev.vigil.finding.created.v1')) {
            failed = true;
            throw new Error('injected: the worker lost the activity after its events were written');
          }
        };
      },
    });
    const retried: string[] = [];
    const queue = `${h.taskQueue}-flaky`;
    const { worker, done } = await h.startWorker({
      store: flaky,
      taskQueue: queue,
      onExecute: (activity) => retried.push(activity),
    });
    try {
      const repo = gitRepoFromFixture(fixture, mkdtempSync(join(h.dir, 'retry-')));
      const input = scanInput(h, repo);
      const handle = await h.client.workflow.start(scanWorkflowType, { taskQueue: queue, workflowId: `test-${input.scanId}`, args: [input] });
      await waitForStage(handle, ['awaiting_decisions']);
      assert.equal(retried.filter((a) => a === 'score').length, 2, 'scoring ran twice');
      const records = await eventsOf(h.store, 'default', input.scanId);
      const ids = records.map((r) => r.event.id);
      assert.equal(new Set(ids).size, ids.length, 'no duplicate after the retry');
      const findings = (await h.store.getArtifact('default', input.scanId, 'findings'))!;
      assert.equal(records.filter((r) => r.event.type === 'dev.vigil.finding.created.v1').length, findings.length);
      assert.equal(records.filter((r) => r.event.type === 'dev.vigil.stage.completed.v1' && (r.event.data as { stage: string }).stage === 'scoring').length, 1);
      await handle.terminate('test done');
    } finally {
      worker.shutdown();
      await done.catch(() => {});
    }
  });

  test('a failed scan records stage.failed and scan.failed with the failure type', async () => {
    const missing = join(h.dir, 'no-such-directory');
    const input = scanInput(h, missing);
    const handle = await startScan(h, input);
    await assert.rejects(handle.result());
    const records = await eventsOf(h.store, 'default', input.scanId);
    const tail = records.slice(-2).map((r) => r.event);
    assert.deepEqual(tail.map(short), ['stage.failed', 'scan.failed']);
    const failed = tail[1]!.data as { stage: string; errorType: string };
    assert.equal(failed.stage, 'snapshot');
    assert.match(failed.errorType, /^[A-Za-z]+Error$/);
    assert.deepEqual(tail[0]!.data, { scanId: input.scanId, stage: 'snapshot', errorType: failed.errorType });
    for (const e of tail) assert.deepEqual(validate(e), []);
    assert.ok(!JSON.stringify(tail).includes(missing), 'the failure message (with its path) stays out');
  });
});
