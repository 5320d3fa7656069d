// Framework and driver models: which calls create typed values (apps, routers, SQL clients), how routes
// are registered and mounted, what a route handler's parameters are, and which files are routes by
// convention (file-system routing).
import type { RuleId, TypeProducer } from './types.js';
import { WEB_METHOD_RESULTS, WEB_TYPE_PRODUCERS } from './sinks-web.js';
import { HTTP_CLIENT_FACTORIES, HTTP_CLIENT_TYPE } from './sinks-server.js';

const sqlDriver = (module: string, driver: string, placeholder: '?' | '$n'): TypeProducer[] => [
  { match: { kind: 'module', module, path: ['*'] }, type: 'sql-client', info: { driver, placeholder } },
  { match: { kind: 'module', module, path: ['*'], construct: true }, type: 'sql-client', info: { driver, placeholder } },
  { match: { kind: 'module', module, path: [] }, type: 'sql-client', info: { driver, placeholder } },
  { match: { kind: 'module', module, path: [], construct: true }, type: 'sql-client', info: { driver, placeholder } },
];

/** The source kind of a GraphQL field's arguments (models/sources.ts PARAMETER_SOURCES). */
export const GRAPHQL_ARGS_SOURCE = 'graphql.args';
/** A multipart (upload) parser: what its events and `parse` callback receive is the uploaded content. */
const MULTIPART_TYPE = 'multipart.parser';
const upload = (n: number): HandlerRole[] => Array.from({ length: n }, () => ({ source: UPLOAD_SOURCE }));

/** The source kind of an uploaded part: its field name, file name, stream, value (models/sources.ts PARAMETER_SOURCES). */
export const UPLOAD_SOURCE = 'multipart upload';

/** The claims of a token whose signature was verified (`jwt.verify(token, key)`): who signed in, not client input. */
export const VERIFIED_TOKEN_TYPE = 'auth.verified-token';

/** GraphQL resolvers are registered on this type (a schema, a server or an HTTP handler serving one). */
const GRAPHQL_TYPE = 'graphql.schema';
/**
 * The context a resolver is given: what the server's `context` option builds per request (`{ user }`, `{ req }`),
 * or the HTTP request itself (express-graphql's default). Its user is the signed-in user (models/access-control.ts).
 */
export const GRAPHQL_CONTEXT_TYPE = 'graphql.context';
const GRAPHQL_ROOT_EVENT = 'root resolver';
const GRAPHQL_FIELD_EVENT = 'field resolver';
/** Calls that serve a schema with root resolvers in their options' `rootValue`. */
const GRAPHQL_ROOT_VALUE_SERVERS: [string, string[]][] = [
  ['express-graphql', ['graphqlHTTP']],
  ['express-graphql', []],
  ['graphql-http', ['createHandler']],
  ['graphql-http/lib/use/express', ['createHandler']],
  ['graphql', ['graphql']],
  ['graphql', ['execute']],
];
/** Calls that take a resolver map `{ Query: { f(parent, args) {…} }, Mutation: {…} }` in their options' `resolvers`. */
const GRAPHQL_RESOLVER_MAPS: [string, string[]][] = [
  ['@graphql-tools/schema', ['makeExecutableSchema']],
  ['graphql-tools', ['makeExecutableSchema']],
  ['apollo-server', ['ApolloServer']],
  ['apollo-server-express', ['ApolloServer']],
  ['apollo-server-koa', ['ApolloServer']],
  ['@apollo/server', ['ApolloServer']],
  ['graphql-yoga', ['createSchema']],
  ['@graphql-yoga/node', ['createSchema']],
  ['@apollo/subgraph', ['buildSubgraphSchema']],
];

/** Names of the operation types of a resolver map (a resolver object held nowhere we resolve is still recognised by them). */
export const GRAPHQL_OPERATION_TYPES = /^(Query|Mutation|Subscription)$/;

/** The signed-in user's session as an authentication library returns it. */
export const AUTH_SESSION_TYPE = 'auth.session';

