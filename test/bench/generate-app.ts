// A generated Express application for `npm run bench:detect`: an app that mounts an API router, which mounts one
// sub-router per resource; each resource has a router, a controller, a service class (every third one in
// TypeScript), a repository class over a shared SQL pool and a validation schema, plus shared middleware and
// utilities. Calls cross files everywhere (route → controller → service → repository → driver), through class
// instances (`this.repo`, `this.db`), async/await, promise chains and array callbacks. Almost all of it is safe
// (parameterised queries, execFile with an argument array, basename'd paths); a few vulnerabilities are planted
// at known places, so the bench can report whether they are found and what else is reported.
//
// Deterministic: the same `resources` always gives the same files.

export interface PlantedFinding {
  rule: string;
  file: string;
  line: number;
}

export interface GeneratedApp {
  files: Record<string, string>;
  planted: PlantedFinding[];
  lines: number;
}

const NOUNS = [
  'user', 'order', 'product', 'invoice', 'payment', 'shipment', 'customer', 'supplier', 'warehouse', 'ticket',
  'comment', 'review', 'coupon', 'category', 'tag', 'report', 'audit', 'session', 'device', 'team',
  'project', 'task', 'milestone', 'document', 'folder', 'message', 'channel', 'webhook', 'plan', 'subscription',
];
const QUALIFIERS = ['', 'archived', 'draft', 'legacy', 'partner', 'internal', 'public', 'batch'];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function names(i: number) {
  const noun = NOUNS[i % NOUNS.length];
  const q = QUALIFIERS[Math.floor(i / NOUNS.length) % QUALIFIERS.length];
  const n = Math.floor(i / (NOUNS.length * QUALIFIERS.length));
  const slug = `${q ? `${q}-` : ''}${noun}${n ? n + 1 : ''}`;
  const Cls = cap(camel(slug));
  return { slug, Cls, table: slug.replace(/-/g, '_') + 's', plural: `${slug}s` };
}

/** Which vulnerability (if any) resource `i` carries. */
function plantFor(i: number): 'sql' | 'command' | 'path' | 'code' | undefined {
  switch (i % 25) {
    case 3:
      return 'sql';
    case 9:
      return 'command';
    case 15:
      return 'path';
    case 21:
      return 'code';
    default:
      return undefined;
  }
}

function router(i: number): string {
  const { slug } = names(i);
  return `const express = require('express');
const { requireAuth, requireRole } = require('../middleware/auth');
const { validateBody } = require('../middleware/validate');
const { rateLimit } = require('../middleware/rate-limit');
const controller = require('../controllers/${slug}.controller');
const schema = require('../validation/${slug}.schema');

const router = express.Router();

router.get('/', requireAuth, controller.list);
router.get('/search', requireAuth, rateLimit(30), controller.search);
router.get('/:id', requireAuth, controller.get);
router.post('/', requireAuth, validateBody(schema.create), controller.create);
router.put('/:id', requireAuth, validateBody(schema.update), controller.update);
router.delete('/:id', requireAuth, requireRole('admin'), controller.remove);
router.get('/:id/export', requireAuth, controller.exportOne);
router.get('/:id/attachments/:file', requireAuth, controller.attachment);
router.post('/bulk', requireAuth, requireRole('admin'), controller.bulk);

module.exports = router;
`;
}

