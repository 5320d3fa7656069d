// The PostgreSQL store beyond the shared contract, on a real PostgreSQL 15 started by the test: no
// plaintext in the database files, envelopes bound to their rows, migrations applied once by concurrent
// openers, configuration errors that name VIGIL_DATABASE_URL without its password, and a restart survived.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { openConfiguredStore } from '../../activities/store/open-store.js';
import { MIGRATIONS, migrate } from '../../activities/store/postgres-migrations.js';
import { openPostgresStore, redactUrl, tsvectorLiteral } from '../../activities/store/postgres-store.js';
import { freePorts } from '../../infra/dev-server.js';
import { startPostgres } from '../../infra/postgres.js';
import { fakeFinding } from '../helpers/fake-finding.js';
import { testPostgres } from '../helpers/postgres.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const code = Buffer.from('function transferFundsSecretly(account) {\n  return ledgerOverride(account);\n}\n');
const repoKey = '/home/alice/projects/payroll-service';
const newCrypto = () => createStoreCrypto(keyringFromKeys([randomBytes(32)]));

async function sql<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Every byte PostgreSQL wrote for one database (its relation files, after a checkpoint) and the WAL. */
async function rawBytes(url: string, dataDir: string): Promise<string> {
  const [{ oid }] = await sql<{ oid: number }>(url, 'SELECT oid FROM pg_database WHERE datname = current_database()');
  await sql(url, 'CHECKPOINT');
  const files = [join(dataDir, 'base', String(oid)), join(dataDir, 'pg_wal')].flatMap((dir) =>
    readdirSync(dir).map((f) => join(dir, f)).filter((f) => statSync(f).isFile()),
  );
  return files.map((f) => readFileSync(f).toString('latin1')).join('');
}

