// The code store: where snapshots, Merkle trees, scan artefacts and decisions live. Three implementations
// exist (embedded SQLite, Turbopuffer, PostgreSQL); every call names its tenant so one tenant can never read
// another's rows.
import type { ArtifactStore } from '../artifacts.js';
import type { AnalysisState, LedgerEntry } from '../model.js';
import type { CloudEvent, EventOutbox } from '../events/cloud-event.js';

export interface SnapshotFile {
  /** POSIX path relative to the repository root. */
  path: string;
  /** sha256 of the content, hex. */
  hash: string;
  size: number;
  /** Git file mode: '100644' or '100755'. */
  mode: string;
}

export interface SnapshotRecord {
  /** Content address of the manifest: sha256 over the sorted (path, hash, mode) rows. */
  id: string;
  tenant: string;
  repoKey: string;
  /** The commit the snapshot was taken at, when the source is a git repository. */
  commit?: string;
  /** True when a local working tree differed from its commit. */
  dirty?: boolean;
  createdAt: string;
  files: SnapshotFile[];
  /** Counted skips: binary, tooLarge, symlinkOutside, ignored, unreadable ... */
  skipped: Record<string, number>;
  bytes: number;
}

/** A directory node of a Merkle tree. Leaves are file content hashes and are not stored as nodes. */
export interface MerkleNode {
  hash: string;
  children: { name: string; hash: string; kind: 'file' | 'dir' }[];
}

export interface RepoTreeRecord {
  repoKey: string;
  rootHash: string;
  snapshotId: string;
  updatedAt: string;
}

export interface ScanRecord {
  scanId: string;
  tenant: string;
  workflowId: string;
  runId: string;
  repoKey: string;
  source: unknown;
  requestedBy: string;
  createdAt: string;
}

/** One chunk of a file that matched a code search, best first. */
export interface CodeSearchHit {
  path: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The blob (file content hash) the chunk belongs to. */
  hash: string;
  /** Relevance over the keyed token hashes (BM25; ts_rank on PostgreSQL); higher is better. */
  score: number;
  text: string;
}

/** What deleting a tenant's data removed, as counts (the tenant.deleted event carries exactly these). */
export interface TenantDeletionCounts {
  scans: number;
  snapshots: number;
  /** Content-addressed file contents (and their code-search chunks). */
  blobs: number;
  /** Scan artefacts: findings, scope, reports … one per (scan, kind). */
  artifacts: number;
  /** Decisions recorded per scan. */
  decisions: number;
  /** The per-repository ledger of decisions carried between scans. */
  ledgerEntries: number;
  /** The tenant's events removed from the outbox, published or not. */
  events: number;
  /** Merkle nodes, repository trees and engine state. */
  other: number;
}

/**
 * The one event type a tenant deletion keeps in the outbox: counts only, and a later deletion must not take an
 * earlier one's record away before it is published.
 */
export const TENANT_DELETED_EVENT = 'dev.vigil.tenant.deleted.v1';

export const NO_TENANT_DATA: TenantDeletionCounts = {
  scans: 0, snapshots: 0, blobs: 0, artifacts: 0, decisions: 0, ledgerEntries: 0, events: 0, other: 0,
};

/** Artefacts are typed by kind (activities/artifacts.ts): `getArtifact(tenant, scanId, 'findings')` is a `Finding[]`. */
/**
 * Artefacts are typed by kind (see above); scan events go through the outbox (EventOutbox): the activity that
 * changes state appends its events, idempotent by event id, and publishers read them in seq order.
 */
export interface Store extends ArtifactStore, EventOutbox {
  readonly kind: 'sqlite' | 'turbopuffer' | 'postgres';

  // Content-addressed blobs (sha256 hex), per tenant.
  putBlobs(tenant: string, blobs: { hash: string; content: Buffer }[]): Promise<void>;
  getBlob(tenant: string, hash: string): Promise<Buffer | undefined>;
  /** Many blobs in one call (decrypted); hashes the store lacks are absent from the map. */
  getBlobs(tenant: string, hashes: string[]): Promise<Map<string, Buffer>>;
  /** The subset of `hashes` already stored, so callers upload only what is missing. */
  hasBlobs(tenant: string, hashes: string[]): Promise<Set<string>>;

  // Snapshots: immutable, idempotent by id.
  putSnapshot(snapshot: SnapshotRecord): Promise<void>;
  getSnapshot(tenant: string, snapshotId: string): Promise<SnapshotRecord | undefined>;

  // Merkle trees: nodes are content-addressed per tenant; each repository points at its latest root.
  putMerkleNodes(tenant: string, nodes: MerkleNode[]): Promise<void>;
  getMerkleNode(tenant: string, hash: string): Promise<MerkleNode | undefined>;
  getRepoTree(tenant: string, repoKey: string): Promise<RepoTreeRecord | undefined>;
  putRepoTree(tenant: string, tree: RepoTreeRecord): Promise<void>;

  // Engine state between scans, keyed by the tree root it was computed for.
  putAnalysisState(tenant: string, repoKey: string, rootHash: string, state: AnalysisState): Promise<void>;
  getAnalysisState(tenant: string, repoKey: string, rootHash: string, engine: string): Promise<AnalysisState | undefined>;

  // Scans (their artefacts: ArtifactStore).
  upsertScan(scan: ScanRecord): Promise<void>;
  getScan(tenant: string, scanId: string): Promise<ScanRecord | undefined>;
  listScans(tenant: string, opts?: { repoKey?: string; limit?: number }): Promise<ScanRecord[]>;

  // Decisions: per scan and, by fingerprint, per repository (so a later scan keeps them).
  recordDecision(tenant: string, repoKey: string, findingId: string, entry: LedgerEntry): Promise<void>;
  getLedger(tenant: string, repoKey: string): Promise<Map<string, LedgerEntry>>;
  getScanDecisions(tenant: string, scanId: string): Promise<Map<string, LedgerEntry>>;

  /**
   * Full-text search over the code of a snapshot (default: the repository's latest synced snapshot). The
   * store holds keyed hashes of tokens, never the tokens: the query is hashed the same way.
   */
  searchCode(tenant: string, repoKey: string, snapshotId: string | undefined, query: string, limit?: number): Promise<CodeSearchHit[]>;

  /**
   * Deletes every row the tenant owns — scans, snapshots, blobs and their search chunks, Merkle trees, engine
   * state, artefacts, decisions, the ledger, and its events in the outbox, published or not (events name files
   * and rules), except earlier tenant.deleted events (TENANT_DELETED_EVENT: counts only) — and counts them. Then appends `record(counts)` (the tenant.deleted event), in the same
   * transaction where the store has them. Idempotent: a second call deletes nothing and counts zeros. Other
   * tenants' rows and the sinks' cursors are untouched.
   */
  deleteTenant(tenant: string, opts?: { record?: (deleted: TenantDeletionCounts) => CloudEvent[] }): Promise<TenantDeletionCounts>;

  close(): Promise<void>;
}
