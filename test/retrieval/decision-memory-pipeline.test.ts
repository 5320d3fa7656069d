// Decision memory end to end on a real Temporal dev server, a real worker and real SQLite: decisions made in
// one scan (one by one and in bulk) are embedded; a later scan of another repository of the same tenant shows
// the precedents on its findings (stored findings, the API's view, the Markdown report) and leaves them pending.
// Another tenant's scan of the same code sees none.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { findingsView } from '../../activities/findings-view.js';
import type { DecisionMemory } from '../../activities/retrieval/decision-memory.js';
import { openDecisionMemory } from '../../activities/retrieval/open-decision-memory.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { findingsResponseSchema } from '../../api/routes/schemas.js';
import { ensureEmbeddingModel } from '../../infra/embedding-model.js';
import { decideManyUpdate, decideUpdate } from '../../workflows/definitions.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const approver = { roles: ['approver' as const], actor: 'alice' };
const COMMENT = 'input is validated by the `requireSchema` middleware before it reaches the query';

describe('decision memory in the scan pipeline', () => {
  let h: Harness;
  let memory: DecisionMemory;
  before(async () => {
    const model = await ensureEmbeddingModel();
    h = await createHarness('retrieval');
    const opened = await openDecisionMemory({ dataDir: h.dir, crypto: createStoreCrypto(h.keyring), env: {}, modelDir: model.dir });
    assert.ok(opened.memory, opened.unavailable);
    memory = opened.memory;
    await h.startWorker({ retrieval: memory });
  });
  after(async () => {
    await h?.close();
    await memory?.close();
  });

  test('precedents from earlier decisions are shown on similar new findings, which stay pending', async () => {
    const first = scanInput(h, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir));
    const h1 = await startScan(h, first);
    await waitForStage(h1, ['awaiting_decisions']);
    const found = (await h.store.getArtifact('default', first.scanId, 'findings'))!;
    assert.ok(found.every((f) => f.similarDecisions === undefined), 'a first scan has no precedent');
    const sql = found.find((f) => f.ruleId === 'sql-injection')!;
    const codeInjection = found.filter((f) => f.ruleId === 'code-injection');
    await h1.executeUpdate(decideUpdate, { args: [{ findingId: sql.id, decision: 'reject', tenant: 'default', ...approver, comment: COMMENT }] });
    await h1.executeUpdate(decideManyUpdate, {
      args: [{ findingIds: codeInjection.map((f) => f.id), decision: 'approve', tenant: 'default', ...approver, comment: 'eval of request data, fix it' }],
    });
    assert.equal(await memory.vectors.count('default'), 1 + codeInjection.length, 'each decision is embedded once');

    // The same code in another repository of the same tenant: no ledger carry-over, only precedent.
    const second = scanInput(h, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir));
    const h2 = await startScan(h, second);
    await waitForStage(h2, ['awaiting_decisions']);
    const view = (await findingsView(h.store, { tenant: 'default', scanId: second.scanId }))!;
    const sql2 = view.find((f) => f.ruleId === 'sql-injection')!;
    assert.equal(sql2.status, 'pending', 'a precedent never decides');
    assert.equal(sql2.decision, undefined);
    const top = sql2.similarDecisions![0]!;
    assert.deepEqual({ findingId: top.findingId, scanId: top.scanId, decision: top.decision, comment: top.comment }, { findingId: sql.id, scanId: first.scanId, decision: 'reject', comment: COMMENT });
    assert.ok(top.similarity > 0.9, `same finding, other repository: ${top.similarity}`);
    for (const f of view.filter((x) => x.ruleId === 'code-injection')) {
      assert.equal(f.similarDecisions![0]!.decision, 'approve');
      assert.ok(codeInjection.some((c) => c.id === f.similarDecisions![0]!.findingId));
    }
    // The API's response schema (what the OpenAPI document says) accepts it.
    assert.ok(findingsResponseSchema.safeParse({ scanId: second.scanId, live: false, findings: view }).success);
    assert.ok(!JSON.stringify(await h2.fetchHistory()).includes('requireSchema'), 'no comment in workflow history');

    // Decide the rest so the scan completes and stores its report.
    await h2.executeUpdate(decideManyUpdate, { args: [{ findingIds: view.map((f) => f.id), decision: 'reject', tenant: 'default', ...approver }] });
    await waitForStage(h2, ['completed']);
    const md = (await h.store.getArtifact('default', second.scanId, 'report.md'))!;
    assert.match(md, /\*\*Similar past decisions\*\* \(precedent only; this finding is decided on its own\)/);
    assert.match(md, new RegExp(`- rejected \`${sql.id}\` in scan \`${first.scanId}\` · similarity 0\\.\\d\\d — input is validated by the \\\\\`requireSchema\\\\\` middleware`));
    const json = (await h.store.getArtifact('default', second.scanId, 'report.json'))!;
    assert.equal(json.findings.find((f) => f.id === sql2.id)!.similarDecisions![0]!.findingId, sql.id);
  });

  test("another tenant's scan of the same code sees none of these decisions", async () => {
    const other = scanInput(h, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir), { tenant: 'globex' });
    await waitForStage(await startScan(h, other), ['awaiting_decisions']);
    const found = (await h.store.getArtifact('globex', other.scanId, 'findings'))!;
    assert.ok(found.length > 0);
    assert.ok(found.every((f) => f.similarDecisions === undefined));
    assert.equal(await memory.vectors.count('globex'), 0);
  });
});
