// The embedded store encrypted at rest: the raw SQLite file holds no plaintext code, paths or findings;
// the data directory's master key is generated 0600 on first start; rotation keeps old rows readable.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { keyringFromKeys, loadKeyring, parseKeyring } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { openConfiguredStore } from '../../activities/store/open-store.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import { fakeFinding } from '../helpers/fake-finding.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const code = Buffer.from('function transferFundsSecretly(account) {\n  return ledgerOverride(account);\n}\n');
const repoKey = '/home/alice/projects/payroll-service';

/** Every byte SQLite wrote for the store, main file and WAL. */
function rawBytes(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.startsWith('vigil.db'))
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('');
}

test('the configured SQLite store: a generated 0600 master key, and no plaintext in the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-enc-'));
  const store = openConfiguredStore(dir, {});
  assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
  const again = loadKeyring({ env: {}, dataDir: dir });
  assert.ok(again, 'the key file is read on the next start');
  await store.putBlobs('acme', [{ hash: sha(code), content: code }]);
  await store.putSnapshot({
    id: 'snap1', tenant: 'acme', repoKey, createdAt: 'now', skipped: {}, bytes: code.length,
    files: [{ path: 'src/confidential/payments.js', hash: sha(code), size: code.length, mode: '100644' }],
  });
  await store.putRepoTree('acme', { repoKey, rootHash: 'root', snapshotId: 'snap1', updatedAt: 'now' });
  await store.putMerkleNodes('acme', [{ hash: 'root', children: [{ name: 'confidential', hash: 'd', kind: 'dir' }] }]);
  await store.upsertScan({ scanId: 's1', tenant: 'acme', workflowId: 'w', runId: 'r', repoKey, source: { kind: 'local', path: repoKey }, requestedBy: 'alice', createdAt: 'now' });
  await store.putArtifact('acme', 's1', 'findings', [fakeFinding({ location: { file: 'src/confidential/payments.js', startLine: 2, endLine: 2 }, trace: [{ kind: 'sink', file: 'src/confidential/payments.js', line: 2, label: 'sink', snippet: 'ledgerOverride(account)' }] })]);
  await store.putAnalysisState('acme', repoKey, 'root', { engine: 'builtin', engineVersion: '1', dependencies: { 'src/confidential/payments.js': [] }, candidates: [] });
  await store.recordDecision('acme', repoKey, 'f1', { fingerprint: 'fp', decision: 'approve', actor: 'alice', decidedAt: 'now', scanId: 's1', comment: 'ledgerOverride is fine' } as never);
  assert.equal((await store.searchCode('acme', repoKey, undefined, 'transferFundsSecretly', 3))[0]?.path, 'src/confidential/payments.js');
  await store.close();
  const raw = rawBytes(dir);
  assert.ok(raw.length > 0);
  for (const secret of ['transferFundsSecretly', 'transferfundssecretly', 'ledgerOverride', 'ledgeroverride', 'confidential', 'payments', 'payroll-service', 'alice']) {
    assert.ok(!raw.includes(secret), `"${secret}" must not be in the SQLite file`);
  }
  // And it all reads back with the same key file.
  const reopened = openConfiguredStore(dir, {});
  assert.deepEqual(await reopened.getBlob('acme', sha(code)), code);
  assert.equal((await reopened.getSnapshot('acme', 'snap1'))?.files[0]?.path, 'src/confidential/payments.js');
  assert.equal((await reopened.getLedger('acme', repoKey)).get('fp')?.actor, 'alice');
  await reopened.close();
});

test('rotation on SQLite: old rows read, new rows use the new key; a missing key is a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rot-'));
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');
  const file = join(dir, 'vigil.db');
  const before = openSqliteStore(file, { crypto: createStoreCrypto(parseKeyring(`k1:${k1}`, 'test')) });
  await before.putBlobs('acme', [{ hash: sha(code), content: code }]);
  await before.putArtifact('acme', 's1', 'report.md', 'one');
  await before.close();
  const after = openSqliteStore(file, { crypto: createStoreCrypto(parseKeyring(`k2:${k2},k1:${k1}`, 'test')) });
  assert.deepEqual(await after.getBlob('acme', sha(code)), code);
  assert.deepEqual(await after.getArtifact('acme', 's1', 'report.md'), 'one');
  await after.putArtifact('acme', 's2', 'report.md', 'two');
  assert.equal((await after.searchCode('acme', '/r', undefined, 'x', 1)).length, 0);
  await after.close();
  const raw = rawBytes(dir);
  assert.ok(raw.includes('VG\x01\x02k1') && raw.includes('VG\x01\x02k2'), 'envelopes name their key ids');
  const lost = openSqliteStore(file, { crypto: createStoreCrypto(keyringFromKeys([Buffer.from(k2, 'base64')])) });
  await assert.rejects(lost.getArtifact('acme', 's1', 'report.md'), /master key "k1".*not in the keyring/);
  await lost.close();
});

test('tenants cannot read each other through the store, and envelopes cannot be moved between rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-iso-'));
  const crypto = createStoreCrypto(keyringFromKeys([randomBytes(32)]));
  const store = openSqliteStore(join(dir, 'vigil.db'), { crypto });
  await store.putArtifact('acme', 's1', 'report.md', 'acme secret');
  await store.putArtifact('globex', 's1', 'report.md', 'globex secret');
  assert.deepEqual(await store.getArtifact('acme', 's1', 'report.md'), 'acme secret');
  assert.deepEqual(await store.getArtifact('globex', 's1', 'report.md'), 'globex secret');
  await store.close();
  // Copy acme's envelope over globex's row: the AAD (tenant, row) makes it fail rather than leak.
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir, 'vigil.db'));
  const body = db.prepare("SELECT body FROM artifacts WHERE tenant = 'acme'").pluck().get();
  db.prepare("UPDATE artifacts SET body = ? WHERE tenant = 'globex'").run(body);
  db.close();
  const reopened = openSqliteStore(join(dir, 'vigil.db'), { crypto });
  await assert.rejects(reopened.getArtifact('globex', 's1', 'report.md'), /authenticate/);
  assert.deepEqual(await reopened.getArtifact('acme', 's1', 'report.md'), 'acme secret');
  await reopened.close();
});

test('a store written before encryption still reads once a key is configured', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-legacy-')), 'vigil.db');
  const plain = openSqliteStore(file);
  await plain.putBlobs('acme', [{ hash: sha(code), content: code }]);
  await plain.putRepoTree('acme', { repoKey, rootHash: 'root', snapshotId: 'snap', updatedAt: 'then' });
  await plain.recordDecision('acme', repoKey, 'f1', { fingerprint: 'fp-old', decision: 'approve', actor: 'a', decidedAt: 'then', scanId: 's0' });
  await plain.putArtifact('acme', 's0', 'report.md', 'old');
  await plain.close();
  const enc = openSqliteStore(file, { crypto: createStoreCrypto(keyringFromKeys([randomBytes(32)])) });
  assert.deepEqual(await enc.getBlob('acme', sha(code)), code);
  assert.equal((await enc.getRepoTree('acme', repoKey))?.rootHash, 'root');
  assert.deepEqual(await enc.getArtifact('acme', 's0', 'report.md'), 'old');
  await enc.recordDecision('acme', repoKey, 'f2', { fingerprint: 'fp-new', decision: 'reject', actor: 'b', decidedAt: 'now', scanId: 's1' });
  assert.deepEqual([...(await enc.getLedger('acme', repoKey)).keys()].sort(), ['fp-new', 'fp-old']);
  await enc.close();
});
