// The embedded default store: one SQLite file (WAL mode) per Vigil data directory.
// Every table is keyed by tenant first, so a query can never cross tenants by accident.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AnalysisState } from '../model.js';
import type {
  LedgerEntry,
  MerkleNode,
  RepoTreeRecord,
  ScanArtifactKind,
  ScanRecord,
  SnapshotRecord,
  Store,
} from './store.js';

const SCHEMA = `
-- A rowid table: blob rows are large, and WITHOUT ROWID tables store them inline in the key's b-tree,
-- which made existence checks and uploads of 100k blobs about ten times slower.
CREATE TABLE IF NOT EXISTS blobs (
  tenant TEXT NOT NULL, hash TEXT NOT NULL, content BLOB NOT NULL,
  PRIMARY KEY (tenant, hash));
CREATE TABLE IF NOT EXISTS snapshots (
  tenant TEXT NOT NULL, id TEXT NOT NULL, repo_key TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (tenant, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS merkle_nodes (
  tenant TEXT NOT NULL, hash TEXT NOT NULL, children TEXT NOT NULL,
  PRIMARY KEY (tenant, hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS repo_trees (
  tenant TEXT NOT NULL, repo_key TEXT NOT NULL, root_hash TEXT NOT NULL, snapshot_id TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant, repo_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS analysis_states (
  tenant TEXT NOT NULL, repo_key TEXT NOT NULL, root_hash TEXT NOT NULL, engine TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (tenant, repo_key, root_hash, engine)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS scans (
  tenant TEXT NOT NULL, scan_id TEXT NOT NULL, repo_key TEXT NOT NULL, created_at TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (tenant, scan_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS scans_by_repo ON scans (tenant, repo_key, created_at);
CREATE TABLE IF NOT EXISTS artifacts (
  tenant TEXT NOT NULL, scan_id TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (tenant, scan_id, kind)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger (
  tenant TEXT NOT NULL, repo_key TEXT NOT NULL, fingerprint TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (tenant, repo_key, fingerprint)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS scan_decisions (
  tenant TEXT NOT NULL, scan_id TEXT NOT NULL, finding_id TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (tenant, scan_id, finding_id)) WITHOUT ROWID;
`;

