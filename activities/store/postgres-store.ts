// The PostgreSQL store: the Store contract over one shared database, so workers and API replicas on
// several machines share snapshots, scans, decisions and artefacts without a hosted service.
// Same rules as the encrypted SQLite store: every table keyed by tenant first; every body an AES-256-GCM
// envelope under the tenant's data key, bound to its row; repository keys and code-search tokens are keyed
// hashes. The database (and its backups) holds no plaintext code, paths or findings.
// Writes are idempotent (ON CONFLICT), so an activity retried after a crash rewrites the same rows.
import pg from 'pg';
import type { StoreCrypto, TenantCrypto } from '../crypto/seal.js';
import type { ArtifactKind, ArtifactOf } from '../artifacts.js';
import type { AnalysisState, LedgerEntry } from '../model.js';
import { chunkText, linesOf, pathsByHash } from './code-chunks.js';
import { migrate } from './postgres-migrations.js';
import type { CloudEvent } from '../events/cloud-event.js';
import { TENANT_DELETED_EVENT, type CodeSearchHit, type MerkleNode, type RepoTreeRecord, type ScanRecord, type SnapshotRecord, type Store, type TenantDeletionCounts } from './store.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (libpq URL; sslmode etc. as query parameters). */
  url: string;
  crypto: StoreCrypto;
  /** Where the URL came from, for error messages (default VIGIL_DATABASE_URL). */
  urlSource?: string;
  /** Connections per process (default 10). */
  maxConnections?: number;
}

/** Per write transaction: bounded so one upload of a large repository never holds one huge transaction. */
const WRITE_BATCH_ROWS = 500;
const WRITE_BATCH_BYTES = 8 * 1024 * 1024;
const LOOKUP_BATCH = 10_000;
/** tsvector limits: positions up to 16383, 256 per lexeme, 1 MB in all (~30k lexemes of 17 chars). */
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_LEXEME = 256;
const MAX_LEXEMES = 30_000;
/** Arbitrary but fixed: serialises event appends so they commit in seq order (see migration 2). */
const EVENTS_LOCK = 0x5669_6745; // "VigE"

