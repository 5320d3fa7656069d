// A local stand-in of one Pinecone serverless index's data plane (API version 2026-04, as the 8.2.0 client calls it),
// for tests driven by the real @pinecone-database/pinecone client:
//   POST   /vectors/upsert          {vectors, namespace} → {upsertedCount}; same id replaces
//   POST   /query                   {namespace, topK, vector | id, filter, includeValues, includeMetadata} → {matches}
//   GET    /vectors/fetch           ?ids=…&ids=…&namespace=… → {vectors: {id: record}}
//   POST   /vectors/delete          {ids | deleteAll | filter, namespace}; a missing namespace is a 404
//   GET    /vectors/list            ?namespace&prefix&limit&paginationToken → ids in bitwise order, paginated
//   POST   /describe_index_stats    → {namespaces: {ns: {vectorCount}}, dimension, totalVectorCount, metric}
//   GET    /namespaces, GET|DELETE /namespaces/:ns
//   POST   /embed                   the inference API (on api.pinecone.io in production): {model, inputs, parameters}
//                                    → {model, vector_type, data: [{values, vector_type}], usage}; served by the
//                                    real models the test hands in (e.g. the local MiniLM), never a made-up vector
// Cosine metric. Metadata filters: $eq $ne $gt $gte $lt $lte $in $nin $exists $and $or (a bare value is $eq).
// Limits as documented: 1000 vectors and 2 MB per upsert, 40 KB of metadata per vector, ids up to 512 bytes, topK up to
// 10,000 (1,000 with metadata). Auth by the Api-Key header. Errors have the data plane's body
// {"code": <gRPC code>, "message": "...", "details": []}. Faults (429, 5xx) and a whole outage can be injected.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

type Metadata = Record<string, string | number | boolean | string[]>;
interface StoredVector {
  id: string;
  values: number[];
  metadata?: Metadata;
  /** The values as floats and their norm, for the search. */
  floats: Float64Array;
  norm: number;
}

export type PineconeOperation = 'upsert' | 'query' | 'fetch' | 'delete' | 'list' | 'stats' | 'namespaces' | 'embed';

/** A real embedding model behind /embed. */
export interface StandinEmbedModel {
  embed(texts: string[]): Promise<Float32Array[]>;
}

export interface PineconeFault {
  status: number;
  /** Which operations fail (default: any). */
  on?: PineconeOperation | 'any';
  /** How many matching requests fail (default 1; Infinity for "until cleared"). */
  times?: number;
  /** Skip this many matching requests first (default 0). */
  after?: number;
}

export interface PineconeStandin {
  /** The index host, as VIGIL_PINECONE_INDEX_HOST takes it. */
  url: string;
  apiKey: string;
  dimension: number;
  namespaces: Map<string, Map<string, StoredVector>>;
  /** Every request: what, where, and how long the stand-in itself took (ms, from the body read to the answer). */
  log: { method: string; path: string; status: number; namespace?: string; ms: number }[];
  inject(fault: PineconeFault): void;
  /** Every request answers 503 until outage(false). */
  outage(on: boolean): void;
  clearFaults(): void;
  /** Every namespace name, id and metadata value stored, serialised: to prove what is (not) stored. */
  dump(): string;
  close(): Promise<void>;
}

/** gRPC status codes the data plane puts in error bodies. */
const CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 500: 13, 503: 14 };
const METADATA_LIMIT = 40960;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function operationOf(method: string, path: string): PineconeOperation | undefined {
  if (method === 'POST' && path === '/vectors/upsert') return 'upsert';
  if (method === 'POST' && path === '/query') return 'query';
  if (method === 'GET' && path === '/vectors/fetch') return 'fetch';
  if (method === 'POST' && path === '/vectors/delete') return 'delete';
  if (method === 'GET' && path === '/vectors/list') return 'list';
  if ((method === 'POST' || method === 'GET') && path === '/describe_index_stats') return 'stats';
  if (path === '/namespaces' || path.startsWith('/namespaces/')) return 'namespaces';
  if (method === 'POST' && path === '/embed') return 'embed';
  return undefined;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a !== typeof b) throw new HttpError(400, `cannot compare ${typeof a} with ${typeof b} in filter`);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** Pinecone's metadata filter language; a list-valued field matches when any of its items does. */
