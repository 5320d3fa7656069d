// The embedded vector store: decision vectors per tenant in their own SQLite file beside the code store
// (`<data dir>/vectors.db`). Vectors are float32 blobs; the decision each one stands for (its comment is a
// person's text) is sealed with the tenant's key like every other body. A query reads one tenant's rows only,
// and compares by brute force: at 10,000 decisions that is a few milliseconds, with the tenant's matrix kept
// in memory until the file changes. The hosted alternative is pinecone-vector-store.ts; both keep this contract.
import type { StoreCrypto } from '../crypto/seal.js';
import { openPrivateSqlite } from '../store/open-sqlite.js';

/** What a remembered decision says, as shown beside a similar finding. */
export interface DecisionRecord {
  findingId: string;
  scanId: string;
  fingerprint: string;
  decision: 'approve' | 'reject';
  comment?: string;
  ruleId: string;
  title: string;
  decidedAt: string;
  /** The scan's repository key: decisions can be filtered to one repository. */
  repository?: string;
  /** The text that was embedded (finding and comment), sealed with the rest: the lexical side of the ranking reads it. */
  text?: string;
}

export interface VectorItem {
  /** Idempotency key: the same id upserted again replaces the row. */
  id: string;
  vector: Float32Array;
  record: DecisionRecord;
}

export interface VectorHit {
  id: string;
  similarity: number;
  record: DecisionRecord;
}

/** Metadata filters of a query: only decisions of this class and/or this repository. */
export interface VectorFilter {
  ruleId?: string;
  repository?: string;
}

export interface DecisionVectorStore {
  /** Idempotent by id within a tenant: the same id again replaces its vector and record. */
  upsert(tenant: string, model: string, items: VectorItem[]): Promise<void>;
  /** The `limit` nearest of this tenant's vectors (of this model, matching the filter), best first. */
  query(tenant: string, model: string, vector: Float32Array, limit: number, filter?: VectorFilter): Promise<VectorHit[]>;
  count(tenant: string): Promise<number>;
  /** Deletes every vector (and sealed decision) of the tenant, whatever its model; deleting an absent tenant is fine. */
  deleteTenant(tenant: string): Promise<void>;
  close(): Promise<void>;
}

// rule_id and repository are the filterable fields, in clear like the code store's own repository keys
// (this file sits beside it, under the same permissions). Files written before them gain the columns.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS decision_vectors (
  tenant TEXT NOT NULL, id TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL, body BLOB NOT NULL,
  rule_id TEXT, repository TEXT,
  PRIMARY KEY (tenant, id)) WITHOUT ROWID;
