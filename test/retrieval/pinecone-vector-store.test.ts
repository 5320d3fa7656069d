// The Pinecone vector store through the real @pinecone-database/pinecone client, on the local stand-in of
// Pinecone's data plane: the shared vector store contract, then what is Pinecone's own: namespace names and
// metadata reveal no tenant, comment, class or repository; queries go to the asking tenant's namespace only;
// 429/5xx are retried (bounded), an outage fails clearly, 4xx say what to do and never carry the API key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { Pinecone } from '@pinecone-database/pinecone';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto, type StoreCrypto } from '../../activities/crypto/seal.js';
import { PineconeDownError } from '../../activities/retrieval/pinecone-http.js';
import { openPineconeVectorStore } from '../../activities/retrieval/pinecone-vector-store.js';
import { openVectorStore } from '../../activities/retrieval/open-vector-store.js';
import { startPineconeStandin, type PineconeStandin } from '../helpers/pinecone-standin.js';
import { decision, unit, vectorStoreContract } from '../helpers/vector-store-contract.js';

const DIMS = 8;
const v = (...xs: number[]) => unit(DIMS, ...xs);
const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

let pc: PineconeStandin;
before(async () => {
  pc = await startPineconeStandin({ dimension: DIMS });
});
after(async () => {
  await pc.close();
});

const freshCrypto = () => createStoreCrypto(keyringFromKeys([randomBytes(32)]));
const open = (crypto: StoreCrypto = freshCrypto(), opts: { apiKey?: string; host?: string } = {}) =>
  openPineconeVectorStore({ apiKey: opts.apiKey ?? pc.apiKey, indexHost: opts.host ?? pc.url, crypto, retries: fast });

describe('pinecone vector store: the vector store contract', () => {
  // A fresh keyring per store: its tenants' namespaces are new, as if the index were empty.
  vectorStoreContract('pinecone', async () => ({ store: open(), stored: async () => Buffer.from(pc.dump()) }), { dims: DIMS });
});

