// Stage 2: diff the snapshot's Merkle tree against the repository's stored tree. The diff is kept per
// scan, so a retry returns the first result instead of diffing against the tree it just stored.
import type { ActivityDeps, ScanIds } from './shared.js';
import { syncMerkle } from '../merkle/sync.js';
import { stageCompleted, stageStarted } from '../events/scan-events.js';

export async function merkleSyncStage(deps: ActivityDeps, input: ScanIds & { snapshotId: string }) {
  const { store } = deps;
  await store.appendEvents([stageStarted(input, 'merkle_sync')]);
  let diff = await store.getArtifact(input.tenant, input.scanId, 'merkle-diff');
  if (!diff) {
    const r = await syncMerkle(store, { tenant: input.tenant, repoKey: input.repoKey, snapshotId: input.snapshotId });
    diff = {
      rootHash: r.rootHash,
      previousRoot: r.previousRoot,
      added: r.addedPaths,
      changed: r.changedPaths,
      removed: r.removedPaths,
      unchanged: r.unchanged,
    };
    await store.putArtifact(input.tenant, input.scanId, 'merkle-diff', diff);
  }
  const counts = {
    rootHash: diff.rootHash,
    added: diff.added.length,
    changed: diff.changed.length,
    removed: diff.removed.length,
    unchanged: diff.unchanged,
  };
  await store.appendEvents([stageCompleted(input, 'merkle_sync', counts)]);
  return counts;
}
