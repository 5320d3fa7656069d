// The hosted vector store: decision vectors in one Pinecone index through the real @pinecone-database/pinecone
// client. Each tenant has its own namespace, named by a keyed tag of the tenant (the keyring's index key), so
// the name reveals nothing and a query is only ever sent to the asking tenant's namespace. What Pinecone holds
// beside a vector: the model name, keyed tags of the class and repository (equality filters work; the names
// stay ours), and the decision record sealed with the tenant's key. Requests that fail with 429 or 5xx, or
// cannot connect, are retried a bounded number of times with backoff (pinecone-http.ts); other failures say
// what to do.
import { Pinecone, type Index } from '@pinecone-database/pinecone';
import type { StoreCrypto } from '../crypto/seal.js';
import { explainPineconeError, retryingFetch, type PineconeRetries } from './pinecone-http.js';
import type { DecisionRecord, DecisionVectorStore, VectorFilter, VectorHit, VectorItem } from './vector-store.js';

export type { PineconeRetries } from './pinecone-http.js';

/** What Pinecone stores beside each vector: nothing a reader of the index could learn the decision from. */
type SealedMetadata = {
  model: string;
  /** Keyed tag of the finding's class. */
  rule: string;
  /** Keyed tag of the repository key (absent when the decision has none). */
  repo?: string;
  /** The DecisionRecord, sealed with the tenant's key and bound to its id (base64). */
  body: string;
};

export interface PineconeVectorStoreOptions {
  apiKey: string;
  /** The index's data-plane host (https://<index>-<project>.svc.<region>.pinecone.io). */
  indexHost: string;
  /** Seals the records and derives namespace names and filter tags: required, nothing is stored in clear. */
  crypto: StoreCrypto;
  retries?: PineconeRetries;
}

/** Pinecone's metadata limit is 40 KB per vector: a longer comment is stored cut (shown are 1,000 characters). */
export const MAX_STORED_COMMENT_BYTES = 16 * 1024;
/** Pinecone's upsert limits are 1,000 vectors and 2 MB a request: batches stay well under both. */
const UPSERT_BATCH = 100;
const UPSERT_BYTES = 1.5 * 1024 * 1024;

function cutUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  // Cut by code points so a surrogate pair is never split.
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes - 3) break;
    out += ch;
    bytes += n;
  }
  return `${out}…`;
}

export interface PineconeVectorStore extends DecisionVectorStore {
  /** The index's shape, to check it against the embedding model at start. */
  describe(): Promise<{ dimension?: number }>;
}

const HINTS = {
  hostSetting: 'VIGIL_PINECONE_INDEX_HOST',
  badRequest: "Check that the index's dimension matches the embedding model and its metric is cosine, and the project's quota.",
};

export function openPineconeVectorStore(opts: PineconeVectorStoreOptions): PineconeVectorStore {
  const retries = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5000, ...opts.retries };
  const host = opts.indexHost.replace(/\/+$/, '');
  const client = new Pinecone({ apiKey: opts.apiKey, maxRetries: 0, fetchApi: retryingFetch(retries, host) });
  const index: Index<SealedMetadata> = client.index<SealedMetadata>({ host });
  const crypto = opts.crypto;

  const namespaceOf = (tenant: string) => `t${crypto.forTenant(tenant).tag('pinecone-namespace', tenant)}`;
  const ruleTag = (tenant: string, ruleId: string) => crypto.forTenant(tenant).tag('pinecone-rule', ruleId);
  const repoTag = (tenant: string, repository: string) => crypto.forTenant(tenant).tag('pinecone-repository', repository);
  const call = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      throw explainPineconeError(err, what, HINTS);
    }
  };

  const metadataOf = (tenant: string, model: string, item: VectorItem): SealedMetadata => {
    const r = item.record;
    const record: DecisionRecord = r.comment !== undefined ? { ...r, comment: cutUtf8(r.comment, MAX_STORED_COMMENT_BYTES) } : r;
    return {
      model,
      rule: ruleTag(tenant, r.ruleId),
      ...(r.repository !== undefined ? { repo: repoTag(tenant, r.repository) } : {}),
      body: crypto.forTenant(tenant).sealJson(record, `decision-vector:${item.id}`).toString('base64'),
    };
  };

  return {
    async upsert(tenant, model, items) {
      const namespace = namespaceOf(tenant);
      const send = async (records: { id: string; values: number[]; metadata: SealedMetadata }[]) => {
        if (records.length > 0) await call('upsert decision vectors', () => index.upsert({ records, namespace }));
      };
      let batch: { id: string; values: number[]; metadata: SealedMetadata }[] = [];
      let bytes = 0;
      for (const it of items) {
        const record = { id: it.id, values: Array.from(it.vector), metadata: metadataOf(tenant, model, it) };
        // A float is at most ~24 characters of JSON; the body is base64 already.
        const size = record.values.length * 24 + record.metadata.body.length + 512;
        if (batch.length === UPSERT_BATCH || (batch.length > 0 && bytes + size > UPSERT_BYTES)) {
          await send(batch);
          batch = [];
          bytes = 0;
        }
        batch.push(record);
        bytes += size;
      }
      await send(batch);
    },
    async query(tenant, model, vector, limit, filter?: VectorFilter): Promise<VectorHit[]> {
      if (limit <= 0) return [];
      const clauses: Record<string, { $eq: string }>[] = [{ model: { $eq: model } }];
      if (filter?.ruleId !== undefined) clauses.push({ rule: { $eq: ruleTag(tenant, filter.ruleId) } });
      if (filter?.repository !== undefined) clauses.push({ repo: { $eq: repoTag(tenant, filter.repository) } });
      const res = await call('query similar decisions', () =>
        index.query({
          namespace: namespaceOf(tenant),
          vector: Array.from(vector),
          topK: Math.min(limit, 1000),
          filter: { $and: clauses },
          includeMetadata: true,
          includeValues: false,
        }),
      );
      const c = crypto.forTenant(tenant);
      return res.matches
        .filter((m) => m.metadata?.body !== undefined)
        .map((m) => ({
          id: m.id,
          similarity: m.score ?? 0,
          record: c.openJson<DecisionRecord>(Buffer.from(m.metadata!.body, 'base64'), `decision-vector:${m.id}`),
        }));
    },
    async describe() {
      const stats = await call('read the index statistics', () => index.describeIndexStats());
      return { dimension: stats.dimension };
    },
    async count(tenant) {
      // The namespace's own description: the index's statistics would list every tenant's namespace.
      try {
        return (await index.describeNamespace(namespaceOf(tenant))).recordCount ?? 0;
      } catch (err) {
        if ((err as Error)?.name === 'PineconeNotFoundError') return 0; // no vectors yet: no namespace
        throw explainPineconeError(err, 'count decision vectors', HINTS);
      }
    },
    async deleteTenant(tenant) {
      const namespace = namespaceOf(tenant);
      try {
        await index.deleteAll({ namespace });
      } catch (err) {
        // A tenant without vectors has no namespace: nothing to delete is done.
        if ((err as Error)?.name === 'PineconeNotFoundError') return;
        throw explainPineconeError(err, "delete a tenant's decision vectors", HINTS);
      }
    },
    async close() {
      // The client holds no connections of its own (fetch's pool closes idle sockets).
    },
  };
}