function controller(i: number): string {
  const { slug, Cls } = names(i);
  const plant = plantFor(i);
  const svcImport = i % 3 === 0 ? `const { ${Cls}Service } = require('../services/${slug}.service');` : `const ${Cls}Service = require('../services/${slug}.service');`;
  const exportOne =
    plant === 'command'
      ? `exports.exportOne = async (req, res, next) => {
  try {
    const item = await service.get(Number(req.params.id), req.user);
    const file = await archive.pack(req.query.name || 'export', item);
    res.download(file);
  } catch (err) {
    next(err);
  }
};`
      : `exports.exportOne = async (req, res, next) => {
  try {
    const item = await service.get(Number(req.params.id), req.user);
    const file = await archive.packSafe(['${slug}', String(item.id)], item);
    res.download(file);
  } catch (err) {
    next(err);
  }
};`;
  const attachment =
    plant === 'path'
      ? `exports.attachment = (req, res, next) => {
  files
    .readAttachment('${slug}', req.params.file)
    .then((data) => res.type('application/octet-stream').send(data))
    .catch(next);
};`
      : `exports.attachment = (req, res, next) => {
  files
    .readAttachmentSafe('${slug}', req.params.file)
    .then((data) => res.type('application/octet-stream').send(data))
    .catch(next);
};`;
  return `const db = require('../db');
${svcImport}
const logger = require('../utils/logger');
const archive = require('../utils/archive');
const files = require('../utils/files');
const { paginate, pick, toInt } = require('../utils/helpers');
const { NotFoundError, ValidationError } = require('../utils/errors');

const service = new ${Cls}Service(db);

exports.list = async (req, res, next) => {
  try {
    const { page, size } = paginate(req.query);
    const sort = pick(req.query, ['sort', 'order']);
    const items = await service.list({ page, size, sort });
    res.json({ items, page, size });
  } catch (err) {
    next(err);
  }
};

exports.search = async (req, res, next) => {
  try {
    const term = String(req.query.q || '').trim();
    if (term.length > 100) throw new ValidationError('search term too long');
    const results = await service.search(term, toInt(req.query.limit, 20));
    logger.info('search', { resource: '${slug}', count: results.length });
    res.json(results);
  } catch (err) {
    next(err);
  }
};

exports.get = async (req, res, next) => {
  try {
    const id = toInt(req.params.id);
    const item = await service.get(id, req.user);
    if (!item) throw new NotFoundError('${slug} ' + id);
    res.json(item);
  } catch (err) {
    next(err);
  }
};

exports.create = async (req, res, next) => {
  try {
    const data = pick(req.body, ['name', 'description', 'status', 'amount']);
    const created = await service.create(data, req.user);
    res.status(201).json(created);
  } catch (err) {
    next(err);
  }
};

exports.update = async (req, res, next) => {
  try {
    const id = toInt(req.params.id);
    const changes = pick(req.body, ['name', 'description', 'status']);
    const updated = await service.update(id, changes, req.user);
    res.json(updated);
  } catch (err) {
    next(err);
  }
};

exports.remove = async (req, res, next) => {
  try {
    await service.remove(toInt(req.params.id), req.user);
    res.status(204).end();
  } catch (err) {
    next(err);
  }
};

${exportOne}

${attachment}

exports.bulk = async (req, res, next) => {
  try {
    const ids = Array.isArray(req.body.ids) ? req.body.ids.map((x) => toInt(x)) : [];
    const results = await Promise.all(ids.map((id) => service.get(id, req.user)));
    const found = results.filter(Boolean);
    res.json({ requested: ids.length, found: found.length, items: found });
  } catch (err) {
    next(err);
  }
};
`;
}

