// Tenant isolation, for every store: tenant A's key, with every role, against every API route and every
// store call for tenant B's data gets nothing (404s, empty results), while B reads its own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { createApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { loadKeyRegistry } from '../../api/auth/registry.js';
import type { Store } from '../../activities/store/store.js';
import { testTemporal } from './temporal.js';
import { fakeFinding } from './fake-finding.js';
import { toJsonReport } from '../../activities/report/json-report.js';
import { toSarif } from '../../activities/report/sarif.js';

export interface OpenedStore {
  /** Encrypted, as the configured stores are. */
  store: Store;
  /** Releases what open() started besides the store (a stand-in, a database). */
  close(): Promise<void>;
}

export function tenantIsolationSuite(name: string, open: () => Promise<OpenedStore>) {
  describe(`tenant isolation (${name} store, HTTP API)`, () => {
    let opened: OpenedStore;
    let store: Store;
    let app: ReturnType<typeof createApp>;
    const key = { acme: '', globex: '' };
    const scanId = `scn_${randomBytes(10).toString('hex')}`;
    const repoKey = '/srv/globex/billing';
    const blob = Buffer.from('const globexSecretToken = loadVault();\n');

    before(async () => {
      opened = await open();
      store = opened.store;
      const t = await testTemporal();
      const keysFile = join(mkdtempSync(join(tmpdir(), 'vigil-iso-')), 'api-keys.json');
      const all = ['scanner', 'approver', 'operator'] as const;
      key.acme = (await createApiKey({ tenant: 'acme', roles: [...all], name: 'acme-admin', keysFile })).key;
      key.globex = (await createApiKey({ tenant: 'globex', roles: [...all], name: 'globex-admin', keysFile })).key;
      app = createApp({ temporal: new Client({ connection: t.connection, namespace: t.namespace }), store, keys: loadKeyRegistry({ keysFile, env: {} }) });

      // Tenant globex's data, everywhere the store keeps something.
      await store.upsertScan({ scanId, tenant: 'globex', workflowId: `vigil-scan-${scanId}`, runId: 'r', repoKey, source: { kind: 'local', path: repoKey }, requestedBy: 'globex-admin', createdAt: new Date().toISOString() });
      await store.putArtifact('globex', scanId, 'findings', [fakeFinding({ id: 'f1', fingerprint: 'fp1', title: 'globex finding' })]);
      await store.putArtifact('globex', scanId, 'report.json', toJsonReport({ scan: { scanId, repoKey }, findings: [] }));
      await store.putArtifact('globex', scanId, 'report.sarif', toSarif({ findings: [], tool: { name: 'Vigil', version: 'test' }, scan: { scanId, repoKey } }));
      await store.recordDecision('globex', repoKey, 'f1', { fingerprint: 'fp1', decision: 'approve', actor: 'globex-admin', decidedAt: 'now', scanId });
      await store.putBlobs('globex', [{ hash: 'hb', content: blob }]);
      await store.putSnapshot({ id: 'snap-g', tenant: 'globex', repoKey, createdAt: 'now', files: [{ path: 'vault.js', hash: 'hb', size: blob.length, mode: '100644' }], skipped: {}, bytes: blob.length });
      await store.putMerkleNodes('globex', [{ hash: 'root-g', children: [{ name: 'vault.js', hash: 'hb', kind: 'file' }] }]);
      await store.putRepoTree('globex', { repoKey, rootHash: 'root-g', snapshotId: 'snap-g', updatedAt: 'now' });
      await store.putAnalysisState('globex', repoKey, 'root-g', { engine: 'builtin', engineVersion: '1', dependencies: {}, candidates: [] });
    });
    after(async () => {
      await store.close();
      await opened.close();
    });

    const call = (method: string, path: string, k: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: { authorization: `Bearer ${k}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });

    test("tenant A's key on every route for tenant B's scan: 404, and nothing of B in any body", async () => {
      const routes: [string, string, unknown?][] = [
        ['GET', `/v1/scans/${scanId}`],
        ['GET', `/v1/scans/${scanId}/findings`],
        ['GET', `/v1/scans/${scanId}/history`],
        ['GET', `/v1/scans/${scanId}/report`],
        ['GET', `/v1/scans/${scanId}/report?format=sarif`],
        ['POST', `/v1/scans/${scanId}/findings/f1/decision`, { decision: 'reject', comment: 'not mine' }],
      ];
      for (const [method, path, body] of routes) {
        const res = await call(method, path, key.acme, body);
        assert.equal(res.status, 404, `${method} ${path} as acme`);
        const text = await res.text();
        assert.ok(!text.includes('globex finding') && !text.includes(repoKey), `${path}: nothing of globex`);
      }
      const list = await call('GET', '/v1/scans', key.acme);
      assert.ok(!(await list.text()).includes(scanId));
      // The owner reads its own data through the same routes.
      const own = await call('GET', `/v1/scans/${scanId}/findings`, key.globex);
      assert.equal(own.status, 200);
      assert.match(await own.text(), /globex finding/);
      assert.equal((await call('GET', `/v1/scans/${scanId}/report`, key.globex)).status, 200);
    });

    test("tenant A on every store call for tenant B's data: nothing", async () => {
      assert.equal(await store.getScan('acme', scanId), undefined);
      assert.deepEqual(await store.listScans('acme'), []);
      assert.deepEqual(await store.listScans('acme', { repoKey }), []);
      for (const kind of ['findings', 'report.json', 'report.sarif'] as const) assert.equal(await store.getArtifact('acme', scanId, kind), undefined);
      assert.equal((await store.getLedger('acme', repoKey)).size, 0);
      assert.equal((await store.getScanDecisions('acme', scanId)).size, 0);
      assert.equal(await store.getBlob('acme', 'hb'), undefined);
      assert.equal((await store.hasBlobs('acme', ['hb'])).size, 0);
      assert.equal(await store.getSnapshot('acme', 'snap-g'), undefined);
      assert.equal(await store.getMerkleNode('acme', 'root-g'), undefined);
      assert.equal(await store.getRepoTree('acme', repoKey), undefined);
      assert.equal(await store.getAnalysisState('acme', repoKey, 'root-g', 'builtin'), undefined);
      assert.deepEqual(await store.searchCode('acme', repoKey, 'snap-g', 'globexSecretToken', 5), []);
      assert.deepEqual(await store.searchCode('acme', repoKey, undefined, 'globexSecretToken', 5), []);
      // The owner finds it.
      assert.equal((await store.searchCode('globex', repoKey, undefined, 'globexSecretToken', 5))[0]?.path, 'vault.js');
      assert.equal((await store.listScans('globex', { repoKey }))[0]?.scanId, scanId);
    });
  });
}
