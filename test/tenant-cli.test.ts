// `vigil tenant delete` as a user runs it: a real process, the suite's Temporal server, a temp data directory.
// Locally (its own worker) it refuses while a scan awaits decisions, cancels it when asked, and deletes; through
// `vigil serve` the key needs the admin role, which the first admin key does not have: a key must be granted it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '../api/auth/keys-file.js';
import { gitRepoFromFixture } from './helpers/scan-harness.js';
import { testTemporal } from './helpers/temporal.js';

const bin = fileURLToPath(new URL('../api/bin/vigil.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/vulnerable-express', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function vigil(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('vigil tenant delete', () => {
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let serve: ChildProcess | undefined;
  // A tenant of this file only: the suite's Temporal server holds other files' scans of tenant "default".
  const tenant = `cli-${randomBytes(4).toString('hex')}`;
  before(async () => {
    const t = await testTemporal();
    dir = mkdtempSync(join(tmpdir(), 'vigil-tenant-cli-'));
    env = { ...process.env, TEMPORAL_ADDRESS: t.address, TEMPORAL_NAMESPACE: t.namespace, VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_TENANT: tenant };
    delete env.VIGIL_API_URL;
    delete env.NODE_TEST_CONTEXT;
  });
  after(() => {
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  });

  test('without --confirm, or without "delete", nothing happens', async () => {
    const bare = await vigil(env, 'tenant', 'delete');
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /--confirm <tenant>/);
    const usage = await vigil(env, 'tenant', 'drop', '--confirm', tenant);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /Usage: vigil tenant delete --confirm <tenant>/);
  });

  test('locally: refused while a scan awaits decisions, then --cancel-running cancels it and deletes; twice is fine', async () => {
    const scan = await vigil(env, 'scan', gitRepoFromFixture(fixture, dir), '--format', 'json');
    assert.equal(scan.code, 0, scan.stderr);
    const scanId = (JSON.parse(scan.stdout) as { scan: { scanId: string } }).scan.scanId;

    const wrong = await vigil(env, 'tenant', 'delete', '--confirm', 'default');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`--confirm must name the tenant whose data is deleted, "${tenant}"`));

    const refused = await vigil(env, 'tenant', 'delete', '--confirm', tenant);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /still running or awaiting decisions/);
    assert.ok(refused.stderr.includes(scanId), refused.stderr);
    assert.match(refused.stderr, /--cancel-running/);
    assert.equal((await vigil(env, 'history', scanId, '--summary')).code, 0, 'the scan is still there');

    const deleted = await vigil(env, 'tenant', 'delete', '--confirm', tenant, '--cancel-running', '--json');
    assert.equal(deleted.code, 0, deleted.stderr);
    const r = JSON.parse(deleted.stdout) as { tenant: string; deleted: Record<string, number>; cancelledScans: { scanId: string }[] };
    assert.equal(r.tenant, tenant);
    assert.deepEqual(r.cancelledScans.map((s) => s.scanId), [scanId]);
    assert.equal(r.deleted.scans, 1);
    assert.ok(r.deleted.blobs > 0 && r.deleted.artifacts > 0);
    const gone = await vigil(env, 'history', scanId);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, new RegExp(`No scan ${scanId}`));

    const again = await vigil(env, 'tenant', 'delete', '--confirm', tenant);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`Deleted the data of tenant ${tenant}: 0 scan\\(s\\), 0 snapshot\\(s\\)`));
    assert.match(again.stdout, /Kept: The tenant's API keys/);
  });

  test('through `vigil serve`: the key needs the admin role (403 without), and deletes only its own tenant', async () => {
    serve = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let serveErr = '';
    serve.stderr!.on('data', (d) => (serveErr += d));
    const stateFile = join(env.VIGIL_DATA_DIR!, 'serve.json');
    const deadline = Date.now() + 60_000;
    while (!existsSync(stateFile)) {
      assert.ok(Date.now() < deadline, `serve did not start: ${serveErr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The first admin key is tenant "default"'s, with every role but admin.
    const refused = await vigil(env, 'tenant', 'delete', '--confirm', 'default');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /\(403\): This route needs the 'admin' role/);

    // A key granted the admin role in the keys file (re-read when it changes) deletes its own tenant's data.
    const { key } = await createApiKey({ tenant, roles: ['admin'], name: 'tenant-admin', keysFile: join(env.VIGIL_DATA_DIR!, 'api-keys.json') });
    const withKey = { ...env, VIGIL_API_KEY: key };
    let ok: Run | undefined;
    for (let i = 0; i < 20; i++) {
      ok = await vigil(withKey, 'tenant', 'delete', '--confirm', tenant, '--json');
      if (ok.code === 0 || !/\(401\)/.test(ok.stderr)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(ok!.code, 0, ok!.stderr);
    const r = JSON.parse(ok!.stdout) as { tenant: string; deleted: { scans: number } };
    assert.deepEqual([r.tenant, r.deleted.scans], [tenant, 0]);
    const mismatch = await vigil(withKey, 'tenant', 'delete', '--confirm', 'default');
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /\(400\): "confirm" must be this key's own tenant/);
    serve.kill('SIGTERM');
    await new Promise((r) => serve!.once('exit', r));
  });
});