test('encrypted at rest: the database files hold no plaintext code, paths, repository keys or decisions', async () => {
  const pgt = await testPostgres();
  const url = await pgt.freshDatabase('atrest');
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-pg-key-'));
  const env = { VIGIL_STORE: 'postgres', VIGIL_DATABASE_URL: url };
  const store = openConfiguredStore(dataDir, env);
  assert.equal(store.kind, 'postgres');
  await store.putBlobs('acme', [{ hash: sha(code), content: code }]);
  await store.putSnapshot({
    id: 'snap1', tenant: 'acme', repoKey, createdAt: 'now', skipped: {}, bytes: code.length,
    files: [{ path: 'src/confidential/payments.js', hash: sha(code), size: code.length, mode: '100644' }],
  });
  await store.putRepoTree('acme', { repoKey, rootHash: 'root', snapshotId: 'snap1', updatedAt: 'now' });
  await store.putMerkleNodes('acme', [{ hash: 'root', children: [{ name: 'confidential', hash: 'd', kind: 'dir' }] }]);
  const scanId = 'scan-id-visible-in-the-files';
  await store.upsertScan({ scanId, tenant: 'acme', workflowId: 'w', runId: 'r', repoKey, source: { kind: 'local', path: repoKey }, requestedBy: 'alice', createdAt: 'now' });
  await store.putArtifact('acme', scanId, 'findings', [fakeFinding({ location: { file: 'src/confidential/payments.js', startLine: 2, endLine: 2 }, trace: [{ kind: 'sink', file: 'src/confidential/payments.js', line: 2, label: 'sink', snippet: 'ledgerOverride(account)' }] })]);
  await store.putAnalysisState('acme', repoKey, 'root', { engine: 'builtin', engineVersion: '1', dependencies: { 'src/confidential/payments.js': [] }, candidates: [] });
  await store.recordDecision('acme', repoKey, 'f1', { fingerprint: 'fp', decision: 'approve', actor: 'alice', decidedAt: 'now', scanId, comment: 'ledgerOverride is fine' } as never);
  assert.equal((await store.searchCode('acme', repoKey, undefined, 'transferFundsSecretly', 3))[0]?.path, 'src/confidential/payments.js');
  await store.close();

  const raw = await rawBytes(url, join(pgt.server.dir, 'data'));
  assert.ok(raw.includes(scanId), 'the files read are the ones the store wrote (scan ids are plain identifiers)');
  for (const secret of ['transferFundsSecretly', 'transferfundssecretly', 'ledgerOverride', 'ledgeroverride', 'confidential', 'payments', 'payroll-service', 'alice']) {
    assert.ok(!raw.includes(secret), `"${secret}" must not be in the database files`);
  }
  // Another process with the same key file reads it all back.
  const reopened = openConfiguredStore(dataDir, env);
  assert.deepEqual(await reopened.getBlob('acme', sha(code)), code);
  assert.equal((await reopened.getSnapshot('acme', 'snap1'))?.files[0]?.path, 'src/confidential/payments.js');
  assert.equal((await reopened.getLedger('acme', repoKey)).get('fp')?.actor, 'alice');
  await reopened.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('envelopes cannot be moved between tenants; a store with another key cannot read', async () => {
  const url = await (await testPostgres()).freshDatabase('swap');
  const crypto = newCrypto();
  const store = openPostgresStore({ url, crypto });
  await store.putArtifact('acme', 's1', 'report.md', 'acme secret');
  await store.putArtifact('globex', 's1', 'report.md', 'globex secret');
  assert.deepEqual(await store.getArtifact('acme', 's1', 'report.md'), 'acme secret');
  assert.deepEqual(await store.getArtifact('globex', 's1', 'report.md'), 'globex secret');
  // Copy acme's envelope over globex's row: the AAD (tenant, row) makes it fail rather than leak.
  await sql(url, "UPDATE artifacts SET body = (SELECT body FROM artifacts WHERE tenant = 'acme') WHERE tenant = 'globex'");
  await assert.rejects(store.getArtifact('globex', 's1', 'report.md'), /authenticate/);
  assert.deepEqual(await store.getArtifact('acme', 's1', 'report.md'), 'acme secret');
  await store.close();
  const stranger = openPostgresStore({ url, crypto: newCrypto() });
  await assert.rejects(stranger.getArtifact('acme', 's1', 'report.md'), /not in the keyring/);
  await stranger.close();
});

test('migrations run once when several processes open the database at the same moment', async () => {
  const url = await (await testPostgres()).freshDatabase('migrate');
  // Separate pools are separate sessions, as separate processes would be.
  const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: url, max: 2 }));
  try {
    const applied = await Promise.all(pools.map((p) => migrate(p)));
    assert.deepEqual(applied.flat().sort(), MIGRATIONS.map((m) => m.version), 'each migration applied by exactly one opener');
    assert.equal(applied.filter((a) => a.length > 0).length, 1, 'one opener migrated, the others found it done');
    assert.deepEqual(await Promise.all(pools.map((p) => migrate(p))), pools.map(() => []), 'reopening applies nothing');
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
  const rows = await sql<{ version: number }>(url, 'SELECT version FROM vigil_migrations ORDER BY version');
  assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));

  // Two configured stores starting together on a fresh database: both work, and see each other's rows.
  const fresh = await (await testPostgres()).freshDatabase('migrate');
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-pg-key-'));
  const env = { VIGIL_STORE: 'postgres', VIGIL_DATABASE_URL: fresh };
  const [a, b] = [openConfiguredStore(dataDir, env), openConfiguredStore(dataDir, env)];
  await Promise.all([a.putArtifact('acme', 's1', 'report.md', 'from a'), b.putArtifact('acme', 's2', 'report.md', 'from b')]);
  assert.equal(await a.getArtifact('acme', 's2', 'report.md'), 'from b');
  assert.equal(await b.getArtifact('acme', 's1', 'report.md'), 'from a');
  await Promise.all([a.close(), b.close()]);
  assert.equal((await sql(fresh, 'SELECT version FROM vigil_migrations')).length, MIGRATIONS.length);
  rmSync(dataDir, { recursive: true, force: true });

  // A database migrated by a newer Vigil is refused, not written to.
  await sql(fresh, "INSERT INTO vigil_migrations (version, name) VALUES (9999, 'from the future')");
  const old = openPostgresStore({ url: fresh, crypto: newCrypto() });
  await assert.rejects(old.listScans('acme'), /schema version 9999, newer than this Vigil knows/);
  await old.close();
});