export function matchesFilter(metadata: Metadata | undefined, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === '$and') {
      if (!Array.isArray(cond)) throw new HttpError(400, '$and takes an array of filters');
      return cond.every((f) => matchesFilter(metadata, f as Record<string, unknown>));
    }
    if (key === '$or') {
      if (!Array.isArray(cond)) throw new HttpError(400, '$or takes an array of filters');
      return cond.some((f) => matchesFilter(metadata, f as Record<string, unknown>));
    }
    if (key.startsWith('$')) throw new HttpError(400, `unknown top-level operator ${key}`);
    const ops = cond !== null && typeof cond === 'object' && !Array.isArray(cond) ? (cond as Record<string, unknown>) : { $eq: cond };
    const value = metadata?.[key];
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return Object.entries(ops).every(([op, arg]) => {
      switch (op) {
        case '$eq':
          return values.some((v) => v === arg);
        case '$ne':
          return !values.some((v) => v === arg);
        case '$in':
          if (!Array.isArray(arg)) throw new HttpError(400, '$in takes an array');
          return values.some((v) => arg.includes(v));
        case '$nin':
          if (!Array.isArray(arg)) throw new HttpError(400, '$nin takes an array');
          return !values.some((v) => arg.includes(v));
        case '$exists':
          return (value !== undefined) === Boolean(arg);
        case '$gt':
          return values.some((v) => compare(v, arg) > 0);
        case '$gte':
          return values.some((v) => compare(v, arg) >= 0);
        case '$lt':
          return values.some((v) => compare(v, arg) < 0);
        case '$lte':
          return values.some((v) => compare(v, arg) <= 0);
        default:
          throw new HttpError(400, `unknown filter operator ${op}`);
      }
    });
  });
}

