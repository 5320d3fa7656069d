// Deleting a tenant's decision vectors from the embedded vector store: its rows and its cached matrix go, in
// this connection and another's; other tenants keep theirs; deleting twice (or an unknown tenant) is fine.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { openSqliteVectorStore, type DecisionRecord } from '../../activities/retrieval/vector-store.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-vectors-deletion-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const crypto = createStoreCrypto(keyringFromKeys([Buffer.alloc(32, 5)]));

const record = (findingId: string): DecisionRecord => ({
  findingId, scanId: 'scn_1', fingerprint: `fp-${findingId}`, decision: 'approve', ruleId: 'xss', title: 't', decidedAt: '2026-01-01T00:00:00.000Z', comment: 'escape it',
});
const v = (...xs: number[]) => Float32Array.from(xs);

test("deleteTenant removes one tenant's vectors, seen by every connection, and nothing else", async () => {
  const file = join(dir, 'vectors.db');
  const a = openSqliteVectorStore(file, { crypto });
  const b = openSqliteVectorStore(file, { crypto });
  await a.upsert('acme', 'm', [{ id: 'x', vector: v(1, 0), record: record('x') }, { id: 'y', vector: v(0, 1), record: record('y') }]);
  await a.upsert('acme', 'other-model', [{ id: 'z', vector: v(1, 0, 0), record: record('z') }]);
  await a.upsert('globex', 'm', [{ id: 'x', vector: v(1, 0), record: record('x') }]);
  // Both connections have acme's matrix cached before the deletion.
  assert.equal((await a.query('acme', 'm', v(1, 0), 5)).length, 2);
  assert.equal((await b.query('acme', 'm', v(1, 0), 5)).length, 2);

  await a.deleteTenant('acme');
  assert.equal(await a.count('acme'), 0, 'every model');
  assert.deepEqual(await a.query('acme', 'm', v(1, 0), 5), [], 'no stale cached matrix here');
  assert.deepEqual(await b.query('acme', 'm', v(1, 0), 5), [], 'nor in another connection');
  assert.equal(await b.count('globex'), 1);
  assert.equal((await b.query('globex', 'm', v(1, 0), 5))[0]?.record.comment, 'escape it');

  await a.deleteTenant('acme');
  await a.deleteTenant('never-seen');
  assert.equal(await a.count('globex'), 1);
  await a.close();
  await b.close();
});
