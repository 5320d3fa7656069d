// A local stand-in of Turbopuffer's documented v2 HTTP API, for tests driven by the real client:
//   POST   /v2/namespaces/:ns          write: upsert_rows, upsert_columns, patch_rows, patch_columns, deletes,
//                                      delete_by_filter (applied before the other operations), schema,
//                                      upsert_condition (checked against each row's current value; a missing
//                                      row is checked as one with every attribute null)
//   POST   /v2/namespaces/:ns/query    filters, rank_by (BM25 on full_text_search attributes, or attributes
//                                      asc/desc, e.g. ['id','asc'] for paging), limit/top_k, include_attributes
//   DELETE /v2/namespaces/:ns          namespace delete
//   GET    /v1/namespaces              list namespaces: prefix, page_size, cursor → {namespaces: [{id}], next_cursor}
// Errors use the documented body {"status":"error","error":"..."}; faults (429, 5xx) can be injected.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

type Doc = Record<string, unknown> & { id: string | number };

interface Namespace {
  docs: Map<string, Doc>;
  schema: Record<string, { type?: string; full_text_search?: unknown; filterable?: boolean }>;
}

export interface Fault {
  status: number;
  /** Which requests: 'write' | 'query' | 'any' (default 'any'). */
  on?: 'write' | 'query' | 'any';
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Skip this many matching requests before failing (default 0): fail "midway". */
  after?: number;
}

