// The embedded default store: one SQLite file (WAL mode) per Vigil data directory.
// Every table is keyed by tenant first, so a query can never cross tenants by accident. With a keyring
// (the default through openConfiguredStore) every body is an AES-256-GCM envelope under the tenant's data
// key and repository keys are keyed hashes: the file holds no plaintext code or paths.
import type { StoreCrypto, TenantCrypto } from '../crypto/seal.js';
import { tokenize } from '../crypto/seal.js';
import { chunkText, linesOf, pathsByHash } from './code-chunks.js';
import type { ArtifactKind, ArtifactOf } from '../artifacts.js';
import type { AnalysisState, LedgerEntry } from '../model.js';
import type { CloudEvent, OutboxRecord } from '../events/cloud-event.js';
import type {
  CodeSearchHit,
  MerkleNode,
  RepoTreeRecord,
  ScanRecord,
  SnapshotRecord,
  Store,
  TenantDeletionCounts,
} from './store.js';
import { TENANT_DELETED_EVENT } from './store.js';
import { openPrivateSqlite } from './open-sqlite.js';

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
-- Code search: one row per chunk of a blob; tokens are keyed hashes when the store is encrypted.
-- The event outbox: seq is the read cursor (AUTOINCREMENT: never reused); one row per (tenant, event id), so a
-- retried activity appends nothing. SQLite serialises writers, so rows commit in seq order and a reader that
-- has seen seq n will never later find a smaller one.
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, body BLOB NOT NULL,
  UNIQUE (tenant, id));