function serviceJs(i: number): string {
  const { slug, Cls } = names(i);
  const plant = plantFor(i);
  const search = plant === 'code'
    ? `  async search(term, limit) {
    const rows = await this.repo.search(term, limit);
    const predicate = compileFilter(term);
    return rows.filter(predicate).map((r) => this.present(r));
  }`
    : `  async search(term, limit) {
    const rows = await this.repo.search(term, limit);
    return rows.map((r) => this.present(r));
  }`;
  return `const { ${Cls}Repository } = require('../models/${slug}.model');
const { compileFilter } = require('../utils/query');
const { NotFoundError, ForbiddenError } = require('../utils/errors');
const cache = require('../utils/cache');
const events = require('../utils/events');

const MAX_PAGE = 100;

class ${Cls}Service {
  constructor(db) {
    this.db = db;
    this.repo = new ${Cls}Repository(db);
    this.cacheKey = '${slug}';
  }

  present(row) {
    return {
      id: row.id,
      name: row.name,
      description: row.description || '',
      status: row.status,
      createdAt: row.created_at,
    };
  }

  async list({ page, size, sort }) {
    const limit = Math.min(size, MAX_PAGE);
    const offset = (page - 1) * limit;
    const key = this.cacheKey + ':' + page + ':' + limit;
    const cached = cache.get(key);
    if (cached) return cached;
    const rows = await this.repo.findAll(limit, offset, sort);
    const items = rows.map((r) => this.present(r));
    cache.set(key, items);
    return items;
  }

${search}

  async get(id, user) {
    const row = await this.repo.findById(id);
    if (!row) return null;
    if (row.owner_id !== user.id && !user.admin) throw new ForbiddenError('not yours');
    return this.present(row);
  }

  async create(data, user) {
    const row = await this.repo.insert({ ...data, owner_id: user.id });
    events.emit('${slug}.created', { id: row.id, by: user.id });
    cache.clear(this.cacheKey);
    return this.present(row);
  }

  async update(id, changes, user) {
    const existing = await this.get(id, user);
    if (!existing) throw new NotFoundError('${slug} ' + id);
    const fields = Object.keys(changes).filter((k) => changes[k] !== undefined);
    for (const f of fields) {
      if (typeof changes[f] === 'string' && changes[f].length > 500) changes[f] = changes[f].slice(0, 500);
    }
    const row = await this.repo.update(id, changes);
    cache.clear(this.cacheKey);
    events.emit('${slug}.updated', { id, fields });
    return this.present(row);
  }

  async remove(id, user) {
    const existing = await this.get(id, user);
    if (!existing) throw new NotFoundError('${slug} ' + id);
    await this.repo.remove(id);
    cache.clear(this.cacheKey);
    events.emit('${slug}.removed', { id });
  }

  async stats() {
    const rows = await this.repo.countByStatus();
    const total = rows.reduce((sum, r) => sum + Number(r.count), 0);
    const byStatus = {};
    for (const r of rows) byStatus[r.status] = Number(r.count);
    return { total, byStatus };
  }
}

module.exports = ${Cls}Service;
`;
}

function serviceTs(i: number): string {
  const { slug, Cls } = names(i);
  const plant = plantFor(i);
  const search = plant === 'code'
    ? `  async search(term: string, limit: number): Promise<${Cls}View[]> {
    const rows = await this.repo.search(term, limit);
    const predicate = compileFilter(term);
    return rows.filter(predicate).map((r: ${Cls}Row) => this.present(r));
  }`
    : `  async search(term: string, limit: number): Promise<${Cls}View[]> {
    const rows = await this.repo.search(term, limit);
    return rows.map((r: ${Cls}Row) => this.present(r));
  }`;
  return `import { ${Cls}Repository } from '../models/${slug}.model';
import { compileFilter } from '../utils/query';
import { NotFoundError, ForbiddenError } from '../utils/errors';
import * as cache from '../utils/cache';
import events from '../utils/events';

export interface ${Cls}Row {
  id: number;
  name: string;
  description?: string | null;
  status: 'active' | 'inactive' | 'deleted';
  owner_id: number;
  created_at: Date;
}

export interface ${Cls}View {
  id: number;
  name: string;
  description: string;
  status: string;
  createdAt: Date;
}

interface Actor {
  id: number;
  admin?: boolean;
}

type Sort = { sort?: string; order?: 'asc' | 'desc' };

const MAX_PAGE = 100;

export class ${Cls}Service {
  private readonly repo: ${Cls}Repository;
  private readonly cacheKey = '${slug}';

  constructor(private readonly db: unknown) {
    this.repo = new ${Cls}Repository(db);
  }

  private present(row: ${Cls}Row): ${Cls}View {
    return {
      id: row.id,
      name: row.name,
      description: row.description ?? '',
      status: row.status,
      createdAt: row.created_at,
    };
  }

  async list({ page, size, sort }: { page: number; size: number; sort: Sort }): Promise<${Cls}View[]> {
    const limit = Math.min(size, MAX_PAGE);
    const offset = (page - 1) * limit;
    const key = \`\${this.cacheKey}:\${page}:\${limit}\`;
    const cached = cache.get(key) as ${Cls}View[] | undefined;
    if (cached) return cached;
    const rows: ${Cls}Row[] = await this.repo.findAll(limit, offset, sort);
    const items = rows.map((r) => this.present(r));
    cache.set(key, items);
    return items;
  }

${search}

  async get(id: number, user: Actor): Promise<${Cls}View | null> {
    const row: ${Cls}Row | undefined = await this.repo.findById(id);
    if (!row) return null;
    if (row.owner_id !== user.id && !user.admin) throw new ForbiddenError('not yours');
    return this.present(row);
  }

  async create(data: Partial<${Cls}Row>, user: Actor): Promise<${Cls}View> {
    const row = await this.repo.insert({ ...data, owner_id: user.id });
    events.emit('${slug}.created', { id: row.id, by: user.id });
    cache.clear(this.cacheKey);
    return this.present(row);
  }

  async update(id: number, changes: Record<string, unknown>, user: Actor): Promise<${Cls}View> {
    const existing = await this.get(id, user);
    if (!existing) throw new NotFoundError(\`${slug} \${id}\`);
    const fields = Object.keys(changes).filter((k) => changes[k] !== undefined);
    for (const f of fields) {
      const v = changes[f];
      if (typeof v === 'string' && v.length > 500) changes[f] = v.slice(0, 500);
    }
    const row = await this.repo.update(id, changes);
    cache.clear(this.cacheKey);
    events.emit('${slug}.updated', { id, fields });
    return this.present(row);
  }

  async remove(id: number, user: Actor): Promise<void> {
    const existing = await this.get(id, user);
    if (!existing) throw new NotFoundError(\`${slug} \${id}\`);
    await this.repo.remove(id);
    cache.clear(this.cacheKey);
    events.emit('${slug}.removed', { id });
  }

  async stats(): Promise<{ total: number; byStatus: Record<string, number> }> {
    const rows: { status: string; count: string }[] = await this.repo.countByStatus();
    const total = rows.reduce((sum, r) => sum + Number(r.count), 0);
    const byStatus: Record<string, number> = {};
    for (const r of rows) byStatus[r.status] = Number(r.count);
    return { total, byStatus };
  }
}
`;
}