/** `name()` and `new name()` of a module (or of one of its members) both produce `type`. */
const callOrNew = (module: string, path: string[], type: string, options?: TypeProducer['options']): TypeProducer[] => [
  { match: { kind: 'module', module, path }, type, options },
  { match: { kind: 'module', module, path, construct: true }, type, options },
];

/** Calls (or `new`) whose result is a typed value. Method calls on a typed value keep its type unless METHOD_RESULTS says otherwise. */
export const TYPE_PRODUCERS: TypeProducer[] = [
  { match: { kind: 'module', module: 'express', path: [] }, type: 'express.app' },
  { match: { kind: 'module', module: 'express', path: ['Router'] }, type: 'express.router' },
  { match: { kind: 'module', module: 'express', path: ['default'] }, type: 'express.app' },
  // Koa: `new Koa()`; koa-router / @koa/router: `new Router({ prefix })`.
  ...callOrNew('koa', [], 'koa.app'),
  ...callOrNew('koa', ['default'], 'koa.app'),
  ...['koa-router', '@koa/router'].flatMap((m) => [
    ...callOrNew(m, [], 'koa.router', { arg: 0, keys: ['prefix'] }),
    ...callOrNew(m, ['default'], 'koa.router', { arg: 0, keys: ['prefix'] }),
    ...callOrNew(m, ['Router'], 'koa.router', { arg: 0, keys: ['prefix'] }),
  ]),
  // Fastify: `require('fastify')({ logger })`, `Fastify()`, `fastify.fastify()`.
  ...callOrNew('fastify', [], 'fastify.app'),
  ...callOrNew('fastify', ['default'], 'fastify.app'),
  ...callOrNew('fastify', ['fastify'], 'fastify.app'),
  // Hono: `new Hono()` (also the preset entry points).
  ...['hono', 'hono/tiny', 'hono/quick'].flatMap((m) => callOrNew(m, ['Hono'], 'hono.app')),
  // WebSockets: ws `new WebSocketServer(...)` / `new WebSocket.Server(...)`; socket.io `new Server(http)` / `require('socket.io')(http)`.
  ...callOrNew('ws', ['WebSocketServer'], 'ws.server'),
  ...callOrNew('ws', ['Server'], 'ws.server'),
  ...callOrNew('socket.io', [], 'socketio.server'),
  ...callOrNew('socket.io', ['Server'], 'socketio.server'),
  ...callOrNew('socket.io', ['default'], 'socketio.server'),
  // Node's own HTTP servers: `http.createServer((req, res) => ...)` registers a `request` handler.
  ...['http', 'https', 'http2'].flatMap((m): TypeProducer[] =>
    ['createServer', 'createSecureServer'].map((fn) => ({ match: { kind: 'module', module: m, path: [fn] }, type: 'node.server', registers: { method: 'on', event: 'request' } })),
  ),
  // GraphQL: a schema's resolvers answer client queries, and a field's arguments are the client's. graphql-js
  // root resolvers (`rootValue`) take (args, context, info); schema resolvers take (parent, args, context, info).
  ...GRAPHQL_ROOT_VALUE_SERVERS.flatMap(([module, path]) =>
    callOrNew(module, path, GRAPHQL_TYPE).map((p): TypeProducer => ({ ...p, registers: { method: 'resolve', event: GRAPHQL_ROOT_EVENT, from: { arg: 0, path: ['rootValue', '*'] } } })),
  ),
  ...GRAPHQL_RESOLVER_MAPS.flatMap(([module, path]) =>
    callOrNew(module, path, GRAPHQL_TYPE).map((p): TypeProducer => ({ ...p, registers: { method: 'resolve', event: GRAPHQL_FIELD_EVENT, from: { arg: 0, path: ['resolvers', '*', '*'] } } })),
  ),
  // graphql-js object types: `new GraphQLObjectType({ fields: { user: { type, args, resolve(parent, args) {…} } } })`.
  ...callOrNew('graphql', ['GraphQLObjectType'], GRAPHQL_TYPE).map((p): TypeProducer => ({ ...p, registers: { method: 'resolve', event: GRAPHQL_FIELD_EVENT, from: { arg: 0, path: ['fields', '*', 'resolve'], typeKey: 'name' } } })),
  // A token verified with the server's key: its claims are the signed-in user (models/access-control.ts IDENTITY_MEMBERS).
  { match: { kind: 'module', module: 'jsonwebtoken', path: ['verify'] }, type: VERIFIED_TOKEN_TYPE },
  { match: { kind: 'module', module: 'jose', path: ['jwtVerify'] }, type: VERIFIED_TOKEN_TYPE },
  // XML-RPC servers: `xmlrpc.createServer(opts).on('method.name', (err, params, callback) => …)`.
  ...['createServer', 'createSecureServer'].map((fn): TypeProducer => ({ match: { kind: 'module', module: 'xmlrpc', path: [fn] }, type: 'xmlrpc.server' })),
  // Multipart parsers that hand an upload's parts to event handlers: busboy `busboy({ headers })` / `new Busboy(…)`,
  // formidable `formidable(opts)` / `new IncomingForm()` / `new Formidable()` (formidable.ts ROUTE_MODELS 'multipart').
  ...callOrNew('busboy', [], MULTIPART_TYPE),
  ...callOrNew('busboy', ['default'], MULTIPART_TYPE),
  ...callOrNew('@fastify/busboy', [], MULTIPART_TYPE),
  ...['formidable', 'formidable/src/index.js'].flatMap((m) => [
    ...callOrNew(m, [], MULTIPART_TYPE),
    ...callOrNew(m, ['default'], MULTIPART_TYPE),
    ...callOrNew(m, ['formidable'], MULTIPART_TYPE),
    ...callOrNew(m, ['IncomingForm'], MULTIPART_TYPE),
    ...callOrNew(m, ['Formidable'], MULTIPART_TYPE),
  ]),
  // Next.js request helpers: `cookies()` / `headers()` from next/headers read the current request.
  { match: { kind: 'module', module: 'next/headers', path: ['cookies'] }, type: 'next.cookies' },
  { match: { kind: 'module', module: 'next/headers', path: ['headers'] }, type: 'next.headers' },
  // The signed-in user's session in Next.js apps (next-auth, Clerk, iron-session): not input, but the identity
  // access-control/ follows (models/access-control.ts IDENTITY_MEMBERS 'auth.session').
  ...[
    ['next-auth', ['getServerSession']], ['next-auth/next', ['getServerSession']], ['next-auth/react', ['getSession']],
    ['next-auth/jwt', ['getToken']], ['@clerk/nextjs/server', ['auth']], ['@clerk/nextjs/server', ['currentUser']],
    ['@clerk/nextjs', ['auth']], ['@clerk/nextjs', ['currentUser']], ['iron-session', ['getIronSession']],
  ].map(([module, path]): TypeProducer => ({ match: { kind: 'module', module: module as string, path: path as string[] }, type: AUTH_SESSION_TYPE })),
  // next-auth v5: `export const { auth, handlers } = NextAuth(config)`; `await auth()` is the session.
  ...callOrNew('next-auth', ['default'], 'nextauth.instance'),
  ...callOrNew('next-auth', [], 'nextauth.instance'),
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
  // ORMs, MongoDB, template engines, loggers (models/sinks-web.ts).
  ...WEB_TYPE_PRODUCERS,
  // HTTP client instances (axios.create()), whose get/post send requests (models/sinks-server.ts).
  ...HTTP_CLIENT_FACTORIES.map((match): TypeProducer => ({ match, type: HTTP_CLIENT_TYPE })),
];