export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Several processes (API, worker, CLI) may share one file: wait for a lock instead of failing.
  db.pragma('busy_timeout = 10000');
  db.exec(SCHEMA);

  const q = {
    putBlob: db.prepare('INSERT OR IGNORE INTO blobs (tenant, hash, content) VALUES (?, ?, ?)'),
    getBlob: db.prepare('SELECT content FROM blobs WHERE tenant = ? AND hash = ?'),
    hasBlob: db.prepare('SELECT 1 FROM blobs WHERE tenant = ? AND hash = ?').pluck(),
    putSnapshot: db.prepare(
      'INSERT OR IGNORE INTO snapshots (tenant, id, repo_key, body, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    getSnapshot: db.prepare('SELECT body FROM snapshots WHERE tenant = ? AND id = ?').pluck(),
    putNode: db.prepare('INSERT OR IGNORE INTO merkle_nodes (tenant, hash, children) VALUES (?, ?, ?)'),
    getNode: db.prepare('SELECT children FROM merkle_nodes WHERE tenant = ? AND hash = ?').pluck(),
    putTree: db.prepare(
      `INSERT INTO repo_trees (tenant, repo_key, root_hash, snapshot_id, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, repo_key) DO UPDATE SET root_hash = excluded.root_hash,
         snapshot_id = excluded.snapshot_id, updated_at = excluded.updated_at`,
    ),
    getTree: db.prepare('SELECT repo_key, root_hash, snapshot_id, updated_at FROM repo_trees WHERE tenant = ? AND repo_key = ?'),
    putState: db.prepare(
      `INSERT INTO analysis_states (tenant, repo_key, root_hash, engine, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, repo_key, root_hash, engine) DO UPDATE SET body = excluded.body`,
    ),
    getState: db
      .prepare('SELECT body FROM analysis_states WHERE tenant = ? AND repo_key = ? AND root_hash = ? AND engine = ?')
      .pluck(),
    upsertScan: db.prepare(
      `INSERT INTO scans (tenant, scan_id, repo_key, created_at, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, scan_id) DO NOTHING`,
    ),
    getScan: db.prepare('SELECT body FROM scans WHERE tenant = ? AND scan_id = ?').pluck(),
    listScans: db.prepare('SELECT body FROM scans WHERE tenant = ? ORDER BY created_at DESC LIMIT ?').pluck(),
    listScansByRepo: db
      .prepare('SELECT body FROM scans WHERE tenant = ? AND repo_key = ? ORDER BY created_at DESC LIMIT ?')
      .pluck(),
    putArtifact: db.prepare(
      `INSERT INTO artifacts (tenant, scan_id, kind, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant, scan_id, kind) DO UPDATE SET body = excluded.body`,
    ),
    getArtifact: db.prepare('SELECT body FROM artifacts WHERE tenant = ? AND scan_id = ? AND kind = ?').pluck(),
    putLedger: db.prepare(
      `INSERT INTO ledger (tenant, repo_key, fingerprint, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant, repo_key, fingerprint) DO UPDATE SET body = excluded.body`,
    ),
    getLedger: db.prepare('SELECT fingerprint, body FROM ledger WHERE tenant = ? AND repo_key = ?'),
    putScanDecision: db.prepare(
      `INSERT INTO scan_decisions (tenant, scan_id, finding_id, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant, scan_id, finding_id) DO UPDATE SET body = excluded.body`,
    ),
    getScanDecisions: db.prepare('SELECT finding_id, body FROM scan_decisions WHERE tenant = ? AND scan_id = ?'),
  };

  const putBlobs = db.transaction((tenant: string, blobs: { hash: string; content: Buffer }[]) => {
    for (const b of blobs) q.putBlob.run(tenant, b.hash, b.content);
  });
  const putNodes = db.transaction((tenant: string, nodes: MerkleNode[]) => {
    for (const n of nodes) q.putNode.run(tenant, n.hash, JSON.stringify(n.children));
  });
  const recordDecision = db.transaction((tenant: string, repoKey: string, findingId: string, entry: LedgerEntry) => {
    const body = JSON.stringify(entry);
    q.putLedger.run(tenant, repoKey, entry.fingerprint, body);
    q.putScanDecision.run(tenant, entry.scanId, findingId, body);
  });

  return {
    kind: 'sqlite',
    async putBlobs(tenant, blobs) {
      putBlobs(tenant, blobs);
    },
    async getBlob(tenant, hash) {
      const row = q.getBlob.get(tenant, hash) as { content: Buffer } | undefined;
      return row?.content;
    },
    async hasBlobs(tenant, hashes) {
      const found = new Set<string>();
      for (const h of hashes) if (q.hasBlob.get(tenant, h)) found.add(h);
      return found;
    },
    async putSnapshot(s: SnapshotRecord) {
      q.putSnapshot.run(s.tenant, s.id, s.repoKey, JSON.stringify(s), s.createdAt);
    },
    async getSnapshot(tenant, id) {
      const body = q.getSnapshot.get(tenant, id) as string | undefined;
      return body ? (JSON.parse(body) as SnapshotRecord) : undefined;
    },
    async putMerkleNodes(tenant, nodes) {
      putNodes(tenant, nodes);
    },
    async getMerkleNode(tenant, hash) {
      const children = q.getNode.get(tenant, hash) as string | undefined;
      return children ? { hash, children: JSON.parse(children) } : undefined;
    },
    async getRepoTree(tenant, repoKey) {
      const row = q.getTree.get(tenant, repoKey) as
        | { repo_key: string; root_hash: string; snapshot_id: string; updated_at: string }
        | undefined;
      return row
        ? { repoKey: row.repo_key, rootHash: row.root_hash, snapshotId: row.snapshot_id, updatedAt: row.updated_at }
        : undefined;
    },
    async putRepoTree(tenant, t: RepoTreeRecord) {
      q.putTree.run(tenant, t.repoKey, t.rootHash, t.snapshotId, t.updatedAt);
    },
    async putAnalysisState(tenant, repoKey, rootHash, state: AnalysisState) {
      q.putState.run(tenant, repoKey, rootHash, state.engine, JSON.stringify(state));
    },
    async getAnalysisState(tenant, repoKey, rootHash, engine) {
      const body = q.getState.get(tenant, repoKey, rootHash, engine) as string | undefined;
      return body ? (JSON.parse(body) as AnalysisState) : undefined;
    },
    async upsertScan(s: ScanRecord) {
      q.upsertScan.run(s.tenant, s.scanId, s.repoKey, s.createdAt, JSON.stringify(s));
    },
    async getScan(tenant, scanId) {
      const body = q.getScan.get(tenant, scanId) as string | undefined;
      return body ? (JSON.parse(body) as ScanRecord) : undefined;
    },
    async listScans(tenant, opts = {}) {
      const limit = opts.limit ?? 100;
      const rows = (
        opts.repoKey ? q.listScansByRepo.all(tenant, opts.repoKey, limit) : q.listScans.all(tenant, limit)
      ) as string[];
      return rows.map((b) => JSON.parse(b) as ScanRecord);
    },
    async putArtifact(tenant, scanId, kind: ScanArtifactKind, value) {
      q.putArtifact.run(tenant, scanId, kind, JSON.stringify(value));
    },
    async getArtifact<T>(tenant: string, scanId: string, kind: ScanArtifactKind) {
      const body = q.getArtifact.get(tenant, scanId, kind) as string | undefined;
      return body === undefined ? undefined : (JSON.parse(body) as T);
    },
    async recordDecision(tenant, repoKey, findingId, entry) {
      recordDecision(tenant, repoKey, findingId, entry);
    },
    async getLedger(tenant, repoKey) {
      const rows = q.getLedger.all(tenant, repoKey) as { fingerprint: string; body: string }[];
      return new Map(rows.map((r) => [r.fingerprint, JSON.parse(r.body) as LedgerEntry]));
    },
    async getScanDecisions(tenant, scanId) {
      const rows = q.getScanDecisions.all(tenant, scanId) as { finding_id: string; body: string }[];
      return new Map(rows.map((r) => [r.finding_id, JSON.parse(r.body) as LedgerEntry]));
    },
    async close() {
      db.close();
    },
  };
}