function model(i: number): string {
  const { Cls, table } = names(i);
  const plant = plantFor(i);
  const search =
    plant === 'sql'
      ? `  search(term, limit) {
    const sql = "SELECT id, name, description, status FROM ${table} WHERE name LIKE '%" + term + "%' LIMIT " + Number(limit);
    return this.db.query(sql).then((r) => r.rows);
  }`
      : `  search(term, limit) {
    return this.db
      .query('SELECT id, name, description, status FROM ${table} WHERE name LIKE $1 LIMIT $2', ['%' + term + '%', Number(limit)])
      .then((r) => r.rows);
  }`;
  return `const SORTABLE = ['name', 'created_at', 'status'];

function orderBy(sort) {
  const column = sort && SORTABLE.includes(sort.sort) ? sort.sort : 'created_at';
  const direction = sort && sort.order === 'asc' ? 'ASC' : 'DESC';
  return column + ' ' + direction;
}

class ${Cls}Repository {
  constructor(db) {
    this.db = db;
    this.table = '${table}';
  }

  async findAll(limit, offset, sort) {
    const order = orderBy(sort);
    const result = await this.db.query('SELECT * FROM ${table} ORDER BY ' + order + ' LIMIT $1 OFFSET $2', [limit, offset]);
    return result.rows;
  }

  async findById(id) {
    const result = await this.db.query('SELECT * FROM ${table} WHERE id = $1', [id]);
    return result.rows[0];
  }

${search}

  async insert(data) {
    const columns = Object.keys(data).filter((c) => /^[a-z_]+$/.test(c));
    const values = columns.map((c) => data[c]);
    const placeholders = columns.map((_, n) => '$' + (n + 1)).join(', ');
    const result = await this.db.query(
      'INSERT INTO ${table} (' + columns.join(', ') + ') VALUES (' + placeholders + ') RETURNING *',
      values,
    );
    return result.rows[0];
  }

  async update(id, changes) {
    const columns = Object.keys(changes).filter((c) => /^[a-z_]+$/.test(c));
    const sets = columns.map((c, n) => c + ' = $' + (n + 2));
    const result = await this.db.query('UPDATE ${table} SET ' + sets.join(', ') + ' WHERE id = $1 RETURNING *', [
      id,
      ...columns.map((c) => changes[c]),
    ]);
    return result.rows[0];
  }

  async remove(id) {
    await this.db.query('DELETE FROM ${table} WHERE id = $1', [id]);
  }

  async countByStatus() {
    const result = await this.db.query('SELECT status, COUNT(*) AS count FROM ${table} GROUP BY status');
    return result.rows;
  }
}

module.exports = { ${Cls}Repository };
`;
}

