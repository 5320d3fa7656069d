// The Turbopuffer store beyond the contract: idempotent retries after a write fails midway, 429/5xx,
// the error body, id paging, namespace delete, key rotation, and no plaintext code or paths at rest.
// The real @turbopuffer/turbopuffer client talks to the local stand-in of the v2 HTTP API.
import Turbopuffer from '@turbopuffer/turbopuffer';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { keyringFromKeys, type Keyring } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import type { SnapshotRecord } from '../../activities/store/store.js';
import { openTurbopufferStore, type TurbopufferStoreOptions } from '../../activities/store/turbopuffer-store.js';
import { startTurbopufferStandin, type TurbopufferStandin } from '../helpers/turbopuffer-standin.js';
import { fakeFinding } from '../helpers/fake-finding.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('turbopuffer store', () => {
  let tp: TurbopufferStandin;
  let n = 0;
  before(async () => {
    tp = await startTurbopufferStandin();
  });
  after(async () => {
    await tp.close();
  });
  const open = (keyring: Keyring, extra: Partial<TurbopufferStoreOptions> = {}, prefix = `t${++n}`) => ({
    prefix,
    store: openTurbopufferStore({ apiKey: tp.apiKey, baseURL: tp.url, prefix, crypto: createStoreCrypto(keyring), ...extra }),
  });
  const blobsOf = (count: number, tag: string) =>
    Array.from({ length: count }, (_, i) => {
      const lines = Array.from({ length: 70 + (i % 5) }, (_, l) => `export const ${tag}_${i}_${l} = ${l};`);
      const content = Buffer.from(lines.join('\n') + '\n');
      return { hash: sha(content), content };
    });

  test('a write that fails midway, retried, loses and duplicates nothing', async () => {
    const { prefix, store } = open(keyringFromKeys([randomBytes(32)]), { maxRetries: 0, writeBatchRows: 8, writeConcurrency: 1 });
    const blobs = blobsOf(30, 'midway'); // 2 chunks each: 60 rows in 8 requests
    tp.inject({ status: 500, on: 'write', after: 3, times: 1 });
    await assert.rejects(store.putBlobs('acme', blobs), /500|internal server error/);
    // What is stored is whole blobs only: a blob's chunks never span two write requests.
    const have = await store.hasBlobs('acme', blobs.map((b) => b.hash));
    assert.ok(have.size > 0 && have.size < blobs.length, `partially written (${have.size}/${blobs.length})`);
    for (const h of have) assert.ok(await store.getBlob('acme', h));
    // The activity's retry writes everything again, with the same ids.
    await store.putBlobs('acme', blobs);
    assert.equal((await store.hasBlobs('acme', blobs.map((b) => b.hash))).size, blobs.length);
    for (const b of blobs) assert.deepEqual(await store.getBlob('acme', b.hash), b.content);
    assert.equal(tp.rowCount(prefix), 60, 'exactly one row per chunk: nothing duplicated');
    await store.putBlobs('acme', blobs);
    assert.equal(tp.rowCount(prefix), 60, 'and a third write is still idempotent');
  });

  test('429 and 5xx are retried by the client (with retry-after-ms) and the write lands once', async () => {
    const { prefix, store } = open(keyringFromKeys([randomBytes(32)]));
    const before = tp.log.length;
    tp.inject({ status: 429, on: 'write', times: 2 });
    tp.inject({ status: 503, on: 'query', times: 1 });
    const blobs = blobsOf(3, 'retry');
    await store.putBlobs('acme', blobs);
    assert.equal((await store.hasBlobs('acme', blobs.map((b) => b.hash))).size, 3);
    const statuses = tp.log.slice(before).map((l) => l.status);
    assert.deepEqual(statuses.filter((s) => s !== 200), [429, 429, 503]);
    assert.equal(tp.rowCount(prefix), 6);
  });

  test('the error body reaches the caller; a missing namespace reads as empty; namespace delete', async () => {
    const client = new Turbopuffer({ apiKey: tp.apiKey, baseURL: tp.url, maxRetries: 0 });
    const ns = client.namespace(`errors${++n}`);
    await ns.write({ upsert_rows: [{ id: 'a', text: 'hello world' }] });
    await assert.rejects(ns.query({ rank_by: ['text', 'BM25', 'hello'], limit: 5 }), (err: unknown) => {
      assert.ok(err instanceof Turbopuffer.BadRequestError);
      assert.match((err as Error).message, /not full-text indexed/);
      return true;
    });
    await assert.rejects(ns.write({ upsert_rows: [{ text: 'no id' } as never] }), /every row needs an `id`/);
    await ns.deleteAll();
    await assert.rejects(ns.query({ limit: 1 }), Turbopuffer.NotFoundError);
    const bad = new Turbopuffer({ apiKey: 'wrong', baseURL: tp.url, maxRetries: 0 });
    await assert.rejects(bad.namespace('x').query({ limit: 1 }), Turbopuffer.AuthenticationError);

    const { store } = open(keyringFromKeys([randomBytes(32)]));
    assert.equal(await store.getBlob('nobody', 'h'), undefined);
    assert.deepEqual(await store.listScans('nobody'), []);
  });

  test('patch, upsert_columns, deletes and delete_by_filter on the stand-in, through the real client', async () => {
    const client = new Turbopuffer({ apiKey: tp.apiKey, baseURL: tp.url, maxRetries: 0 });
    const ns = client.namespace(`ops${++n}`);
    await ns.write({ upsert_columns: { id: ['a', 'b', 'c'], kind: ['x', 'x', 'y'], v: [1, 2, 3] } });
    await ns.write({ patch_rows: [{ id: 'a', v: 10 }, { id: 'zz', v: 0 }], deletes: ['b'] });
    let rows = (await ns.query({ rank_by: ['id', 'asc'], limit: 10, include_attributes: true })).rows ?? [];
    assert.deepEqual(rows.map((r) => [r.id, r.v]), [['a', 10], ['c', 3]]);
    await ns.write({ delete_by_filter: ['kind', 'Eq', 'y'] });
    rows = (await ns.query({ filters: ['v', 'Gte', 0], rank_by: ['id', 'asc'], limit: 10 })).rows ?? [];
    assert.deepEqual(rows.map((r) => r.id), ['a']);
  });

  test('lists longer than one page are read whole (paging by id)', async () => {
    const { store } = open(keyringFromKeys([randomBytes(32)]));
    const entries = Array.from({ length: 1_050 }, (_, i) => ({ fingerprint: `fp${i}`, decision: 'reject' as const, actor: 'a', decidedAt: 'now', scanId: 's' }));
    await Promise.all(entries.map((e, i) => store.recordDecision('acme', '/repo', `f${i}`, e)));
    assert.equal((await store.getLedger('acme', '/repo')).size, 1_050);
    assert.equal((await store.getScanDecisions('acme', 's')).size, 1_050);
  });

  test('rotation: rows under the old key still read, new rows use the new key', async () => {
    const k1 = { id: 'k1', key: randomBytes(32) };
    const k2 = { id: 'k2', key: randomBytes(32) };
    const prefix = `rot${++n}`;
    const old = open(keyringFromKeys([k1]), {}, prefix).store;
    const [a] = blobsOf(1, 'before');
    await old.putBlobs('acme', [a!]);
    await old.putArtifact('acme', 's1', 'findings', [fakeFinding({ id: 'f1' })]);
    // Newest first; the index key (paths, tokens, names) stays the original key, so rows stay findable.
    const rotated = open(keyringFromKeys([k2, k1]), {}, prefix).store;
    assert.deepEqual(await rotated.getBlob('acme', a!.hash), a!.content);
    assert.deepEqual(await rotated.getArtifact('acme', 's1', 'findings'), [fakeFinding({ id: 'f1' })]);
    const [b] = blobsOf(1, 'after');
    await rotated.putBlobs('acme', [b!]);
    const keyIds = new Set<string>();
    for (const [name, ns] of tp.namespaces) if (name.startsWith(prefix)) for (const d of ns.docs.values()) keyIds.add(String(d.key_id));
    assert.deepEqual([...keyIds].sort(), ['k1', 'k2'], 'each row names its key');
    const withoutOld = open(keyringFromKeys([k2, { id: 'k1x', key: k1.key }]), {}, prefix).store;
    await assert.rejects(withoutOld.getBlob('acme', a!.hash), /master key "k1"/);
  });

  test('no plaintext code, paths or repository keys at rest; search still works', async () => {
    const { prefix, store } = open(keyringFromKeys([randomBytes(32)]));
    const code = Buffer.from('function transferFundsSecretly(account) {\n  return ledgerOverride(account);\n}\n');
    const snap: SnapshotRecord = {
      id: 'snap-secret',
      tenant: 'acme',
      repoKey: '/home/alice/projects/payroll-service',
      createdAt: '2026-01-01T00:00:00Z',
      files: [{ path: 'src/confidential/payments.js', hash: sha(code), size: code.length, mode: '100644' }],
      skipped: {},
      bytes: code.length,
    };
    await store.putBlobs('acme', [{ hash: sha(code), content: code }]);
    await store.putSnapshot(snap);
    await store.putRepoTree('acme', { repoKey: snap.repoKey, rootHash: 'r', snapshotId: snap.id, updatedAt: 'now' });
    await store.upsertScan({ scanId: 'scn1', tenant: 'acme', workflowId: 'w', runId: 'r', repoKey: snap.repoKey, source: { kind: 'local', path: snap.repoKey }, requestedBy: 'alice', createdAt: 'now' });
    await store.putArtifact('acme', 'scn1', 'findings', [fakeFinding({ location: { file: 'src/confidential/payments.js', startLine: 2, endLine: 2 }, trace: [{ kind: 'sink', file: 'src/confidential/payments.js', line: 2, label: 'sink', snippet: 'ledgerOverride(account)' }] })]);
    await store.putMerkleNodes('acme', [{ hash: 'root', children: [{ name: 'confidential', hash: 'd1', kind: 'dir' }] }]);
    const stored = tp.dump();
    for (const secret of ['transferFundsSecretly', 'ledgerOverride', 'transferfundssecretly', 'confidential', 'payments', 'payroll-service', 'alice', 'acme']) {
      assert.ok(!stored.includes(secret), `"${secret}" must not be stored in plaintext`);
    }
    for (const name of tp.namespaces.keys()) if (name.startsWith(prefix)) assert.match(name, new RegExp(`^${prefix}-[0-9a-f]{20}(-code|-[0-9a-f]{20})?$`));
    const hits = await store.searchCode('acme', snap.repoKey, undefined, 'ledgerOverride', 5);
    assert.equal(hits[0]?.path, 'src/confidential/payments.js');
    assert.equal(hits[0]?.startLine, 1);
  });
});
