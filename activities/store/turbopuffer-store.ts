// The Turbopuffer store: the same Store contract over Turbopuffer namespaces, for teams and scale.
//
// Namespace layout (T = keyed tag of the tenant, R = keyed tag of the repository key; both 20 hex chars,
// so namespace names reveal neither):
//   <prefix>-<T>-code   tenant-wide, content-addressed blob chunks: blob, chunk, line range, chunk hash,
//                       encrypted bytes, and `tokens` (BM25) holding keyed hashes of the chunk's tokens
//   <prefix>-<T>        tenant-wide documents: snapshots, Merkle nodes, scans, artefacts, scan decisions
//   <prefix>-<T>-<R>    per repository: file rows (obfuscated path → blob), the repository's tree pointer,
//                       engine state and the findings ledger (fingerprint → last decision, actor, time)
//   <prefix>-events     the event outbox, all tenants (publishers read across them): one row per batch of one
//                       tenant's events, numbered 1, 2, 3 … and created with a conditional write that succeeds
//                       only if that number is free, so concurrent appenders never share one; an event's seq is
//                       batch × 1e6 + its index. Rows hold the tenant (to pick its key), the event types, keyed
//                       tags of the event ids (for idempotency) and the events sealed; plus sink cursors.
//
// Every id is deterministic (a keyed tag of the natural key), so a write retried after failing midway
// rewrites the same rows: nothing is lost, nothing duplicated. Each write request is atomic, and a blob's
// chunks never span two requests, so a blob is either wholly present or absent.
import Turbopuffer from '@turbopuffer/turbopuffer';
import { createHash } from 'node:crypto';
import type { StoreCrypto, TenantCrypto } from '../crypto/seal.js';
import type { ArtifactKind, ArtifactOf } from '../artifacts.js';
import type { CloudEvent, OutboxRecord } from '../events/cloud-event.js';
import type { AnalysisState, LedgerEntry } from '../model.js';
import { chunkBytes, pathsByHash } from './code-chunks.js';
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

export interface TurbopufferStoreOptions {
  apiKey: string;
  /** e.g. http://127.0.0.1:port for a stand-in; else `region` picks https://<region>.turbopuffer.com. */
  baseURL?: string;
  region?: string;
  /** Namespace name prefix (default "vigil"): several deployments can share one organisation. */
  prefix?: string;
  crypto: StoreCrypto;
  /** Client retries for 429 and 5xx before a call fails (Temporal retries the activity after that). */
  maxRetries?: number;
  /** Rows per write request and concurrent write requests. */
  writeBatchRows?: number;
  writeBatchBytes?: number;
  writeConcurrency?: number;
}

type Row = { id: string; [attr: string]: unknown };
type Filter = unknown[];

const DOC_PART_BYTES = 512 * 1024;
/** seq = batch × EVENT_SPAN + index within the batch. */
const EVENT_SPAN = 1_000_000;
const EVENTS_PER_BATCH = 200;
/** Appenders racing for the next batch number retry this often before giving up (Temporal retries after). */
const EVENT_APPEND_ATTEMPTS = 50;
const EVENT_SCHEMA = {
  body: { type: 'string', filterable: false },
  ids: { type: '[]string' },
  types: { type: '[]string' },
} as const;
const PAGE = 1000;

const DOC_SCHEMA = {
  body: { type: 'string', filterable: false },
} as const;
const CODE_SCHEMA = {
  content: { type: 'string', filterable: false },
  tokens: { type: 'string', full_text_search: true },
} as const;