/** A method on a typed value whose result has another type (or none); `prefixArg`: the result serves routes under that argument. */
export const METHOD_RESULTS: { type: string; method: string; result: string | null; prefixArg?: number }[] = [
  { type: 'hono.app', method: 'basePath', result: 'hono.app', prefixArg: 0 },
  { type: 'express.app', method: 'route', result: 'express.route' },
  { type: 'express.router', method: 'route', result: 'express.route' },
  { type: 'express.app', method: 'listen', result: null },
  // Koa: `router.routes()` is the router's middleware (mounting it mounts the router); allowedMethods() is not.
  { type: 'koa.router', method: 'allowedMethods', result: null },
  { type: 'koa.app', method: 'listen', result: null },
  { type: 'koa.app', method: 'callback', result: null },
  { type: 'fastify.app', method: 'listen', result: null },
  { type: 'nextauth.auth', method: '()', result: AUTH_SESSION_TYPE },
  // A Prisma delegate's queries return records (plain data), not the delegate.
  ...['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'create', 'createMany', 'update', 'updateMany', 'upsert', 'delete', 'deleteMany', 'count', 'aggregate', 'groupBy'].map((method) => ({ type: 'prisma.delegate', method, result: null })),
  // better-sqlite3: a prepared statement binds its arguments, so calls on it are not sinks.
  { type: 'sql-client', method: 'prepare', result: 'sql-statement' },
  ...WEB_METHOD_RESULTS,
];

/** Members of a typed value that are typed values themselves, by name: a Prisma client's model delegates (`prisma.order`). */
export const MEMBER_TYPES: { type: string; member: RegExp; memberType: string }[] = [
  { type: 'prisma.client', member: /^[A-Za-z][\w]*$/, memberType: 'prisma.delegate' },
];

/** Types whose driver info names the placeholder style. */
export const SQL_CLIENT_TYPE = 'sql-client';

/**
 * What a handler parameter receives: a typed request/response object (its members are modelled in
 * sources.ts), nothing we model (null), or input itself (`{ source }`: a WebSocket message, an argument
 * of a library's exported function), labelled with the parameter's own name.
 */
export type HandlerRole = string | null | { source: string };

export interface HandlerSignature {
  /** For event models: the event name the handler is registered for ('*': any other event). */
  event?: string;
  /** Exact parameter count this signature needs (Express error handlers take four). */
  arity?: number;
  roles: HandlerRole[];
}

export interface RouteModel {
  id: string;
  /** Types that register routes; `receiverNames` recognises an untyped receiver by name. */
  receiverTypes: string[];
  receiverNames?: RegExp;
  /** Methods that register a handler: the first argument may be a path (or, with `events`, an event name). */
  methods: string[];
  /** The method that mounts sub-applications/middleware (a router argument is a mount). */
  mountMethod?: string;
  /** Types that can be mounted. */
  mountable: string[];
  /** Types that are an application root (reachable by definition: the process serves them). */
  roots: string[];
  /** `owner.route(path)` returns a value of this type whose methods register on `path`. */
  routeType?: string;
  /** `owner.route({ method, url, handler })`: a route declared by an options object (Fastify). */
  optionsMethod?: { method: string; verbKey: string; pathKeys: string[]; handlerKeys: string[] };
  /** `owner.register(plugin, { prefix })`: the plugin is called with a child instance of `childType` (Fastify). */
  plugin?: { method: string; childType: string; prefixKey: string };
  /** `router.get(name, path, handler)`: a route name may precede the path (koa-router). */
  namedRoutes?: boolean;
  /** The first argument is an event name (WebSocket servers and sockets), shown as `<label> <event>`. */
  events?: { label: string };
  /**
   * Handlers registered under a field name (routes.ts Registration.field) are operations a client calls one by
   * one through a single endpoint (GraphQL): access control treats each as a route of its own, its siblings
   * being the other operations of the schema. `types` are the type names (before the '.') that are operations;
   * fields of other types resolve parts of a result. A field without a type (graphql-js `rootValue`) is one.
   */
  operations?: { types: RegExp };
  /** Handler parameters, the first signature that fits wins. */
  handlers: HandlerSignature[];
}

const HTTP_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head'];

export const ROUTE_MODELS: RouteModel[] = [
  {
    id: 'express',
    receiverTypes: ['express.app', 'express.router'],
    receiverNames: /^(app|router|api|server|routes?|apiRouter|[a-z]+Router)$/,
    methods: [...HTTP_VERBS, 'del', 'all', 'use'],
    mountMethod: 'use',
    mountable: ['express.router', 'express.app'],
    roots: ['express.app'],
    routeType: 'express.route',
    handlers: [
      { arity: 4, roles: [null, 'express.request', 'express.response', null] },
      { roles: ['express.request', 'express.response', null] },
    ],
  },
  {
    id: 'koa',
    receiverTypes: ['koa.app', 'koa.router'],
    methods: [...HTTP_VERBS, 'del', 'all', 'use'],
    mountMethod: 'use',
    mountable: ['koa.router', 'koa.app'],
    roots: ['koa.app'],
    namedRoutes: true,
    handlers: [{ roles: ['koa.context', null] }],
  },
  {
    id: 'fastify',
    receiverTypes: ['fastify.app', 'fastify.plugin'],
    methods: [...HTTP_VERBS, 'all'],
    mountable: ['fastify.plugin'],
    roots: ['fastify.app'],
    optionsMethod: { method: 'route', verbKey: 'method', pathKeys: ['url', 'path'], handlerKeys: ['handler', 'preHandler', 'onRequest', 'preValidation'] },
    plugin: { method: 'register', childType: 'fastify.plugin', prefixKey: 'prefix' },
    handlers: [{ roles: ['fastify.request', 'fastify.reply'] }],
  },
  {
    id: 'hono',
    receiverTypes: ['hono.app'],
    methods: [...HTTP_VERBS, 'all', 'on', 'use'],
    mountMethod: 'route',
    mountable: ['hono.app'],
    roots: ['hono.app'],
    handlers: [{ roles: ['hono.context', null] }],
  },
  {
    id: 'node-http',
    receiverTypes: ['node.server'],
    methods: ['on', 'once'],
    mountable: [],
    roots: ['node.server'],
    events: { label: 'HTTP server' },
    handlers: [{ event: 'request', roles: ['node.request', null] }],
  },
  {
    id: 'ws',
    receiverTypes: ['ws.server', 'ws.socket'],
    methods: ['on', 'once'],
    mountable: ['ws.socket'],
    roots: ['ws.server'],
    events: { label: 'WebSocket' },
    handlers: [
      { event: 'connection', roles: ['ws.socket', 'node.request'] },
      { event: 'message', roles: [{ source: 'ws.message' }, null] },
    ],
  },
  {
    id: 'socket.io',
    receiverTypes: ['socketio.server', 'socketio.socket'],
    methods: ['on', 'once'],
    mountable: ['socketio.socket'],
    roots: ['socketio.server'],
    events: { label: 'socket.io' },
    handlers: [
      { event: 'connection', roles: ['socketio.socket'] },
      { event: 'connect', roles: ['socketio.socket'] },
      { event: 'disconnect', roles: [] },
      { event: 'disconnecting', roles: [] },
      { event: 'error', roles: [] },
      // Any application event: every argument but the acknowledgement callback is client data.
      { event: '*', roles: [{ source: 'socket.io event' }, { source: 'socket.io event' }, { source: 'socket.io event' }, { source: 'socket.io event' }] },
    ],
  },
  {
    // XML-RPC: every method call is an event named after the method; its parameters are the client's.
    id: 'xmlrpc',
    receiverTypes: ['xmlrpc.server'],
    methods: ['on', 'once'],
    mountable: [],
    roots: ['xmlrpc.server'],
    events: { label: 'XML-RPC' },
    handlers: [
      { event: 'error', roles: [] },
      { event: 'NotFound', roles: [{ source: 'xmlrpc.params' }, { source: 'xmlrpc.params' }] },
      { event: '*', roles: [null, { source: 'xmlrpc.params' }, null] },
    ],
  },
  {
    // Multipart parsers: busboy `bb.on('file', (name, stream, info) => …)` / `bb.on('field', (name, value) => …)`;
    // formidable `form.parse(req, (err, fields, files) => …)` and its `file`/`field` events. The parser is made
    // while a request is served, so it is served when it exists.
    id: 'multipart',
    receiverTypes: [MULTIPART_TYPE],
    methods: ['on', 'once', 'parse'],
    mountable: [],
    roots: [MULTIPART_TYPE],
    events: { label: 'upload' },
    handlers: [
      { event: 'file', roles: upload(5) },
      { event: 'field', roles: upload(6) },
      { event: 'fileBegin', roles: upload(2) },
      { event: 'error', roles: [] },
      { event: 'end', roles: [] },
      { event: 'finish', roles: [] },
      { event: 'close', roles: [] },
      { event: 'progress', roles: [] },
      { event: 'aborted', roles: [] },
      // form.parse(req, (err, fields, files) => …)
      { roles: [null, { source: UPLOAD_SOURCE }, { source: UPLOAD_SOURCE }] },
    ],
  },
  {
    // GraphQL resolvers: what a client query selects runs the resolver with the query's arguments.
    id: 'graphql',
    receiverTypes: [GRAPHQL_TYPE],
    methods: ['resolve'],
    mountable: [],
    roots: [GRAPHQL_TYPE],
    events: { label: 'GraphQL' },
    operations: { types: GRAPHQL_OPERATION_TYPES },
    handlers: [
      { event: GRAPHQL_ROOT_EVENT, roles: [{ source: GRAPHQL_ARGS_SOURCE }, GRAPHQL_CONTEXT_TYPE, null] },
      { event: GRAPHQL_FIELD_EVENT, roles: [null, { source: GRAPHQL_ARGS_SOURCE }, GRAPHQL_CONTEXT_TYPE, null] },
    ],
  },
];

/** The model unresolved resolver maps (GRAPHQL_OPERATION_TYPES) follow. */
export const GRAPHQL_ROUTE_MODEL = 'graphql';
export const GRAPHQL_FIELD_RESOLVER = GRAPHQL_FIELD_EVENT;

/** Registrations whose receiver is untyped (a parameter of a function nobody calls) follow this model. */
export const UNTYPED_ROUTE_MODEL = 'express';

/**
 * Files that are route handlers by convention (file-system routing): their named exports are handlers,
 * reachable because the framework serves every such file. `route` turns the file path into the URL path.
 */
export interface FileRouteModel {
  id: string;
  /** Matched against the repository path; group 1 is the route part of the path. */
  pattern: RegExp;
  /** Exported names that are handlers, with the HTTP method each serves ('all' for any; key '*': every export). */
  exports: Record<string, string>;
  /** The file is served only when its directive prologue holds this string (`'use server'`). */
  directive?: string;
  /** How the route is shown when the URL is not the file's path (`server action <export>`). */
  label?: string;
  handlers: HandlerSignature[];
}

/** The source kind of a Server Action's arguments (models/sources.ts PARAMETER_SOURCES). */
export const SERVER_ACTION_SOURCE = 'server action argument';

/** The file route that is middleware, not an endpoint (access-control/ does not judge it as a route). */
export const FILE_MIDDLEWARE_MODEL = 'next-middleware';

const APP_ROUTE_EXPORTS = Object.fromEntries(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => [m, m.toLowerCase()]));

