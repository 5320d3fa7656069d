// Where attacker-controlled data enters: members of a framework's request object. The request object is
// the value a route-handler parameter receives (see frameworks.ts, ROUTE_MODELS handlers); some handler
// parameters are input themselves (a WebSocket message, an exported library function's argument).

export interface RequestSourceModel {
  /** Type of the request value (a TypeProducer or handler parameter role gives values this type). */
  requestType: string;
  /** Property name, or `name()` for a method whose result is request input. */
  member: string;
  sourceKind: string;
  description: string;
  /** Rules this input cannot feed whatever the code does with it (see URL_CUTS). */
  cuts?: string[];
  /** A method whose result is the whole parsed body object (`await request.json()`): read like the object itself. */
  wholeBody?: boolean;
}

const rows = (requestType: string, prefix: string, members: [string, string][]): RequestSourceModel[] =>
  members.map(([member, description]) => ({
    requestType,
    member,
    sourceKind: `${prefix}${member}`,
    description,
    ...(description === URL_ ? { cuts: URL_CUTS } : {}),
  }));

// Shared descriptions: the same kind of input reads the same in every framework.
const PARAMS = 'URL path parameters';
const QUERY = 'the query string';
const BODY = 'the request body';
const HEADERS = 'request headers';
const HEADER = 'a request header';
const COOKIES = 'cookies';
const FILES = 'uploaded file metadata';
const URL_ = 'the request URL';
/**
 * The request line cannot carry a raw CR or LF (HTTP parsers refuse the request) and the URL stays
 * percent-encoded as read, so written whole into a log it cannot forge an entry.
 */
const URL_CUTS = ['log-injection'];

