import { nonRetryable } from '../errors.js';
import type { Candidate, Finding } from '../model.js';
import type { SnapshotRecord, Store } from '../store/store.js';

export async function requireSnapshot(store: Store, tenant: string, snapshotId: string): Promise<SnapshotRecord> {
  const snapshot = await store.getSnapshot(tenant, snapshotId);
  if (!snapshot) throw nonRetryable('SnapshotNotFoundError', `Snapshot ${snapshotId} is not in the store; re-run the scan.`);
  return snapshot;
}

export async function requireArtifact<T extends Candidate[] | Finding[] | object>(
  store: Store,
  tenant: string,
  scanId: string,
  kind: Parameters<Store['getArtifact']>[2],
  before: string,
): Promise<T> {
  const value = await store.getArtifact<T>(tenant, scanId, kind);
  if (value === undefined) throw nonRetryable('ScanStateError', `Scan ${scanId} has no ${kind}; the ${before} stage must run first.`);
  return value;
}
