// The per-activity reader of a snapshot's files: nothing read until asked, each load one batched store call,
// each blob fetched and decrypted once, paths from the snapshot record. Counted on a real encrypted SQLite store.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { keyringFromKeys } from '../activities/crypto/keyring.js';
import { createStoreCrypto, type StoreCrypto } from '../activities/crypto/seal.js';
import { openSourceFiles } from '../activities/source-files.js';
import { openSqliteStore } from '../activities/store/sqlite-store.js';
import type { SnapshotRecord, Store } from '../activities/store/store.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The real store, with every blob call and every decryption of a blob counted. */
function counted() {
  const calls: { method: string; hashes: string[] }[] = [];
  const opened: string[] = [];
  const real = createStoreCrypto(keyringFromKeys([randomBytes(32)]));
  const crypto: StoreCrypto = {
    forTenant(tenant) {
      const c = real.forTenant(tenant);
      return Object.assign(Object.create(c), {
        open(sealed: Buffer, aad: string) {
          if (aad.startsWith('blob:')) opened.push(aad.slice(5));
          return c.open(sealed, aad);
        },
      });
    },
  };
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'vigil-reader-')), 'vigil.db'), { crypto });
  const watched = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'getBlob') return (tenant: string, hash: string) => (calls.push({ method: 'getBlob', hashes: [hash] }), target.getBlob(tenant, hash));
      if (prop === 'getBlobs') return (tenant: string, hashes: string[]) => (calls.push({ method: 'getBlobs', hashes: [...hashes] }), target.getBlobs(tenant, hashes));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Store;
  return { store: watched, calls, opened };
}

async function snapshotOf(store: Store, files: Record<string, string>): Promise<SnapshotRecord> {
  await store.putBlobs('t', Object.values(files).map((text) => ({ hash: sha(text), content: Buffer.from(text) })));
  const snapshot: SnapshotRecord = {
    id: 'snap',
    tenant: 't',
    repoKey: '/r',
    createdAt: '2026-01-01T00:00:00Z',
    files: Object.entries(files).map(([path, text]) => ({ path, hash: sha(text), size: text.length, mode: '100644' })),
    skipped: {},
    bytes: 0,
  };
  await store.putSnapshot(snapshot);
  return snapshot;
}

const FILES = { 'a.js': 'alpha\n', 'b.js': 'beta\n', 'c.js': 'gamma\n', 'copy/a.js': 'alpha\n', 'd.js': 'delta\n' };

test('nothing is read until asked: paths and has come from the snapshot record', async () => {
  const { store, calls } = counted();
  const files = openSourceFiles(store, await snapshotOf(store, FILES));
  assert.deepEqual(files.paths(), ['a.js', 'b.js', 'c.js', 'copy/a.js', 'd.js']);
  assert.ok(files.has('d.js') && !files.has('e.js'));
  assert.equal(files.read('a.js'), undefined, 'a file not loaded reads as absent');
  assert.deepEqual(calls, []);
});

test('each load is one batched call for the files not read yet; each blob is fetched and decrypted once', async () => {
  const { store, calls, opened } = counted();
  const files = openSourceFiles(store, await snapshotOf(store, FILES));
  await files.load(['a.js', 'b.js', 'copy/a.js', 'not-there.js']);
  assert.deepEqual(calls, [{ method: 'getBlobs', hashes: [sha('alpha\n'), sha('beta\n')] }], 'one call; the copy shares its blob');
  assert.equal(files.read('a.js'), 'alpha\n');
  assert.equal(files.read('copy/a.js'), 'alpha\n');
  assert.equal(files.read('c.js'), undefined);
  await files.load(['b.js', 'a.js']);
  assert.equal(calls.length, 1, 'files already read are not asked for again');
  await files.loadAll();
  assert.deepEqual(calls[1], { method: 'getBlobs', hashes: [sha('gamma\n'), sha('delta\n')] }, 'loadAll fetches only the rest, in one call');
  assert.equal(files.read('d.js'), 'delta\n');
  await files.loadAll();
  assert.equal(calls.length, 2);
  assert.equal(calls.filter((c) => c.method === 'getBlob').length, 0, 'never one blob at a time');
  assert.deepEqual([...opened].sort(), [sha('alpha\n'), sha('beta\n'), sha('delta\n'), sha('gamma\n')].sort(), 'each blob decrypted exactly once');
});

test('a reader per activity: a second reader reads again (nothing is shared between activities)', async () => {
  const { store, calls } = counted();
  const snapshot = await snapshotOf(store, FILES);
  await openSourceFiles(store, snapshot).load(['a.js']);
  await openSourceFiles(store, snapshot).load(['a.js']);
  assert.equal(calls.length, 2);
});

test('a blob missing from the store reads as absent and is not asked for twice', async () => {
  const { store, calls } = counted();
  const snapshot = await snapshotOf(store, { 'a.js': 'alpha\n' });
  snapshot.files.push({ path: 'lost.js', hash: sha('never stored'), size: 1, mode: '100644' });
  const files = openSourceFiles(store, snapshot);
  await files.load(['lost.js', 'a.js']);
  assert.equal(files.read('lost.js'), undefined);
  assert.equal(files.read('a.js'), 'alpha\n');
  await files.load(['lost.js']);
  assert.equal(calls.length, 1);
});