function schema(i: number): string {
  const { slug } = names(i);
  return `// Validation schema for ${slug}.
const STATUSES = ['active', 'inactive', 'deleted'];

function string(max) {
  return (v) => typeof v === 'string' && v.length <= max;
}

function oneOf(values) {
  return (v) => values.includes(v);
}

function number(min, max) {
  return (v) => typeof v === 'number' && v >= min && v <= max;
}

exports.create = {
  name: { required: true, check: string(120) },
  description: { required: false, check: string(2000) },
  status: { required: false, check: oneOf(STATUSES) },
  amount: { required: false, check: number(0, 1e9) },
};

exports.update = {
  name: { required: false, check: string(120) },
  description: { required: false, check: string(2000) },
  status: { required: false, check: oneOf(STATUSES) },
};
`;
}

function shared(resources: number): Record<string, string> {
  const mounts: string[] = [];
  const requires: string[] = [];
  for (let i = 0; i < resources; i++) {
    const { slug, plural } = names(i);
    const v = `${camel(slug)}Routes`;
    requires.push(`const ${v} = require('./${slug}.routes');`);
    mounts.push(`api.use('/${plural}', ${v});`);
  }
  return {
    'package.json': JSON.stringify({ name: 'generated-shop', version: '1.0.0', main: 'app.js', dependencies: { express: '^4.19.0', pg: '^8.11.0' } }, null, 2) + '\n',
    'app.js': `const express = require('express');
const helmet = require('helmet');
const api = require('./routes');
const { errorHandler } = require('./middleware/errors');
const { requestLog } = require('./middleware/log');

const app = express();
app.use(helmet());
app.use(express.json({ limit: '1mb' }));
app.use(requestLog);
app.use('/api/v1', api);
app.use(errorHandler);

const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log('listening on ' + port));

module.exports = app;
`,
    'routes/index.js': `const express = require('express');
${requires.join('\n')}

const api = express.Router();
api.get('/health', (req, res) => res.json({ ok: true }));
${mounts.join('\n')}

module.exports = api;
`,
    'db.js': `const { Pool } = require('pg');

const pool = new Pool({
  host: process.env.PGHOST,
  database: process.env.PGDATABASE,
  max: Number(process.env.PGPOOL || 10),
});

pool.on('error', (err) => console.error('pg pool error', err));

module.exports = pool;
`,
    'middleware/auth.js': `const jwt = require('jsonwebtoken');
const { UnauthorizedError, ForbiddenError } = require('../utils/errors');

const SECRET = process.env.JWT_SECRET;

function requireAuth(req, res, next) {
  const header = req.headers.authorization || '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : null;
  if (!token) return next(new UnauthorizedError('missing token'));
  try {
    req.user = jwt.verify(token, SECRET, { algorithms: ['HS256'] });
    return next();
  } catch (err) {
    return next(new UnauthorizedError('bad token'));
  }
}

function requireRole(role) {
  return (req, res, next) => {
    if (!req.user || !(req.user.roles || []).includes(role)) return next(new ForbiddenError('needs ' + role));
    return next();
  };
}

module.exports = { requireAuth, requireRole };
`,
    'middleware/validate.js': `const { ValidationError } = require('../utils/errors');

function validateBody(schema) {
  return (req, res, next) => {
    const problems = [];
    for (const [field, rule] of Object.entries(schema)) {
      const value = req.body[field];
      if (value === undefined) {
        if (rule.required) problems.push(field + ' is required');
        continue;
      }
      if (!rule.check(value)) problems.push(field + ' is invalid');
    }
    if (problems.length) return next(new ValidationError(problems.join('; ')));
    return next();
  };
}

module.exports = { validateBody };
`,
    'middleware/rate-limit.js': `const buckets = new Map();

function rateLimit(perMinute) {
  return (req, res, next) => {
    const key = req.ip;
    const now = Date.now();
    const bucket = buckets.get(key) || { count: 0, reset: now + 60000 };
    if (now > bucket.reset) {
      bucket.count = 0;
      bucket.reset = now + 60000;
    }
    bucket.count += 1;
    buckets.set(key, bucket);
    if (bucket.count > perMinute) return res.status(429).json({ error: 'too many requests' });
    return next();
  };
}

module.exports = { rateLimit };
`,
    'middleware/errors.js': `const logger = require('../utils/logger');

function errorHandler(err, req, res, next) {
  const status = err.status || 500;
  if (status >= 500) logger.error('request failed', { path: req.path, message: err.message });
  res.status(status).json({ error: status >= 500 ? 'internal error' : err.message });
}

module.exports = { errorHandler };
`,
    'middleware/log.js': `const logger = require('../utils/logger');

function requestLog(req, res, next) {
  const started = Date.now();
  res.on('finish', () => {
    logger.info('request', { method: req.method, status: res.statusCode, ms: Date.now() - started });
  });
  next();
}

module.exports = { requestLog };
`,
    'utils/logger.js': `const LEVELS = ['debug', 'info', 'warn', 'error'];
const threshold = LEVELS.indexOf(process.env.LOG_LEVEL || 'info');

function log(level, message, fields) {
  if (LEVELS.indexOf(level) < threshold) return;
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  process.stdout.write(line + '\\n');
}

module.exports = {
  debug: (m, f) => log('debug', m, f),
  info: (m, f) => log('info', m, f),
  warn: (m, f) => log('warn', m, f),
  error: (m, f) => log('error', m, f),
};
`,
    'utils/errors.js': `class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}
class ValidationError extends HttpError {
  constructor(message) {
    super(400, message);
  }
}
class UnauthorizedError extends HttpError {
  constructor(message) {
    super(401, message);
  }
}
class ForbiddenError extends HttpError {
  constructor(message) {
    super(403, message);
  }
}
class NotFoundError extends HttpError {
  constructor(message) {
    super(404, message);
  }
}

module.exports = { HttpError, ValidationError, UnauthorizedError, ForbiddenError, NotFoundError };
`,
    'utils/helpers.js': `function toInt(value, fallback = 0) {
  const n = parseInt(value, 10);
  return Number.isFinite(n) ? n : fallback;
}

function paginate(query) {
  const page = Math.max(1, toInt(query.page, 1));
  const size = Math.min(100, Math.max(1, toInt(query.size, 20)));
  return { page, size };
}

function pick(obj, keys) {
  const out = {};
  for (const k of keys) if (obj && obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function chunk(list, size) {
  const out = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

module.exports = { toInt, paginate, pick, chunk };
`,
    'utils/cache.js': `const store = new Map();
const TTL = 30000;

exports.get = (key) => {
  const hit = store.get(key);
  if (!hit || hit.expires < Date.now()) return undefined;
  return hit.value;
};

exports.set = (key, value) => {
  store.set(key, { value, expires: Date.now() + TTL });
};

exports.clear = (prefix) => {
  for (const k of [...store.keys()]) if (k.startsWith(prefix)) store.delete(k);
};
`,
    'utils/events.js': `const { EventEmitter } = require('events');

const bus = new EventEmitter();
bus.setMaxListeners(100);

module.exports = bus;
`,
    'utils/archive.js': `const { exec, execFile } = require('child_process');
const path = require('path');
const fs = require('fs/promises');

const OUT = process.env.EXPORT_DIR || '/tmp/exports';

async function writeJson(name, item) {
  const file = path.join(OUT, path.basename(name) + '.json');
  await fs.writeFile(file, JSON.stringify(item));
  return file;
}

exports.pack = async (name, item) => {
  await writeJson(name, item);
  return new Promise((resolve, reject) => {
    exec('tar czf ' + OUT + '/' + name + '.tgz -C ' + OUT + ' ' + name + '.json', (err) => (err ? reject(err) : resolve(OUT + '/' + name + '.tgz')));
  });
};

exports.packSafe = async (parts, item) => {
  const name = parts.map((p) => String(p).replace(/[^a-z0-9_-]/gi, '')).join('-');
  await writeJson(name, item);
  return new Promise((resolve, reject) => {
    execFile('tar', ['czf', path.join(OUT, name + '.tgz'), '-C', OUT, name + '.json'], (err) => (err ? reject(err) : resolve(path.join(OUT, name + '.tgz'))));
  });
};
`,
    'utils/files.js': `const fs = require('fs/promises');
const path = require('path');

const ROOT = process.env.UPLOAD_DIR || '/var/uploads';

exports.readAttachment = (kind, file) => fs.readFile(path.join(ROOT, kind, file));

exports.readAttachmentSafe = (kind, file) => fs.readFile(path.join(ROOT, kind, path.basename(file)));
`,
    'utils/query.js': `// Search terms like "status:active" become row predicates.
exports.compileFilter = (term) => {
  const m = /^(\\w+):(.*)$/.exec(term);
  if (!m) return () => true;
  return new Function('row', 'return row.' + m[1] + ' == ' + JSON.stringify(m[2]));
};

exports.compileFilterSafe = (term) => {
  const m = /^(\\w+):(.*)$/.exec(term);
  if (!m) return () => true;
  return (row) => String(row[m[1]]) === m[2];
};
`,
  };
}