export const REQUEST_SOURCES: RequestSourceModel[] = [
  { requestType: 'express.request', member: 'params', sourceKind: 'req.params', description: PARAMS },
  { requestType: 'express.request', member: 'query', sourceKind: 'req.query', description: QUERY },
  { requestType: 'express.request', member: 'body', sourceKind: 'req.body', description: BODY },
  { requestType: 'express.request', member: 'headers', sourceKind: 'req.headers', description: HEADERS },
  { requestType: 'express.request', member: 'cookies', sourceKind: 'req.cookies', description: COOKIES },
  { requestType: 'express.request', member: 'signedCookies', sourceKind: 'req.signedCookies', description: 'signed cookies (client-chosen values)' },
  { requestType: 'express.request', member: 'files', sourceKind: 'req.files', description: FILES },
  { requestType: 'express.request', member: 'file', sourceKind: 'req.file', description: 'an uploaded file (multer single upload)' },
  { requestType: 'express.request', member: 'param()', sourceKind: 'req.param()', description: 'a request parameter' },
  { requestType: 'express.request', member: 'get()', sourceKind: 'req.get()', description: HEADER },
  { requestType: 'express.request', member: 'header()', sourceKind: 'req.header()', description: HEADER },
  // The request line: Express's req is Node's IncomingMessage, so its URL (and Express's views of it) is input too,
  // whether read directly or through url.parse(req.url, true).query / new URL(req.url, base).searchParams.
  ...rows('express.request', 'req.', [['url', URL_], ['originalUrl', URL_], ['path', URL_]]),
  // Koa: the context delegates to its request (ctx.query is ctx.request.query); koa-router adds ctx.params,
  // koa-body/@koa/multer add request.body/files.
  ...rows('koa.context', 'ctx.', [
    ['params', PARAMS], ['query', QUERY], ['querystring', QUERY], ['headers', HEADERS], ['header', HEADERS],
    ['get()', HEADER], ['cookies', COOKIES], ['url', URL_], ['originalUrl', URL_], ['path', URL_], ['href', URL_],
  ]),
  ...rows('koa.request', 'ctx.request.', [
    ['body', BODY], ['rawBody', BODY], ['query', QUERY], ['querystring', QUERY], ['headers', HEADERS], ['header', HEADERS],
    ['get()', HEADER], ['files', FILES], ['file', FILES], ['url', URL_], ['path', URL_], ['href', URL_],
  ]),
  // Fastify.
  ...rows('fastify.request', 'request.', [
    ['params', PARAMS], ['query', QUERY], ['body', BODY], ['headers', HEADERS], ['cookies', COOKIES],
    ['url', URL_], ['file()', FILES], ['files()', FILES], ['parts()', FILES], ['raw', 'the raw HTTP request'],
  ]),
  // Hono: input is read through methods of c.req.
  ...rows('hono.request', 'c.req.', [
    ['param()', PARAMS], ['query()', QUERY], ['queries()', QUERY], ['header()', HEADER], ['json()', BODY],
    ['text()', BODY], ['parseBody()', BODY], ['formData()', BODY], ['arrayBuffer()', BODY], ['blob()', BODY],
    ['valid()', 'validated request input (still client-chosen)'], ['url', URL_], ['path', URL_],
  ]),
  // Next.js App Router: a Web Request (NextRequest), and the route context's params.
  ...rows('next.request', 'request.', [
    ['json()', BODY], ['text()', BODY], ['formData()', BODY], ['arrayBuffer()', BODY], ['blob()', BODY],
    ['nextUrl', URL_], ['url', URL_], ['headers', HEADERS], ['cookies', COOKIES],
  ]),
  // Hono helpers that read the request through the context: `getCookie(c, 'name')` (hono/cookie, REQUEST_READERS).
  { requestType: 'hono.context', member: 'getCookie()', sourceKind: 'getCookie(c)', description: COOKIES },
  { requestType: 'hono.context', member: 'getSignedCookie()', sourceKind: 'getSignedCookie(c)', description: 'signed cookies (client-chosen values)' },
  // Koa upload middleware (@koa/multer) sets ctx.file / ctx.files as well as ctx.request.file(s).
  { requestType: 'koa.context', member: 'file', sourceKind: 'ctx.file', description: FILES },
  { requestType: 'koa.context', member: 'files', sourceKind: 'ctx.files', description: FILES },
  { requestType: 'next.route-context', member: 'params', sourceKind: 'params', description: PARAMS },
  { requestType: 'next.cookies', member: 'get()', sourceKind: 'cookies().get()', description: COOKIES },
  { requestType: 'next.cookies', member: 'getAll()', sourceKind: 'cookies().getAll()', description: COOKIES },
  { requestType: 'next.headers', member: 'get()', sourceKind: 'headers().get()', description: HEADER },
  // Next.js App Router pages: the props of a page component (and generateMetadata).
  { requestType: 'next.page-props', member: 'params', sourceKind: 'params', description: PARAMS },
  { requestType: 'next.page-props', member: 'searchParams', sourceKind: 'searchParams', description: QUERY },
  // Next.js Pages Router getServerSideProps(context).
  ...rows('next.ssr-context', 'context.', [['query', QUERY], ['params', PARAMS], ['resolvedUrl', URL_]]),
  // Next.js Pages Router API routes.
  ...rows('next.api-request', 'req.', [['query', QUERY], ['body', BODY], ['cookies', COOKIES], ['headers', HEADERS], ['url', URL_]]),
  // Node's IncomingMessage (the upgrade request of a WebSocket connection).
  ...rows('node.request', 'req.', [['url', URL_], ['headers', HEADERS]]),
  // socket.io: the handshake of a connection.
  ...rows('socketio.handshake', 'socket.handshake.', [['query', QUERY], ['headers', HEADERS], ['auth', 'the handshake auth payload'], ['url', URL_]]),
];

/** Body parsers whose result is the whole body object (`await request.json()`), read like the object itself. */
for (const r of REQUEST_SOURCES) {
  if (r.description === BODY && /^(json|parseBody|formData)\(\)$/.test(r.member)) r.wholeBody = true;
}


/**
 * Module functions that read request input from a request value they are given: `getCookie(c, 'name')` reads
 * `member` of argument `arg` (a row of REQUEST_SOURCES for that argument's type).
 */
export const REQUEST_READERS: { module: string; path: string[]; arg: number; member: string }[] = [
  { module: 'hono/cookie', path: ['getCookie'], arg: 0, member: 'getCookie()' },
  { module: 'hono/cookie', path: ['getSignedCookie'], arg: 0, member: 'getSignedCookie()' },
];

