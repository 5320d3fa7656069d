// Deleting a tenant's data through the API, on a real Temporal dev server, a real worker, real SQLite stores
// and the local embedding model: a tenant with a finished scan, decisions and remembered decision vectors is
// deleted (its scans 404, its vectors gone, its workflow runs gone from Temporal, one counts-only event left);
// another tenant keeps everything; a second deletion is fine; open scans refuse it unless cancelled first.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createStoreCrypto } from '../activities/crypto/seal.js';
import type { DecisionMemory } from '../activities/retrieval/decision-memory.js';
import { openDecisionMemory } from '../activities/retrieval/open-decision-memory.js';
import { createPathPolicy } from '../activities/scan-roots.js';
import { createApp } from '../api/app.js';
import { createApiKey } from '../api/auth/keys-file.js';
import { loadKeyRegistry } from '../api/auth/registry.js';
import { tenantDeletionResultSchema } from '../api/routes/tenant-schemas.js';
import { ensureEmbeddingModel } from '../infra/embedding-model.js';
import { eventValidator } from './helpers/event-schemas.js';
import { createHarness, gitRepoFromFixture, type Harness } from './helpers/scan-harness.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const COMMENT = 'input is validated by the `requireSchema` middleware before it reaches the query';

type Reply = { status: number; body: any };

