// The behaviour every Store must have. Run against each implementation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalysisState } from '../../activities/model.js';
import type { SnapshotRecord, Store } from '../../activities/store/store.js';
import { scanEvent } from '../../activities/events/make-event.js';
import { tenantDeletedEvent } from '../../activities/events/tenant-events.js';

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

  test(`${name}: getBlobs reads many blobs in one call, per tenant, missing ones absent`, async () => {
    const s = await open();
    await s.putBlobs('t1', [
      { hash: 'g1', content: Buffer.from('one') },
      { hash: 'g2', content: Buffer.from('two\n'.repeat(3)) },
    ]);
    const got = await s.getBlobs('t1', ['g1', 'g2', 'g3', 'g1']);
    assert.deepEqual([...got.keys()].sort(), ['g1', 'g2']);
    assert.equal(got.get('g1')?.toString(), 'one');
    assert.equal(got.get('g2')?.toString(), 'two\n'.repeat(3));
    assert.equal((await s.getBlobs('t2', ['g1'])).size, 0, 'another tenant sees nothing');
    assert.equal((await s.getBlobs('t1', [])).size, 0);
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
    await s.putArtifact('t1', 's1', 'report.md', 'first');
    await s.putArtifact('t1', 's1', 'report.md', 'second');
    assert.deepEqual(await s.getArtifact('t1', 's1', 'report.md'), 'second');
    assert.equal(await s.getArtifact('t2', 's1', 'report.md'), undefined);
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

  test(`${name}: code search finds chunks by token, per snapshot and per tenant`, async () => {
    const s = await open();
    const lines = Array.from({ length: 130 }, (_, i) => `const filler${i} = ${i};`);
    lines[99] = 'app.get("/users", (req, res) => db.query("SELECT * FROM users WHERE id = " + req.query.id));';
    const big = Buffer.from(lines.join('\n') + '\n');
    const small = Buffer.from('export function sanitizeHtml(input) {\n  return escapeHtml(input);\n}\n');
    await s.putBlobs('t1', [
      { hash: 'hb', content: big },
      { hash: 'hs', content: small },
    ]);
    const snap: SnapshotRecord = {
      ...snapshot('t1'),
      id: 'snap-search',
      files: [
        { path: 'src/routes/users.js', hash: 'hb', size: big.length, mode: '100644' },
        { path: 'src/util/html.js', hash: 'hs', size: small.length, mode: '100644' },
      ],
    };
    await s.putSnapshot(snap);
    assert.deepEqual((await s.getBlob('t1', 'hb'))?.toString(), big.toString(), 'a multi-chunk blob reads back whole');
    const both = await s.getBlobs('t1', ['hs', 'hb']);
    assert.deepEqual([both.get('hb')?.toString(), both.get('hs')?.toString()], [big.toString(), small.toString()], 'getBlobs joins each blob\'s chunks');
    const hits = await s.searchCode('t1', '/repo', 'snap-search', 'db.query users', 5);
    assert.ok(hits.length >= 1, 'a hit for db.query');
    assert.equal(hits[0]!.path, 'src/routes/users.js');
    assert.ok(hits[0]!.startLine <= 100 && hits[0]!.endLine >= 100, `line 100 is in ${hits[0]!.startLine}-${hits[0]!.endLine}`);
    assert.match(hits[0]!.text, /req\.query\.id/);
    const camel = await s.searchCode('t1', '/repo', 'snap-search', 'escape html', 5);
    assert.equal(camel[0]?.path, 'src/util/html.js', 'camelCase parts are searchable');
    assert.deepEqual(await s.searchCode('t1', '/repo', 'snap-search', 'nothingmatchesthis', 5), []);
    assert.deepEqual(await s.searchCode('t2', '/repo', 'snap-search', 'db.query users', 5), [], 'another tenant finds nothing');
    assert.deepEqual(await s.searchCode('t1', '/other', 'snap-search', 'db.query users', 5), [], 'the snapshot belongs to /repo');
    await s.putRepoTree('t1', { repoKey: '/repo', rootHash: 'r', snapshotId: 'snap-search', updatedAt: 'now' });
    assert.equal((await s.searchCode('t1', '/repo', undefined, 'sanitizeHtml', 5))[0]?.path, 'src/util/html.js', 'defaults to the synced snapshot');
    await s.close();
  });

  test(`${name}: listing scans orders newest first and decisions list per scan`, async () => {
    const s = await open();
    for (const [id, at] of [['a', '2026-01-01'], ['b', '2026-03-01'], ['c', '2026-02-01']] as const) {
      await s.upsertScan({ scanId: id, tenant: 't1', workflowId: id, runId: 'r', repoKey: id === 'c' ? '/other' : '/repo', source: {}, requestedBy: 'me', createdAt: at });
    }
    assert.deepEqual((await s.listScans('t1')).map((x) => x.scanId), ['b', 'c', 'a']);
    assert.deepEqual((await s.listScans('t1', { repoKey: '/repo', limit: 1 })).map((x) => x.scanId), ['b']);
    for (const f of ['f1', 'f2', 'f3']) {
      await s.recordDecision('t1', '/repo', f, { fingerprint: `fp-${f}`, decision: 'reject', actor: 'x', decidedAt: 'now', scanId: 'a' });
    }
    assert.deepEqual([...(await s.getScanDecisions('t1', 'a')).keys()].sort(), ['f1', 'f2', 'f3']);
    assert.equal((await s.getLedger('t1', '/repo')).size, 3);
    assert.equal((await s.getScanDecisions('t1', 'b')).size, 0);
    await s.close();
  });

  test(`${name}: the event outbox appends once per id, reads in seq order per tenant and type, keeps sink cursors`, async () => {
    const s = await open();
    const started = (tenant: string, scan: string) => scanEvent(tenant, scan, 'dev.vigil.scan.started.v1', { scanId: scan, workflowId: 'w', runId: 'r' });
    const stage = (tenant: string, scan: string, st: 'snapshot' | 'scoring') =>
      scanEvent(tenant, scan, 'dev.vigil.stage.started.v1', { scanId: scan, stage: st }, { key: st });
    const first = [started('t1', 's1'), stage('t1', 's1', 'snapshot'), started('t2', 's9')];
    await s.appendEvents(first);
    await s.appendEvents([first[0]!, first[1]!]); // a retried activity: nothing new
    await s.appendEvents([stage('t1', 's1', 'scoring'), stage('t1', 's1', 'scoring')]); // the same id twice in one call
    const all = await s.readEvents({ limit: 100 });
    assert.deepEqual(all.map((r) => r.event.id), [...first, stage('t1', 's1', 'scoring')].map((e) => e.id), 'each id once, in append order');
    assert.ok(all.every((r, i) => i === 0 || r.seq > all[i - 1]!.seq), 'seq strictly increases');
    assert.deepEqual(all[0]!.event, first[0], 'the event reads back whole');
    const t1 = await s.readEvents({ tenant: 't1', limit: 100 });
    assert.deepEqual(t1.map((r) => r.event.tenant), ['t1', 't1', 't1'], 'tenant-scoped');
    assert.deepEqual((await s.readEvents({ tenant: 't2', limit: 100 })).map((r) => r.event.subject), ['s9']);
    assert.deepEqual((await s.readEvents({ tenant: 't3', limit: 100 })), []);
    const paged = await s.readEvents({ tenant: 't1', after: t1[0]!.seq, limit: 1 });
    assert.deepEqual(paged.map((r) => r.seq), [t1[1]!.seq], 'after is exclusive, limit bounds the page');
    const typed = await s.readEvents({ tenant: 't1', types: ['dev.vigil.stage.started.v1'], limit: 100 });
    assert.deepEqual(typed.map((r) => r.event.data), [{ scanId: 's1', stage: 'snapshot' }, { scanId: 's1', stage: 'scoring' }]);
    assert.deepEqual(await s.readEvents({ after: all[all.length - 1]!.seq, limit: 10 }), [], 'nothing after the last');
    assert.equal(await s.getSinkCursor('webhook:a'), 0);
    await s.setSinkCursor('webhook:a', all[1]!.seq);
    await s.setSinkCursor('kafka', all[2]!.seq);
    assert.equal(await s.getSinkCursor('webhook:a'), all[1]!.seq);
    assert.equal(await s.getSinkCursor('kafka'), all[2]!.seq);
    const more = Array.from({ length: 450 }, (_, i) => scanEvent('t1', 'big', 'dev.vigil.stage.started.v1', { scanId: 'big', stage: 'snapshot' }, { key: String(i) }));
    await s.appendEvents(more);
    const back: string[] = [];
    for (let after = 0; ; ) {
      const page = await s.readEvents({ tenant: 't1', after, limit: 97 });
      if (page.length === 0) break;
      back.push(...page.filter((r) => r.event.subject === 'big').map((r) => r.event.id));
      after = page[page.length - 1]!.seq;
    }
    assert.deepEqual(back, more.map((e) => e.id), 'a large append reads back in order across pages');
    await s.close();
  });

  test(`${name}: deleteTenant deletes all of one tenant's data, counts it, records its event, leaves other tenants alone`, async () => {
    const s = await open();
    const code = Buffer.from('export function handler(req) {\n  return db.query("SELECT * FROM users WHERE id = " + req.query.id);\n}\n');
    const fill = async (tenant: string) => {
      await s.putBlobs(tenant, [{ hash: 'hb', content: code }, { hash: 'h2', content: Buffer.from('const x = 1;\n') }]);
      await s.putSnapshot({ ...snapshot(tenant), files: [{ path: 'src/users.js', hash: 'hb', size: code.length, mode: '100644' }] });
      await s.putMerkleNodes(tenant, [{ hash: 'root', children: [{ name: 'src', hash: 'd', kind: 'dir' }] }]);
      await s.putRepoTree(tenant, { repoKey: '/repo', rootHash: 'root', snapshotId: 'snap1', updatedAt: 'now' });
      await s.putAnalysisState(tenant, '/repo', 'root', { engine: 'builtin', engineVersion: '1', dependencies: {}, candidates: [] });
      await s.upsertScan({ scanId: 's1', tenant, workflowId: 'w', runId: 'r', repoKey: '/repo', source: {}, requestedBy: 'me', createdAt: '2026-01-01' });
      await s.putArtifact(tenant, 's1', 'report.md', `report of ${tenant}`);
      await s.putArtifact(tenant, 's1', 'findings', []);
      await s.recordDecision(tenant, '/repo', 'f1', { fingerprint: 'fp', decision: 'reject', actor: 'a', decidedAt: 'now', scanId: 's1', comment: 'validated upstream' });
      await s.appendEvents([
        scanEvent(tenant, 's1', 'dev.vigil.scan.started.v1', { scanId: 's1', workflowId: 'w', runId: 'r' }),
        scanEvent(tenant, 's1', 'dev.vigil.stage.started.v1', { scanId: 's1', stage: 'snapshot' }, { key: 'snapshot' }),
      ]);
    };
    await fill('gone');
    await fill('kept');
    const before = await s.readEvents({ limit: 100 });
    const last = before[before.length - 1]!.seq;
    await s.setSinkCursor('webhook:gone-hook', last);

    let recorded: unknown;
    const deleted = await s.deleteTenant('gone', {
      record: (counts) => {
        recorded = counts;
        return [tenantDeletedEvent('gone', { requestedBy: 'admin', cancelledScans: 0, deleted: { ...counts, vectors: 0, workflows: 0 } }, new Date(1))];
      },
    });
    assert.deepEqual(deleted, { scans: 1, snapshots: 1, blobs: 2, artifacts: 2, decisions: 1, ledgerEntries: 1, events: 2, other: 3 });
    assert.deepEqual(recorded, deleted, 'the event is built from the same counts');

    assert.equal(await s.getScan('gone', 's1'), undefined);
    assert.deepEqual(await s.listScans('gone'), []);
    assert.equal(await s.getBlob('gone', 'hb'), undefined);
    assert.equal((await s.hasBlobs('gone', ['hb', 'h2'])).size, 0);
    assert.equal(await s.getSnapshot('gone', 'snap1'), undefined);
    assert.equal(await s.getMerkleNode('gone', 'root'), undefined);
    assert.equal(await s.getRepoTree('gone', '/repo'), undefined);
    assert.equal(await s.getAnalysisState('gone', '/repo', 'root', 'builtin'), undefined);
    assert.equal(await s.getArtifact('gone', 's1', 'report.md'), undefined);
    assert.equal((await s.getLedger('gone', '/repo')).size, 0);
    assert.equal((await s.getScanDecisions('gone', 's1')).size, 0);
    assert.deepEqual(await s.searchCode('gone', '/repo', 'snap1', 'db.query users', 5), []);
    const left = await s.readEvents({ tenant: 'gone', limit: 100 });
    assert.deepEqual(left.map((r) => r.event.type), ['dev.vigil.tenant.deleted.v1'], 'only the deletion event is left');
    assert.ok(left[0]!.seq > last, 'after every earlier event: a publisher past them still delivers it');
    assert.deepEqual((await s.readEvents({ after: last, limit: 100 })).map((r) => r.event.type), ['dev.vigil.tenant.deleted.v1']);
    assert.equal(await s.getSinkCursor('webhook:gone-hook'), last, 'sink cursors are kept');

    // The other tenant keeps everything.
    assert.equal((await s.getScan('kept', 's1'))?.requestedBy, 'me');
    assert.equal((await s.getBlob('kept', 'hb'))?.toString(), code.toString());
    assert.equal(await s.getArtifact('kept', 's1', 'report.md'), 'report of kept');
    assert.equal((await s.getLedger('kept', '/repo')).get('fp')?.comment, 'validated upstream');
    assert.equal((await s.getScanDecisions('kept', 's1')).size, 1);
    assert.ok((await s.getMerkleNode('kept', 'root')) && (await s.getRepoTree('kept', '/repo')));
    assert.ok(await s.getAnalysisState('kept', '/repo', 'root', 'builtin'));
    assert.equal((await s.searchCode('kept', '/repo', 'snap1', 'db.query users', 5))[0]?.path, 'src/users.js');
    assert.equal((await s.readEvents({ tenant: 'kept', limit: 100 })).length, 2);

    // Twice is fine: nothing left to delete.
    const zero = { scans: 0, snapshots: 0, blobs: 0, artifacts: 0, decisions: 0, ledgerEntries: 0, events: 0, other: 0 };
    const again = tenantDeletedEvent('gone', { requestedBy: 'admin', cancelledScans: 0, deleted: { ...zero, vectors: 0, workflows: 0 } }, new Date(2));
    assert.deepEqual(await s.deleteTenant('gone', { record: () => [again] }), zero);
    assert.deepEqual((await s.readEvents({ tenant: 'gone', limit: 100 })).map((r) => r.event.time), [new Date(1).toISOString(), new Date(2).toISOString()],
      'a later deletion keeps the earlier deletion events (counts only), so none is lost before it is published');
    assert.deepEqual(await s.deleteTenant('never-existed'), zero);

    // The tenant can start again: the same blob is stored and indexed anew.
    await s.putBlobs('gone', [{ hash: 'hb', content: code }]);
    await s.putSnapshot({ ...snapshot('gone'), files: [{ path: 'src/users.js', hash: 'hb', size: code.length, mode: '100644' }] });
    assert.equal((await s.searchCode('gone', '/repo', 'snap1', 'db.query users', 5))[0]?.path, 'src/users.js');
    await s.close();
  });
}