/** Lines of the first occurrence of `needle` in `text` (1-based). */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`generate-app: "${needle}" is not in the generated file; the generator and its planted list disagree`);
  return i + 1;
}

export function generateApp(resources: number): GeneratedApp {
  const files = shared(resources);
  const planted: PlantedFinding[] = [];
  const plantedOnce = new Set<string>();
  for (let i = 0; i < resources; i++) {
    const { slug } = names(i);
    files[`routes/${slug}.routes.js`] = router(i);
    files[`controllers/${slug}.controller.js`] = controller(i);
    files[`services/${slug}.service.${i % 3 === 0 ? 'ts' : 'js'}`] = i % 3 === 0 ? serviceTs(i) : serviceJs(i);
    files[`models/${slug}.model.js`] = model(i);
    files[`validation/${slug}.schema.js`] = schema(i);
    const plant = plantFor(i);
    if (plant === 'sql') {
      const f = `models/${slug}.model.js`;
      planted.push({ rule: 'sql-injection', file: f, line: lineOf(files[f], 'return this.db.query(sql)') });
    }
    // The shared utilities' sinks are one finding each, whichever resources reach them.
    if (plant === 'command' && !plantedOnce.has('command')) {
      plantedOnce.add('command');
      planted.push({ rule: 'command-injection', file: 'utils/archive.js', line: lineOf(files['utils/archive.js'], "exec('tar czf '") });
    }
    if (plant === 'path' && !plantedOnce.has('path')) {
      plantedOnce.add('path');
      planted.push({ rule: 'path-traversal', file: 'utils/files.js', line: lineOf(files['utils/files.js'], 'exports.readAttachment =') });
    }
    if (plant === 'code' && !plantedOnce.has('code')) {
      plantedOnce.add('code');
      planted.push({ rule: 'code-injection', file: 'utils/query.js', line: lineOf(files['utils/query.js'], "return new Function('row'") });
    }
  }
  let lines = 0;
  for (const t of Object.values(files)) lines += t.split('\n').length - 1;
  return { files, planted, lines };
}

/** The smallest resource count whose app has at least `minLines` lines. */
export function generateAppOfSize(minLines: number): GeneratedApp {
  const perResource = generateApp(2).lines - generateApp(1).lines;
  let n = Math.max(1, Math.ceil(minLines / perResource));
  let app = generateApp(n);
  while (app.lines < minLines) app = generateApp(++n);
  return app;
}
