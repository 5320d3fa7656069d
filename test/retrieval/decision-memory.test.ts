// Decision memory through the real stages: recordDecisionStage and recordDecisionsStage remember each decision
// (embedded by the real model into the real SQLite vector file), and a later finding gets the same tenant's
// most similar precedents, while staying pending. Failures degrade retrieval only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadKeyring } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import type { Finding } from '../../activities/model.js';
import type { DecisionMemory } from '../../activities/retrieval/decision-memory.js';
import { withSimilarDecisions } from '../../activities/retrieval/decision-memory-stage.js';
import { openDecisionMemory } from '../../activities/retrieval/open-decision-memory.js';
import { recordDecisionStage, recordDecisionsStage } from '../../activities/stages/record-decision.js';
import type { ActivityDeps } from '../../activities/stages/shared.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import type { Store } from '../../activities/store/store.js';
import { ensureEmbeddingModel } from '../../infra/embedding-model.js';
import { fakeFinding } from '../helpers/fake-finding.js';

const sql = (id: string, file: string, extra: Partial<Finding> = {}) =>
  fakeFinding({
    id,
    fingerprint: `fp-${id}`,
    ruleId: 'sql-injection',
    cwe: 'CWE-89',
    title: 'SQL injection: req.query.id reaches db.query()',
    explanation: 'The id from the query string is concatenated into the SQL text passed to db.query.',
    location: { file, startLine: 6, endLine: 6 },
    ...extra,
  });
const cmd = (id: string) =>
  fakeFinding({ id, fingerprint: `fp-${id}`, ruleId: 'command-injection', cwe: 'CWE-78', title: 'OS command injection: req.body.host reaches exec()', explanation: 'The host from the body is passed to a shell through child_process.exec.', location: { file: 'lib/exec.js', startLine: 5, endLine: 5 } });
const traversal = (id: string) =>
  fakeFinding({ id, fingerprint: `fp-${id}`, ruleId: 'path-traversal', cwe: 'CWE-22', title: 'Path traversal: req.params.name reaches res.sendFile()', explanation: 'A file name from the URL is joined to the uploads directory without normalisation.', location: { file: 'routes/files.js', startLine: 12, endLine: 12 } });