export interface TurbopufferStandin {
  url: string;
  apiKey: string;
  namespaces: Map<string, Namespace>;
  /** Every request: method, path, status. */
  log: { method: string; path: string; status: number }[];
  inject(fault: Fault): void;
  /** Every stored attribute value of every row, serialised: to prove what is (not) stored. */
  dump(): string;
  rowCount(prefix?: string): number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startTurbopufferStandin(apiKey = 'tpuf_test_key'): Promise<TurbopufferStandin> {
  const namespaces = new Map<string, Namespace>();
  const log: TurbopufferStandin['log'] = [];
  const faults: (Fault & { seen: number; failed: number })[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, { status: 'error', error: String(err) }));
  });

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  async function readBody(req: IncomingMessage): Promise<any> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let buf = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') buf = gunzipSync(buf);
    if (buf.length === 0) return {};
    try {
      return JSON.parse(buf.toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid JSON body');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = url.pathname.match(/^\/v2\/namespaces\/([A-Za-z0-9_.-]+)(\/query)?$/);
    const kind = m?.[2] ? 'query' : req.method === 'POST' ? 'write' : 'other';
    const done = (status: number, body: unknown, headers?: Record<string, string>) => {
      log.push({ method: req.method ?? '', path: url.pathname, status });
      send(res, status, body, headers);
    };
    try {
      if (req.headers.authorization !== `Bearer ${apiKey}`) throw new HttpError(401, 'unauthorized: invalid API key');
      const body = await readBody(req);
      for (const f of faults) {
        const on = f.on ?? 'any';
        if (on !== 'any' && on !== kind) continue;
        if (f.failed >= (f.times ?? 1)) continue;
        if (f.seen++ < (f.after ?? 0)) continue;
        f.failed++;
        const msg = f.status === 429 ? 'rate limited: too many requests, slow down' : 'internal server error (injected)';
        return done(f.status, { status: 'error', error: msg }, { 'retry-after-ms': '5' });
      }
      if (url.pathname === '/v1/namespaces' && req.method === 'GET') return done(200, listNamespaces(url.searchParams));
      if (!m) throw new HttpError(404, `no route for ${req.method} ${url.pathname}`);
      const name = m[1]!;
      if (req.method === 'DELETE' && !m[2]) {
        if (!namespaces.delete(name)) throw new HttpError(404, `🤷 namespace '${name}' was not found`);
        return done(200, { status: 'ok' });
      }
      if (req.method !== 'POST') throw new HttpError(405, 'method not allowed');
      if (m[2]) return done(200, query(name, body));
      return done(200, write(name, body));
    } catch (err) {
      if (err instanceof HttpError) return done(err.status, { status: 'error', error: err.message });
      throw err;
    }
  }

  /** Names in order, after `cursor` (the last name of the previous page), at most page_size (default 1000). */
  function listNamespaces(params: URLSearchParams) {
    const prefix = params.get('prefix') ?? '';
    const size = Math.min(Number(params.get('page_size') ?? 1000) || 1000, 1000);
    const after = params.get('cursor') ?? '';
    const names = [...namespaces.keys()].filter((n) => n.startsWith(prefix) && n > after).sort();
    const page = names.slice(0, size);
    return { namespaces: page.map((id) => ({ id })), ...(names.length > size ? { next_cursor: page[page.length - 1] } : {}) };
  }

  function write(name: string, body: any) {
    let ns = namespaces.get(name);
    const fresh = !ns;
    ns ??= { docs: new Map(), schema: {} };
    for (const [attr, spec] of Object.entries(body.schema ?? {})) {
      ns.schema[attr] = typeof spec === 'string' ? { type: spec } : (spec as Namespace['schema'][string]);
    }
    let deleted = 0;
    let upserted = 0;
    let patched = 0;
    // Validate everything first: a write request is atomic.
    const upserts: Doc[] = [...(body.upsert_rows ?? []), ...columnsToRows(body.upsert_columns)];
    const patches: Doc[] = [...(body.patch_rows ?? []), ...columnsToRows(body.patch_columns)];
    for (const r of [...upserts, ...patches]) {
      if (r.id === undefined || r.id === null) throw new HttpError(400, 'invalid request: every row needs an `id`');
    }
    if (body.delete_by_filter) {
      for (const [id, doc] of ns.docs) if (matches(doc, body.delete_by_filter)) (ns.docs.delete(id), deleted++);
    }
    for (const r of upserts) {
      if (body.upsert_condition && !matches(ns.docs.get(String(r.id)) ?? { id: r.id }, body.upsert_condition)) continue;
      ns.docs.set(String(r.id), structuredClone(r));
      upserted++;
    }
    for (const r of patches) {
      const cur = ns.docs.get(String(r.id));
      if (!cur) continue; // patches skip missing ids
      Object.assign(cur, structuredClone(r));
      patched++;
    }
    for (const id of body.deletes ?? []) if (ns.docs.delete(String(id))) deleted++;
    if (fresh) namespaces.set(name, ns);
    return {
      status: 'OK',
      message: 'the write succeeded',
      rows_affected: upserted + patched + deleted,
      rows_upserted: upserted,
      rows_patched: patched,
      rows_deleted: deleted,
      billing: { billable_logical_bytes_written: 0 },
    };
  }

  function query(name: string, body: any) {
    const ns = namespaces.get(name);
    if (!ns) throw new HttpError(404, `🤷 namespace '${name}' was not found`);
    // Lookups by id use the primary key, like the real service; anything else scans.
    const f = body.filters;
    let docs: Doc[];
    if (Array.isArray(f) && f[0] === 'id' && (f[1] === 'Eq' || f[1] === 'In')) {
      const ids: unknown[] = f[1] === 'Eq' ? [f[2]] : f[2];
      docs = ids.flatMap((id) => ns.docs.get(String(id)) ?? []);
    } else {
      docs = [...ns.docs.values()];
      if (f) docs = docs.filter((d) => matches(d, f));
    }
    const limit = typeof body.limit === 'number' ? body.limit : (body.limit?.total ?? body.top_k ?? 10);
    if (limit > 10_000) throw new HttpError(400, 'invalid request: limit must be at most 10000');
    let scored: { doc: Doc; dist?: number }[] = docs.map((doc) => ({ doc }));
    const rank = body.rank_by;
    if (Array.isArray(rank) && rank[1] === 'BM25') {
      const attr = String(rank[0]);
      if (!ns.schema[attr]?.full_text_search) {
        throw new HttpError(400, `invalid request: attribute "${attr}" is not full-text indexed; set full_text_search in the schema`);
      }
      scored = bm25(docs, attr, Array.isArray(rank[2]) ? rank[2].join(' ') : String(rank[2]));
    } else if (Array.isArray(rank) && (rank[1] === 'asc' || rank[1] === 'desc')) {
      const [attr, dir] = rank as [string, 'asc' | 'desc'];
      scored.sort((a, b) => compare(a.doc[attr], b.doc[attr]) * (dir === 'asc' ? 1 : -1));
    } else if (rank !== undefined) {
      throw new HttpError(400, 'invalid request: unsupported rank_by');
    } else {
      scored.sort((a, b) => compare(a.doc.id, b.doc.id));
    }
    const include = body.include_attributes;
    const rows = scored.slice(0, limit).map(({ doc, dist }) => {
      const row: Record<string, unknown> = { id: doc.id };
      if (dist !== undefined) row.$dist = dist;
      for (const [k, v] of Object.entries(doc)) {
        if (k === 'id') continue;
        if (include === true || (Array.isArray(include) && include.includes(k))) row[k] = v;
      }
      return row;
    });
    return {
      rows,
      billing: { billable_logical_bytes_queried: 0, billable_logical_bytes_returned: 0 },
      performance: { approx_namespace_size: ns.docs.size, exhaustive_search_count: docs.length, query_execution_ms: 0, server_total_ms: 0, cache_hit_ratio: 1, cache_temperature: 'hot' },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    namespaces,
    log,
    inject(f) {
      faults.push({ ...f, seen: 0, failed: 0 });
    },
    dump() {
      const parts: string[] = [];
      for (const [name, ns] of namespaces) for (const d of ns.docs.values()) parts.push(name, JSON.stringify(d));
      return parts.join('\n');
    },
    rowCount(prefix = '') {
      let n = 0;
      for (const [name, ns] of namespaces) if (name.startsWith(prefix)) n += ns.docs.size;
      return n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function columnsToRows(cols: Record<string, unknown[]> | undefined): Doc[] {
  if (!cols) return [];
  const ids = cols.id ?? [];
  return ids.map((id, i) => {
    const row: Doc = { id: id as string };
    for (const [k, v] of Object.entries(cols)) if (k !== 'id') row[k] = v[i];
    return row;
  });
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  return (a as number) < (b as number) ? -1 : 1;
}

function matches(doc: Doc, f: any): boolean {
  if (!Array.isArray(f)) throw new HttpError(400, 'invalid request: filters must be an array');
  const [a, op, v] = f;
  if (a === 'And') return (op as any[]).every((x) => matches(doc, x));
  if (a === 'Or') return (op as any[]).some((x) => matches(doc, x));
  if (a === 'Not') return !matches(doc, op);
  const x = doc[a as string];
  switch (op) {
    case 'Eq':
      return v === null ? x === undefined || x === null : x === v;
    case 'NotEq':
      return x !== v;
    case 'In':
      return (v as unknown[]).includes(x);
    case 'NotIn':
      return !(v as unknown[]).includes(x);
    case 'Lt':
      return x !== undefined && compare(x, v) < 0;
    case 'Lte':
      return x !== undefined && compare(x, v) <= 0;
    case 'Gt':
      return x !== undefined && compare(x, v) > 0;
    case 'Gte':
      return x !== undefined && compare(x, v) >= 0;
    case 'Contains':
      return Array.isArray(x) && x.includes(v);
    case 'ContainsAny':
      return Array.isArray(x) && (v as unknown[]).some((y) => x.includes(y));
    default:
      throw new HttpError(400, `invalid request: unsupported filter operator ${String(op)}`);
  }
}

const words = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean);

/** Okapi BM25 (k1 = 1.2, b = 0.75) over one attribute; rows without a matching term are left out. */
function bm25(docs: Doc[], attr: string, q: string): { doc: Doc; dist: number }[] {
  const terms = [...new Set(words(q))];
  const tokenized = docs.map((d) => words(typeof d[attr] === 'string' ? (d[attr] as string) : ''));
  const avg = tokenized.reduce((n, t) => n + t.length, 0) / Math.max(1, tokenized.length);
  const df = new Map(terms.map((t) => [t, tokenized.filter((ws) => ws.includes(t)).length]));
  const out: { doc: Doc; dist: number }[] = [];
  tokenized.forEach((ws, i) => {
    let score = 0;
    for (const t of terms) {
      const tf = ws.filter((w) => w === t).length;
      if (tf === 0) continue;
      const idf = Math.log(1 + (docs.length - df.get(t)! + 0.5) / (df.get(t)! + 0.5));
      score += (idf * tf * 2.2) / (tf + 1.2 * (1 - 0.75 + (0.75 * ws.length) / Math.max(avg, 1)));
    }
    if (score > 0) out.push({ doc: docs[i]!, dist: score });
  });
  return out.sort((a, b) => b.dist - a.dist);
}
