// The behaviour every DecisionVectorStore must have (the embedded SQLite store and Pinecone). Run against each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecisionRecord, DecisionVectorStore } from '../../activities/retrieval/vector-store.js';

export interface OpenedVectorStore {
  store: DecisionVectorStore;
  /** Everything the store has written where it keeps vectors (file bytes, or what the hosted index holds). */
  stored(): Promise<Buffer>;
}

/** A unit vector of `dims` dimensions from its first few components. */
export function unit(dims: number, ...xs: number[]): Float32Array {
  const v = new Float32Array(dims);
  xs.forEach((x, i) => (v[i] = x));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

export function decision(findingId: string, extra: Partial<DecisionRecord> = {}): DecisionRecord {
  return { findingId, scanId: 'scn_1', fingerprint: `fp-${findingId}`, decision: 'reject', ruleId: 'sql-injection', title: 't', decidedAt: '2026-01-01T00:00:00.000Z', ...extra };
}

/** How much of a long comment every store keeps: at least what a finding shows of a precedent. */
const SHOWN_COMMENT_CHARS = 1000;

export function vectorStoreContract(name: string, open: () => Promise<OpenedVectorStore>, opts: { dims: number }) {
  const v = (...xs: number[]) => unit(opts.dims, ...xs);

  test(`${name}: nearest first; an upsert by the same id replaces, never duplicates`, async () => {
    const { store } = await open();
    await store.upsert('t1', 'm', [
      { id: 'a', vector: v(1, 0, 0, 0), record: decision('a', { comment: 'first' }) },
      { id: 'b', vector: v(1, 1, 0, 0), record: decision('b') },
      { id: 'c', vector: v(0, 0, 1, 0), record: decision('c') },
    ]);
    let hits = await store.query('t1', 'm', v(1, 0.1, 0, 0), 2);
    assert.deepEqual(hits.map((h) => h.id), ['a', 'b']);
    assert.equal(hits[0]!.record.comment, 'first');
    assert.deepEqual(hits[1]!.record, decision('b'), 'the record comes back whole');
    assert.ok(hits[0]!.similarity > hits[1]!.similarity);
    await store.upsert('t1', 'm', [{ id: 'a', vector: v(0, 0, 0, 1), record: decision('a', { comment: 'second' }) }]);
    await store.upsert('t1', 'm', [{ id: 'a', vector: v(0, 0, 0, 1), record: decision('a', { comment: 'second' }) }]);
    assert.equal(await store.count('t1'), 3);
    hits = await store.query('t1', 'm', v(0, 0, 0, 1), 1);
    assert.equal(hits[0]!.record.comment, 'second');
    assert.ok(Math.abs(hits[0]!.similarity - 1) < 1e-6);
    assert.deepEqual(await store.query('t1', 'other-model', v(0, 0, 0, 1), 5), [], 'vectors of another model never mix in');
    assert.deepEqual(await store.query('t1', 'm', v(0, 0, 0, 1), 0), []);
    await store.close();
  });

  test(`${name}: filters by class and by repository keep only matching decisions, nearest first`, async () => {
    const { store } = await open();
    await store.upsert('t1', 'm', [
      { id: 's1', vector: v(1, 0, 0), record: decision('s1', { ruleId: 'sql-injection', repository: 'github.com/acme/api' }) },
      { id: 's2', vector: v(1, 0.2, 0), record: decision('s2', { ruleId: 'sql-injection', repository: 'github.com/acme/web' }) },
      { id: 'x1', vector: v(1, 0.1, 0), record: decision('x1', { ruleId: 'xss', repository: 'github.com/acme/api' }) },
      { id: 'n1', vector: v(1, 0.05, 0), record: decision('n1', { ruleId: 'xss' }) },
    ]);
    const ids = async (filter?: { ruleId?: string; repository?: string }) => (await store.query('t1', 'm', v(1, 0, 0), 10, filter)).map((h) => h.id);
    assert.deepEqual(await ids(), ['s1', 'n1', 'x1', 's2']);
    assert.deepEqual(await ids({ ruleId: 'sql-injection' }), ['s1', 's2']);
    assert.deepEqual(await ids({ ruleId: 'xss' }), ['n1', 'x1']);
    assert.deepEqual(await ids({ repository: 'github.com/acme/api' }), ['s1', 'x1']);
    assert.deepEqual(await ids({ ruleId: 'xss', repository: 'github.com/acme/api' }), ['x1']);
    assert.deepEqual(await ids({ ruleId: 'path-traversal' }), []);
    assert.deepEqual(await ids({ repository: 'github.com/acme/API' }), [], 'repository keys compare exactly');
    assert.equal((await store.query('t1', 'm', v(1, 0, 0), 10, { repository: 'github.com/acme/web' }))[0]!.record.repository, 'github.com/acme/web');
    // Another tenant with the same class and repository names: still only its own.
    await store.upsert('t2', 'm', [{ id: 's1', vector: v(1, 0, 0), record: decision('s1', { ruleId: 'sql-injection', repository: 'github.com/acme/api', comment: 't2' }) }]);
    assert.deepEqual((await store.query('t2', 'm', v(1, 0, 0), 10, { ruleId: 'sql-injection', repository: 'github.com/acme/api' })).map((h) => h.record.comment), ['t2']);
    await store.close();
  });

  test(`${name}: tenant isolation: a query never returns another tenant's decision, even an identical vector`, async () => {
    const { store } = await open();
    await store.upsert('acme', 'm', [{ id: 'scn_1:f1', vector: v(1, 2, 3, 4), record: decision('f1', { comment: 'acme secret reasoning' }) }]);
    await store.upsert('globex', 'm', [{ id: 'scn_1:f1', vector: v(4, 3, 2, 1), record: decision('f1', { comment: 'globex note' }) }]);
    const acme = await store.query('acme', 'm', v(4, 3, 2, 1), 10);
    assert.deepEqual(acme.map((h) => h.record.comment), ['acme secret reasoning']);
    const globex = await store.query('globex', 'm', v(1, 2, 3, 4), 10);
    assert.deepEqual(globex.map((h) => h.record.comment), ['globex note']);
    assert.deepEqual(await store.query('initech', 'm', v(1, 2, 3, 4), 10), []);
    // Tenant names that differ only slightly are different tenants.
    assert.deepEqual(await store.query('acme ', 'm', v(1, 2, 3, 4), 10), []);
    assert.deepEqual(await store.query('ACME', 'm', v(1, 2, 3, 4), 10, { ruleId: 'sql-injection' }), []);
    assert.equal(await store.count('acme'), 1, 'the same id in two tenants is two rows');
    assert.equal(await store.count('initech'), 0);
    await store.close();
  });

  test(`${name}: deleteTenant removes every vector of the tenant (any model) and no other's; idempotent`, async () => {
    const { store } = await open();
    await store.upsert('doomed', 'm', [
      { id: 'a', vector: v(1, 0), record: decision('a', { comment: 'gone soon' }) },
      { id: 'b', vector: v(0, 1), record: decision('b') },
    ]);
    await store.upsert('doomed', 'm2', [{ id: 'c', vector: v(1, 1), record: decision('c') }]);
    await store.upsert('kept', 'm', [{ id: 'a', vector: v(1, 0), record: decision('a', { comment: 'still here' }) }]);
    assert.equal(await store.count('doomed'), 3);
    await store.deleteTenant('doomed');
    assert.equal(await store.count('doomed'), 0);
    assert.deepEqual(await store.query('doomed', 'm', v(1, 0), 10), []);
    assert.deepEqual(await store.query('doomed', 'm2', v(1, 1), 10), []);
    assert.deepEqual((await store.query('kept', 'm', v(1, 0), 10)).map((h) => h.record.comment), ['still here']);
    await store.deleteTenant('doomed');
    await store.deleteTenant('never-had-any');
    // The tenant can start again.
    await store.upsert('doomed', 'm', [{ id: 'z', vector: v(1, 0), record: decision('z') }]);
    assert.deepEqual((await store.query('doomed', 'm', v(1, 0), 10)).map((h) => h.id), ['z']);
    await store.close();
  });

  test(`${name}: comments are sealed: what the store writes holds no comment text`, async () => {
    const opened = await open();
    await opened.store.upsert('acme', 'm', [{ id: 'x', vector: v(1), record: decision('x', { comment: 'validated-by-requireSchema-middleware' }) }]);
    assert.equal((await opened.store.query('acme', 'm', v(1), 1))[0]!.record.comment, 'validated-by-requireSchema-middleware');
    await opened.store.close();
    const raw = await opened.stored();
    assert.ok(raw.length > 0);
    assert.ok(!raw.includes('requireSchema'), 'no plaintext comment where vectors are kept');
  });

  test(`${name}: an empty comment, a 100 KB comment and text that was not UTF-8 are stored and read back`, async () => {
    const { store } = await open();
    const long = 'the input is validated upstream; '.repeat(3200).slice(0, 100 * 1024);
    const notUtf8 = Buffer.from([0x66, 0x69, 0x78, 0xff, 0xfe, 0xc3, 0x28, 0x20, 0xe2, 0x82]).toString('utf8'); // replacement characters
    const loneSurrogate = `ok \ud800 then \udfff end`; // not encodable as UTF-8 at all
    await store.upsert('t', 'm', [
      { id: 'empty', vector: v(1, 0, 0, 0), record: decision('empty', { comment: '' }) },
      { id: 'long', vector: v(0, 1, 0, 0), record: decision('long', { comment: long }) },
      { id: 'bytes', vector: v(0, 0, 1, 0), record: decision('bytes', { comment: notUtf8, title: notUtf8, repository: `repo-${notUtf8}` }) },
      { id: 'surrogate', vector: v(0, 0, 0, 1), record: decision('surrogate', { comment: loneSurrogate, repository: loneSurrogate }) },
    ]);
    const one = async (vec: Float32Array, filter?: { repository?: string }) => (await store.query('t', 'm', vec, 1, filter))[0]!;
    assert.equal((await one(v(1, 0, 0, 0))).record.comment, '');
    const back = (await one(v(0, 1, 0, 0))).record.comment!;
    assert.ok(back.startsWith(long.slice(0, SHOWN_COMMENT_CHARS)), 'at least what is shown of a precedent is kept');
    assert.ok(back.length <= long.length + 1);
    const bytes = await one(v(0, 0, 1, 0), { repository: `repo-${notUtf8}` });
    assert.equal(bytes.id, 'bytes');
    assert.deepEqual([bytes.record.comment, bytes.record.title], [notUtf8, notUtf8]);
    const surrogate = await one(v(0, 0, 0, 1), { repository: loneSurrogate });
    assert.equal(surrogate.id, 'surrogate');
    assert.equal(surrogate.record.comment, loneSurrogate);
    assert.equal(await store.count('t'), 4);
    await store.close();
  });
}
