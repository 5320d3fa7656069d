// API keys: only hashes on disk, the bootstrap admin key, the registry (file + env, reloaded on change),
// and the bearer/role middleware's answers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import type { AppEnv } from '../api/env.js';
import { createApiKey, ensureAdminKey, readKeysFile, resolveKeysFile } from '../api/auth/keys-file.js';
import { authenticate, requireRole } from '../api/auth/middleware.js';
import { createKeyRegistry, loadKeyRegistry, type KeyRegistry } from '../api/auth/registry.js';
import { generateApiKey, hashApiKey, redactSecrets } from '../api/auth/tokens.js';
import { createErrorHandler } from '../api/http-errors.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'vigil-auth-'));
const mode = (file: string) => statSync(file).mode & 0o777;

describe('API key files', () => {
  test('createApiKey stores only the hash (0600) and the key authenticates as its tenant and roles', async () => {
    const keysFile = join(tempDir(), 'keys', 'api-keys.json');
    const { key, entry } = await createApiKey({ tenant: 'acme', roles: ['scanner', 'approver'], name: 'ci', keysFile });
    assert.match(key, /^vgl_[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(keysFile, 'utf8');
    assert.ok(!text.includes(key), 'the plaintext key must not be written to the keys file');
    assert.ok(text.includes(hashApiKey(key)));
    assert.equal(mode(keysFile), 0o600);
    assert.deepEqual(await readKeysFile(keysFile), [entry]);

    const registry = loadKeyRegistry({ keysFile, env: {} });
    assert.deepEqual(registry.authenticate(key), { keyId: entry.id, name: 'ci', tenant: 'acme', roles: ['scanner', 'approver'] });
    assert.equal(registry.authenticate(generateApiKey()), undefined);
    assert.equal(registry.authenticate(''), undefined);
  });

  test('a key created while the registry is loaded works without a restart', async () => {
    const keysFile = join(tempDir(), 'api-keys.json');
    const registry = loadKeyRegistry({ keysFile, env: {} });
    const { key } = await createApiKey({ tenant: 'acme', roles: ['operator'], name: 'ops', keysFile });
    assert.equal(registry.authenticate(key)?.name, 'ops');
  });

  test('createApiKey refuses a tenant that could not be used safely in ids and queries', async () => {
    const keysFile = join(tempDir(), 'api-keys.json');
    await assert.rejects(createApiKey({ tenant: "acme' OR 1=1", roles: ['scanner'], name: 'x', keysFile }), /tenant/);
    await assert.rejects(createApiKey({ tenant: 'acme', roles: [], name: 'x', keysFile }), /roles/);
  });

  test('ensureAdminKey creates one all-roles key for tenant default, once, and writes it only to admin.key', async () => {
    const dataDir = tempDir();
    const first = await ensureAdminKey(dataDir, { keysFile: resolveKeysFile(dataDir, {}) });
    assert.equal(first.created, true);
    assert.ok(first.created && first.keyPath === join(dataDir, 'admin.key'));
    const key = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
    assert.equal(mode(join(dataDir, 'admin.key')), 0o600);
    assert.equal(mode(join(dataDir, 'api-keys.json')), 0o600);
    assert.ok(!readFileSync(join(dataDir, 'api-keys.json'), 'utf8').includes(key));
    assert.ok(!JSON.stringify(first).includes(key), 'the result names the file, never the key');

    const principal = loadKeyRegistry({ dataDir, env: {} }).authenticate(key);
    assert.equal(principal?.tenant, 'default');
    assert.deepEqual(new Set(principal?.roles), new Set(['scanner', 'approver', 'operator']));

    const again = await ensureAdminKey(dataDir, { keysFile: resolveKeysFile(dataDir, {}) });
    assert.equal(again.created, false);
    assert.equal(readFileSync(join(dataDir, 'admin.key'), 'utf8').trim(), key, 'an existing key is kept');
    assert.equal((await readKeysFile(join(dataDir, 'api-keys.json'))).length, 1);
  });

  test('VIGIL_API_KEYS adds keys; VIGIL_API_KEYS_FILE moves the file', async () => {
    const dir = tempDir();
    const envKey = generateApiKey();
    const env = {
      VIGIL_API_KEYS_FILE: join(dir, 'elsewhere.json'),
      VIGIL_API_KEYS: JSON.stringify([{ id: 'k1', name: 'from-env', tenant: 'globex', roles: ['approver'], sha256: hashApiKey(envKey) }]),
    };
    const { key: fileKey } = await createApiKey({ tenant: 'acme', roles: ['scanner'], name: 'from-file', keysFile: env.VIGIL_API_KEYS_FILE });
    const registry = loadKeyRegistry({ dataDir: dir, env });
    assert.equal(registry.keysFile, env.VIGIL_API_KEYS_FILE);
    assert.equal(registry.authenticate(envKey)?.tenant, 'globex');
    assert.equal(registry.authenticate(fileKey)?.tenant, 'acme');
  });

  test('malformed sources fail at load with what to fix; a later broken edit keeps the last good keys', async () => {
    const dir = tempDir();
    assert.throws(() => loadKeyRegistry({ dataDir: dir, env: { VIGIL_API_KEYS: '[{"id":"x"}]' } }), /VIGIL_API_KEYS .*name/);
    const keysFile = join(dir, 'api-keys.json');
    writeFileSync(keysFile, '{not json');
    assert.throws(() => loadKeyRegistry({ keysFile, env: {} }), new RegExp(`${keysFile} is not valid JSON`));

    writeFileSync(keysFile, '[]');
    const errors: Error[] = [];
    const registry = loadKeyRegistry({ keysFile, env: {}, onReloadError: (e) => errors.push(e) });
    const { key } = await createApiKey({ tenant: 'acme', roles: ['scanner'], name: 'a', keysFile });
    assert.equal(registry.authenticate(key)?.name, 'a');
    writeFileSync(keysFile, '[{"broken": true}, 1, 2]');
    assert.equal(registry.authenticate(key)?.name, 'a', 'the last good keys stay in force');
    assert.equal(registry.authenticate(key)?.name, 'a');
    assert.equal(errors.length, 1, 'a broken file is reported once');
  });

  test('redactSecrets masks anything shaped like a key', () => {
    const key = generateApiKey();
    const text = redactSecrets(`failed with Bearer ${key} in it`);
    assert.ok(!text.includes(key));
    assert.match(text, /vgl_\[redacted\]/);
  });
});

describe('bearer middleware', () => {
  const scannerKey = generateApiKey();
  const approverKey = generateApiKey();
  const registry: KeyRegistry = createKeyRegistry([
    { id: 'k1', name: 'scanner-bot', tenant: 'acme', roles: ['scanner'], sha256: hashApiKey(scannerKey) },
    { id: 'k2', name: 'alice', tenant: 'acme', roles: ['approver'], sha256: hashApiKey(approverKey) },
  ]);
  const logged: unknown[] = [];
  const app = new Hono<AppEnv>();
  app.onError(createErrorHandler({ error: (event, fields) => logged.push({ event, fields }) }));
  app.use('*', authenticate(registry));
  app.get('/who', (c) => c.json(c.get('principal')));
  app.post('/decide', requireRole('approver'), (c) => c.json({ ok: true }));

  test('no key, a malformed header and an unknown key are 401 with a Bearer challenge', async () => {
    const variants: Record<string, string>[] = [{}, { authorization: 'Basic abc' }, { authorization: `Bearer ${generateApiKey()}` }, { authorization: 'Bearer' }];
    for (const headers of variants) {
      const res = await app.request('/who', { headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      const body = await res.json();
      assert.equal(body.error, 'unauthorized');
      assert.match(body.message, /Authorization: Bearer|not recognised/);
    }
  });

  test('a known key becomes the principal (scheme is case-insensitive)', async () => {
    const res = await app.request('/who', { headers: { authorization: `bearer ${approverKey}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { keyId: 'k2', name: 'alice', tenant: 'acme', roles: ['approver'] });
  });

  test('a key without the role is 403 and names the role it needs', async () => {
    const res = await app.request('/decide', { method: 'POST', headers: { authorization: `Bearer ${scannerKey}` } });
    assert.equal(res.status, 403);
    const body = await res.json();
    assert.equal(body.error, 'forbidden');
    assert.match(body.message, /'approver' role/);
    const ok = await app.request('/decide', { method: 'POST', headers: { authorization: `Bearer ${approverKey}` } });
    assert.equal(ok.status, 200);
    assert.equal(logged.length, 0, 'expected failures are not logged as errors');
  });
});
