// The PostgreSQL store's schema, as numbered migrations applied once per database. Several processes
// (workers, API replicas) start at once against one database: a session advisory lock lets one of them
// migrate while the others wait, then find the work done. Never edit a released migration: add one.
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    // Every table is keyed by tenant first, as in the SQLite store. Bodies are AES-GCM envelopes (bytea),
    // repository keys keyed hashes; ids, kinds and fingerprints are opaque identifiers.
    sql: `
CREATE TABLE blobs (
  tenant text NOT NULL, hash text NOT NULL, content bytea NOT NULL,
  PRIMARY KEY (tenant, hash));
-- Envelopes are random bytes: compressing them only costs CPU.
ALTER TABLE blobs ALTER COLUMN content SET STORAGE EXTERNAL;
CREATE TABLE snapshots (
  tenant text NOT NULL, id text NOT NULL, repo_key text NOT NULL, body bytea NOT NULL, created_at text NOT NULL,
  PRIMARY KEY (tenant, id));
CREATE TABLE merkle_nodes (
  tenant text NOT NULL, hash text NOT NULL, children bytea NOT NULL,
  PRIMARY KEY (tenant, hash));
CREATE TABLE repo_trees (
  tenant text NOT NULL, repo_key text NOT NULL, root_hash text NOT NULL, snapshot_id text NOT NULL, updated_at text NOT NULL,
  PRIMARY KEY (tenant, repo_key));
CREATE TABLE analysis_states (
  tenant text NOT NULL, repo_key text NOT NULL, root_hash text NOT NULL, engine text NOT NULL, body bytea NOT NULL,
  PRIMARY KEY (tenant, repo_key, root_hash, engine));
CREATE TABLE scans (
  tenant text NOT NULL, scan_id text NOT NULL, repo_key text NOT NULL, created_at text NOT NULL, body bytea NOT NULL,
  PRIMARY KEY (tenant, scan_id));
CREATE INDEX scans_by_time ON scans (tenant, created_at COLLATE "C");
CREATE INDEX scans_by_repo ON scans (tenant, repo_key, created_at COLLATE "C");
CREATE TABLE artifacts (
  tenant text NOT NULL, scan_id text NOT NULL, kind text NOT NULL, body bytea NOT NULL,
  PRIMARY KEY (tenant, scan_id, kind));
CREATE TABLE ledger (
  tenant text NOT NULL, repo_key text NOT NULL, fingerprint text NOT NULL, body bytea NOT NULL,
  PRIMARY KEY (tenant, repo_key, fingerprint));
CREATE TABLE scan_decisions (
  tenant text NOT NULL, scan_id text NOT NULL, finding_id text NOT NULL, body bytea NOT NULL,
  PRIMARY KEY (tenant, scan_id, finding_id));
-- Code search: one row per chunk of a blob; the lexemes are keyed hashes of its tokens, never the tokens.
CREATE TABLE code_chunks (
  tenant text NOT NULL, hash text NOT NULL, start_line integer NOT NULL, end_line integer NOT NULL, tokens tsvector NOT NULL,
  PRIMARY KEY (tenant, hash, start_line));
CREATE INDEX code_chunks_tokens ON code_chunks USING gin (tokens);
`,
  },
  {
    version: 2,
    name: 'event outbox',
    // seq is the read cursor. Appends hold a transaction-scoped advisory lock, so rows commit in seq order: a
    // reader that has seen seq n never later finds a smaller one (a plain bigserial would let a slower
    // transaction commit a smaller seq after a larger one was read, and that event would be skipped).
    sql: `
CREATE TABLE events (
  seq bigserial PRIMARY KEY, tenant text NOT NULL, id text NOT NULL, type text NOT NULL, body bytea NOT NULL,
  UNIQUE (tenant, id));
CREATE INDEX events_by_tenant ON events (tenant, seq);
CREATE TABLE sink_cursors (sink text PRIMARY KEY, seq bigint NOT NULL);
`,
  },
];

/** Arbitrary but fixed: the advisory lock every Vigil process takes to migrate this database. */
const MIGRATION_LOCK = 0x5669_6731; // "Vig1"

/**
 * Applies the migrations this database lacks, under the advisory lock; returns the versions it applied
 * (none when another process got there first). A database newer than this code is an error.
 */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS vigil_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM vigil_migrations');
      const have = new Set(rows.map((r) => r.version));
      const known = Math.max(0, ...migrations.map((m) => m.version));
      const newest = Math.max(0, ...have);
      if (newest > known) {
        throw new Error(`The PostgreSQL database is at schema version ${newest}, newer than this Vigil knows (${known}); upgrade Vigil on this machine.`);
      }
      const applied: number[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (have.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO vigil_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(`PostgreSQL migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      // Ending the session also frees the lock: a failed unlock on a broken connection is harmless.
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => (broken = true));
    }
  } finally {
    client.release(broken);
  }
}