`;

/** SQLite stores text as UTF-8: a lone surrogate would come back as U+FFFD, so filter values are compared so. */
const wellFormed = (s: string | undefined): string | null => (s === undefined ? null : s.replace(/\p{Surrogate}/gu, '\uFFFD'));

interface TenantMatrix {
  ids: string[];
  ruleIds: (string | null)[];
  repositories: (string | null)[];
  /** Row-major, `dims` floats per id. */
  data: Float32Array;
  dims: number;
}

export function openSqliteVectorStore(file: string, opts: { crypto?: StoreCrypto } = {}): DecisionVectorStore {
  const db = openPrivateSqlite(file);
  db.exec(SCHEMA);
  const columns = new Set((db.pragma('table_info(decision_vectors)') as { name: string }[]).map((c) => c.name));
  for (const col of ['rule_id', 'repository']) if (!columns.has(col)) db.exec(`ALTER TABLE decision_vectors ADD COLUMN ${col} TEXT`);
  const q = {
    upsert: db.prepare(
      `INSERT INTO decision_vectors (tenant, id, model, vector, body, rule_id, repository) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, id) DO UPDATE SET model = excluded.model, vector = excluded.vector, body = excluded.body,
         rule_id = excluded.rule_id, repository = excluded.repository`,
    ),
    vectors: db.prepare('SELECT id, vector, rule_id, repository FROM decision_vectors WHERE tenant = ? AND model = ?'),
    body: db.prepare('SELECT body FROM decision_vectors WHERE tenant = ? AND id = ?').pluck(),
    count: db.prepare('SELECT count(*) FROM decision_vectors WHERE tenant = ?').pluck(),
    deleteTenant: db.prepare('DELETE FROM decision_vectors WHERE tenant = ?'),
  };
  const dataVersion = () => db.pragma('data_version', { simple: true }) as number;
  // Per (tenant, model); dropped on our own writes and whenever another connection committed (data_version).
  const matrices = new Map<string, TenantMatrix>();
  let seenVersion = dataVersion();

  const seal = (tenant: string, id: string, record: DecisionRecord): Buffer | string => {
    const c = opts.crypto?.forTenant(tenant);
    return c ? c.sealJson(record, `decision-vector:${id}`) : JSON.stringify(record);
  };
  const open = (tenant: string, id: string, body: Buffer | string): DecisionRecord => {
    if (typeof body === 'string') return JSON.parse(body) as DecisionRecord;
    const c = opts.crypto?.forTenant(tenant);
    if (!c) throw new Error(`The decision vector ${id} is encrypted but the vector store was opened without the keyring.`);
    return c.openJson<DecisionRecord>(body, `decision-vector:${id}`);
  };
  const upsert = db.transaction((tenant: string, model: string, items: VectorItem[]) => {
    for (const it of items) {
      const blob = Buffer.from(it.vector.buffer, it.vector.byteOffset, it.vector.byteLength);
      q.upsert.run(tenant, it.id, model, blob, seal(tenant, it.id, it.record), wellFormed(it.record.ruleId), wellFormed(it.record.repository));
    }
  });
  const matrix = (tenant: string, model: string): TenantMatrix => {
    const version = dataVersion();
    if (version !== seenVersion) {
      matrices.clear();
      seenVersion = version;
    }
    const key = `${tenant}\0${model}`;
    let m = matrices.get(key);
    if (!m) {
      const rows = q.vectors.all(tenant, model) as { id: string; vector: Buffer; rule_id: string | null; repository: string | null }[];
      const dims = rows[0] ? rows[0].vector.byteLength / 4 : 0;
      const data = new Float32Array(rows.length * dims);
      rows.forEach((r, i) => data.set(new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)), i * dims));
      m = { ids: rows.map((r) => r.id), ruleIds: rows.map((r) => r.rule_id), repositories: rows.map((r) => r.repository), data, dims };
      matrices.set(key, m);
    }
    return m;
  };

  return {
    async upsert(tenant, model, items) {
      if (items.length === 0) return;
      upsert(tenant, model, items);
      matrices.delete(`${tenant}\0${model}`);
    },
    async query(tenant, model, vector, limit, filter) {
      const m = matrix(tenant, model);
      if (m.ids.length === 0 || limit <= 0) return [];
      if (vector.length !== m.dims) throw new Error(`A ${vector.length}-dimension query against ${m.dims}-dimension vectors of model ${model}.`);
      // Keep the best `limit` in a small sorted list: no sort of all scores.
      const best: { i: number; s: number }[] = [];
      const { data, dims } = m;
      const qv = vector;
      const rule = filter?.ruleId === undefined ? undefined : wellFormed(filter.ruleId);
      const repo = filter?.repository === undefined ? undefined : wellFormed(filter.repository);
      for (let i = 0; i < m.ids.length; i++) {
        if ((rule !== undefined && m.ruleIds[i] !== rule) || (repo !== undefined && m.repositories[i] !== repo)) continue;
        // Four partial sums: independent additions the CPU can overlap (about twice as fast as one chain).
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        const base = i * dims;
        let d = 0;
        for (; d + 3 < dims; d += 4) {
          s0 += data[base + d]! * qv[d]!;
          s1 += data[base + d + 1]! * qv[d + 1]!;
          s2 += data[base + d + 2]! * qv[d + 2]!;
          s3 += data[base + d + 3]! * qv[d + 3]!;
        }
        for (; d < dims; d++) s0 += data[base + d]! * qv[d]!;
        const s = s0 + s1 + s2 + s3;
        if (best.length < limit || s > best[best.length - 1]!.s) {
          let at = best.length;
          while (at > 0 && best[at - 1]!.s < s) at--;
          best.splice(at, 0, { i, s });
          if (best.length > limit) best.pop();
        }
      }
      return best.map(({ i, s }) => {
        const id = m.ids[i]!;
        return { id, similarity: s, record: open(tenant, id, q.body.get(tenant, id) as Buffer | string) };
      });
    },
    async count(tenant) {
      return q.count.get(tenant) as number;
    },
    async deleteTenant(tenant) {
      q.deleteTenant.run(tenant);
      matrices.clear();
    },
    async close() {
      db.close();
    },
  };
}