export const FILE_ROUTES: FileRouteModel[] = [
  {
    // Next.js App Router: app/**/route.ts exporting GET/POST/... (request, { params }).
    id: 'next-app-route',
    pattern: /(?:^|\/)(?:src\/)?app((?:\/[^/]+)*)\/route\.[cm]?[jt]sx?$/,
    exports: APP_ROUTE_EXPORTS,
    handlers: [{ roles: ['next.request', 'next.route-context'] }],
  },
  {
    // Next.js Pages Router API routes: pages/api/**.ts default-exporting (req, res).
    id: 'next-pages-api',
    pattern: /(?:^|\/)(?:src\/)?pages(\/api(?:\/[^/]+)*?)(?:\/index)?\.[cm]?[jt]sx?$/,
    exports: { default: 'all' },
    handlers: [{ roles: ['next.api-request', 'next.api-response'] }],
  },
  {
    // Next.js App Router pages: app/**/page.tsx default-exports a server component rendered with
    // `{ params, searchParams }` from the URL (objects in Next 13–14, promises in Next 15).
    id: 'next-app-page',
    pattern: /(?:^|\/)(?:src\/)?app((?:\/[^/]+)*)\/page\.[cm]?[jt]sx?$/,
    exports: { default: 'get', generateMetadata: 'get' },
    handlers: [{ roles: ['next.page-props', null] }],
  },
  {
    // Next.js Pages Router data functions: getServerSideProps(context) runs for each request of the page.
    id: 'next-pages-ssr',
    pattern: /(?:^|\/)(?:src\/)?pages((?:\/(?!api\/)[^/]+)*?)(?:\/index)?\.[cm]?[jt]sx?$/,
    exports: { getServerSideProps: 'get' },
    handlers: [{ roles: ['next.ssr-context'] }],
  },
  {
    // Next.js middleware (middleware.ts at the project or src/ root) runs before every matched request.
    id: FILE_MIDDLEWARE_MODEL,
    pattern: /(?:^|\/)(?:src\/)?middleware()\.[cm]?[jt]s$/,
    exports: { middleware: 'all' },
    handlers: [{ roles: ['next.request'] }],
  },
  {
    // Server Actions: every export of a 'use server' module is an endpoint the client calls with its own
    // arguments (form data or any serialisable values), whichever page imports it.
    id: 'next-server-action',
    pattern: /()\.[cm]?[jt]sx?$/,
    directive: 'use server',
    exports: { '*': 'post' },
    label: 'server action',
    handlers: [{ roles: Array.from({ length: 6 }, () => ({ source: SERVER_ACTION_SOURCE })) }],
  },
];


