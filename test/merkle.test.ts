// Merkle tree building, diffing and syncing against the real SQLite store.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { failureType } from '../activities/errors.js';
import { diffMerkle } from '../activities/merkle/diff.js';
import { syncMerkle } from '../activities/merkle/sync.js';
import { buildMerkleTree, hashDir } from '../activities/merkle/tree.js';
import { snapshotId } from '../activities/snapshot/snapshot-id.js';
import { openSqliteStore } from '../activities/store/sqlite-store.js';
import type { MerkleNode, SnapshotFile, Store } from '../activities/store/store.js';

const scratch = mkdtempSync(join(tmpdir(), 'vigil-merkle-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

type Files = Record<string, string | { content: string; mode: string }>;

function filesOf(spec: Files): SnapshotFile[] {
  return Object.entries(spec)
    .map(([path, v]) => {
      const { content, mode } = typeof v === 'string' ? { content: v, mode: '100644' } : v;
      return { path, hash: sha256(content), size: content.length, mode };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

const BASE: Files = {
  'README.md': '# app',
  'src/index.ts': 'main()',
  'src/util/strings.ts': 'export const s = 1',
  'src/util/numbers.ts': 'export const n = 1',
  'src/api/users.ts': 'users',
  'src/api/orders.ts': 'orders',
  'scripts/build.sh': { content: '#!/bin/sh', mode: '100755' },
  'docs/guide/intro.md': 'intro',
};

/** A store that counts node reads and node writes. */
function openStore(): Store & { nodeReads: string[]; nodeWrites: number } {
  const inner = openSqliteStore(join(scratch, `store-${++counter}.db`));
  const s = Object.assign(Object.create(null), inner, {
    nodeReads: [] as string[],
    nodeWrites: 0,
    getMerkleNode: (t: string, h: string) => (s.nodeReads.push(h), inner.getMerkleNode(t, h)),
    putMerkleNodes: (t: string, n: MerkleNode[]) => ((s.nodeWrites += n.length), inner.putMerkleNodes(t, n)),
  });
  return s;
}

async function putSnapshot(store: Store, spec: Files, tenant = 't'): Promise<string> {
  const files = filesOf(spec);
  const id = snapshotId(files);
  await store.putSnapshot({ id, tenant, repoKey: 'repo', createdAt: new Date().toISOString(), files, skipped: {}, bytes: 0 });
  return id;
}

async function sync(store: Store, spec: Files) {
  return syncMerkle(store, { tenant: 't', repoKey: 'repo', snapshotId: await putSnapshot(store, spec) });
}

function without(spec: Files, ...paths: string[]): Files {
  const out = { ...spec };
  for (const p of paths) delete out[p];
  return out;
}

describe('buildMerkleTree', () => {
  test('is deterministic, independent of input order, and hashes directories from their entries', () => {
    const files = filesOf(BASE);
    const a = buildMerkleTree(files);
    const b = buildMerkleTree([...files].reverse());
    assert.equal(a.rootHash, b.rootHash);
    // docs/, docs/guide/, root, scripts/, src/, src/api/, src/util/
    assert.equal(a.nodes.length, 7);
    const guide = a.nodes.find((n) => n.children.some((c) => c.name === 'intro.md'))!;
    assert.deepEqual(guide.children, [{ name: 'intro.md', hash: sha256('intro'), kind: 'file' }]);
    assert.equal(guide.hash, hashDir([{ kind: 'file', mode: '100644', name: 'intro.md', hash: sha256('intro') }]));
    assert.equal(a.index.fileCount.get(a.rootHash), 8);
  });

  test('content, names, modes and structure all change the root', () => {
    const root = (spec: Files) => buildMerkleTree(filesOf(spec)).rootHash;
    const base = root(BASE);
    assert.notEqual(root({ ...BASE, 'src/index.ts': 'main();' }), base);
    assert.notEqual(root({ ...without(BASE, 'src/index.ts'), 'src/main.ts': 'main()' }), base);
    assert.notEqual(root({ ...BASE, 'scripts/build.sh': '#!/bin/sh' }), base); // chmod -x
    assert.notEqual(root({ ...without(BASE, 'docs/guide/intro.md'), 'docs/intro.md': 'intro' }), base);
    // Identical directories share one node.
    const twins = buildMerkleTree(filesOf({ 'a/x.ts': 'x', 'b/x.ts': 'x' }));
    assert.equal(twins.nodes.length, 2);
  });

  test('builds 100k files in well under a second', () => {
    const files: SnapshotFile[] = [];
    for (let i = 0; i < 100_000; i++) {
      files.push({ path: `pkg${i % 20}/mod${i % 400}/sub${i % 7}/file${i}.ts`, hash: sha256(String(i)), size: 1, mode: '100644' });
    }
    const started = performance.now();
    const tree = buildMerkleTree(files);
    const ms = performance.now() - started;
    assert.equal(tree.index.fileCount.get(tree.rootHash), 100_000);
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  });
});

describe('diffMerkle and syncMerkle', () => {
  test('identical trees diff to nothing without reading a single stored node', async () => {
    const store = openStore();
    const first = await sync(store, BASE);
    assert.equal(first.previousRoot, undefined);
    assert.equal(first.added, 8);
    assert.deepEqual(first.addedPaths, Object.keys(BASE).sort());
    assert.equal(store.nodeWrites, 7);

    store.nodeReads.length = 0;
    const again = await sync(store, BASE);
    assert.deepEqual(
      { added: again.addedPaths, changed: again.changedPaths, removed: again.removedPaths, unchanged: again.unchanged },
      { added: [], changed: [], removed: [], unchanged: 8 },
    );
    assert.equal(again.previousRoot, first.rootHash);
    assert.deepEqual(store.nodeReads, []);
    assert.equal(store.nodeWrites, 7);
    await store.close();
  });

  test('a one-file edit is exactly that file, reading only the nodes on its path', async () => {
    const store = openStore();
    await sync(store, BASE);
    store.nodeReads.length = 0;
    const writesBefore = store.nodeWrites;
    const r = await sync(store, { ...BASE, 'src/util/strings.ts': 'export const s = 2' });
    assert.deepEqual(r.changedPaths, ['src/util/strings.ts']);
    assert.deepEqual([r.addedPaths, r.removedPaths, r.unchanged], [[], [], 7]);
    assert.equal(store.nodeReads.length, 3); // root, src/, src/util/
    assert.equal(store.nodeWrites - writesBefore, 3);
    assert.equal((await store.getRepoTree('t', 'repo'))?.rootHash, r.rootHash);
    await store.close();
  });

  test('add, remove and rename', async () => {
    const store = openStore();
    await sync(store, BASE);
    const next = { ...without(BASE, 'src/api/orders.ts', 'README.md'), 'src/api/invoices.ts': 'orders', 'LICENSE': 'MIT', 'src/new/deep/x.ts': 'x' };
    const r = await sync(store, next);
    assert.deepEqual(r.addedPaths, ['LICENSE', 'src/api/invoices.ts', 'src/new/deep/x.ts']);
    assert.deepEqual(r.removedPaths, ['README.md', 'src/api/orders.ts']);
    assert.deepEqual(r.changedPaths, []);
    assert.equal(r.unchanged, 6);
    await store.close();
  });

  test('removing a directory lists every file below it; a file may become a directory', async () => {
    const store = openStore();
    await sync(store, BASE);
    const r = await sync(store, { ...without(BASE, 'src/util/strings.ts', 'src/util/numbers.ts', 'README.md'), 'README.md/index.md': 'now a dir' });
    assert.deepEqual(r.removedPaths, ['README.md', 'src/util/numbers.ts', 'src/util/strings.ts']);
    assert.deepEqual(r.addedPaths, ['README.md/index.md']);
    assert.equal(r.unchanged, 5);
    await store.close();
  });

  test('chmod alone is a change of exactly that file, found without loading the old snapshot when it can be', async () => {
    const store = openStore();
    await sync(store, { ...BASE, 'scripts/lint.sh': '#!/bin/sh lint' });
    const reads: string[] = [];
    const getSnapshot = store.getSnapshot;
    store.getSnapshot = (t, id) => (reads.push(id), getSnapshot(t, id));

    const chmod = await sync(store, { ...BASE, 'scripts/lint.sh': '#!/bin/sh lint', 'scripts/build.sh': '#!/bin/sh' });
    assert.deepEqual(chmod.changedPaths, ['scripts/build.sh']);
    assert.equal(chmod.unchanged, 8);
    assert.equal(reads.length, 2); // this snapshot, and the previous one for its modes

    // An edit beside the chmod'ed file: both reported, nothing else.
    reads.length = 0;
    const mixed = await sync(store, { ...BASE, 'scripts/lint.sh': { content: '#!/bin/sh lint', mode: '100755' }, 'scripts/build.sh': 'edited' });
    assert.deepEqual(mixed.changedPaths, ['scripts/build.sh', 'scripts/lint.sh']);

    // An edit whose directory's old hash its new modes explain: no old snapshot needed.
    reads.length = 0;
    const edit = await sync(store, { ...BASE, 'scripts/lint.sh': { content: '#!/bin/sh lint', mode: '100755' }, 'scripts/build.sh': 'edited again' });
    assert.deepEqual(edit.changedPaths, ['scripts/build.sh']);
    assert.equal(reads.length, 1);
    await store.close();
  });

  test('without the old modes a chmod is over-reported, never missed', async () => {
    const store = openStore();
    const before = { ...BASE, 'scripts/keep.sh': 'k' };
    const old = buildMerkleTree(filesOf(before));
    await store.putMerkleNodes('t', old.nodes);
    const next = buildMerkleTree(filesOf({ ...before, 'scripts/build.sh': '#!/bin/sh', 'scripts/other.sh': 'o' }));
    const d = await diffMerkle(old.rootHash, next, (h) => store.getMerkleNode('t', h));
    // keep.sh did not change, but nothing can tell which sibling lost its exec bit.
    assert.deepEqual(d.changed, ['scripts/build.sh', 'scripts/keep.sh']);
    assert.deepEqual(d.added, ['scripts/other.sh']);
    assert.equal(d.unchanged, 7);
    await store.close();
  });

  test('missing old nodes: their files count as added and the diff says it is incomplete', async () => {
    const old = buildMerkleTree(filesOf(BASE));
    const next = buildMerkleTree(filesOf({ ...BASE, 'src/index.ts': 'changed' }));
    const nodes = new Map(old.nodes.map((n) => [n.hash, n]));
    const srcHash = nodes.get(old.rootHash)!.children.find((c) => c.name === 'src')!.hash;
    nodes.delete(srcHash);
    const d = await diffMerkle(old.rootHash, next, async (h) => nodes.get(h));
    assert.equal(d.incomplete, true);
    assert.deepEqual(d.added, ['src/api/orders.ts', 'src/api/users.ts', 'src/index.ts', 'src/util/numbers.ts', 'src/util/strings.ts']);
    assert.equal(d.unchanged, 3);
  });

  test('trees are per tenant, and an unknown snapshot is a SnapshotNotFoundError', async () => {
    const store = openStore();
    await sync(store, BASE);
    const other = await syncMerkle(store, { tenant: 'u', repoKey: 'repo', snapshotId: await putSnapshot(store, BASE, 'u') });
    assert.equal(other.previousRoot, undefined);
    assert.equal(other.added, 8);
    await assert.rejects(syncMerkle(store, { tenant: 't', repoKey: 'repo', snapshotId: 'f'.repeat(64) }), (err) => {
      assert.equal(failureType(err), 'SnapshotNotFoundError');
      assert.match((err as Error).message, /does not exist/);
      return true;
    });
    await store.close();
  });

  test('a sync that fails before the end leaves the repository pointing at its old tree', async () => {
    const store = openStore();
    const first = await sync(store, BASE);
    store.putMerkleNodes = async () => {
      throw new Error('disk full');
    };
    await assert.rejects(sync(store, { ...BASE, 'README.md': 'new' }), /disk full/);
    assert.equal((await store.getRepoTree('t', 'repo'))?.rootHash, first.rootHash);
    await store.close();
  });
});