CREATE INDEX IF NOT EXISTS events_by_tenant ON events (tenant, seq);
CREATE TABLE IF NOT EXISTS sink_cursors (sink TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS code_fts USING fts5(
  tokens, tenant UNINDEXED, hash UNINDEXED, start_line UNINDEXED, end_line UNINDEXED);
`;

export interface SqliteStoreOptions {
  /** Encrypt bodies and obfuscate repository keys (rows written without it still read). */
  crypto?: StoreCrypto;
}

export function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): Store {
  const db = openPrivateSqlite(file);
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
    listScans: db.prepare('SELECT scan_id, body FROM scans WHERE tenant = ? ORDER BY created_at DESC LIMIT ?'),
    listScansByRepo: db.prepare(
      'SELECT scan_id, body FROM scans WHERE tenant = ? AND repo_key = ? ORDER BY created_at DESC LIMIT ?',
    ),
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
    putEvent: db.prepare('INSERT OR IGNORE INTO events (tenant, id, type, body) VALUES (?, ?, ?, ?)'),
    getCursor: db.prepare('SELECT seq FROM sink_cursors WHERE sink = ?').pluck(),
    putCursor: db.prepare(
      'INSERT INTO sink_cursors (sink, seq) VALUES (?, ?) ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq',
    ),
  };

  const putFts = db.prepare('INSERT INTO code_fts (tokens, tenant, hash, start_line, end_line) VALUES (?, ?, ?, ?, ?)');
  const searchFts = db.prepare(
    'SELECT hash, start_line, end_line, bm25(code_fts) AS rank FROM code_fts WHERE code_fts MATCH ? AND tenant = ? ORDER BY rank LIMIT ?',
  );

  const tc = (tenant: string): TenantCrypto | undefined => opts.crypto?.forTenant(tenant);
  /** A body as stored: an envelope bound to (table, key) under encryption, else JSON text. */
  const enc = (tenant: string, aad: string, value: unknown): string | Buffer => {
    const c = tc(tenant);
    return c ? c.sealJson(value, aad) : JSON.stringify(value);
  };
  const dec = <T>(tenant: string, aad: string, body: string | Buffer): T => {
    if (typeof body === 'string') return JSON.parse(body) as T; // written without encryption
    return tc(tenant)!.openJson<T>(body, aad);
  };
  /** Repository keys are local paths or URLs: stored as keyed hashes under encryption. */
  const rk = (tenant: string, repoKey: string): string => tc(tenant)?.tag('repo', repoKey) ?? repoKey;
  /** Rows a store wrote before it was encrypted are keyed by the plain repository key: read those too. */
  const legacy = (tenant: string, repoKey: string): string | undefined => (tc(tenant) ? repoKey : undefined);
  const tokensOf = (tenant: string, text: string): string[] => tc(tenant)?.tokenHashes(text) ?? tokenize(text);

  const putBlobs = db.transaction((tenant: string, blobs: { hash: string; content: Buffer }[]) => {
    const c = tc(tenant);
    for (const b of blobs) {
      const stored = c ? c.seal(b.content, `blob:${b.hash}`) : b.content;
      if (q.putBlob.run(tenant, b.hash, stored).changes === 0) continue; // already there: indexed once
      for (const chunk of chunkText(b.content)) {
        putFts.run(tokensOf(tenant, chunk.text).join(' '), tenant, b.hash, chunk.startLine, chunk.endLine);
      }
    }
  });
  const putNodes = db.transaction((tenant: string, nodes: MerkleNode[]) => {
    for (const n of nodes) q.putNode.run(tenant, n.hash, enc(tenant, `node:${n.hash}`, n.children));
  });
  const recordDecision = db.transaction((tenant: string, repoKey: string, findingId: string, entry: LedgerEntry) => {
    q.putLedger.run(tenant, rk(tenant, repoKey), entry.fingerprint, enc(tenant, `ledger:${repoKey}:${entry.fingerprint}`, entry));
    q.putScanDecision.run(tenant, entry.scanId, findingId, enc(tenant, `decision:${entry.scanId}:${findingId}`, entry));
  });
  const appendEvents = db.transaction((events: CloudEvent[]) => {
    for (const e of events) q.putEvent.run(e.tenant, e.id, e.type, enc(e.tenant, `event:${e.id}`, e));
  });
  const deleteTenant = db.transaction((tenant: string, record?: (deleted: TenantDeletionCounts) => CloudEvent[]) => {
    const del = (table: string) => db.prepare(`DELETE FROM ${table} WHERE tenant = ?`).run(tenant).changes;
    db.prepare('DELETE FROM code_fts WHERE tenant = ?').run(tenant);
    const deleted: TenantDeletionCounts = {
      scans: del('scans'),
      snapshots: del('snapshots'),
      blobs: del('blobs'),
      artifacts: del('artifacts'),
      decisions: del('scan_decisions'),
      ledgerEntries: del('ledger'),
      // AUTOINCREMENT: the freed seqs are never reused, so readers' cursors stay valid.
      events: db.prepare('DELETE FROM events WHERE tenant = ? AND type <> ?').run(tenant, TENANT_DELETED_EVENT).changes,
      other: del('merkle_nodes') + del('repo_trees') + del('analysis_states'),
    };
    if (record) appendEvents(record(deleted));
    return deleted;
  });
  const readEvents = (opts: { tenant?: string; after?: number; limit: number; types?: string[] }): OutboxRecord[] => {
    const where = ['seq > ?'];
    const params: unknown[] = [opts.after ?? 0];
    if (opts.tenant !== undefined) (where.push('tenant = ?'), params.push(opts.tenant));
    if (opts.types?.length) (where.push(`type IN (${opts.types.map(() => '?').join(', ')})`), params.push(...opts.types));
    const rows = db
      .prepare(`SELECT seq, tenant, id, body FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`)
      .all(...params, opts.limit) as { seq: number; tenant: string; id: string; body: string | Buffer }[];
    return rows.map((r) => ({ seq: r.seq, event: dec<CloudEvent>(r.tenant, `event:${r.id}`, r.body) }));
  };
  const readBlob = (tenant: string, hash: string): Buffer | undefined => {
    const row = q.getBlob.get(tenant, hash) as { content: Buffer } | undefined;
    if (!row) return undefined;
    const c = tc(tenant);
    // Rows written before encryption was configured are plain; envelopes always open with the keyring.
    if (c && isEnvelope(row.content)) return c.open(row.content, `blob:${hash}`);
    return row.content;
  };

  return {
    kind: 'sqlite',
    async putBlobs(tenant, blobs) {
      putBlobs(tenant, blobs);
    },
    async getBlob(tenant, hash) {
      return readBlob(tenant, hash);
    },
    async getBlobs(tenant, hashes) {
      const found = new Map<string, Buffer>();
      for (const h of new Set(hashes)) {
        const blob = readBlob(tenant, h);
        if (blob) found.set(h, blob);
      }
      return found;
    },
    async hasBlobs(tenant, hashes) {
      const found = new Set<string>();
      for (const h of hashes) if (q.hasBlob.get(tenant, h)) found.add(h);
      return found;
    },
    async putSnapshot(s: SnapshotRecord) {
      q.putSnapshot.run(s.tenant, s.id, rk(s.tenant, s.repoKey), enc(s.tenant, `snapshot:${s.id}`, s), s.createdAt);
    },
    async getSnapshot(tenant, id) {
      const body = q.getSnapshot.get(tenant, id) as string | Buffer | undefined;
      return body ? dec<SnapshotRecord>(tenant, `snapshot:${id}`, body) : undefined;
    },
    async putMerkleNodes(tenant, nodes) {
      putNodes(tenant, nodes);
    },
    async getMerkleNode(tenant, hash) {
      const children = q.getNode.get(tenant, hash) as string | Buffer | undefined;
      return children ? { hash, children: dec<MerkleNode['children']>(tenant, `node:${hash}`, children) } : undefined;
    },
    async getRepoTree(tenant, repoKey) {
      type TreeRow = { repo_key: string; root_hash: string; snapshot_id: string; updated_at: string };
      const old = legacy(tenant, repoKey);
      const row = (q.getTree.get(tenant, rk(tenant, repoKey)) ?? (old ? q.getTree.get(tenant, old) : undefined)) as TreeRow | undefined;
      return row
        ? { repoKey, rootHash: row.root_hash, snapshotId: row.snapshot_id, updatedAt: row.updated_at }
        : undefined;
    },
    async putRepoTree(tenant, t: RepoTreeRecord) {
      q.putTree.run(tenant, rk(tenant, t.repoKey), t.rootHash, t.snapshotId, t.updatedAt);
    },
    async putAnalysisState(tenant, repoKey, rootHash, state: AnalysisState) {
      const aad = `state:${repoKey}:${rootHash}:${state.engine}`;
      q.putState.run(tenant, rk(tenant, repoKey), rootHash, state.engine, enc(tenant, aad, state));
    },
    async getAnalysisState(tenant, repoKey, rootHash, engine) {
      const old = legacy(tenant, repoKey);
      const body = (q.getState.get(tenant, rk(tenant, repoKey), rootHash, engine) ??
        (old ? q.getState.get(tenant, old, rootHash, engine) : undefined)) as string | Buffer | undefined;
      return body ? dec<AnalysisState>(tenant, `state:${repoKey}:${rootHash}:${engine}`, body) : undefined;
    },
    async upsertScan(s: ScanRecord) {
      q.upsertScan.run(s.tenant, s.scanId, rk(s.tenant, s.repoKey), s.createdAt, enc(s.tenant, `scan:${s.scanId}`, s));
    },
    async getScan(tenant, scanId) {
      const body = q.getScan.get(tenant, scanId) as string | Buffer | undefined;
      return body ? dec<ScanRecord>(tenant, `scan:${scanId}`, body) : undefined;
    },
    async listScans(tenant, opts = {}) {
      const limit = opts.limit ?? 100;
      const rows = (
        opts.repoKey ? q.listScansByRepo.all(tenant, rk(tenant, opts.repoKey), limit) : q.listScans.all(tenant, limit)
      ) as { scan_id: string; body: string | Buffer }[];
      return rows.map((r) => dec<ScanRecord>(tenant, `scan:${r.scan_id}`, r.body));
    },
    async putArtifact<K extends ArtifactKind>(tenant: string, scanId: string, kind: K, value: ArtifactOf<K>) {
      q.putArtifact.run(tenant, scanId, kind, enc(tenant, `artifact:${scanId}:${kind}`, value));
    },
    async getArtifact<K extends ArtifactKind>(tenant: string, scanId: string, kind: K) {
      const body = q.getArtifact.get(tenant, scanId, kind) as string | Buffer | undefined;
      return body === undefined ? undefined : dec<ArtifactOf<K>>(tenant, `artifact:${scanId}:${kind}`, body);
    },
    async recordDecision(tenant, repoKey, findingId, entry) {
      recordDecision(tenant, repoKey, findingId, entry);
    },
    async getLedger(tenant, repoKey) {
      const old = legacy(tenant, repoKey);
      const rows = [...(old ? q.getLedger.all(tenant, old) : []), ...q.getLedger.all(tenant, rk(tenant, repoKey))] as {
        fingerprint: string;
        body: string | Buffer;
      }[];
      return new Map(rows.map((r) => [r.fingerprint, dec<LedgerEntry>(tenant, `ledger:${repoKey}:${r.fingerprint}`, r.body)]));
    },
    async getScanDecisions(tenant, scanId) {
      const rows = q.getScanDecisions.all(tenant, scanId) as { finding_id: string; body: string | Buffer }[];
      return new Map(rows.map((r) => [r.finding_id, dec<LedgerEntry>(tenant, `decision:${scanId}:${r.finding_id}`, r.body)]));
    },
    async searchCode(tenant, repoKey, snapshotId, query, limit = 20) {
      const id = snapshotId ?? (q.getTree.get(tenant, rk(tenant, repoKey)) as { snapshot_id: string } | undefined)?.snapshot_id;
      if (!id) return [];
      const body = q.getSnapshot.get(tenant, id) as string | Buffer | undefined;
      if (!body) return [];
      const snap = dec<SnapshotRecord>(tenant, `snapshot:${id}`, body);
      if (snap.repoKey !== repoKey) return [];
      const paths = pathsByHash(snap);
      const tokens = [...new Set(tokensOf(tenant, query))];
      if (tokens.length === 0) return [];
      const match = tokens.map((t) => `"${t.replaceAll('"', '""')}"`).join(' OR ');
      const hits: CodeSearchHit[] = [];
      const rows = searchFts.all(match, tenant, Math.max(limit * 50, 1000)) as {
        hash: string;
        start_line: number;
        end_line: number;
        rank: number;
      }[];
      for (const r of rows) {
        for (const path of paths.get(r.hash) ?? []) {
          if (hits.length >= limit) break;
          const content = readBlob(tenant, r.hash);
          hits.push({
            path,
            hash: r.hash,
            startLine: r.start_line,
            endLine: r.end_line,
            score: -r.rank,
            text: content ? linesOf(content, r.start_line, r.end_line) : '',
          });
        }
        if (hits.length >= limit) break;
      }
      return hits;
    },
    async appendEvents(events) {
      appendEvents(events);
    },
    async readEvents(opts) {
      return readEvents(opts);
    },
    async getSinkCursor(sink) {
      return (q.getCursor.get(sink) as number | undefined) ?? 0;
    },
    async setSinkCursor(sink, seq) {
      q.putCursor.run(sink, seq);
    },
    async deleteTenant(tenant, opts = {}) {
      return deleteTenant(tenant, opts.record);
    },
    async close() {
      db.close();
    },
  };
}

function isEnvelope(b: Buffer): boolean {
  return b.length > 4 && b[0] === 0x56 && b[1] === 0x47 && b[2] === 0x01;
}
