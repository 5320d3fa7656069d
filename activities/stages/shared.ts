import { nonRetryable } from '../errors.js';
import type { ClaudeDeps } from '../engines/claude/client.js';
import type { ArtifactKind, ArtifactOf } from '../artifacts.js';
import type { ReasoningEngine, Verifier } from '../model.js';
import type { Narrowing, PathPolicy } from '../scan-roots.js';
import type { SnapshotLimits } from '../snapshot/limits.js';
import type { SnapshotRecord, Store } from '../store/store.js';
import type { TenantSettings } from '../events/tenant-settings.js';
import type { DecisionMemory } from '../retrieval/decision-memory.js';
import type { GuidanceIndex } from '../retrieval/guidance-index.js';

export async function requireSnapshot(store: Store, tenant: string, snapshotId: string): Promise<SnapshotRecord> {
  const snapshot = await store.getSnapshot(tenant, snapshotId);
  if (!snapshot) throw nonRetryable('SnapshotNotFoundError', `Snapshot ${snapshotId} is not in the store; re-run the scan.`);
  return snapshot;
}

export async function requireArtifact<K extends ArtifactKind>(
  store: Store,
  tenant: string,
  scanId: string,
  kind: K,
  before: string,
): Promise<ArtifactOf<K>> {
  const value = await store.getArtifact(tenant, scanId, kind);
  if (value === undefined) throw nonRetryable('ScanStateError', `Scan ${scanId} has no ${kind}; the ${before} stage must run first.`);
  return value;
}

/** What every stage is built from (the worker chooses them; tests too). */
export interface ActivityDeps {
  store: Store;
  /** Where temporary clones and work files go. */
  workDir: string;
  /** Stat cache file for local snapshots (git-index-like); omit to always re-hash. */
  statCacheFile?: string;
  /** Snapshot limits (files, bytes, entries walked, bytes per file); omitted: read from VIGIL_MAX_* at scan time. */
  snapshotLimits?: SnapshotLimits;
  /** The operator's git settings (GIT_ALLOW_PROTOCOL, VIGIL_GIT_ALLOW_HOSTS) for clones; default process.env. */
  gitEnv?: NodeJS.ProcessEnv;
  engines: Record<string, ReasoningEngine>;
  verifiers: Record<string, Verifier>;
  /** The Claude engine's client and defaults, when the worker is configured for it. */
  claude?: ClaudeDeps;
  /**
   * Where apply may write branches: the server's path policy and each tenant's roots (from the keys file).
   * Omitted (the local CLI, tests): no check beyond the API's.
   */
  paths?: { policy: PathPolicy; tenantRoots(tenant: string): Narrowing };
  /** Per-tenant event settings (whether decision events carry comments); omitted: the defaults (no comments). */
  tenantSettings?: Pick<TenantSettings, 'decisionComments'>;
  /** Decision memory (similar past decisions); omitted, findings carry none. */
  retrieval?: DecisionMemory;
  /** Security guidance (passages linked to findings, the Claude engine's search_guidance tool); omitted, none. */
  guidance?: GuidanceIndex;
  /** Why decision memory is off on this worker (VIGIL_RETRIEVAL=off, the model missing or corrupt): said in reports. */
  retrievalUnavailable?: string;
}

export interface ScanIds {
  scanId: string;
  tenant: string;
  repoKey: string;
}
