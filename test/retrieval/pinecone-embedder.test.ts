// The hosted embedder (VIGIL_EMBEDDER=pinecone) through the real client's inference.embed, against the
// stand-in's /embed served by a real model (the provisioned MiniLM, run locally): the vectors are that model's,
// batches respect the API's limit, decision memory works end to end on Pinecone with no local model
// configured, vectors of another model never come back, and errors say what to set.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { rememberDecisions, similarDecisions } from '../../activities/retrieval/decision-memory.js';
import { cosine, openLocalEmbedder, type Embedder } from '../../activities/retrieval/embedder.js';
import { openDecisionMemory } from '../../activities/retrieval/open-decision-memory.js';
import { PineconeDownError } from '../../activities/retrieval/pinecone-http.js';
import { openPineconeEmbedder } from '../../activities/retrieval/pinecone-embedder.js';
import { ensureEmbeddingModel } from '../../infra/embedding-model.js';
import { fakeFinding } from '../helpers/fake-finding.js';
import { startPineconeStandin, type PineconeStandin } from '../helpers/pinecone-standin.js';

const HOSTED = 'all-MiniLM-L6-v2';

describe('hosted embedder: Pinecone inference', () => {
  let local: Embedder;
  let pc: PineconeStandin;
  before(async () => {
    local = await openLocalEmbedder(await ensureEmbeddingModel());
    pc = await startPineconeStandin({ dimension: 384, embedModels: { [HOSTED]: local } });
  });
  after(async () => {
    await pc?.close();
    await local?.close();
  });
  const hosted = (extra: { model?: string; dimensions?: number } = {}) =>
    openPineconeEmbedder({ apiKey: pc.apiKey, apiHost: pc.url, model: HOSTED, dimensions: 384, retries: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, ...extra });

  test("the vectors are the served model's, unit length, in order; batches of at most 96; bad text is embedded too", async () => {
    const e = hosted();
    assert.equal(e.model, `pinecone/${HOSTED}`, 'named apart from the local model: the store never mixes them');
    assert.notEqual(e.model, local.model);
    const texts = Array.from({ length: 100 }, (_, i) => `SQL injection ${i}: req.query.id reaches db.query()`);
    texts.push('', `lone \ud800 surrogate`, Buffer.from([0xff, 0xfe, 0x41]).toString('utf8'), 'x'.repeat(100 * 1024));
    const from = pc.log.length;
    const got = await e.embed(texts);
    assert.deepEqual(pc.log.slice(from).map((l) => l.path), ['/embed', '/embed']);
    const want = await local.embed(texts.map((t) => (t === '' ? ' ' : t)));
    assert.equal(got.length, texts.length);
    for (const [i, v] of got.entries()) {
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
      assert.ok(cosine(v, want[i]!) > 0.9999, `text ${i} is the served model's vector`);
    }
    assert.ok(cosine(got[0]!, got[1]!) > cosine(got[0]!, got[101]!), 'similar texts are nearer');
  });

  test('decision memory on Pinecone with the hosted embedder needs no local model; another model\'s vectors never come back', async () => {
    const crypto = createStoreCrypto(keyringFromKeys([randomBytes(32)]));
    const env = { VIGIL_EMBEDDER: 'pinecone', VIGIL_PINECONE_EMBED_MODEL: HOSTED, VIGIL_PINECONE_EMBED_DIMENSIONS: '384', VIGIL_PINECONE_API_HOST: pc.url, VIGIL_VECTOR_STORE: 'pinecone', PINECONE_API_KEY: pc.apiKey, VIGIL_PINECONE_INDEX_HOST: pc.url };
    const warnings: string[] = [];
    const opened = await openDecisionMemory({ dataDir: '/nonexistent', crypto, env, modelDir: '/nonexistent/model', warn: (m) => warnings.push(m) });
    assert.ok(opened.memory, opened.unavailable);
    const memory = opened.memory;
    assert.equal(memory.embedder.model, `pinecone/${HOSTED}`);
    const f = (id: string, title: string) => fakeFinding({ id, fingerprint: `fp-${id}`, ruleId: 'sql-injection', cwe: 'CWE-89', title, explanation: 'The id from the query string is concatenated into SQL.', location: { file: 'routes/users.js', startLine: 6, endLine: 6 } });
    await rememberDecisions(memory, 'acme', [{ finding: f('f1', 'SQL injection: req.query.id reaches db.query()'), scanId: 'scn_a', repository: 'acme/api', decision: 'reject', comment: 'validated by requireSchema', decidedAt: '2026-01-01T00:00:00.000Z' }]);
    // The local model's vector of the very same text, stored under its own model name (same dimension).
    const [localVec] = await local.embed(['SQL injection: req.query.id reaches db.query()']);
    await memory.vectors.upsert('acme', local.model, [{ id: 'local-one', vector: localVec!, record: { findingId: 'local', scanId: 'scn_l', fingerprint: 'l', decision: 'approve', ruleId: 'sql-injection', title: 't', decidedAt: '2026-01-01T00:00:00.000Z' } }]);
    const similar = await similarDecisions(memory, 'acme', 'scn_b', [f('f2', 'SQL injection: req.params.id reaches db.query()')]);
    assert.deepEqual(similar.get('f2')?.map((s) => [s.findingId, s.comment]), [['f1', 'validated by requireSchema']], 'only the hosted model\'s vectors');
    assert.equal((await similarDecisions(memory, 'globex', 'scn_b', [f('f2', 'SQL injection: req.params.id reaches db.query()')])).size, 0);
    await memory.close();
    assert.deepEqual(warnings, []);
  });

  test('errors: an unknown model, the wrong dimension, 429s retried, and configuration that cannot work', async () => {
    await assert.rejects(hosted({ model: 'multilingual-e5-large' }).embed(['x']), /refused the request to embed texts with multilingual-e5-large \(HTTP 400\/403\): Model 'multilingual-e5-large' not found\. .*Check VIGIL_PINECONE_EMBED_MODEL names a model Pinecone hosts/);
    await assert.rejects(hosted({ dimensions: 1024 }).embed(['x']), /returned 384-dimension embeddings, not 1024: set VIGIL_PINECONE_EMBED_DIMENSIONS/);
    pc.inject({ status: 429, on: 'embed', times: 2 });
    assert.equal((await hosted().embed(['x'])).length, 1);
    pc.inject({ status: 503, on: 'embed', times: 3 });
    await assert.rejects(hosted().embed(['x']), PineconeDownError);
    pc.clearFaults();
    const open = (env: Record<string, string>) => openDecisionMemory({ dataDir: '/nonexistent', env: { VIGIL_EMBEDDER: 'pinecone', ...env } });
    await assert.rejects(open({}), /VIGIL_EMBEDDER=pinecone needs PINECONE_API_KEY/);
    await assert.rejects(open({ PINECONE_API_KEY: 'k', VIGIL_PINECONE_EMBED_MODEL: 'my-model' }), /with model my-model needs VIGIL_PINECONE_EMBED_DIMENSIONS/);
    await assert.rejects(openDecisionMemory({ dataDir: '/nonexistent', env: { VIGIL_EMBEDDER: 'openai' } }), /VIGIL_EMBEDDER=openai is not an embedder Vigil knows/);
    // The default model's dimension is known: with the default (SQLite) store, this opens.
    const ok = await open({ PINECONE_API_KEY: 'k', VIGIL_VECTOR_FILE: ':memory:' });
    assert.equal(ok.memory?.embedder.dimensions, 1024);
    await ok.memory?.close();
  });
});