describe('pinecone vector store', () => {
  afterEach(() => pc.clearFaults());
  test('namespace names and stored metadata reveal no tenant, comment, class or repository', async () => {
    const crypto = freshCrypto();
    const store = open(crypto);
    const before = new Set(pc.namespaces.keys());
    await store.upsert('acme-corp', 'm', [
      { id: 'scn_1:f1', vector: v(1, 2), record: decision('f1', { comment: 'acme: input validated by requireSchema', ruleId: 'sql-injection', repository: 'github.com/acme-corp/payments', title: 'SQL built from request' }) },
    ]);
    await store.upsert('globex', 'm', [{ id: 'scn_1:f1', vector: v(2, 1), record: decision('f1', { comment: 'globex note', repository: 'github.com/globex/site' }) }]);
    const added = [...pc.namespaces.keys()].filter((n) => !before.has(n));
    assert.equal(added.length, 2, 'one namespace per tenant');
    for (const n of added) assert.match(n, /^t[0-9a-f]{32}$/);
    const stored = JSON.stringify(added.map((n) => [n, [...pc.namespaces.get(n)!.values()].map((x) => x.metadata)]));
    for (const secret of ['acme', 'globex', 'requireSchema', 'sql-injection', 'payments', 'github.com', 'SQL built', 'fp-f1']) {
      assert.ok(!stored.includes(secret), `"${secret}" is not stored in clear`);
    }
    // A body opens only with its own tenant's key (the envelope is bound to tenant and id).
    const acmeNs = added.find((n) => pc.namespaces.get(n)!.get('scn_1:f1')!.values[0]! < 0.5)!;
    const body = Buffer.from(String(pc.namespaces.get(acmeNs)!.get('scn_1:f1')!.metadata!.body), 'base64');
    assert.equal(crypto.forTenant('acme-corp').openJson<{ comment: string }>(body, 'decision-vector:scn_1:f1').comment, 'acme: input validated by requireSchema');
    assert.throws(() => crypto.forTenant('globex').openJson(body, 'decision-vector:scn_1:f1'));
    // Another keyring (another deployment on the same index) names other namespaces.
    await open().upsert('acme-corp', 'm', [{ id: 'x', vector: v(1), record: decision('x') }]);
    assert.equal(pc.namespaces.size, before.size + 3);
  });

  test("a tenant trying to read another tenant's vectors gets nothing, and every request goes to its own namespace", async () => {
    const crypto = freshCrypto();
    const store = open(crypto);
    await store.upsert('victim', 'm', [{ id: 'scn_9:f9', vector: v(0.3, 0.1, 0.9), record: decision('f9', { comment: 'victim secret', repository: 'victim/repo' }) }]);
    const from = pc.log.length;
    // The attacker knows the victim's exact vector, id, class and repository.
    assert.deepEqual(await store.query('attacker', 'm', v(0.3, 0.1, 0.9), 100), []);
    assert.deepEqual(await store.query('attacker', 'm', v(0.3, 0.1, 0.9), 100, { ruleId: 'sql-injection', repository: 'victim/repo' }), []);
    assert.equal(await store.count('attacker'), 0);
    const queried = pc.log.slice(from).filter((l) => l.path === '/query').map((l) => l.namespace);
    assert.equal(queried.length, 2);
    const victimNs = [...pc.namespaces].find(([, s]) => s.has('scn_9:f9'))![0];
    assert.ok(queried.every((n) => n !== victimNs), 'no query is sent to the victim namespace');
    assert.equal((await store.query('victim', 'm', v(0.3, 0.1, 0.9), 1))[0]!.record.comment, 'victim secret');
  });

  test('upserts of more than one request are batched; a retried upsert writes the same rows', async () => {
    const store = open();
    const items = Array.from({ length: 250 }, (_, i) => ({ id: `scn_1:f${i}`, vector: v(1, i / 250), record: decision(`f${i}`) }));
    const from = pc.log.length;
    await store.upsert('big', 'm', items);
    assert.equal(pc.log.slice(from).filter((l) => l.path === '/vectors/upsert').length, 3);
    pc.inject({ status: 503, on: 'upsert', after: 1 }); // the second batch fails once, midway
    await store.upsert('big', 'm', items);
    assert.equal(await store.count('big'), 250);
    // 100 decisions with 100 KB comments: each request stays under Pinecone's 2 MB.
    const long = items.slice(0, 100).map((it, i) => ({ ...it, record: { ...it.record, comment: `${i} `.padEnd(100 * 1024, 'long comment ') } }));
    await store.upsert('big', 'm', long);
    assert.ok(pc.log.filter((l) => l.path === '/vectors/upsert').every((l) => l.status === 200 || l.status === 503));
    assert.match((await store.query('big', 'm', v(1, 0), 1))[0]!.record.comment!, /^0 long comment/);
  });

  test('429 and 5xx are retried with backoff, up to the bound', async () => {
    const store = open();
    await store.upsert('r', 'm', [{ id: 'a', vector: v(1), record: decision('a') }]);
    pc.inject({ status: 429, on: 'query', times: 2 });
    let from = pc.log.length;
    assert.equal((await store.query('r', 'm', v(1), 1))[0]!.id, 'a');
    assert.deepEqual(pc.log.slice(from).map((l) => l.status), [429, 429, 200]);
    pc.inject({ status: 500, on: 'namespaces' });
    from = pc.log.length;
    assert.equal(await store.count('r'), 1);
    assert.deepEqual(pc.log.slice(from).map((l) => l.status), [500, 200]);
    pc.inject({ status: 503, on: 'query', times: Infinity });
    from = pc.log.length;
    await assert.rejects(store.query('r', 'm', v(1), 1), (err: Error) => {
      assert.ok(err instanceof PineconeDownError, err.message);
      assert.match(err.message, /did not answer after 3 attempts \(HTTP 503: Internal error \(injected\)\)/);
      return true;
    });
    assert.equal(pc.log.length - from, 3, 'bounded: three attempts, then the error');
    pc.clearFaults();
  });

  test('an outage and a closed server fail with PineconeDownError, never the API key', async () => {
    const store = open(freshCrypto(), { apiKey: pc.apiKey });
    pc.outage(true);
    await assert.rejects(store.query('t', 'm', v(1), 1), (err: Error) => err instanceof PineconeDownError && !err.message.includes(pc.apiKey));
    pc.outage(false);
    const closed = await startPineconeStandin({ dimension: DIMS });
    const host = closed.url;
    await closed.close();
    const gone = open(freshCrypto(), { host });
    await assert.rejects(gone.count('t'), (err: Error) => {
      assert.ok(err instanceof PineconeDownError);
      assert.match(err.message, /could not connect \(ECONNREFUSED\)/);
      return true;
    });
  });

  test('4xx are not retried and say what to do', async () => {
    const from = pc.log.length;
    await assert.rejects(open(freshCrypto(), { apiKey: 'pcsk_wrong_key_123' }).query('t', 'm', v(1), 1), (err: Error) => {
      assert.match(err.message, /refused the API key.*check PINECONE_API_KEY/);
      assert.ok(!err.message.includes('pcsk_wrong_key_123') && !err.message.includes(pc.apiKey));
      return true;
    });
    assert.equal(pc.log.length - from, 1, 'a 401 is not retried');
    await assert.rejects(open().upsert('t', 'm', [{ id: 'a', vector: unit(3, 1), record: decision('a') }]), /Vector dimension 3 does not match the dimension of the index 8.*dimension matches the embedding model/);
  });
});

