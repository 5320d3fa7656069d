// The embedded vector store: idempotent upserts, nearest first, one tenant's vectors only, sealed comments,
// and a second connection's writes seen by the first.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { openSqliteVectorStore, type DecisionRecord } from '../../activities/retrieval/vector-store.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-vectors-'));
const crypto = createStoreCrypto(keyringFromKeys([Buffer.alloc(32, 3)]));

function unit(...xs: number[]): Float32Array {
  const v = new Float32Array(4);
  xs.forEach((x, i) => (v[i] = x));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
function record(findingId: string, comment?: string): DecisionRecord {
  return { findingId, scanId: 'scn_1', fingerprint: `fp-${findingId}`, decision: 'reject', ruleId: 'sql-injection', title: 't', decidedAt: '2026-01-01T00:00:00.000Z', ...(comment ? { comment } : {}) };
}

describe('embedded vector store', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('nearest first; an upsert by the same id replaces, never duplicates', async () => {
    const store = openSqliteVectorStore(join(dir, 'a.db'), { crypto });
    await store.upsert('t1', 'm', [
      { id: 'a', vector: unit(1, 0, 0, 0), record: record('a', 'first') },
      { id: 'b', vector: unit(1, 1, 0, 0), record: record('b') },
      { id: 'c', vector: unit(0, 0, 1, 0), record: record('c') },
    ]);
    let hits = await store.query('t1', 'm', unit(1, 0.1, 0, 0), 2);
    assert.deepEqual(hits.map((h) => h.id), ['a', 'b']);
    assert.equal(hits[0]!.record.comment, 'first');
    assert.ok(hits[0]!.similarity > hits[1]!.similarity);
    await store.upsert('t1', 'm', [{ id: 'a', vector: unit(0, 0, 0, 1), record: record('a', 'second') }]);
    await store.upsert('t1', 'm', [{ id: 'a', vector: unit(0, 0, 0, 1), record: record('a', 'second') }]);
    assert.equal(await store.count('t1'), 3);
    hits = await store.query('t1', 'm', unit(0, 0, 0, 1), 1);
    assert.equal(hits[0]!.record.comment, 'second');
    assert.ok(Math.abs(hits[0]!.similarity - 1) < 1e-6);
    assert.deepEqual(await store.query('t1', 'other-model', unit(0, 0, 0, 1), 5), [], 'vectors of another model never mix in');
    await store.close();
  });

  test('tenant isolation: a query never returns another tenant\'s decision, even an identical vector', async () => {
    const store = openSqliteVectorStore(join(dir, 'b.db'), { crypto });
    await store.upsert('acme', 'm', [{ id: 'scn_1:f1', vector: unit(1, 2, 3, 4), record: record('f1', 'acme secret reasoning') }]);
    await store.upsert('globex', 'm', [{ id: 'scn_1:f1', vector: unit(4, 3, 2, 1), record: record('f1', 'globex note') }]);
    const acme = await store.query('acme', 'm', unit(4, 3, 2, 1), 10);
    assert.deepEqual(acme.map((h) => h.record.comment), ['acme secret reasoning']);
    const globex = await store.query('globex', 'm', unit(1, 2, 3, 4), 10);
    assert.deepEqual(globex.map((h) => h.record.comment), ['globex note']);
    assert.deepEqual(await store.query('initech', 'm', unit(1, 2, 3, 4), 10), []);
    assert.equal(await store.count('acme'), 1, 'the same id in two tenants is two rows');
    await store.close();
  });

  test('comments are sealed with the tenant\'s key: the file holds no comment text', async () => {
    const file = join(dir, 'c.db');
    const store = openSqliteVectorStore(file, { crypto });
    await store.upsert('acme', 'm', [{ id: 'x', vector: unit(1), record: record('x', 'validated-by-requireSchema-middleware') }]);
    await store.close();
    const raw = Buffer.concat([readFileSync(file), ...['-wal'].map((s) => { try { return readFileSync(file + s); } catch { return Buffer.alloc(0); } })]);
    assert.ok(!raw.includes('requireSchema'), 'no plaintext comment on disk');
    const reopened = openSqliteVectorStore(file, { crypto });
    assert.equal((await reopened.query('acme', 'm', unit(1), 1))[0]!.record.comment, 'validated-by-requireSchema-middleware');
    await reopened.close();
    // Another tenant's key cannot open it (the envelope is bound to the tenant).
    const wrong = openSqliteVectorStore(file, { crypto: { forTenant: () => crypto.forTenant('other') } });
    await assert.rejects(wrong.query('acme', 'm', unit(1), 1));
    await wrong.close();
  });

  test('a write by another connection (another process) is seen by the next query', async () => {
    const file = join(dir, 'd.db');
    const reader = openSqliteVectorStore(file, { crypto });
    const writer = openSqliteVectorStore(file, { crypto });
    await writer.upsert('t', 'm', [{ id: 'one', vector: unit(1, 0), record: record('one') }]);
    assert.equal((await reader.query('t', 'm', unit(0, 1), 5)).length, 1);
    await writer.upsert('t', 'm', [{ id: 'two', vector: unit(0, 1), record: record('two') }]);
    assert.deepEqual((await reader.query('t', 'm', unit(0, 1), 5)).map((h) => h.id), ['two', 'one']);
    await reader.close();
    await writer.close();
  });
});
