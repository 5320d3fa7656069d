// The embedded vector store: the shared contract (idempotent upserts, nearest first, filters, one tenant's
// vectors only, deleteTenant, sealed comments, bad text), then what is its own: the file on disk holds no
// comment and another tenant's key cannot open it, a second connection's writes are seen by the first, and a
// file written before the filter columns existed gains them.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { openSqliteVectorStore, type DecisionRecord } from '../../activities/retrieval/vector-store.js';
import { openPrivateSqlite } from '../../activities/store/open-sqlite.js';
import { vectorStoreContract } from '../helpers/vector-store-contract.js';

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

function fileBytes(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].map((f) => { try { return readFileSync(f); } catch { return Buffer.alloc(0); } }));
}

describe('embedded vector store: the vector store contract', () => {
  let n = 0;
  vectorStoreContract(
    'sqlite',
    async () => {
      const file = join(dir, `contract-${++n}.db`);
      return { store: openSqliteVectorStore(file, { crypto }), stored: async () => fileBytes(file) };
    },
    { dims: 8 },
  );
});

describe('embedded vector store', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a file written before the filter columns gains them; its rows are still found, unfiltered', async () => {
    const file = join(dir, 'old.db');
    const db = openPrivateSqlite(file);
    db.exec(`CREATE TABLE decision_vectors (tenant TEXT NOT NULL, id TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL, body BLOB NOT NULL,
      PRIMARY KEY (tenant, id)) WITHOUT ROWID`);
    const vec = unit(1, 0);
    db.prepare('INSERT INTO decision_vectors VALUES (?, ?, ?, ?, ?)').run('t', 'old', 'm', Buffer.from(vec.buffer), JSON.stringify(record('old', 'from before')));
    db.close();
    const store = openSqliteVectorStore(file, { crypto });
    await store.upsert('t', 'm', [{ id: 'new', vector: unit(1, 0.1), record: { ...record('new'), repository: 'r' } }]);
    assert.deepEqual((await store.query('t', 'm', unit(1, 0), 5)).map((h) => h.record.comment ?? h.id), ['from before', 'new']);
    assert.deepEqual((await store.query('t', 'm', unit(1, 0), 5, { repository: 'r' })).map((h) => h.id), ['new']);
    await store.close();
  });

  test('comments are sealed with the tenant\'s key: the file holds no comment text', async () => {
    const file = join(dir, 'c.db');
    const store = openSqliteVectorStore(file, { crypto });
    await store.upsert('acme', 'm', [{ id: 'x', vector: unit(1), record: record('x', 'validated-by-requireSchema-middleware') }]);
    await store.close();
    const raw = fileBytes(file);
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
