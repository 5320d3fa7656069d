// The behaviour every Store must have. Run against each implementation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalysisState } from '../../activities/model.js';
import type { SnapshotRecord, Store } from '../../activities/store/store.js';

export function storeContract(name: string, open: () => Promise<Store>) {
  const snapshot = (tenant: string): SnapshotRecord => ({
    id: 'snap1',
    tenant,
    repoKey: '/repo',
    createdAt: '2026-01-01T00:00:00Z',
    files: [{ path: 'a.js', hash: 'h1', size: 3, mode: '100644' }],
    skipped: { binary: 1 },
    bytes: 3,
  });

  test(`${name}: blobs are content-addressed and per tenant`, async () => {
    const s = await open();
    await s.putBlobs('t1', [{ hash: 'h1', content: Buffer.from('abc') }]);
    await s.putBlobs('t1', [{ hash: 'h1', content: Buffer.from('abc') }]); // idempotent
    assert.equal((await s.getBlob('t1', 'h1'))?.toString(), 'abc');
    assert.equal(await s.getBlob('t2', 'h1'), undefined, 'another tenant sees nothing');
    assert.deepEqual([...(await s.hasBlobs('t1', ['h1', 'h2']))], ['h1']);
    await s.close();
  });

  test(`${name}: snapshots, Merkle nodes and repo trees`, async () => {
    const s = await open();
    await s.putSnapshot(snapshot('t1'));
    await s.putSnapshot(snapshot('t1'));
    assert.deepEqual(await s.getSnapshot('t1', 'snap1'), snapshot('t1'));
    assert.equal(await s.getSnapshot('t2', 'snap1'), undefined);
    await s.putMerkleNodes('t1', [{ hash: 'root', children: [{ name: 'a.js', hash: 'h1', kind: 'file' }] }]);
    assert.deepEqual((await s.getMerkleNode('t1', 'root'))?.children, [{ name: 'a.js', hash: 'h1', kind: 'file' }]);
    assert.equal(await s.getMerkleNode('t2', 'root'), undefined);
    await s.putRepoTree('t1', { repoKey: '/repo', rootHash: 'root', snapshotId: 'snap1', updatedAt: 'now' });
    await s.putRepoTree('t1', { repoKey: '/repo', rootHash: 'root2', snapshotId: 'snap2', updatedAt: 'later' });
    assert.equal((await s.getRepoTree('t1', '/repo'))?.rootHash, 'root2');
    assert.equal(await s.getRepoTree('t2', '/repo'), undefined);
    await s.close();
  });

  test(`${name}: scans, artefacts, analysis state and decisions`, async () => {
    const s = await open();
    const scan = { scanId: 's1', tenant: 't1', workflowId: 'w', runId: 'r', repoKey: '/repo', source: {}, requestedBy: 'me', createdAt: '2026-01-01' };
    await s.upsertScan(scan);
    await s.upsertScan({ ...scan, requestedBy: 'someone else' }); // first write wins: a retry changes nothing
    assert.equal((await s.getScan('t1', 's1'))?.requestedBy, 'me');
    assert.equal(await s.getScan('t2', 's1'), undefined);
    assert.deepEqual((await s.listScans('t1', { repoKey: '/repo' })).map((x) => x.scanId), ['s1']);
    assert.deepEqual(await s.listScans('t2'), []);
    await s.putArtifact('t1', 's1', 'candidates', [1]);
    await s.putArtifact('t1', 's1', 'candidates', [1, 2]);
    assert.deepEqual(await s.getArtifact('t1', 's1', 'candidates'), [1, 2]);
    assert.equal(await s.getArtifact('t2', 's1', 'candidates'), undefined);
    const state: AnalysisState = { engine: 'builtin', engineVersion: '1', dependencies: { 'a.js': [] }, candidates: [] };
    await s.putAnalysisState('t1', '/repo', 'root', state);
    assert.deepEqual(await s.getAnalysisState('t1', '/repo', 'root', 'builtin'), state);
    assert.equal(await s.getAnalysisState('t1', '/repo', 'root', 'claude'), undefined);
    const entry = { fingerprint: 'fp', decision: 'approve' as const, actor: 'a', decidedAt: 'now', scanId: 's1' };
    await s.recordDecision('t1', '/repo', 'f1', entry);
    await s.recordDecision('t1', '/repo', 'f1', entry);
    assert.deepEqual((await s.getLedger('t1', '/repo')).get('fp'), entry);
    assert.deepEqual((await s.getScanDecisions('t1', 's1')).get('f1'), entry);
    assert.equal((await s.getLedger('t2', '/repo')).size, 0);
    await s.close();
  });
}
