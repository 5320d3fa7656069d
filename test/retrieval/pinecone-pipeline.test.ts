// Decision memory on Pinecone in the scan pipeline, on a real Temporal dev server, a real worker, real SQLite
// and the real Pinecone client against the local stand-in: precedents come back through the hosted index
// (with the repository remembered), and a Pinecone outage (503s, then no server at all) degrades retrieval
// with a warning while scans complete and decisions are recorded.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import type { DecisionMemory } from '../../activities/retrieval/decision-memory.js';
import { openDecisionMemory } from '../../activities/retrieval/open-decision-memory.js';
import { ensureEmbeddingModel } from '../../infra/embedding-model.js';
import { decideManyUpdate, decideUpdate } from '../../workflows/definitions.js';
import { startPineconeStandin, type PineconeStandin } from '../helpers/pinecone-standin.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const approver = { roles: ['approver' as const], actor: 'alice' };
const COMMENT = 'input is validated by the `requireSchema` middleware before it reaches the query';

describe('decision memory on Pinecone in the scan pipeline', () => {
  let h: Harness;
  let pc: PineconeStandin;
  let memory: DecisionMemory;
  const warnings: string[] = [];
  before(async () => {
    const model = await ensureEmbeddingModel();
    pc = await startPineconeStandin({ dimension: 384 });
    h = await createHarness('retrieval-pinecone');
    const env = { VIGIL_VECTOR_STORE: 'pinecone', PINECONE_API_KEY: pc.apiKey, VIGIL_PINECONE_INDEX_HOST: pc.url };
    const opened = await openDecisionMemory({ dataDir: h.dir, crypto: createStoreCrypto(h.keyring), env, modelDir: model.dir, warn: (m) => warnings.push(m) });
    assert.ok(opened.memory, opened.unavailable);
    memory = opened.memory;
    await h.startWorker({ retrieval: memory });
  });
  after(async () => {
    await h?.close();
    await memory?.close();
    await pc?.close();
  });

  test('precedents come back through the Pinecone index; nothing in it names the tenant, repository or comment', async () => {
    const first = scanInput(h, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir));
    const h1 = await startScan(h, first);
    await waitForStage(h1, ['awaiting_decisions']);
    const found = (await h.store.getArtifact('default', first.scanId, 'findings'))!;
    const sql = found.find((f) => f.ruleId === 'sql-injection')!;
    await h1.executeUpdate(decideUpdate, { args: [{ findingId: sql.id, decision: 'reject', tenant: 'default', ...approver, comment: COMMENT }] });
    assert.equal(await memory.vectors.count('default'), 1);
    const remembered = await memory.vectors.query('default', memory.embedder.model, (await memory.embedder.embed(['sql']))[0]!, 1, { repository: first.repoKey });
    assert.equal(remembered[0]?.record.findingId, sql.id, 'the decision remembers its repository: a filter by it finds it');
    assert.deepEqual(await memory.vectors.query('default', memory.embedder.model, (await memory.embedder.embed(['sql']))[0]!, 1, { repository: 'elsewhere' }), []);
    const stored = pc.dump();
    for (const secret of ['requireSchema', 'default', first.repoKey, 'sql-injection']) assert.ok(!stored.includes(secret), `"${secret}" not in the index`);

    const second = scanInput(h, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir));
    await waitForStage(await startScan(h, second), ['awaiting_decisions']);
    const sql2 = (await h.store.getArtifact('default', second.scanId, 'findings'))!.find((f) => f.ruleId === 'sql-injection')!;
    assert.equal(sql2.status, 'pending');
    assert.deepEqual({ findingId: sql2.similarDecisions?.[0]?.findingId, comment: sql2.similarDecisions?.[0]?.comment }, { findingId: sql.id, comment: COMMENT });
    assert.deepEqual(warnings, []);
  });

  test('a Pinecone outage degrades retrieval with a warning; scans complete and decisions are recorded', async () => {
    pc.outage(true);
    try {
      const input = scanInput(h, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir));
      const handle = await startScan(h, input);
      await waitForStage(handle, ['awaiting_decisions']);
      const found = (await h.store.getArtifact('default', input.scanId, 'findings'))!;
      assert.ok(found.length > 0);
      assert.ok(found.every((f) => f.similarDecisions === undefined), 'no precedents while Pinecone is down');
      assert.ok(warnings.some((w) => /no similar past decisions for scan .*Pinecone at .* did not answer after 4 attempts \(HTTP 503/.test(w)), warnings.join('\n'));
      // A decision during the outage: recorded in the ledger, only its remembering fails (a warning).
      await handle.executeUpdate(decideManyUpdate, { args: [{ findingIds: found.map((f) => f.id), decision: 'reject', tenant: 'default', ...approver, comment: 'during the outage' }] });
      await waitForStage(handle, ['completed']);
      assert.ok(warnings.some((w) => w.startsWith(`decision memory: could not remember the decision(s) of scan ${input.scanId}`)));
      const ledger = await h.store.getLedger('default', input.repoKey);
      assert.equal([...ledger.values()].filter((e) => e.scanId === input.scanId).length, found.length);
      assert.ok(!warnings.join('\n').includes(pc.apiKey), 'the API key is never in a warning');
    } finally {
      pc.outage(false);
    }
  });

  test('with no Pinecone server at all, a scan still completes its analysis', async () => {
    await pc.close();
    const before = warnings.length;
    const input = scanInput(h, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir));
    await waitForStage(await startScan(h, input), ['awaiting_decisions']);
    const found = (await h.store.getArtifact('default', input.scanId, 'findings'))!;
    assert.ok(found.length > 0 && found.every((f) => f.similarDecisions === undefined));
    assert.ok(warnings.slice(before).some((w) => /could not connect \(ECONNREFUSED\)/.test(w)), warnings.slice(before).join('\n'));
  });
});