/** File routes sharing this many leading static path segments are siblings (`/api/orders`, `/api/orders/[id]`). */
export const FILE_ROUTE_SIBLING_DEPTH = 2;

/** Path segments a file route drops from the URL: route groups `(group)` and private folders `_x`. */
export const FILE_ROUTE_HIDDEN_SEGMENT = /^(\(.*\)|@.*)$/;

/** The parameters of a library's exported function (the library threat model). */
export const LIBRARY_SOURCE_KIND = 'library-api';
export const LIBRARY_API_ROLE: HandlerRole = { source: LIBRARY_SOURCE_KIND };

/**
 * Classes through which a library's parameters harm its callers (as in CodeQL's library-input queries). The
 * rest are what such APIs take by design — a path for fs wrappers, a URL for HTTP clients, a pattern for
 * routers, text to log, a template for template engines — so they are not reported from library input.
 */
export const LIBRARY_INPUT_CLASSES: Partial<Record<RuleId, { exceptSinks?: string[] }>> = {
  'sql-injection': {},
  'nosql-injection': {},
  'command-injection': {},
  'code-injection': {},
  xss: {},
  xxe: {},
  'prototype-pollution': {},
  // A catastrophic pattern applied to the caller's text is a library ReDoS; compiling the caller's pattern is the API.
  redos: { exceptSinks: ['RegExp', 'new RegExp'] },
};

