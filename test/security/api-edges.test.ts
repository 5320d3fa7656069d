// Hostile input at the API's edges, table-driven against the real app (real Temporal, real SQLite):
// unsupported methods get 405 with an Allow header, unknown paths 404, and nothing is written. And keys that
// could never authenticate (non-ASCII, bad sha256, a plaintext key in the keys file) fail at load, naming
// the entry or the source but never the key.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import type { Store } from '../../activities/store/store.js';
import { createApp } from '../../api/app.js';
import { createApiKey, parseKeyEntries } from '../../api/auth/keys-file.js';
import { createKeyRegistry, loadKeyRegistry } from '../../api/auth/registry.js';
import { assertUsableApiKey, hashApiKey } from '../../api/auth/tokens.js';
import { chooseBackend } from '../../api/cli/choose-backend.js';
import { startApiServer } from '../../api/server.js';
import { testTemporal } from '../helpers/temporal.js';

describe('unsupported methods and unknown paths', () => {
  let app: ReturnType<typeof createApp>;
  let store: Store;
  let key = '';
  let client: Client;
  const tenant = 'edges';
  const queue = `edges-idle-${process.pid}`;

  before(async () => {
    const t = await testTemporal();
    client = new Client({ connection: t.connection, namespace: t.namespace });
    const dir = mkdtempSync(join(tmpdir(), 'vigil-edges-'));
    store = openSqliteStore(join(dir, 'vigil.db'));
    const keysFile = join(dir, 'api-keys.json');
    key = (await createApiKey({ tenant, roles: ['scanner', 'approver', 'operator'], name: 'edges', keysFile })).key;
    app = createApp({ temporal: client, store, keys: loadKeyRegistry({ keysFile, env: {} }), config: { taskQueue: queue }, logger: { error: () => {} } });
  });
  after(() => store?.close());

  const scan = `/v1/scans/scn_${'a'.repeat(20)}`;
  // [method, path, status, error, Allow]
  const rows: [string, string, number, string, string?][] = [
    ['DELETE', '/v1/scans', 405, 'method_not_allowed', 'GET, HEAD, POST'],
    ['PUT', '/v1/scans', 405, 'method_not_allowed', 'GET, HEAD, POST'],
    ['PATCH', scan, 405, 'method_not_allowed', 'GET, HEAD'],
    ['DELETE', scan, 405, 'method_not_allowed', 'GET, HEAD'],
    ['POST', `${scan}/findings`, 405, 'method_not_allowed', 'GET, HEAD'],
    ['GET', `${scan}/findings/f1/decision`, 405, 'method_not_allowed', 'POST'],
    ['PUT', `${scan}/report`, 405, 'method_not_allowed', 'GET, HEAD'],
    ['DELETE', `${scan}/history`, 405, 'method_not_allowed', 'GET, HEAD'],
    ['POST', '/v1/me', 405, 'method_not_allowed', 'GET, HEAD'],
    ['POST', '/healthz', 405, 'method_not_allowed', 'GET, HEAD'],
    ['DELETE', '/openapi.json', 405, 'method_not_allowed', 'GET, HEAD'],
    ['OPTIONS', '/v1/scans', 405, 'method_not_allowed', 'GET, HEAD, POST'],
    ['GET', '/v2/scans', 404, 'not_found'],
    ['DELETE', '/v1/nothing', 404, 'not_found'],
    ['GET', `${scan}/findings/f1`, 404, 'not_found'],
    ['GET', '/v1/scans/a/b/c/d/e', 404, 'not_found'],
  ];

  for (const [method, path, status, error, allow] of rows) {
    test(`${method} ${path} -> ${status} ${error}`, async () => {
      const res = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: JSON.stringify({ source: { path: '/' } }) }),
      });
      assert.equal(res.status, status);
      const body = (await res.json()) as { error: string; message: string };
      assert.deepEqual(Object.keys(body).sort(), ['error', 'message']);
      assert.equal(body.error, error);
      assert.equal(res.headers.get('allow'), allow ?? null);
      if (allow) assert.match(body.message, new RegExp(`use ${allow}`));
      assert.equal((await store.listScans(tenant)).length, 0, 'no scan recorded');
    });
  }

  test('no workflow was started by any of them', async () => {
    // Visibility lags a little; the rows above ran well before this.
    const runs = [];
    for await (const run of client.workflow.list({ query: `TaskQueue = '${queue}'` })) runs.push(run);
    assert.equal(runs.length, 0);
  });

  test('the 405s need a key like every /v1 route: 401 first without one', async () => {
    const res = await app.request('/v1/scans', { method: 'DELETE' });
    assert.equal(res.status, 401);
  });
});