describe('decision memory through the stages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-decision-memory-'));
  const crypto = createStoreCrypto(loadKeyring({ env: {}, dataDir: dir, generate: true })!);
  let store: Store;
  let memory: DecisionMemory;
  let deps: ActivityDeps;
  const warnings: string[] = [];
  before(async () => {
    const model = await ensureEmbeddingModel();
    store = openSqliteStore(join(dir, 'vigil.db'), { crypto });
    const opened = await openDecisionMemory({ dataDir: dir, crypto, env: {}, modelDir: model.dir, warn: (m) => warnings.push(m) });
    assert.ok(opened.memory, opened.unavailable);
    memory = opened.memory;
    deps = { store, workDir: dir, engines: {}, verifiers: {}, retrieval: memory };
  });
  after(async () => {
    await memory?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('both decision stages remember; a new finding gets the closest precedent and stays pending', async () => {
    await store.putArtifact('acme', 'scn_1', 'findings', [sql('f-sql', 'db/users.js'), cmd('f-cmd'), traversal('f-path')]);
    const base = { scanId: 'scn_1', tenant: 'acme', repoKey: '/repos/shop', actor: 'alice' };
    await recordDecisionStage(deps, { ...base, findingId: 'f-sql', fingerprint: 'fp-f-sql', decision: 'reject', comment: 'input is validated by the `requireSchema` middleware' });
    await recordDecisionsStage(deps, { ...base, findings: [['f-cmd', 'fp-f-cmd'], ['f-path', 'fp-f-path']], decision: 'approve', comment: 'real bug, fix it' });
    assert.equal(await memory.vectors.count('acme'), 3);
    // A retried activity writes the same rows again.
    await recordDecisionStage(deps, { ...base, findingId: 'f-sql', fingerprint: 'fp-f-sql', decision: 'reject', comment: 'input is validated by the `requireSchema` middleware' });
    assert.equal(await memory.vectors.count('acme'), 3);

    const next = [sql('g-sql', 'db/orders.js', { title: 'SQL injection: req.params.orderId reaches db.query()' }), traversal('g-path')];
    const shown = await withSimilarDecisions(memory, 'acme', 'scn_2', next);
    const sqlPrecedents = shown[0]!.similarDecisions!;
    assert.equal(sqlPrecedents[0]!.findingId, 'f-sql');
    assert.equal(sqlPrecedents[0]!.scanId, 'scn_1');
    assert.equal(sqlPrecedents[0]!.decision, 'reject');
    assert.equal(sqlPrecedents[0]!.comment, 'input is validated by the `requireSchema` middleware');
    assert.ok(sqlPrecedents[0]!.similarity > 0.7, `similarity ${sqlPrecedents[0]!.similarity}`);
    assert.ok(sqlPrecedents.every((p, i) => i === 0 || p.similarity <= sqlPrecedents[i - 1]!.similarity), 'best first');
    assert.equal(shown[1]!.similarDecisions![0]!.findingId, 'f-path');
    // Precedent decides nothing.
    assert.ok(shown.every((f) => f.status === 'pending' && f.decision === undefined));
    assert.deepEqual(warnings, []);
  });

  test('another tenant never sees these decisions', async () => {
    const shown = await withSimilarDecisions(memory, 'globex', 'scn_9', [sql('h-sql', 'db/users.js')]);
    assert.equal(shown[0]!.similarDecisions, undefined);
  });

  test('empty and 100 KB comments are remembered; a precedent shows a bounded comment', async () => {
    const huge = `validated upstream ${'x'.repeat(100_000)}`;
    await store.putArtifact('initech', 'scn_a', 'findings', [sql('e1', 'db/a.js'), sql('e2', 'db/b.js')]);
    await recordDecisionStage(deps, { scanId: 'scn_a', tenant: 'initech', repoKey: 'r', actor: 'bob', findingId: 'e1', fingerprint: 'fp-e1', decision: 'reject', comment: '' });
    await recordDecisionStage(deps, { scanId: 'scn_a', tenant: 'initech', repoKey: 'r', actor: 'bob', findingId: 'e2', fingerprint: 'fp-e2', decision: 'reject', comment: huge });
    assert.equal(await memory.vectors.count('initech'), 2);
    const [f] = await withSimilarDecisions(memory, 'initech', 'scn_b', [sql('e3', 'db/c.js')]);
    const withComment = f!.similarDecisions!.find((s) => s.findingId === 'e2')!;
    assert.ok(withComment.comment!.length <= 1001 && withComment.comment!.startsWith('validated upstream'));
    assert.equal(f!.similarDecisions!.find((s) => s.findingId === 'e1')!.comment, undefined);
  });

  test('a broken vector store degrades retrieval only: the decision is recorded, the findings come back as they were', async () => {
    const brokenDir = mkdtempSync(join(tmpdir(), 'vigil-decision-memory-broken-'));
    const opened = await openDecisionMemory({ dataDir: brokenDir, crypto, env: {}, warn: (m) => warnings.push(m) });
    const broken = opened.memory!;
    await broken.vectors.close(); // the file is gone from under it
    const brokenDeps = { ...deps, retrieval: broken };
    await store.putArtifact('acme', 'scn_x', 'findings', [sql('x1', 'db/x.js')]);
    await recordDecisionStage(brokenDeps, { scanId: 'scn_x', tenant: 'acme', repoKey: '/repos/x', actor: 'alice', findingId: 'x1', fingerprint: 'fp-x1', decision: 'reject', comment: 'fine' });
    assert.equal((await store.getScanDecisions('acme', 'scn_x')).get('x1')?.decision, 'reject');
    const findings = [sql('x2', 'db/y.js')];
    assert.deepEqual(await withSimilarDecisions(broken, 'acme', 'scn_y', findings), findings);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /could not remember the decision\(s\) of scan scn_x/);
    assert.match(warnings[1]!, /no similar past decisions for scan scn_y/);
    await broken.embedder.close();
    rmSync(brokenDir, { recursive: true, force: true });
  });
});