describe('pinecone stand-in: the data plane as the real client calls it', () => {
  test('fetch, list with pagination, delete by ids and by filter, stats, namespaces, $in and $or filters', async () => {
    const client = new Pinecone({ apiKey: pc.apiKey, maxRetries: 0 });
    const index = client.index<{ kind: string; n: number }>({ host: pc.url, namespace: 'standin-fidelity' });
    await index.upsert({ records: Array.from({ length: 7 }, (_, i) => ({ id: `doc#${i}`, values: Array.from(v(1, i)), metadata: { kind: i % 2 ? 'odd' : 'even', n: i } })) });
    const fetched = await index.fetch({ ids: ['doc#1', 'doc#6', 'missing'] });
    assert.deepEqual(Object.keys(fetched.records).sort(), ['doc#1', 'doc#6']);
    assert.deepEqual(fetched.records['doc#1']!.metadata, { kind: 'odd', n: 1 });
    const page1 = await index.listPaginated({ prefix: 'doc#', limit: 4 });
    assert.deepEqual(page1.vectors!.map((x) => x.id), ['doc#0', 'doc#1', 'doc#2', 'doc#3']);
    const page2 = await index.listPaginated({ prefix: 'doc#', limit: 4, paginationToken: page1.pagination!.next });
    assert.deepEqual(page2.vectors!.map((x) => x.id), ['doc#4', 'doc#5', 'doc#6']);
    assert.equal(page2.pagination, undefined);
    const q = await index.query({ vector: Array.from(v(1, 0)), topK: 10, filter: { $or: [{ n: { $in: [1, 2] } }, { kind: 'even', n: { $gte: 6 } }] }, includeMetadata: true });
    assert.deepEqual(q.matches.map((m) => m.id).sort(), ['doc#1', 'doc#2', 'doc#6']);
    assert.ok(q.matches.every((m) => m.score! > 0 && m.score! <= 1));
    await index.deleteMany({ ids: ['doc#0'] });
    await index.deleteMany({ filter: { kind: { $eq: 'odd' } } });
    assert.equal((await index.describeIndexStats()).namespaces!['standin-fidelity']!.recordCount, 3);
    const listed = await index.listNamespaces();
    assert.ok(listed.namespaces!.some((n) => n.name === 'standin-fidelity' && n.recordCount === 3));
    await index.deleteNamespace('standin-fidelity');
    await assert.rejects(index.describeNamespace('standin-fidelity'), { name: 'PineconeNotFoundError' });
    await assert.rejects(index.deleteAll(), { name: 'PineconeNotFoundError' });
  });
});

describe('vector store configuration', () => {
  const base = { dataDir: '/nonexistent', crypto: freshCrypto(), dimensions: DIMS };
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);

  test('VIGIL_VECTOR_STORE: unknown values and a half-configured Pinecone are refused with what to set', () => {
    assert.throws(() => openVectorStore({ ...base, warn, env: { VIGIL_VECTOR_STORE: 'lancedb' } }), /VIGIL_VECTOR_STORE=lancedb is not a vector store Vigil knows; use "sqlite" \(the default\) or "pinecone"/);
    assert.throws(() => openVectorStore({ ...base, warn, env: { VIGIL_VECTOR_STORE: 'pinecone' } }), /needs PINECONE_API_KEY and VIGIL_PINECONE_INDEX_HOST/);
    assert.throws(() => openVectorStore({ ...base, warn, env: { VIGIL_VECTOR_STORE: 'pinecone', PINECONE_API_KEY: 'pcsk_secret_value' } }), (err: Error) => /needs VIGIL_PINECONE_INDEX_HOST/.test(err.message) && !err.message.includes('pcsk_secret_value'));
    assert.throws(() => openVectorStore({ ...base, crypto: undefined, warn, env: { VIGIL_VECTOR_STORE: 'pinecone', PINECONE_API_KEY: 'k', VIGIL_PINECONE_INDEX_HOST: pc.url } }), /needs the store keyring/);
  });

  test('at start, an index of another dimension or a refused key is said once, without the key; the store still opens', async () => {
    warnings.length = 0;
    const wrongDims = openVectorStore({ ...base, dimensions: 384, warn, env: { VIGIL_VECTOR_STORE: 'pinecone', PINECONE_API_KEY: pc.apiKey, VIGIL_PINECONE_INDEX_HOST: pc.url } });
    const wrongKey = openVectorStore({ ...base, warn, env: { VIGIL_VECTOR_STORE: 'pinecone', PINECONE_API_KEY: 'pcsk_not_the_key', VIGIL_PINECONE_INDEX_HOST: pc.url } });
    for (let i = 0; i < 100 && warnings.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.ok(warnings.some((w) => /has 8 dimensions, the embedding model 384: create the index with dimension 384 and metric cosine/.test(w)));
    assert.ok(warnings.some((w) => /Pinecone is not usable yet: .*check PINECONE_API_KEY/.test(w)));
    assert.ok(!warnings.join('\n').includes('pcsk_not_the_key'));
    await wrongDims.close();
    await wrongKey.close();
  });
});
