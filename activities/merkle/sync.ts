// The Merkle-sync stage: diff a snapshot against the repository's stored tree, store the new nodes,
// then move the repository's pointer. The pointer is written last, so an interrupted sync leaves the
// old tree current and only extra (content-addressed, harmless) nodes behind.
import { nonRetryable } from '../errors.js';
import type { Store } from '../store/store.js';
import { diffMerkle } from './diff.js';
import { buildMerkleTree } from './tree.js';

export interface SyncMerkleInput {
  tenant: string;
  repoKey: string;
  snapshotId: string;
}

export interface SyncMerkleResult {
  rootHash: string;
  previousRoot?: string;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  addedPaths: string[];
  changedPaths: string[];
  removedPaths: string[];
  /** The stored tree was missing nodes; see MerkleDiff.incomplete. */
  incomplete: boolean;
}

const NODE_BATCH = 2000;

/** `record: false` diffs only: no node stored, the repository's tree left where it was (an estimate changes nothing a scan sees). */
export async function syncMerkle(store: Store, input: SyncMerkleInput, opts: { record?: boolean } = {}): Promise<SyncMerkleResult> {
  const { tenant, repoKey, snapshotId } = input;
  const snapshot = await store.getSnapshot(tenant, snapshotId);
  if (!snapshot) {
    throw nonRetryable('SnapshotNotFoundError', `snapshot ${snapshotId} does not exist for tenant "${tenant}"; start a new scan to take it again`);
  }
  const tree = buildMerkleTree(snapshot.files);
  const previous = await store.getRepoTree(tenant, repoKey);

  const diff = await diffMerkle(previous?.rootHash, tree, (hash) => store.getMerkleNode(tenant, hash), {
    // Only needed to pin down a chmod; the previous snapshot has every file's mode.
    oldModes: async () => {
      if (!previous) return undefined;
      const old = await store.getSnapshot(tenant, previous.snapshotId);
      return old ? new Map(old.files.map((f) => [f.path, f.mode])) : undefined;
    },
  });

  if (opts.record !== false) {
    for (let i = 0; i < diff.newNodes.length; i += NODE_BATCH) {
      await store.putMerkleNodes(tenant, diff.newNodes.slice(i, i + NODE_BATCH));
    }
    await store.putRepoTree(tenant, { repoKey, rootHash: tree.rootHash, snapshotId, updatedAt: new Date().toISOString() });
  }

  return {
    rootHash: tree.rootHash,
    ...(previous ? { previousRoot: previous.rootHash } : {}),
    added: diff.added.length,
    changed: diff.changed.length,
    removed: diff.removed.length,
    unchanged: diff.unchanged,
    addedPaths: diff.added,
    changedPaths: diff.changed,
    removedPaths: diff.removed,
    incomplete: diff.incomplete,
  };
}