test('configuration errors name VIGIL_DATABASE_URL and never show its password', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-pg-key-'));
  assert.throws(() => openConfiguredStore(dataDir, { VIGIL_STORE: 'postgres' }), /VIGIL_STORE=postgres needs VIGIL_DATABASE_URL/);
  assert.throws(() => openConfiguredStore(dataDir, { VIGIL_STORE: 'postgres', VIGIL_DATABASE_URL: 'hunter2 at db' }), (err: Error) => {
    assert.match(err.message, /VIGIL_DATABASE_URL is not a URL/);
    assert.ok(!err.message.includes('hunter2'));
    return true;
  });
  assert.throws(() => openConfiguredStore(dataDir, { VIGIL_STORE: 'postgres', VIGIL_DATABASE_URL: 'mysql://u:hunter2@h/db' }), /must start with postgres:\/\//);
  assert.throws(() => openConfiguredStore(dataDir, { VIGIL_STORE: 'postgre' }), /"sqlite", "turbopuffer" or "postgres"/);

  const password = 'hunter2-do-not-print';
  const [port] = await freePorts('127.0.0.1', 1);
  const unreachable = openConfiguredStore(dataDir, { VIGIL_STORE: 'postgres', VIGIL_DATABASE_URL: `postgres://vigil:${password}@127.0.0.1:${port}/vigil` });
  const refused = await unreachable.listScans('acme').then(() => undefined, (err: Error) => err);
  assert.ok(refused, 'an unreachable database is an error');
  assert.match(refused.message, /Cannot use the PostgreSQL database at postgres:\/\/vigil:\*\*\*@127\.0\.0\.1:\d+\/vigil \(VIGIL_DATABASE_URL\)/);
  assert.match(refused.message, /ECONNREFUSED/);
  assert.ok(!`${refused.message}\n${refused.stack}`.includes(password), 'the password is not in the error');
  await unreachable.close();

  const pgt = await testPostgres();
  const wrong = openConfiguredStore(dataDir, { VIGIL_STORE: 'postgres', VIGIL_DATABASE_URL: `postgres://vigil:${password}@127.0.0.1:${pgt.server.port}/vigil` });
  const denied = await wrong.getScan('acme', 's1').then(() => undefined, (err: Error) => err);
  assert.match(denied?.message ?? '', /password authentication failed.*VIGIL_DATABASE_URL|VIGIL_DATABASE_URL.*password authentication failed/s);
  assert.ok(!`${denied?.message}\n${denied?.stack}`.includes(password));
  await wrong.close();
  assert.equal(redactUrl(`postgres://u:${password}@h:5432/db?sslmode=require`), 'postgres://u:***@h:5432/db?sslmode=require');
  rmSync(dataDir, { recursive: true, force: true });
});

test('a PostgreSQL restart: the store reconnects and nothing written before is lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-restart-'));
  let server = await startPostgres({ dir });
  try {
    const store = openPostgresStore({ url: server.url, crypto: newCrypto() });
    await store.recordDecision('acme', '/repo', 'f1', { fingerprint: 'fp1', decision: 'approve', actor: 'a', decidedAt: 'now', scanId: 's1' });
    await server.stop();
    await assert.rejects(store.getScanDecisions('acme', 's1'), /Cannot use the PostgreSQL database/);
    server = await startPostgres({ dir });
    assert.equal(new URL(server.url).port, String(server.port), 'the same directory restarts on its previous port when free');
    assert.equal((await store.getScanDecisions('acme', 's1')).get('f1')?.actor, 'a');
    await store.recordDecision('acme', '/repo', 'f2', { fingerprint: 'fp2', decision: 'reject', actor: 'b', decidedAt: 'later', scanId: 's1' });
    assert.equal((await store.getLedger('acme', '/repo')).size, 2);
    await store.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tsvector text stays within PostgreSQL limits for generated files', async () => {
  const url = await (await testPostgres()).freshDatabase('limits');
  // 40k distinct tokens on one line: more lexemes than a tsvector holds, positions past 16383.
  const tokens = Array.from({ length: 40_000 }, (_, i) => `t${i.toString(16).padStart(16, '0')}`);
  const literal = tsvectorLiteral([...tokens, ...Array.from({ length: 300 }, () => tokens[0]!)]);
  const [{ n }] = await sql<{ n: number }>(url, 'SELECT length($1::tsvector) AS n', [literal]);
  assert.equal(n, 30_000);
  const store = openPostgresStore({ url, crypto: newCrypto() });
  const generated = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `k${i}x`).join(' ') + '\n');
  await store.putBlobs('acme', [{ hash: sha(generated), content: generated }]);
  assert.deepEqual(await store.getBlob('acme', sha(generated)), generated);
  await store.close();
});