/** Parameter names that mark an unregistered function as a would-be handler (reported as unreachable). */
export const HANDLER_LIKE_PARAMS = { request: /^(req|request)$/, response: /^(res|response)$/ };

/**
 * A request handler by shape (as CodeQL's RouteHandlerCandidate): whatever its parameters are called, the first
 * is read like a request and the second answers like a response (or the third is called, as `next`). Such a
 * function is a handler even when the call that registers it cannot be resolved (a controller method, a handler
 * object's member, a factory's result): its findings stay, with unproven reachability.
 */
export const HANDLER_SHAPE = {
  /** Members read on the first parameter (request input of the untyped model, `express.request`). */
  requestType: 'express.request',
  /** Methods called on the second parameter that answer the request. */
  responseMethods: [
    'send', 'json', 'jsonp', 'render', 'redirect', 'end', 'status', 'sendStatus', 'sendFile', 'download', 'write',
    'writeHead', 'setHeader', 'set', 'header', 'cookie', 'clearCookie', 'type', 'format', 'attachment', 'location', 'append',
  ],
};

/** The signature of a handler with `arity` parameters under `model` (for event models, registered for `event`). */
export function handlerSignature(model: { handlers: HandlerSignature[] }, arity: number, event?: string): HandlerSignature | undefined {
  return model.handlers.find(
    (h) => (h.event === undefined || h.event === event || (h.event === '*' && event !== undefined && !model.handlers.some((o) => o.event === event))) && (h.arity === undefined || h.arity === arity),
  );
}