/** Members of a request-like value that are themselves typed values (ctx.request, c.req, socket.handshake). */
export const REQUEST_MEMBERS: { type: string; member: string; memberType: string }[] = [
  { type: 'koa.context', member: 'request', memberType: 'koa.request' },
  { type: 'koa.context', member: 'req', memberType: 'node.request' },
  { type: 'hono.context', member: 'req', memberType: 'hono.request' },
  { type: 'fastify.request', member: 'raw', memberType: 'node.request' },
  { type: 'socketio.socket', member: 'handshake', memberType: 'socketio.handshake' },
  { type: 'socketio.socket', member: 'request', memberType: 'node.request' },
  // A GraphQL context that carries the HTTP request (Apollo `context: ({ req }) => ({ req })`).
  { type: 'graphql.context', member: 'req', memberType: 'express.request' },
  { type: 'graphql.context', member: 'request', memberType: 'express.request' },
  { type: 'next.ssr-context', member: 'req', memberType: 'next.api-request' },
  // next-auth v5's instance: its `auth` member, called, returns the session.
  { type: 'nextauth.instance', member: 'auth', memberType: 'nextauth.auth' },
];

/** Inputs that are a handler parameter itself (frameworks.ts roles `{ source }`), not a request member. */
export const PARAMETER_SOURCES: { sourceKind: string; description: string; channel: string; destructured?: string }[] = [
  { sourceKind: 'ws.message', description: 'a WebSocket message', channel: 'a WebSocket connection' },
  { sourceKind: 'socket.io event', description: 'a socket.io event payload', channel: 'a socket.io connection' },
  { sourceKind: 'xmlrpc.params', description: 'the parameters of an XML-RPC method call', channel: 'an XML-RPC request' },
  { sourceKind: 'multipart upload', description: 'an uploaded part (field name, file name, content or value)', channel: 'a multipart upload' },
  // `destructured`: how a destructured parameter is named (`(_, { id })` reads `args.id`).
  { sourceKind: 'graphql.args', description: "a GraphQL field's arguments", channel: 'a GraphQL query', destructured: 'args' },
  { sourceKind: 'server action argument', description: "a Server Action's argument (form data or any value the client sends)", channel: 'a Server Action call' },
  { sourceKind: 'library-api', description: 'an argument of an exported function', channel: "the library's public API" },
];

const bySourceKind = new Map<string, { description: string; channel: string }>();
for (const r of REQUEST_SOURCES) if (!bySourceKind.has(r.sourceKind)) bySourceKind.set(r.sourceKind, { description: r.description, channel: 'an HTTP request' });
for (const r of PARAMETER_SOURCES) bySourceKind.set(r.sourceKind, r);

/** What a source kind is and where it comes from (for traces and the verifier). */
export const describeSourceKind = (kind: string | undefined) => (kind === undefined ? undefined : bySourceKind.get(kind));

/** Request sources by `${requestType}|${member}`: member reads are hot, so no scans. */
export const REQUEST_SOURCE_INDEX = new Map(REQUEST_SOURCES.map((r) => [`${r.requestType}|${r.member}`, r] as const));

/**
 * The Host header (and its forwarded form) names this server to the client that sent the request: a redirect
 * built from it sends that client back to where it already is, so it is not an open redirect (forging it
 * matters for emails, caches and outgoing requests, which keep it as input).
 */
export const HOST_HEADER = /^(host|x-forwarded-host)$/i;
export const HOST_HEADER_CUTS = ['open-redirect'];

/**
 * Where an upload middleware stored a file is the server's choice, not the client's: multer's `path`,
 * `destination` and generated `filename`, express-fileupload's `tempFilePath`, formidable's `filepath` and
 * `newFilename`. Naming that file in a path or a command is not an injection (its original name and its
 * content stay input: `originalname`, `name`, `buffer`, `data`). Matched on the member read on an upload source.
 */
export const UPLOAD_SOURCE_KINDS = new Set(['req.file', 'req.files', 'ctx.file', 'ctx.files', 'ctx.request.file', 'ctx.request.files']);
export const SERVER_CHOSEN_UPLOAD_MEMBER = /^(path|destination|filename|tempFilePath|filepath|newFilename)$/;
export const SERVER_CHOSEN_UPLOAD_CUTS = ['command-injection', 'path-traversal'];