export function openTurbopufferStore(opts: TurbopufferStoreOptions): Store {
  const client = new Turbopuffer({
    apiKey: opts.apiKey,
    ...(opts.baseURL ? { baseURL: opts.baseURL } : { region: opts.region ?? null }),
    maxRetries: opts.maxRetries ?? 4,
  });
  const prefix = opts.prefix ?? 'vigil';
  const batchRows = opts.writeBatchRows ?? 1000;
  const batchBytes = opts.writeBatchBytes ?? 8 * 1024 * 1024;
  const concurrency = opts.writeConcurrency ?? 4;

  const tc = (tenant: string): TenantCrypto => opts.crypto.forTenant(tenant);
  const ns = {
    tenant: (t: string) => `${prefix}-${tc(t).tag('namespace', t).slice(0, 20)}`,
    code: (t: string) => `${ns.tenant(t)}-code`,
    repo: (t: string, repoKey: string) => `${ns.tenant(t)}-${tc(t).tag('repo', repoKey).slice(0, 20)}`,
    events: `${prefix}-events`,
  };

  async function write(namespace: string, params: Record<string, unknown>): Promise<void> {
    // The client's write defaults to 6 retries; the configured count wins (Temporal owns the long retries).
    await client.namespace(namespace).write(params, { maxRetries: opts.maxRetries ?? 6 });
  }

  async function query(namespace: string, params: Record<string, unknown>): Promise<Row[]> {
    try {
      const res = await client.namespace(namespace).query({ consistency: { level: 'strong' }, ...params });
      return (res.rows ?? []) as Row[];
    } catch (err) {
      if (err instanceof Turbopuffer.NotFoundError) return []; // a namespace is created by its first write
      throw err;
    }
  }

  /** Every row matching `filters`, paged by id so no result limit truncates it. */
  async function queryAll(namespace: string, filters: Filter, attrs: string[]): Promise<Row[]> {
    const out: Row[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await query(namespace, {
        filters: after === undefined ? filters : ['And', [filters, ['id', 'Gt', after]]],
        rank_by: ['id', 'asc'],
        limit: PAGE,
        include_attributes: attrs,
      });
      out.push(...page);
      if (page.length < PAGE) return out;
      after = page[page.length - 1]!.id;
    }
  }

  /** Writes rows in batches (bounded rows and bytes), a few requests at a time. `group` keeps rows together. */
  async function upsertBatched(namespace: string, groups: Row[][], schema: Record<string, unknown>): Promise<void> {
    const batches: Row[][] = [];
    let cur: Row[] = [];
    let bytes = 0;
    for (const g of groups) {
      const size = g.reduce((n, r) => n + rowBytes(r), 0);
      if (cur.length > 0 && (cur.length + g.length > batchRows || bytes + size > batchBytes)) {
        batches.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(...g);
      bytes += size;
    }
    if (cur.length > 0) batches.push(cur);
    let next = 0;
    const workers = Array.from({ length: Math.min(concurrency, batches.length) }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await write(namespace, { upsert_rows: batch, schema });
      }
    });
    await Promise.all(workers);
  }

  // Documents: a sealed JSON value split into parts, replaced atomically (delete_by_filter runs first).
  async function putDoc(
    tenant: string,
    namespace: string,
    kind: string,
    key: string,
    value: unknown,
    attrs: Record<string, unknown> = {},
  ): Promise<void> {
    const c = tc(tenant);
    const doc = `${kind}:${c.tag(kind, key)}`;
    const sealed = c.sealJson(value, `${kind}:${key}`).toString('base64');
    const parts: Row[] = [];
    for (let i = 0, n = Math.max(1, Math.ceil(sealed.length / DOC_PART_BYTES)); i < n; i++) {
      parts.push({
        id: `${doc}#${i}`,
        kind,
        doc,
        part: i,
        parts: n,
        key_id: c.activeKeyId,
        body: sealed.slice(i * DOC_PART_BYTES, (i + 1) * DOC_PART_BYTES),
        ...attrs,
      });
    }
    await write(namespace, { delete_by_filter: ['doc', 'Eq', doc], upsert_rows: parts, schema: DOC_SCHEMA });
  }

  function openDoc<T>(tenant: string, kind: string, key: string, rows: Row[]): T | undefined {
    if (rows.length === 0) return undefined;
    rows.sort((a, b) => Number(a.part) - Number(b.part));
    if (rows.length !== Number(rows[0]!.parts)) throw new Error(`${kind} ${key}: ${rows.length} of ${rows[0]!.parts} parts stored`);
    const sealed = Buffer.from(rows.map((r) => String(r.body)).join(''), 'base64');
    return tc(tenant).openJson<T>(sealed, `${kind}:${key}`);
  }

  async function getDoc<T>(tenant: string, namespace: string, kind: string, key: string): Promise<T | undefined> {
    const doc = `${kind}:${tc(tenant).tag(kind, key)}`;
    // By id: part 0 says how many parts there are (almost always one).
    const attrs = ['part', 'parts', 'body'];
    const first = await query(namespace, { filters: ['id', 'Eq', `${doc}#0`], limit: 1, include_attributes: attrs });
    if (first.length === 0) return undefined;
    const parts = Number(first[0]!.parts);
    const ids = Array.from({ length: parts - 1 }, (_, i) => `${doc}#${i + 1}`);
    const rest = parts > 1 ? await query(namespace, { filters: ['id', 'In', ids], limit: ids.length, include_attributes: attrs }) : [];
    return openDoc<T>(tenant, kind, key, [...first, ...rest]);
  }

  async function hasDoc(tenant: string, namespace: string, kind: string, key: string): Promise<boolean> {
    const doc = `${kind}:${tc(tenant).tag(kind, key)}`;
    return (await query(namespace, { filters: ['id', 'Eq', `${doc}#0`], limit: 1, include_attributes: ['parts'] })).length > 0;
  }

  const blobTag = (tenant: string, hash: string) => tc(tenant).tag('blob', hash);

  /** A blob from its chunk rows (any order), decrypted; undefined when none is stored. */
  function joinChunks(tenant: string, hash: string, rows: Row[]): Buffer | undefined {
    if (rows.length === 0) return undefined;
    const c = tc(tenant);
    rows.sort((a, b) => Number(a.chunk) - Number(b.chunk));
    if (rows.length !== Number(rows[0]!.chunks)) throw new Error(`blob ${hash}: ${rows.length} of ${rows[0]!.chunks} chunks stored`);
    return Buffer.concat(rows.map((r) => c.open(Buffer.from(String(r.content), 'base64'), `chunk:${hash}:${r.chunk}`)));
  }

  async function readBlob(tenant: string, hash: string): Promise<Buffer | undefined> {
    return joinChunks(tenant, hash, await queryAll(ns.code(tenant), ['blob', 'Eq', blobTag(tenant, hash)], ['chunk', 'chunks', 'content']));
  }

  /** Blobs by the page: one paged query per PAGE hashes instead of one per blob. */
  async function readBlobs(tenant: string, hashes: string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const byTag = new Map([...new Set(hashes)].map((h) => [blobTag(tenant, h), h]));
    const tags = [...byTag.keys()];
    for (let i = 0; i < tags.length; i += PAGE) {
      const rows = await queryAll(ns.code(tenant), ['blob', 'In', tags.slice(i, i + PAGE)], ['blob', 'chunk', 'chunks', 'content']);
      const byBlob = new Map<string, Row[]>();
      for (const r of rows) {
        const list = byBlob.get(String(r.blob));
        if (list) list.push(r);
        else byBlob.set(String(r.blob), [r]);
      }
      for (const [tag, chunkRows] of byBlob) {
        const hash = byTag.get(tag);
        const blob = hash === undefined ? undefined : joinChunks(tenant, hash, chunkRows);
        if (hash !== undefined && blob) found.set(hash, blob);
      }
    }
    return found;
  }

  const store: Store = {
    kind: 'turbopuffer',

    async putBlobs(tenant, blobs) {
      const c = tc(tenant);
      const groups = blobs.map((b) => {
        const tag = blobTag(tenant, b.hash);
        const chunks = chunkBytes(b.content);
        return chunks.map(
          (ch): Row => ({
            id: `${tag}:${ch.index}`,
            blob: tag,
            chunk: ch.index,
            chunks: chunks.length,
            start_line: ch.startLine,
            end_line: ch.endLine,
            chunk_hash: c.tag('chunk', createHash('sha256').update(ch.bytes).digest('hex')),
            key_id: c.activeKeyId,
            content: c.seal(ch.bytes, `chunk:${b.hash}:${ch.index}`).toString('base64'),
            tokens: ch.text ? c.tokenHashes(ch.bytes.toString('utf8')).join(' ') : '',
          }),
        );
      });
      await upsertBatched(ns.code(tenant), groups, CODE_SCHEMA);
    },
    async getBlob(tenant, hash) {
      return readBlob(tenant, hash);
    },
    async getBlobs(tenant, hashes) {
      return readBlobs(tenant, hashes);
    },
    async hasBlobs(tenant, hashes) {
      const found = new Set<string>();
      const byTag = new Map(hashes.map((h) => [blobTag(tenant, h), h]));
      const tags = [...byTag.keys()];
      for (let i = 0; i < tags.length; i += PAGE) {
        const slice = tags.slice(i, i + PAGE);
        // The first chunk stands for the blob: a blob's chunks are written in one atomic request.
        const ids = slice.map((t) => `${t}:0`);
        const rows = await query(ns.code(tenant), { filters: ['id', 'In', ids], limit: ids.length, include_attributes: ['blob'] });
        for (const r of rows) found.add(byTag.get(String(r.blob))!);
      }
      return found;
    },

    async putSnapshot(s: SnapshotRecord) {
      const tenantNs = ns.tenant(s.tenant);
      // Immutable by id: an unchanged re-sync finds it and writes nothing.
      if (await hasDoc(s.tenant, tenantNs, 'snapshot', s.id)) return;
      const c = tc(s.tenant);
      const repoNs = ns.repo(s.tenant, s.repoKey);
      const files = s.files.map((f): Row[] => [
        {
          id: `file:${c.tag('file', `${f.path}\0${f.hash}`)}`,
          kind: 'file',
          path: c.obfuscatePath(f.path),
          blob: blobTag(s.tenant, f.hash),
        },
      ]);
      await upsertBatched(repoNs, files, DOC_SCHEMA);
      // The snapshot document last: once it exists, everything it names is stored.
      await putDoc(s.tenant, tenantNs, 'snapshot', s.id, s, { repo: c.tag('repo', s.repoKey) });
    },
    async getSnapshot(tenant, id) {
      return getDoc<SnapshotRecord>(tenant, ns.tenant(tenant), 'snapshot', id);
    },

    async putMerkleNodes(tenant, nodes) {
      const c = tc(tenant);
      const groups = nodes.map((n): Row[] => {
        const tag = c.tag('node', n.hash);
        return [
          {
            id: `node:${tag}#0`,
            kind: 'node',
            doc: `node:${tag}`,
            part: 0,
            parts: 1,
            key_id: c.activeKeyId,
            body: c.sealJson(n.children, `node:${n.hash}`).toString('base64'),
          },
        ];
      });
      await upsertBatched(ns.tenant(tenant), groups, DOC_SCHEMA);
    },
    async getMerkleNode(tenant, hash) {
      const children = await getDoc<MerkleNode['children']>(tenant, ns.tenant(tenant), 'node', hash);
      return children ? { hash, children } : undefined;
    },
    async getRepoTree(tenant, repoKey) {
      const t = await getDoc<Omit<RepoTreeRecord, 'repoKey'>>(tenant, ns.repo(tenant, repoKey), 'tree', repoKey);
      return t ? { repoKey, ...t } : undefined;
    },
    async putRepoTree(tenant, t) {
      const { repoKey, ...rest } = t;
      await putDoc(tenant, ns.repo(tenant, repoKey), 'tree', repoKey, rest);
    },

    async putAnalysisState(tenant, repoKey, rootHash, state: AnalysisState) {
      await putDoc(tenant, ns.repo(tenant, repoKey), 'state', `${rootHash}:${state.engine}`, state);
    },
    async getAnalysisState(tenant, repoKey, rootHash, engine) {
      return getDoc<AnalysisState>(tenant, ns.repo(tenant, repoKey), 'state', `${rootHash}:${engine}`);
    },

    async upsertScan(s: ScanRecord) {
      const tenantNs = ns.tenant(s.tenant);
      if (await hasDoc(s.tenant, tenantNs, 'scan', s.scanId)) return; // first write wins
      await putDoc(s.tenant, tenantNs, 'scan', s.scanId, s, {
        repo: tc(s.tenant).tag('repo', s.repoKey),
        created_at: s.createdAt,
        key: s.scanId,
      });
    },
    async getScan(tenant, scanId) {
      return getDoc<ScanRecord>(tenant, ns.tenant(tenant), 'scan', scanId);
    },
    async listScans(tenant, opts = {}) {
      const filters: Filter = opts.repoKey
        ? ['And', [['kind', 'Eq', 'scan'], ['repo', 'Eq', tc(tenant).tag('repo', opts.repoKey)]]]
        : ['kind', 'Eq', 'scan'];
      // Part 0 of each scan document, newest first; longer documents are fetched whole.
      const rows = await query(ns.tenant(tenant), {
        filters: ['And', [filters, ['part', 'Eq', 0]]],
        rank_by: ['created_at', 'desc'],
        limit: opts.limit ?? 100,
        include_attributes: ['key', 'part', 'parts', 'body'],
      });
      const out: ScanRecord[] = [];
      for (const r of rows) {
        const scanId = String(r.key);
        const doc =
          Number(r.parts) === 1
            ? openDoc<ScanRecord>(tenant, 'scan', scanId, [r])
            : await getDoc<ScanRecord>(tenant, ns.tenant(tenant), 'scan', scanId);
        if (doc) out.push(doc);
      }
      return out;
    },
    async putArtifact<K extends ArtifactKind>(tenant: string, scanId: string, kind: K, value: ArtifactOf<K>) {
      await putDoc(tenant, ns.tenant(tenant), 'artifact', `${scanId}:${kind}`, value);
    },
    async getArtifact<K extends ArtifactKind>(tenant: string, scanId: string, kind: K) {
      return getDoc<ArtifactOf<K>>(tenant, ns.tenant(tenant), 'artifact', `${scanId}:${kind}`);
    },

    async recordDecision(tenant, repoKey, findingId, entry) {
      const c = tc(tenant);
      // The ledger row first: a retry after a failure between the two writes rewrites both.
      await putDoc(tenant, ns.repo(tenant, repoKey), 'ledger', entry.fingerprint, entry, { key: entry.fingerprint });
      const key = `${entry.scanId}:${findingId}`;
      await putDoc(tenant, ns.tenant(tenant), 'decision', key, { findingId, entry }, { key, scan: c.tag('scan', entry.scanId) });
    },
    async getLedger(tenant, repoKey) {
      const rows = await queryAll(ns.repo(tenant, repoKey), ['kind', 'Eq', 'ledger'], ['doc', 'key', 'part', 'parts', 'body']);
      return new Map(openListed<LedgerEntry>(tenant, 'ledger', rows).map((e) => [e.fingerprint, e]));
    },
    async getScanDecisions(tenant, scanId) {
      const c = tc(tenant);
      const filters: Filter = ['And', [['kind', 'Eq', 'decision'], ['scan', 'Eq', c.tag('scan', scanId)]]];
      const rows = await queryAll(ns.tenant(tenant), filters, ['doc', 'key', 'part', 'parts', 'body']);
      const docs = openListed<{ findingId: string; entry: LedgerEntry }>(tenant, 'decision', rows);
      return new Map(docs.map((d) => [d.findingId, d.entry]));
    },

    async searchCode(tenant, repoKey, snapshotId, text, limit = 20) {
      const id = snapshotId ?? (await store.getRepoTree(tenant, repoKey))?.snapshotId;
      if (!id) return [];
      const snap = await getDoc<SnapshotRecord>(tenant, ns.tenant(tenant), 'snapshot', id);
      if (!snap || snap.repoKey !== repoKey) return [];
      const c = tc(tenant);
      const paths = pathsByHash(snap);
      const hashByTag = new Map([...paths.keys()].map((h) => [blobTag(tenant, h), h]));
      const tokens = [...new Set(c.tokenHashes(text))];
      if (tokens.length === 0) return [];
      const tags = [...hashByTag.keys()];
      // Scope to the snapshot's blobs in the query when the list is small enough to send, else afterwards.
      const scoped = tags.length <= 5000;
      const rows = await query(ns.code(tenant), {
        rank_by: ['tokens', 'BM25', tokens.join(' ')],
        ...(scoped ? { filters: ['blob', 'In', tags] } : {}),
        limit: scoped ? limit : Math.min(limit * 50, 1200),
        include_attributes: ['blob', 'chunk', 'start_line', 'end_line', 'content'],
      });
      const hits: CodeSearchHit[] = [];
      for (const r of rows) {
        const hash = hashByTag.get(String(r.blob));
        if (!hash) continue;
        const chunkText = c.open(Buffer.from(String(r.content), 'base64'), `chunk:${hash}:${r.chunk}`).toString('utf8');
        for (const path of paths.get(hash)!) {
          if (hits.length >= limit) break;
          hits.push({
            path,
            hash,
            startLine: Number(r.start_line),
            endLine: Number(r.end_line),
            score: Number(r.$dist ?? 0),
            text: chunkText.replace(/\n$/, ''),
          });
        }
        if (hits.length >= limit) break;
      }
      return hits;
    },

    async appendEvents(events) {
      const byTenant = new Map<string, CloudEvent[]>();
      for (const e of events) {
        const list = byTenant.get(e.tenant);
        if (list) list.push(e);
        else byTenant.set(e.tenant, [e]);
      }
      for (const [tenant, list] of byTenant) {
        const present = await presentEventTags(tenant, list.map((e) => eventTag(tenant, e.id)));
        const fresh: CloudEvent[] = [];
        for (const e of list) {
          const tag = eventTag(tenant, e.id);
          if (present.has(tag)) continue;
          present.add(tag); // the same id twice in one call: kept once
          fresh.push(e);
        }
        for (let i = 0; i < fresh.length; i += EVENTS_PER_BATCH) await appendBatch(tenant, fresh.slice(i, i + EVENTS_PER_BATCH));
      }
    },
    async readEvents(o) {
      const after = o.after ?? 0;
      const out: OutboxRecord[] = [];
      let fromBatch = Math.floor(after / EVENT_SPAN);
      for (;;) {
        const filters: Filter[] = [['kind', 'Eq', 'batch'], ['batch', 'Gte', fromBatch]];
        if (o.tenant !== undefined) filters.push(['tenant', 'Eq', o.tenant]);
        if (o.types?.length) filters.push(['types', 'ContainsAny', o.types]);
        const rows = await query(ns.events, {
          filters: ['And', filters],
          rank_by: ['batch', 'asc'],
          limit: 100,
          include_attributes: ['batch', 'tenant', 'body'],
        });
        for (const r of rows) {
          const batch = Number(r.batch);
          const tenant = String(r.tenant);
          const list = tc(tenant).openJson<CloudEvent[]>(Buffer.from(String(r.body), 'base64'), `events:${batch}`);
          for (const [i, event] of list.entries()) {
            const seq = batch * EVENT_SPAN + i;
            if (seq <= after || (o.types?.length && !o.types.includes(event.type))) continue;
            out.push({ seq, event });
            if (out.length >= o.limit) return out;
          }
        }
        if (rows.length < 100) return out;
        fromBatch = Number(rows[rows.length - 1]!.batch) + 1;
      }
    },
    async getSinkCursor(sink) {
      const rows = await query(ns.events, { filters: ['id', 'Eq', cursorId(sink)], limit: 1, include_attributes: ['seq'] });
      return rows[0] ? Number(rows[0].seq) : 0;
    },
    async setSinkCursor(sink, seq) {
      await write(ns.events, { upsert_rows: [{ id: cursorId(sink), kind: 'cursor', seq }], schema: EVENT_SCHEMA });
    },

    async deleteTenant(tenant, o = {}) {
      // No transactions here: count first, then blank the tenant's outbox batches, drop its namespaces, and
      // record the event last. A call that fails midway is simply repeated: it finds what is left by prefix.
      const names = await tenantNamespaces(tenant);
      const deleted: TenantDeletionCounts = { scans: 0, snapshots: 0, blobs: 0, artifacts: 0, decisions: 0, ledgerEntries: 0, events: 0, other: 0 };
      const byKind: Record<string, keyof TenantDeletionCounts> = {
        scan: 'scans', snapshot: 'snapshots', artifact: 'artifacts', decision: 'decisions', ledger: 'ledgerEntries',
      };
      for (const name of names) {
        if (name === ns.code(tenant)) {
          deleted.blobs += (await queryAll(name, ['chunk', 'Eq', 0], [])).length;
          continue;
        }
        // Documents (part 0 of each); a repository's file rows have no part and are not counted.
        for (const r of await queryAll(name, ['part', 'Eq', 0], ['kind'])) deleted[byKind[String(r.kind)] ?? 'other']++;
      }
      // Outbox batches are kept as empty ones, not deleted: a batch number must never be taken again, or a
      // reader past it would skip the events of the batch that reused it.
      const c = tc(tenant);
      // A tenant.deleted event is appended alone, so its batch holds that type only: such batches are kept.
      const batches = await queryAll(ns.events, ['And', [['kind', 'Eq', 'batch'], ['tenant', 'Eq', tenant]]], ['batch', 'ids', 'types']);
      const blanks: Row[][] = [];
      for (const r of batches) {
        const ids = (r.ids as string[] | undefined) ?? [];
        const types = (r.types as string[] | undefined) ?? [];
        if (ids.length === 0 || (types.length === 1 && types[0] === TENANT_DELETED_EVENT)) continue;
        deleted.events += ids.length;
        const batch = Number(r.batch);
        blanks.push([{ id: r.id, kind: 'batch', batch, tenant, ids: [], types: [], key_id: c.activeKeyId, body: c.sealJson([], `events:${batch}`).toString('base64') }]);
      }
      await upsertBatched(ns.events, blanks, EVENT_SCHEMA);
      for (const name of names) {
        try {
          await client.namespace(name).deleteAll();
        } catch (err) {
          if (!(err instanceof Turbopuffer.NotFoundError)) throw err; // already gone
        }
      }
      const events = o.record?.(deleted) ?? [];
      if (events.length > 0) await store.appendEvents(events);
      return deleted;
    },

    async close() {},
  };
  return store;

  /** The tenant's namespaces: its documents, its code, and one per repository (all named after its tag). */
  async function tenantNamespaces(tenant: string): Promise<string[]> {
    const own = ns.tenant(tenant);
    const names: string[] = [];
    for await (const n of client.namespaces({ prefix: own })) {
      if (n.id === own || n.id.startsWith(`${own}-`)) names.push(n.id);
    }
    return names;
  }

  function eventTag(tenant: string, id: string): string {
    return createHash('sha256').update(`${tenant}\0${id}`).digest('hex').slice(0, 32);
  }
  function cursorId(sink: string): string {
    return `cursor:${createHash('sha256').update(sink).digest('hex').slice(0, 32)}`;
  }

  /** Which of `tags` an earlier append already stored. */
  async function presentEventTags(tenant: string, tags: string[]): Promise<Set<string>> {
    const present = new Set<string>();
    for (let i = 0; i < tags.length; i += PAGE) {
      const slice = tags.slice(i, i + PAGE);
      const rows = await queryAll(
        ns.events,
        ['And', [['kind', 'Eq', 'batch'], ['tenant', 'Eq', tenant], ['ids', 'ContainsAny', slice]]],
        ['ids'],
      );
      for (const r of rows) for (const t of r.ids as string[]) present.add(t);
    }
    return present;
  }

  /** Takes the next free batch number with a conditional write; another appender taking it first means retry. */
  async function appendBatch(tenant: string, events: CloudEvent[]): Promise<void> {
    const c = tc(tenant);
    for (let attempt = 0; attempt < EVENT_APPEND_ATTEMPTS; attempt++) {
      const head = await query(ns.events, {
        filters: ['kind', 'Eq', 'batch'],
        rank_by: ['batch', 'desc'],
        limit: 1,
        include_attributes: ['batch'],
      });
      const batch = (head[0] ? Number(head[0].batch) : 0) + 1;
      const row: Row = {
        id: `batch:${batch}`,
        kind: 'batch',
        batch,
        tenant,
        ids: events.map((e) => eventTag(tenant, e.id)),
        types: [...new Set(events.map((e) => e.type))],
        key_id: c.activeKeyId,
        body: c.sealJson(events, `events:${batch}`).toString('base64'),
      };
      const res = await client
        .namespace(ns.events)
        .write({ upsert_rows: [row], upsert_condition: ['batch', 'Eq', null], schema: EVENT_SCHEMA } as never, { maxRetries: opts.maxRetries ?? 6 });
      if ((res as { rows_upserted?: number }).rows_upserted === 1) return;
      // Not written, or written by an earlier try of this same request whose answer was lost (the client retried).
      const taken = await query(ns.events, { filters: ['id', 'Eq', row.id], limit: 1, include_attributes: ['ids'] });
      if ((taken[0]?.ids as string[] | undefined)?.[0] === (row.ids as string[])[0]) return;
    }
    throw new Error(`Turbopuffer: could not take an event batch number after ${EVENT_APPEND_ATTEMPTS} attempts (too many concurrent appenders); the activity will retry.`);
  }

  /** Documents listed by filter: their natural key is in the `key` attribute and authenticated by the AAD. */
  function openListed<T>(tenant: string, kind: string, rows: Row[]): T[] {
    const out: T[] = [];
    for (const group of groupByDoc(rows)) {
      const v = openDoc<T>(tenant, kind, String(group[0]!.key), group);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  function groupByDoc(rows: Row[]): Row[][] {
    const m = new Map<string, Row[]>();
    for (const r of rows) {
      const k = String(r.doc);
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    }
    return [...m.values()];
  }

}

function rowBytes(r: Row): number {
  let n = 64;
  for (const v of Object.values(r)) n += typeof v === 'string' ? v.length : 16;
  return n;
}