describe('API keys are checked at load', () => {
  const good = { id: 'key_1', name: 'ci', tenant: 'acme', roles: ['scanner'] };
  const liveKey = 'vgl_clé-secrète-non-ascii';

  // [what, entries, message pattern]
  const rows: [string, unknown[], RegExp][] = [
    ['sha256 with a non-hex character', [{ ...good, sha256: 'g'.repeat(64) }], /entry 0 \(id key_1, name "ci"\) sha256: sha256 must be the 64 hex/],
    ['sha256 of the wrong length', [{ ...good, sha256: 'a'.repeat(63) }], /entry 0 \(id key_1, name "ci"\) sha256/],
    ['sha256 with non-ASCII', [{ ...good, sha256: 'é'.repeat(64) }], /entry 0 \(id key_1, name "ci"\) sha256/],
    ['a plaintext key instead of its hash', [{ ...good, key: liveKey }], /entry 0 \(id key_1, name "ci"\) has a "key" field.*printable ASCII/],
    [
      'a plaintext key beside a hash, second entry',
      [{ ...good, sha256: 'a'.repeat(64) }, { ...good, id: 'key_2', name: 'bot', sha256: 'b'.repeat(64), key: liveKey }],
      /entry 1 \(id key_2, name "bot"\) has a "key" field/,
    ],
  ];
  for (const [what, entries, pattern] of rows) {
    test(`refused: ${what}`, () => {
      const text = JSON.stringify(entries);
      assert.throws(
        () => parseKeyEntries(text, 'API keys file /x/api-keys.json'),
        (err: Error) => {
          assert.match(err.message, /^API keys file \/x\/api-keys.json/);
          assert.match(err.message, pattern);
          assert.ok(!err.message.includes(liveKey) && !err.message.includes('clé'), 'the key itself is never in the message');
          return true;
        },
      );
      // The same at server start: loading the registry throws (VIGIL_API_KEYS takes the same entries).
      assert.throws(() => loadKeyRegistry({ keysFile: '/nonexistent/keys.json', env: { VIGIL_API_KEYS: text } }), pattern);
    });
  }

  test('an upper-case sha256 loads and authenticates (it is the same digest)', () => {
    const k = 'vgl_ascii-key-1234567890';
    const [entry] = parseKeyEntries(JSON.stringify([{ ...good, sha256: hashApiKey(k).toUpperCase() }]), 'test');
    assert.equal(entry.sha256, hashApiKey(k));
    assert.equal(createKeyRegistry([entry]).authenticate(k)?.name, 'ci');
  });

  // [what, key]
  const unusable: [string, string][] = [
    ['non-ASCII letters', 'vgl_clé'],
    ['a space inside', 'vgl_abc def'],
    ['a control character', 'vgl_abc\u0007def'],
    ['a zero-width space', 'vgl_abc\u200bdef'],
    ['empty', ''],
  ];
  for (const [what, k] of unusable) {
    test(`a client key with ${what} is refused with a clear error naming its source`, () => {
      assert.throws(
        () => assertUsableApiKey(k, 'VIGIL_API_KEY'),
        (err: Error) => {
          assert.match(err.message, /VIGIL_API_KEY/);
          if (k) assert.ok(!err.message.includes(k), 'the key is not echoed');
          return true;
        },
      );
    });
  }

  test('the CLI refuses a non-ASCII VIGIL_API_KEY before sending it anywhere', async () => {
    const t = await testTemporal();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-edges-cli-'));
    const store = openSqliteStore(join(dir, 'vigil.db'));
    const app = createApp({ temporal: new Client({ connection: t.connection, namespace: t.namespace }), store, keys: createKeyRegistry([]) });
    const server = await startApiServer({ app, port: 0 });
    const saved = { url: process.env.VIGIL_API_URL, key: process.env.VIGIL_API_KEY, data: process.env.VIGIL_DATA_DIR };
    try {
      process.env.VIGIL_API_URL = server.url;
      process.env.VIGIL_API_KEY = 'vgl_clé';
      process.env.VIGIL_DATA_DIR = dir;
      await assert.rejects(chooseBackend({ log: () => {} }), /VIGIL_API_KEY contains spaces, control or non-ASCII characters/);
      writeFileSync(join(dir, 'admin.key'), 'vgl_\u00e9t\u00e9\n');
      delete process.env.VIGIL_API_KEY;
      await assert.rejects(chooseBackend({ log: () => {} }), /admin\.key contains spaces, control or non-ASCII/);
    } finally {
      for (const [name, value] of [['VIGIL_API_URL', saved.url], ['VIGIL_API_KEY', saved.key], ['VIGIL_DATA_DIR', saved.data]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await server.close();
      await store.close();
    }
  });
});