export function openPostgresStore(opts: PostgresStoreOptions): Store {
  const source = opts.urlSource ?? 'VIGIL_DATABASE_URL';
  const where = `${redactUrl(opts.url)} (${source})`;
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection dropped (PostgreSQL restarted): the pool replaces it on the next query. Without a
  // listener the error would crash the process.
  pool.on('error', () => {});

  let migrated: Promise<void> | undefined;
  /** Migrations run once per process before the first query; a failure is retried on the next call. */
  const ready = (): Promise<void> =>
    (migrated ??= migrate(pool).then(
      () => undefined,
      (err: unknown) => {
        migrated = undefined;
        throw describe(err, where, opts.url);
      },
    ));

  async function q<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    await ready();
    try {
      return (await pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw describe(err, where, opts.url);
    }
  }
  async function tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    await ready();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw describe(err, where, opts.url);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw describe(err, where, opts.url);
    } finally {
      client.release(broken);
    }
  }

  const tc = (tenant: string): TenantCrypto => opts.crypto.forTenant(tenant);
  const enc = (tenant: string, aad: string, value: unknown): Buffer => tc(tenant).sealJson(value, aad);
  const dec = <T>(tenant: string, aad: string, body: Buffer): T => tc(tenant).openJson<T>(body, aad);
  const rk = (tenant: string, repoKey: string): string => tc(tenant).tag('repo', repoKey);

  async function one(sql: string, params: unknown[]): Promise<Buffer | undefined> {
    return (await q<{ body: Buffer }>(sql, params))[0]?.body;
  }
  async function readBlob(tenant: string, hash: string): Promise<Buffer | undefined> {
    const body = await one('SELECT content AS body FROM blobs WHERE tenant = $1 AND hash = $2', [tenant, hash]);
    return body ? tc(tenant).open(body, `blob:${hash}`) : undefined;
  }
  async function readSnapshot(tenant: string, id: string): Promise<SnapshotRecord | undefined> {
    const body = await one('SELECT body FROM snapshots WHERE tenant = $1 AND id = $2', [tenant, id]);
    return body ? dec<SnapshotRecord>(tenant, `snapshot:${id}`, body) : undefined;
  }
  async function readTree(tenant: string, repoKey: string) {
    type TreeRow = { root_hash: string; snapshot_id: string; updated_at: string };
    return (
      await q<TreeRow>('SELECT root_hash, snapshot_id, updated_at FROM repo_trees WHERE tenant = $1 AND repo_key = $2', [
        tenant,
        rk(tenant, repoKey),
      ])
    )[0];
  }

  /** The chunks of one blob as rows for code_chunks, sealed content alongside. */
  function prepareBlob(tenant: string, b: { hash: string; content: Buffer }) {
    const c = tc(tenant);
    const chunks = chunkText(b.content).map((chunk) => ({
      start: chunk.startLine,
      end: chunk.endLine,
      tokens: tsvectorLiteral(c.tokenHashes(chunk.text)),
    }));
    return { hash: b.hash, sealed: c.seal(b.content, `blob:${b.hash}`), chunks };
  }

  /** Inserts events under the outbox lock, in their order; inside the caller's transaction. */
  async function insertEvents(client: pg.PoolClient, events: CloudEvent[]): Promise<void> {
    const bodies = events.map((e) => enc(e.tenant, `event:${e.id}`, e));
    await client.query('SELECT pg_advisory_xact_lock($1)', [EVENTS_LOCK]);
    await client.query(
      `INSERT INTO events (tenant, id, type, body)
       SELECT t, i, y, b FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[]) WITH ORDINALITY AS u(t, i, y, b, n)
       ORDER BY n ON CONFLICT (tenant, id) DO NOTHING`,
      [events.map((e) => e.tenant), events.map((e) => e.id), events.map((e) => e.type), bodies],
    );
  }

  return {
    kind: 'postgres',
    async putBlobs(tenant, blobs) {
      // Sealed and tokenised before the transaction opens, so row locks are held only for the writes.
      const prepared = blobs.map((b) => prepareBlob(tenant, b));
      for (const batch of batches(prepared, (p) => p.sealed.length)) {
        await tx(async (client) => {
          const inserted = await client.query<{ hash: string }>(
            `INSERT INTO blobs (tenant, hash, content) SELECT $1, h, c FROM unnest($2::text[], $3::bytea[]) AS u(h, c)
             ON CONFLICT (tenant, hash) DO NOTHING RETURNING hash`,
            [tenant, batch.map((p) => p.hash), batch.map((p) => p.sealed)],
          );
          // Only blobs this call stored are indexed: one already there (or written concurrently by another
          // worker, which this insert waited for) was indexed by whoever stored it.
          const fresh = new Set(inserted.rows.map((r) => r.hash));
          const rows = batch.filter((p) => fresh.delete(p.hash)).flatMap((p) => p.chunks.map((c) => ({ hash: p.hash, ...c })));
          if (rows.length === 0) return;
          await client.query(
            `INSERT INTO code_chunks (tenant, hash, start_line, end_line, tokens)
             SELECT $1, h, s, e, t::tsvector FROM unnest($2::text[], $3::int[], $4::int[], $5::text[]) AS u(h, s, e, t)
             ON CONFLICT (tenant, hash, start_line) DO NOTHING`,
            [tenant, rows.map((r) => r.hash), rows.map((r) => r.start), rows.map((r) => r.end), rows.map((r) => r.tokens)],
          );
        });
      }
    },
    async getBlob(tenant, hash) {
      return readBlob(tenant, hash);
    },
    async getBlobs(tenant, hashes) {
      // One query per batch of hashes; each blob opened once, however often it is named.
      const found = new Map<string, Buffer>();
      const unique = [...new Set(hashes)];
      for (let i = 0; i < unique.length; i += LOOKUP_BATCH) {
        const rows = await q<{ hash: string; content: Buffer }>(
          'SELECT hash, content FROM blobs WHERE tenant = $1 AND hash = ANY($2::text[])',
          [tenant, unique.slice(i, i + LOOKUP_BATCH)],
        );
        for (const r of rows) found.set(r.hash, tc(tenant).open(r.content, `blob:${r.hash}`));
      }
      return found;
    },
    async hasBlobs(tenant, hashes) {
      const found = new Set<string>();
      for (let i = 0; i < hashes.length; i += LOOKUP_BATCH) {
        const rows = await q<{ hash: string }>('SELECT hash FROM blobs WHERE tenant = $1 AND hash = ANY($2::text[])', [
          tenant,
          hashes.slice(i, i + LOOKUP_BATCH),
        ]);
        for (const r of rows) found.add(r.hash);
      }
      return found;
    },
    async putSnapshot(s: SnapshotRecord) {
      await q(
        `INSERT INTO snapshots (tenant, id, repo_key, body, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant, id) DO NOTHING`,
        [s.tenant, s.id, rk(s.tenant, s.repoKey), enc(s.tenant, `snapshot:${s.id}`, s), s.createdAt],
      );
    },
    async getSnapshot(tenant, id) {
      return readSnapshot(tenant, id);
    },
    async putMerkleNodes(tenant, nodes) {
      for (let i = 0; i < nodes.length; i += WRITE_BATCH_ROWS) {
        const batch = nodes.slice(i, i + WRITE_BATCH_ROWS);
        await q(
          `INSERT INTO merkle_nodes (tenant, hash, children) SELECT $1, h, c FROM unnest($2::text[], $3::bytea[]) AS u(h, c)
           ON CONFLICT (tenant, hash) DO NOTHING`,
          [tenant, batch.map((n) => n.hash), batch.map((n) => enc(tenant, `node:${n.hash}`, n.children))],
        );
      }
    },
    async getMerkleNode(tenant, hash) {
      const body = await one('SELECT children AS body FROM merkle_nodes WHERE tenant = $1 AND hash = $2', [tenant, hash]);
      return body ? { hash, children: dec<MerkleNode['children']>(tenant, `node:${hash}`, body) } : undefined;
    },
    async getRepoTree(tenant, repoKey) {
      const row = await readTree(tenant, repoKey);
      return row ? { repoKey, rootHash: row.root_hash, snapshotId: row.snapshot_id, updatedAt: row.updated_at } : undefined;
    },
    async putRepoTree(tenant, t: RepoTreeRecord) {
      await q(
        `INSERT INTO repo_trees (tenant, repo_key, root_hash, snapshot_id, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant, repo_key) DO UPDATE SET root_hash = excluded.root_hash,
           snapshot_id = excluded.snapshot_id, updated_at = excluded.updated_at`,
        [tenant, rk(tenant, t.repoKey), t.rootHash, t.snapshotId, t.updatedAt],
      );
    },
    async putAnalysisState(tenant, repoKey, rootHash, state: AnalysisState) {
      const aad = `state:${repoKey}:${rootHash}:${state.engine}`;
      await q(
        `INSERT INTO analysis_states (tenant, repo_key, root_hash, engine, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant, repo_key, root_hash, engine) DO UPDATE SET body = excluded.body`,
        [tenant, rk(tenant, repoKey), rootHash, state.engine, enc(tenant, aad, state)],
      );
    },
    async getAnalysisState(tenant, repoKey, rootHash, engine) {
      const body = await one(
        'SELECT body FROM analysis_states WHERE tenant = $1 AND repo_key = $2 AND root_hash = $3 AND engine = $4',
        [tenant, rk(tenant, repoKey), rootHash, engine],
      );
      return body ? dec<AnalysisState>(tenant, `state:${repoKey}:${rootHash}:${engine}`, body) : undefined;
    },
    async upsertScan(s: ScanRecord) {
      // First write wins: a retried start changes nothing.
      await q(
        `INSERT INTO scans (tenant, scan_id, repo_key, created_at, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant, scan_id) DO NOTHING`,
        [s.tenant, s.scanId, rk(s.tenant, s.repoKey), s.createdAt, enc(s.tenant, `scan:${s.scanId}`, s)],
      );
    },
    async getScan(tenant, scanId) {
      const body = await one('SELECT body FROM scans WHERE tenant = $1 AND scan_id = $2', [tenant, scanId]);
      return body ? dec<ScanRecord>(tenant, `scan:${scanId}`, body) : undefined;
    },
    async listScans(tenant, o = {}) {
      const limit = o.limit ?? 100;
      const rows = o.repoKey
        ? await q<{ scan_id: string; body: Buffer }>(
            'SELECT scan_id, body FROM scans WHERE tenant = $1 AND repo_key = $2 ORDER BY created_at COLLATE "C" DESC LIMIT $3',
            [tenant, rk(tenant, o.repoKey), limit],
          )
        : await q<{ scan_id: string; body: Buffer }>(
            'SELECT scan_id, body FROM scans WHERE tenant = $1 ORDER BY created_at COLLATE "C" DESC LIMIT $2',
            [tenant, limit],
          );
      return rows.map((r) => dec<ScanRecord>(tenant, `scan:${r.scan_id}`, r.body));
    },
    async putArtifact<K extends ArtifactKind>(tenant: string, scanId: string, kind: K, value: ArtifactOf<K>) {
      await q(
        `INSERT INTO artifacts (tenant, scan_id, kind, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant, scan_id, kind) DO UPDATE SET body = excluded.body`,
        [tenant, scanId, kind, enc(tenant, `artifact:${scanId}:${kind}`, value)],
      );
    },
    async getArtifact<K extends ArtifactKind>(tenant: string, scanId: string, kind: K) {
      const body = await one('SELECT body FROM artifacts WHERE tenant = $1 AND scan_id = $2 AND kind = $3', [tenant, scanId, kind]);
      return body === undefined ? undefined : dec<ArtifactOf<K>>(tenant, `artifact:${scanId}:${kind}`, body);
    },
    async recordDecision(tenant, repoKey, findingId, entry: LedgerEntry) {
      const ledger = enc(tenant, `ledger:${repoKey}:${entry.fingerprint}`, entry);
      const decision = enc(tenant, `decision:${entry.scanId}:${findingId}`, entry);
      // Both rows or neither: the ledger and the scan's decision list never disagree.
      await tx(async (client) => {
        await client.query(
          `INSERT INTO ledger (tenant, repo_key, fingerprint, body) VALUES ($1, $2, $3, $4)
           ON CONFLICT (tenant, repo_key, fingerprint) DO UPDATE SET body = excluded.body`,
          [tenant, rk(tenant, repoKey), entry.fingerprint, ledger],
        );
        await client.query(
          `INSERT INTO scan_decisions (tenant, scan_id, finding_id, body) VALUES ($1, $2, $3, $4)
           ON CONFLICT (tenant, scan_id, finding_id) DO UPDATE SET body = excluded.body`,
          [tenant, entry.scanId, findingId, decision],
        );
      });
    },
    async getLedger(tenant, repoKey) {
      const rows = await q<{ fingerprint: string; body: Buffer }>(
        'SELECT fingerprint, body FROM ledger WHERE tenant = $1 AND repo_key = $2',
        [tenant, rk(tenant, repoKey)],
      );
      return new Map(rows.map((r) => [r.fingerprint, dec<LedgerEntry>(tenant, `ledger:${repoKey}:${r.fingerprint}`, r.body)]));
    },
    async getScanDecisions(tenant, scanId) {
      const rows = await q<{ finding_id: string; body: Buffer }>(
        'SELECT finding_id, body FROM scan_decisions WHERE tenant = $1 AND scan_id = $2',
        [tenant, scanId],
      );
      return new Map(rows.map((r) => [r.finding_id, dec<LedgerEntry>(tenant, `decision:${scanId}:${r.finding_id}`, r.body)]));
    },
    async searchCode(tenant, repoKey, snapshotId, query, limit = 20) {
      const id = snapshotId ?? (await readTree(tenant, repoKey))?.snapshot_id;
      if (!id) return [];
      const snap = await readSnapshot(tenant, id);
      if (!snap || snap.repoKey !== repoKey) return [];
      const paths = pathsByHash(snap);
      const tokens = [...new Set(tc(tenant).tokenHashes(query))];
      if (tokens.length === 0 || paths.size === 0) return [];
      // Any token matches (as FTS5's OR query on SQLite); ts_rank with length normalisation orders the
      // chunks, and only chunks of this snapshot's blobs are ranked.
      const rows = await q<{ hash: string; start_line: number; end_line: number; score: number }>(
        `SELECT hash, start_line, end_line, ts_rank(tokens, $2::tsquery, 1) AS score FROM code_chunks
         WHERE tenant = $1 AND tokens @@ $2::tsquery AND hash = ANY($3::text[])
         ORDER BY score DESC, hash, start_line LIMIT $4`,
        [tenant, tokens.map(lexeme).join(' | '), [...paths.keys()], limit],
      );
      const hits: CodeSearchHit[] = [];
      const contents = new Map<string, Buffer | undefined>();
      for (const r of rows) {
        if (!contents.has(r.hash)) contents.set(r.hash, await readBlob(tenant, r.hash));
        const content = contents.get(r.hash);
        for (const path of paths.get(r.hash) ?? []) {
          if (hits.length >= limit) break;
          hits.push({
            path,
            hash: r.hash,
            startLine: r.start_line,
            endLine: r.end_line,
            score: Number(r.score),
            text: content ? linesOf(content, r.start_line, r.end_line) : '',
          });
        }
        if (hits.length >= limit) break;
      }
      return hits;
    },
    async appendEvents(events) {
      if (events.length === 0) return;
      await tx((client) => insertEvents(client, events));
    },
    async readEvents(o) {
      const where = ['seq > $1'];
      const params: unknown[] = [o.after ?? 0];
      if (o.tenant !== undefined) (params.push(o.tenant), where.push(`tenant = $${params.length}`));
      if (o.types?.length) (params.push(o.types), where.push(`type = ANY($${params.length}::text[])`));
      params.push(o.limit);
      const rows = await q<{ seq: string; tenant: string; id: string; body: Buffer }>(
        `SELECT seq, tenant, id, body FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${params.length}`,
        params,
      );
      return rows.map((r) => ({ seq: Number(r.seq), event: dec<CloudEvent>(r.tenant, `event:${r.id}`, r.body) }));
    },
    async getSinkCursor(sink) {
      const rows = await q<{ seq: string }>('SELECT seq FROM sink_cursors WHERE sink = $1', [sink]);
      return rows[0] ? Number(rows[0].seq) : 0;
    },
    async setSinkCursor(sink, seq) {
      await q('INSERT INTO sink_cursors (sink, seq) VALUES ($1, $2) ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq', [sink, seq]);
    },
    async deleteTenant(tenant, o = {}) {
      // One transaction: a failure midway deletes nothing, and the tenant.deleted event commits with the deletion.
      return tx(async (client) => {
        const del = async (table: string) => (await client.query(`DELETE FROM ${table} WHERE tenant = $1`, [tenant])).rowCount ?? 0;
        await del('code_chunks');
        const deleted: TenantDeletionCounts = {
          scans: await del('scans'),
          snapshots: await del('snapshots'),
          blobs: await del('blobs'),
          artifacts: await del('artifacts'),
          decisions: await del('scan_decisions'),
          ledgerEntries: await del('ledger'),
          // A bigserial: freed seqs are never reused, so readers' cursors stay valid.
          events: (await client.query('DELETE FROM events WHERE tenant = $1 AND type <> $2', [tenant, TENANT_DELETED_EVENT])).rowCount ?? 0,
          other: (await del('merkle_nodes')) + (await del('repo_trees')) + (await del('analysis_states')),
        };
        const events = o.record?.(deleted) ?? [];
        if (events.length > 0) await insertEvents(client, events);
        return deleted;
      });
    },
    async close() {
      await pool.end();
    },
  };
}