describe("deleting a tenant's data", () => {
  let h: Harness;
  let memory: DecisionMemory;
  let app: ReturnType<typeof createApp>;
  const key = { acmeAdmin: '', acmeAllButAdmin: '', globexAdmin: '' };
  const started: string[] = [];
  // Tenants of this file only: other files on the suite's Temporal server have acme and globex scans of their own.
  const suffix = randomBytes(4).toString('hex');
  const ACME = `acme-${suffix}`;
  const GLOBEX = `globex-${suffix}`;

  async function call(method: string, path: string, apiKey: string, json?: unknown): Promise<Reply> {
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
    if (json !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(path, { method, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function scan(apiKey: string, repo: string): Promise<{ scanId: string; workflowId: string }> {
    const res = await call('POST', '/v1/scans', apiKey, { source: { path: repo } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    started.push(res.body.workflowId);
    return res.body;
  }

  async function waitForStage(apiKey: string, scanId: string, stage: string): Promise<void> {
    const deadline = Date.now() + 90_000;
    let last: unknown;
    while (Date.now() < deadline) {
      const res = await call('GET', `/v1/scans/${scanId}`, apiKey);
      last = res.body?.stage;
      if (last === stage) return;
      if (last === 'failed') throw new Error(`scan ${scanId} failed: ${JSON.stringify(res.body.status?.error)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`scan ${scanId} did not reach ${stage}; last ${String(last)}`);
  }

  /** Scans the fixture, rejects every finding with a comment (each decision is embedded), waits for completion. */
  async function finishedScanWithDecisions(apiKey: string): Promise<{ scanId: string; workflowId: string; findings: number }> {
    const s = await scan(apiKey, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir));
    await waitForStage(apiKey, s.scanId, 'awaiting_decisions');
    const findings = (await call('GET', `/v1/scans/${s.scanId}/findings`, apiKey)).body.findings as { id: string }[];
    assert.ok(findings.length > 0);
    const decided = await call('POST', `/v1/scans/${s.scanId}/decisions`, apiKey, {
      decision: 'reject',
      findingIds: findings.map((f) => f.id),
      comment: COMMENT,
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    await waitForStage(apiKey, s.scanId, 'completed');
    return { ...s, findings: findings.length };
  }

  /**
   * Temporal deletes a run asynchronously: the dev server takes about 30 s. Each test starts its wait and the last
   * one checks them all, so the waits overlap instead of adding up.
   */
  const removals: { what: string; done: Promise<boolean | Error> }[] = [];
  /** Runs of another tenant that must outlive those removals. */
  const kept: string[] = [];
  async function gone(workflowId: string): Promise<boolean> {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      try {
        await h.client.workflow.getHandle(workflowId).describe();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return true;
        throw err;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }

  before(async () => {
    const model = await ensureEmbeddingModel();
    h = await createHarness('tenant-deletion');
    const opened = await openDecisionMemory({ dataDir: h.dir, crypto: createStoreCrypto(h.keyring), env: {}, modelDir: model.dir });
    assert.ok(opened.memory, opened.unavailable);
    memory = opened.memory;
    await h.startWorker({ retrieval: memory });
    const keysFile = join(h.dir, 'api-keys.json');
    const all = ['scanner', 'approver', 'operator'] as const;
    key.acmeAdmin = (await createApiKey({ tenant: ACME, roles: [...all, 'admin'], name: 'acme-admin', keysFile })).key;
    key.acmeAllButAdmin = (await createApiKey({ tenant: ACME, roles: [...all], name: 'acme-ops', keysFile })).key;
    key.globexAdmin = (await createApiKey({ tenant: GLOBEX, roles: [...all, 'admin'], name: 'globex-admin', keysFile })).key;
    app = createApp({
      temporal: h.client,
      store: h.store,
      vectors: memory.vectors,
      keys: loadKeyRegistry({ keysFile, env: {} }),
      paths: createPathPolicy({ roots: [h.dir] }),
      config: { taskQueue: h.taskQueue, queryTimeoutMs: 3000 },
    });
  });

  after(async () => {
    for (const id of started) await h?.client.workflow.getHandle(id).terminate('test cleanup').catch(() => {});
    await h?.close();
    await memory?.close();
  });

  test("a finished scan, its decisions and vectors are deleted; another tenant's remain; refusals delete nothing; twice is fine", async () => {
    const acme = await finishedScanWithDecisions(key.acmeAdmin);
    const globex = await finishedScanWithDecisions(key.globexAdmin);
    assert.equal(await memory.vectors.count(ACME), acme.findings, 'each decision is remembered');
    const globexVectors = await memory.vectors.count(GLOBEX);
    assert.equal(globexVectors, globex.findings);

    // Refusals first: each is typed, and deletes nothing.
    const path = '/v1/tenant/delete';
    const noConfirm = await call('POST', path, key.acmeAdmin, {});
    assert.deepEqual([noConfirm.status, noConfirm.body.error], [400, 'confirmation_required']);
    const cancelOnly = await call('POST', path, key.acmeAdmin, { cancelRunning: true });
    assert.deepEqual([cancelOnly.status, cancelOnly.body.error], [400, 'confirmation_required']);
    const otherTenant = await call('POST', path, key.acmeAdmin, { confirm: GLOBEX });
    assert.deepEqual([otherTenant.status, otherTenant.body.error], [400, 'confirmation_mismatch']);
    const notAdmin = await call('POST', path, key.acmeAllButAdmin, { confirm: ACME });
    assert.deepEqual([notAdmin.status, notAdmin.body.error], [403, 'forbidden']);
    assert.match(notAdmin.body.message, /'admin' role/);
    const unknownField = await call('POST', path, key.acmeAdmin, { confirm: ACME, everything: true });
    assert.equal(unknownField.status, 400);
    assert.equal((await call('GET', `/v1/scans/${acme.scanId}`, key.acmeAdmin)).status, 200, 'nothing was deleted');
    assert.equal(await memory.vectors.count(ACME), acme.findings);

    const res = await call('POST', path, key.acmeAdmin, { confirm: ACME });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(tenantDeletionResultSchema.safeParse(res.body).success, 'the documented answer');
    const d = res.body.deleted;
    assert.equal(res.body.tenant, ACME);
    assert.equal(d.scans, 1);
    assert.equal(d.decisions, acme.findings);
    assert.equal(d.ledgerEntries, acme.findings);
    assert.equal(d.vectors, acme.findings);
    assert.ok(d.snapshots === 1 && d.blobs > 0 && d.artifacts > 0 && d.events > 0 && d.other > 0, JSON.stringify(d));
    assert.ok(d.workflows >= 1, 'its workflow runs are deleted from Temporal');
    assert.deepEqual(res.body.cancelledScans, []);
    assert.ok(res.body.kept.some((k: string) => /API keys/.test(k)), 'the answer says the API keys are kept');

    // Gone: the scan, its findings and report, its vectors, its workflow; its events but the deletion's own.
    assert.equal((await call('GET', `/v1/scans/${acme.scanId}`, key.acmeAdmin)).status, 404);
    assert.equal((await call('GET', `/v1/scans/${acme.scanId}/findings`, key.acmeAdmin)).status, 404);
    assert.equal((await call('GET', `/v1/scans/${acme.scanId}/report`, key.acmeAdmin)).status, 404);
    assert.equal(await memory.vectors.count(ACME), 0);
    const events = (await call('GET', '/v1/events', key.acmeAdmin)).body.events as { event: any }[];
    assert.deepEqual(events.map((e) => e.event.type), ['dev.vigil.tenant.deleted.v1']);
    const event = events[0]!.event;
    assert.equal(event.id, res.body.eventId);
    assert.deepEqual(eventValidator()(event), []);
    assert.deepEqual(event.data, { requestedBy: 'acme-admin', cancelledScans: 0, deleted: d }, 'counts only');
    assert.equal((await call('GET', '/v1/me', key.acmeAdmin)).status, 200, 'the key itself is kept');

    // The other tenant keeps everything.
    const other = await call('GET', `/v1/scans/${globex.scanId}`, key.globexAdmin);
    assert.equal(other.status, 200);
    assert.equal((await call('GET', `/v1/scans/${globex.scanId}/findings`, key.globexAdmin)).body.findings.length, globex.findings);
    assert.equal(await memory.vectors.count(GLOBEX), globexVectors);
    await h.client.workflow.getHandle(globex.workflowId).describe();
    assert.ok((await call('GET', '/v1/events', key.globexAdmin)).body.events.length > 1);

    // Twice is fine: nothing is left, the earlier deletion's event stays.
    const again = await call('POST', path, key.acmeAdmin, { confirm: ACME });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    const { workflows, ...rest } = again.body.deleted;
    assert.ok(Object.values(rest).every((n) => n === 0), JSON.stringify(again.body.deleted));
    // Temporal removes runs asynchronously: one it is still removing is asked again (harmless), never a new one.
    assert.ok(workflows <= d.workflows, JSON.stringify(again.body.deleted));
    const after = (await call('GET', '/v1/events', key.acmeAdmin)).body.events as { event: any }[];
    assert.deepEqual(after.map((e) => e.event.id), [res.body.eventId, again.body.eventId]);
    removals.push({ what: 'the finished scan’s run', done: gone(acme.workflowId).catch((err: Error) => err) });
    await h.client.workflow.getHandle(globex.workflowId).describe(); // the other tenant's is not
    kept.push(globex.workflowId);
  });

  test('scans still open refuse it (409, listed) unless cancelRunning, which cancels them and waits first', async () => {
    const open = await scan(key.acmeAdmin, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir));
    await waitForStage(key.acmeAdmin, open.scanId, 'awaiting_decisions');

    const refused = await call('POST', '/v1/tenant/delete', key.acmeAdmin, { confirm: ACME });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'scans_open');
    assert.deepEqual(refused.body.details.scans.map((s: { scanId: string }) => s.scanId), [open.scanId]);
    assert.match(refused.body.message, /cancelRunning/);
    assert.equal((await call('GET', `/v1/scans/${open.scanId}`, key.acmeAdmin)).status, 200, 'nothing was deleted');
    assert.equal((await h.client.workflow.getHandle(open.workflowId).describe()).status.name, 'RUNNING');

    const res = await call('POST', '/v1/tenant/delete', key.acmeAdmin, { confirm: ACME, cancelRunning: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.cancelledScans.map((s: { scanId: string }) => s.scanId), [open.scanId]);
    assert.equal(res.body.deleted.scans, 1);
    assert.equal((await call('GET', `/v1/scans/${open.scanId}`, key.acmeAdmin)).status, 404);
    removals.push({ what: 'the cancelled scan’s run', done: gone(open.workflowId).catch((err: Error) => err) });
    const events = (await call('GET', '/v1/events', key.acmeAdmin)).body.events as { event: any }[];
    assert.equal(events.at(-1)!.event.data.cancelledScans, 1);
  });

  test('the deleted runs leave Temporal (asynchronously)', async () => {
    assert.equal(removals.length, 2);
    for (const r of removals) assert.equal(await r.done, true, `${r.what} is deleted from Temporal`);
    // Once those are gone, the other tenant's run is still there.
    for (const workflowId of kept) await h.client.workflow.getHandle(workflowId).describe();
    assert.equal(kept.length, 1);
  });
});
