// Two repositories with identical files are two snapshots: each record names its own repository and
// commit, which the apply stage builds its branch on.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { takeSnapshot } from '../activities/snapshot/take-snapshot.js';
import { openSqliteStore } from '../activities/store/sqlite-store.js';
import { git, gitRepoFromFixture } from './helpers/scan-harness.js';

const fixture = fileURLToPath(new URL('./fixtures/vulnerable-express', import.meta.url));

test('identical trees in two repositories keep separate snapshot records with their own commits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-origin-'));
  const store = openSqliteStore(join(dir, 'vigil.db'));
  const a = gitRepoFromFixture(fixture, dir);
  await new Promise((r) => setTimeout(r, 1100)); // a different commit time, so a different commit id
  const b = gitRepoFromFixture(fixture, dir);
  const workDir = join(dir, 'work');
  const snapA = await takeSnapshot(store, { tenant: 't', repoKey: a, source: { kind: 'local', path: a }, workDir });
  const snapB = await takeSnapshot(store, { tenant: 't', repoKey: b, source: { kind: 'local', path: b }, workDir });
  assert.notEqual(snapA.snapshotId, snapB.snapshotId);
  assert.equal((await store.getSnapshot('t', snapA.snapshotId))?.commit, git(a, 'rev-parse', 'HEAD').trim());
  assert.equal((await store.getSnapshot('t', snapB.snapshotId))?.commit, git(b, 'rev-parse', 'HEAD').trim());
  // Retried, the same repository lands on the same record.
  assert.equal((await takeSnapshot(store, { tenant: 't', repoKey: a, source: { kind: 'local', path: a }, workDir })).snapshotId, snapA.snapshotId);
  await store.close();
});