export async function startPineconeStandin(
  opts: { apiKey?: string; dimension?: number; embedModels?: Record<string, StandinEmbedModel> } = {},
): Promise<PineconeStandin> {
  const apiKey = opts.apiKey ?? 'pcsk_standin_test_key';
  const dimension = opts.dimension ?? 384;
  const namespaces = new Map<string, Map<string, StoredVector>>();
  const log: PineconeStandin['log'] = [];
  let faults: (PineconeFault & { seen: number; failed: number })[] = [];
  let down = false;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, { code: 13, message: String(err), details: [] }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function readJson(req: IncomingMessage): Promise<any> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const buf = Buffer.concat(chunks);
    if (buf.length === 0) return {};
    if (buf.length > 2 * 1024 * 1024) throw new HttpError(400, `Request size ${(buf.length / 1024 / 1024).toFixed(1)}MB exceeds the maximum supported size of 2MB`);
    try {
      return JSON.parse(buf.toString('utf8'));
    } catch {
      throw new HttpError(400, 'Invalid request body: not JSON');
    }
  }

  const nsName = (ns: unknown) => (typeof ns === 'string' && ns !== '' ? ns : '__default__');

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? '';
    const op = operationOf(method, url.pathname);
    let namespace: string | undefined;
    let started = performance.now();
    const done = (status: number, body: unknown) => {
      log.push({ method, path: url.pathname, status, ...(namespace !== undefined ? { namespace } : {}), ms: performance.now() - started });
      send(res, status, body);
    };
    try {
      if (req.headers['api-key'] !== apiKey) throw new HttpError(401, 'Invalid API Key');
      const body = method === 'POST' ? await readJson(req) : {};
      started = performance.now();
      namespace = method === 'POST' ? nsName(body.namespace) : url.searchParams.has('namespace') ? nsName(url.searchParams.get('namespace')) : undefined;
      if (down) throw new HttpError(503, 'Service Unavailable: the index is not reachable (injected outage)');
      for (const f of faults) {
        if ((f.on ?? 'any') !== 'any' && f.on !== op) continue;
        if (f.failed >= (f.times ?? 1)) continue;
        if (f.seen++ < (f.after ?? 0)) continue;
        f.failed++;
        throw new HttpError(f.status, f.status === 429 ? 'Too many requests. Please retry shortly.' : 'Internal error (injected)');
      }
      switch (op) {
        case 'upsert':
          return done(200, upsert(namespace!, body));
        case 'query':
          return done(200, query(namespace!, body));
        case 'fetch':
          return done(200, fetchVectors(namespace ?? '__default__', url.searchParams.getAll('ids')));
        case 'delete':
          return done(200, remove(namespace!, body));
        case 'list':
          return done(200, list(namespace ?? '__default__', url.searchParams));
        case 'stats':
          return done(200, stats());
        case 'namespaces':
          return done(...namespaceRoute(method, url.pathname, url.searchParams));
        case 'embed':
          return done(200, await embed(body));
        default:
          throw new HttpError(404, `Not Found: ${method} ${url.pathname}`);
      }
    } catch (err) {
      if (err instanceof HttpError) {
        // The inference API's error body differs from the data plane's.
        if (op === 'embed') return done(err.status, { error: { code: err.status === 400 ? 'INVALID_ARGUMENT' : String(CODE[err.status] ?? 'UNKNOWN'), message: err.message }, status: err.status });
        return done(err.status, { code: CODE[err.status] ?? 2, message: err.message, details: [] });
      }
      throw err;
    }
  }

  function checkValues(values: unknown, what: string): number[] {
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new HttpError(400, `Invalid request: ${what} must be an array of finite numbers`);
    }
    if (values.length !== dimension) throw new HttpError(400, `Vector dimension ${values.length} does not match the dimension of the index ${dimension}`);
    return values as number[];
  }

  function checkMetadata(id: string, metadata: unknown): Metadata | undefined {
    if (metadata === undefined || metadata === null) return undefined;
    if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new HttpError(400, `Invalid metadata for vector ${id}: must be an object`);
    for (const [k, v] of Object.entries(metadata)) {
      const ok = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
      if (!ok) throw new HttpError(400, `Metadata value must be a string, number, boolean or list of strings, got '${JSON.stringify(v)}' for field '${k}'`);
    }
    const size = Buffer.byteLength(JSON.stringify(metadata));
    if (size > METADATA_LIMIT) throw new HttpError(400, `Metadata size is ${size} bytes, which exceeds the limit of ${METADATA_LIMIT} bytes per vector`);
    return metadata as Metadata;
  }

  function upsert(ns: string, body: any) {
    const vectors = body.vectors;
    if (!Array.isArray(vectors) || vectors.length === 0) throw new HttpError(400, 'Invalid request: at least one vector is required');
    if (vectors.length > 1000) throw new HttpError(400, `Invalid request: batch size ${vectors.length} exceeds the limit of 1000 vectors`);
    // Validate all first: a rejected batch writes nothing.
    const checked: StoredVector[] = vectors.map((v: any) => {
      if (typeof v?.id !== 'string' || v.id === '') throw new HttpError(400, 'Invalid request: every vector needs a non-empty string id');
      if (Buffer.byteLength(v.id) > 512) throw new HttpError(400, `Vector id is longer than 512 bytes`);
      const metadata = checkMetadata(v.id, v.metadata);
      const values = checkValues(v.values, `values of vector ${v.id}`);
      const floats = Float64Array.from(values);
      const norm = Math.sqrt(floats.reduce((n, x) => n + x * x, 0));
      return { id: v.id, values, floats, norm, ...(metadata ? { metadata: structuredClone(metadata) } : {}) };
    });
    let stored = namespaces.get(ns);
    if (!stored) namespaces.set(ns, (stored = new Map()));
    for (const v of checked) stored.set(v.id, v);
    return { upsertedCount: checked.length };
  }

  function query(ns: string, body: any) {
    const topK = body.topK;
    if (!Number.isInteger(topK) || topK < 1) throw new HttpError(400, 'Invalid request: topK must be a positive integer');
    if (topK > (body.includeMetadata ? 1000 : 10000)) throw new HttpError(400, `Invalid request: topK ${topK} is above the limit`);
    const stored = namespaces.get(ns);
    let vector: number[];
    if (body.id !== undefined) {
      const base = stored?.get(String(body.id));
      if (!base) return { matches: [], namespace: ns === '__default__' ? '' : ns, usage: { readUnits: 1 } };
      vector = base.values;
    } else vector = checkValues(body.vector, 'vector');
    const filter = body.filter as Record<string, unknown> | undefined;
    if (filter !== undefined && (typeof filter !== 'object' || filter === null || Array.isArray(filter))) throw new HttpError(400, 'Invalid request: filter must be an object');
    // Brute force, keeping the best topK in a small sorted list (ties by id).
    const q = Float64Array.from(vector);
    const qn = Math.sqrt(q.reduce((n, x) => n + x * x, 0));
    const scored: { v: StoredVector; score: number }[] = [];
    const before = (a: { v: StoredVector; score: number }, b: { v: StoredVector; score: number }) => a.score > b.score || (a.score === b.score && a.v.id < b.v.id);
    for (const v of stored?.values() ?? []) {
      if (filter && !matchesFilter(v.metadata, filter)) continue;
      const f = v.floats;
      let dot = 0;
      for (let d = 0; d < f.length; d++) dot += f[d]! * q[d]!;
      const hit = { v, score: v.norm === 0 || qn === 0 ? 0 : dot / (v.norm * qn) };
      if (scored.length === topK && !before(hit, scored[scored.length - 1]!)) continue;
      let at = scored.length;
      while (at > 0 && before(hit, scored[at - 1]!)) at--;
      scored.splice(at, 0, hit);
      if (scored.length > topK) scored.pop();
    }
    return {
      matches: scored.map(({ v, score }) => ({
        id: v.id,
        score,
        values: body.includeValues ? v.values : [],
        ...(body.includeMetadata && v.metadata ? { metadata: v.metadata } : {}),
      })),
      namespace: ns === '__default__' ? '' : ns,
      usage: { readUnits: 1 + Math.floor((stored?.size ?? 0) / 1000) },
    };
  }

  function fetchVectors(ns: string, ids: string[]) {
    if (ids.length === 0) throw new HttpError(400, 'Invalid request: ids are required');
    const stored = namespaces.get(ns);
    const vectors: Record<string, Pick<StoredVector, 'id' | 'values' | 'metadata'>> = {};
    for (const id of ids) {
      const v = stored?.get(id);
      if (v) vectors[id] = { id: v.id, values: v.values, ...(v.metadata ? { metadata: v.metadata } : {}) };
    }
    return { vectors, namespace: ns === '__default__' ? '' : ns, usage: { readUnits: 1 } };
  }

  function remove(ns: string, body: any) {
    const stored = namespaces.get(ns);
    if (!stored) throw new HttpError(404, 'Namespace not found');
    if (body.deleteAll) {
      namespaces.delete(ns);
      return {};
    }
    if (Array.isArray(body.ids)) {
      for (const id of body.ids) stored.delete(String(id));
    } else if (body.filter && typeof body.filter === 'object') {
      for (const [id, v] of stored) if (matchesFilter(v.metadata, body.filter)) stored.delete(id);
    } else throw new HttpError(400, 'Invalid request: one of ids, deleteAll or filter is required');
    if (stored.size === 0) namespaces.delete(ns);
    return {};
  }

  function list(ns: string, params: URLSearchParams) {
    const limit = params.has('limit') ? Number(params.get('limit')) : 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, 'Invalid request: limit must be between 1 and 100');
    const prefix = params.get('prefix') ?? '';
    const after = params.has('paginationToken') ? Buffer.from(params.get('paginationToken')!, 'base64url').toString('utf8') : undefined;
    // Bitwise ("C" collation) order, as documented: compare UTF-8 bytes.
    const ids = [...(namespaces.get(ns)?.keys() ?? [])]
      .filter((id) => id.startsWith(prefix) && (after === undefined || Buffer.compare(Buffer.from(id), Buffer.from(after)) > 0))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const page = ids.slice(0, limit);
    return {
      vectors: page.map((id) => ({ id })),
      ...(ids.length > limit ? { pagination: { next: Buffer.from(page[page.length - 1]!).toString('base64url') } } : {}),
      namespace: ns === '__default__' ? '' : ns,
      usage: { readUnits: 1 },
    };
  }

  function stats() {
    let total = 0;
    const out: Record<string, { vectorCount: number }> = {};
    for (const [name, stored] of namespaces) {
      out[name] = { vectorCount: stored.size };
      total += stored.size;
    }
    return { namespaces: out, dimension, indexFullness: 0, totalVectorCount: total, metric: 'cosine', vectorType: 'dense' };
  }

  async function embed(body: any) {
    const models = opts.embedModels ?? {};
    const model = models[body.model];
    if (!model) throw new HttpError(400, `Model '${body.model}' not found. Supported models: ${Object.keys(models).join(', ') || 'none'}`);
    const inputs = body.inputs;
    if (!Array.isArray(inputs) || inputs.length === 0) throw new HttpError(400, 'Invalid request: inputs must be a non-empty list');
    if (inputs.length > 96) throw new HttpError(400, `Invalid request: batch size ${inputs.length} exceeds the limit of 96 inputs`);
    if (inputs.some((i: any) => typeof i?.text !== 'string')) throw new HttpError(400, 'Invalid request: every input needs a text');
    const vectors = await model.embed(inputs.map((i: { text: string }) => i.text));
    return {
      model: body.model,
      vector_type: 'dense',
      data: vectors.map((v) => ({ values: Array.from(v), vector_type: 'dense' })),
      usage: { total_tokens: inputs.reduce((n: number, i: { text: string }) => n + Math.ceil(i.text.length / 4), 0) },
    };
  }

  function namespaceRoute(method: string, path: string, params: URLSearchParams): [number, unknown] {
    if (path === '/namespaces' && method === 'GET') {
      const prefix = params.get('prefix') ?? '';
      const names = [...namespaces.keys()].filter((n) => n.startsWith(prefix)).sort();
      return [200, { namespaces: names.map((name) => ({ name, record_count: namespaces.get(name)!.size })), total_count: names.length }];
    }
    const name = decodeURIComponent(path.slice('/namespaces/'.length));
    if (method === 'GET') {
      const stored = namespaces.get(name);
      if (!stored) throw new HttpError(404, 'Namespace not found');
      return [200, { name, record_count: stored.size }];
    }
    if (method === 'DELETE') {
      if (!namespaces.delete(name)) throw new HttpError(404, 'Namespace not found');
      return [202, {}];
    }
    throw new HttpError(405, `Method Not Allowed: ${method} ${path}`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    dimension,
    namespaces,
    log,
    inject(fault) {
      faults.push({ ...fault, seen: 0, failed: 0 });
    },
    outage(on) {
      down = on;
    },
    clearFaults() {
      faults = [];
      down = false;
    },
    dump() {
      return JSON.stringify([...namespaces].map(([name, stored]) => [name, [...stored.values()].map((v) => [v.id, v.metadata])]));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