/** Splits rows into write batches bounded by count and bytes. */
function batches<T>(items: T[], size: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= WRITE_BATCH_ROWS || bytes + size(item) > WRITE_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size(item);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** A quoted tsvector/tsquery lexeme: no parser or dictionary touches it (tokens are keyed hashes). */
function lexeme(token: string): string {
  return `'${token.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/**
 * The tsvector text of a chunk's token hashes with their positions, so ts_rank sees term frequency and
 * length. Within PostgreSQL's limits: positions past 16383 and beyond 256 per token are dropped, and a
 * chunk with more than 30k distinct tokens (generated data) is searchable by its first 30k.
 */
export function tsvectorLiteral(tokens: string[]): string {
  const positions = new Map<string, number[]>();
  tokens.forEach((t, i) => {
    let list = positions.get(t);
    if (!list) {
      if (positions.size >= MAX_LEXEMES) return;
      positions.set(t, (list = []));
    }
    if (i + 1 <= MAX_POSITION && list.length < MAX_POSITIONS_PER_LEXEME) list.push(i + 1);
  });
  return [...positions].map(([t, at]) => (at.length ? `${lexeme(t)}:${at.join(',')}` : lexeme(t))).join(' ');
}

/** The URL with its password replaced: safe for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Connection failures name the database (without its password) and what to check. */
function describe(err: unknown, where: string, url: string): Error {
  const e = err as Error & { code?: string };
  const code = e?.code ?? '';
  const connection =
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/.test(code) ||
    /^(08|28|3D|57P)/.test(code) ||
    /timeout exceeded when trying to connect|Connection terminated/i.test(e?.message ?? '');
  if (!connection) return e instanceof Error ? e : new Error(String(err));
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // unparsable: nothing to scrub beyond the message itself
  }
  const message = password ? (e.message ?? '').replaceAll(password, '***') : e.message;
  return new Error(
    `Cannot use the PostgreSQL database at ${where}: ${message || code}. Check that PostgreSQL is running and reachable, and the user, password and database in the URL.`,
    { cause: err },
  );
}
