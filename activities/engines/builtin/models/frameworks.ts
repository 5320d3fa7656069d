// Framework and driver models: which calls create typed values (apps, routers, SQL clients), how routes
// are registered and mounted, and what a route handler's parameters are.
import type { TypeProducer } from './types.js';

const sqlDriver = (module: string, driver: string, placeholder: '?' | '$n'): TypeProducer[] => [
  { match: { kind: 'module', module, path: ['*'] }, type: 'sql-client', info: { driver, placeholder } },
  { match: { kind: 'module', module, path: ['*'], construct: true }, type: 'sql-client', info: { driver, placeholder } },
  { match: { kind: 'module', module, path: [] }, type: 'sql-client', info: { driver, placeholder } },
  { match: { kind: 'module', module, path: [], construct: true }, type: 'sql-client', info: { driver, placeholder } },
];

/** Calls (or `new`) whose result is a typed value. Method calls on a typed value keep its type unless METHOD_RESULTS says otherwise. */
export const TYPE_PRODUCERS: TypeProducer[] = [
  { match: { kind: 'module', module: 'express', path: [] }, type: 'express.app' },
  { match: { kind: 'module', module: 'express', path: ['Router'] }, type: 'express.router' },
  { match: { kind: 'module', module: 'express', path: ['default'] }, type: 'express.app' },
  ...sqlDriver('mysql', 'mysql', '?'),
  ...sqlDriver('mysql2', 'mysql2', '?'),
  ...sqlDriver('mysql2/promise', 'mysql2', '?'),
  ...sqlDriver('pg', 'pg', '$n'),
  ...sqlDriver('pg-promise', 'pg-promise', '$n'),
  ...sqlDriver('sqlite3', 'sqlite3', '?'),
  ...sqlDriver('sqlite', 'sqlite', '?'),
  ...sqlDriver('better-sqlite3', 'better-sqlite3', '?'),
  ...sqlDriver('knex', 'knex', '?'),
  ...sqlDriver('sequelize', 'sequelize', '?'),
];

/** A method on a typed value whose result has another type (or none). */
export const METHOD_RESULTS: { type: string; method: string; result: string | null }[] = [
  { type: 'express.app', method: 'route', result: 'express.route' },
  { type: 'express.router', method: 'route', result: 'express.route' },
  { type: 'express.app', method: 'listen', result: null },
  // better-sqlite3: a prepared statement binds its arguments, so calls on it are not sinks.
  { type: 'sql-client', method: 'prepare', result: 'sql-statement' },
];

/** Types whose driver info names the placeholder style. */
export const SQL_CLIENT_TYPE = 'sql-client';

export interface RouteModel {
  /** Types that register routes; `receiverNames` recognises an untyped receiver by name. */
  receiverTypes: string[];
  receiverNames: RegExp;
  /** Methods that register a handler: the first argument may be a path. */
  methods: string[];
  /** The method that mounts sub-applications/middleware (a router argument is a mount). */
  mountMethod: string;
  /** Types that can be mounted. */
  mountable: string[];
  /** Types that are an application root (reachable by definition: the process serves them). */
  roots: string[];
  /** `owner.route(path)` returns a value of this type whose methods register on `path`. */
  routeType: string;
}

export const ROUTE_MODELS: RouteModel[] = [
  {
    receiverTypes: ['express.app', 'express.router'],
    receiverNames: /^(app|router|api|server|routes?|apiRouter|[a-z]+Router)$/,
    methods: ['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'options', 'head', 'use'],
    mountMethod: 'use',
    mountable: ['express.router', 'express.app'],
    roots: ['express.app'],
    routeType: 'express.route',
  },
];

/** What a route handler's parameters are, by arity (Express error handlers take four). */
export const HANDLER_PARAMETERS: { arity: number; roles: (string | null)[] }[] = [
  { arity: 4, roles: [null, 'express.request', 'express.response', null] },
  { arity: 0, roles: ['express.request', 'express.response', null] },
];

/** Parameter names that mark an unregistered function as a would-be handler (reported as unreachable). */
export const HANDLER_LIKE_PARAMS = { request: /^(req|request)$/, response: /^(res|response)$/ };
