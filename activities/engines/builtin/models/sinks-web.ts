// Web sinks: ORM/query-builder SQL, MongoDB filters, template compilation, HTML responses, redirects and
// log messages. One row per library member; the conditions are evaluated in js/web-sinks.ts.
import type { SinkModel, TypeProducer } from './types.js';

const method = (receiverType: string, methods: string[], receiverNames?: RegExp, symbolicMethods?: string[]) =>
  ({ kind: 'method', receiverType, methods, receiverNames, symbolicMethods }) as const;

// ---------------------------------------------------------------- SQL through ORMs and query builders (CWE-89)

/** Query builder methods of TypeORM that take SQL text (the second argument binds `:name` parameters). */
const TYPEORM_BUILDER_METHODS = ['where', 'andWhere', 'orWhere', 'having', 'andHaving', 'orHaving', 'orderBy', 'addOrderBy', 'groupBy', 'addGroupBy'];

const sqlSinks: SinkModel[] = [
  // Sequelize: literal() puts its text into the generated SQL verbatim.
  ...[['literal'], ['Sequelize', 'literal']].map((path): SinkModel => ({
    id: `sequelize.${path.join('.')}`,
    rule: 'sql-injection',
    match: { kind: 'module', module: 'sequelize', path },
    args: [0],
    label: 'puts the text into the SQL statement verbatim (Sequelize.literal)',
  })),
  {
    id: 'sequelize-instance.literal',
    rule: 'sql-injection',
    match: method('sql-client', ['literal'], /^(sequelize|Sequelize|db|orm)$/),
    args: [0],
    label: 'puts the text into the SQL statement verbatim (sequelize.literal)',
  },
  // TypeORM repositories, managers and data sources injected by a framework (`this.userRepository.query`):
  // recognised by name; typed ones are sql-client and match sinks.ts.
  {
    id: 'typeorm.query',
    rule: 'sql-injection',
    match: method('typeorm.repository', ['query'], /^(dataSource|appDataSource|AppDataSource|manager|entityManager|em|queryRunner|[a-z]\w*(Repository|Repo|Manager|DataSource|QueryRunner))$/),
    args: [0],
    condition: 'sql-text',
    patch: 'sql-parameterise',
    label: 'executes the SQL text (TypeORM query)',
  },
  {
    id: 'typeorm.query-builder',
    rule: 'sql-injection',
    match: method('typeorm.query-builder', TYPEORM_BUILDER_METHODS, /^(createQueryBuilder|queryBuilder|qb|[a-z]\w*(QueryBuilder|Qb)|leftJoinAndSelect|innerJoinAndSelect|leftJoin|innerJoin|andWhere|orWhere)$/),
    args: [0],
    patch: 'sql-parameterise',
    label: 'puts the text into the SQL statement (TypeORM query builder; bind values as :parameters instead)',
  },
  // Prisma: the *Unsafe variants take SQL text; $queryRaw`...` tagged templates bind their values.
  {
    id: 'prisma.$queryRawUnsafe',
    rule: 'sql-injection',
    match: method('prisma.client', ['$queryRawUnsafe', '$executeRawUnsafe'], /^[A-Za-z_$][\w$]*$/, ['$queryRawUnsafe', '$executeRawUnsafe']),
    args: [0],
    patch: 'sql-parameterise',
    label: 'executes the SQL text (Prisma $queryRawUnsafe/$executeRawUnsafe)',
  },
  {
    id: 'prisma.Prisma.raw',
    rule: 'sql-injection',
    match: { kind: 'module', module: '@prisma/client', path: ['Prisma', 'raw'] },
    args: [0],
    label: 'puts the text into the SQL statement verbatim (Prisma.raw)',
  },
];

// ---------------------------------------------------------------- NoSQL (CWE-943)

/** Methods whose first argument is a MongoDB filter (Mongoose models and queries, driver collections). */
const FILTER_METHODS = [
  'find', 'findOne', 'findOneAndUpdate', 'findOneAndDelete', 'findOneAndReplace', 'findOneAndRemove', 'updateOne',
  'updateMany', 'update', 'deleteOne', 'deleteMany', 'remove', 'countDocuments', 'count', 'exists', 'replaceOne',
  'where', 'aggregate', 'findAndModify',
];
/** Models and collections by name: `User.findOne`, `this.userModel.find`, `db.collection('x').find`. */
const MONGO_NAMES = /^([A-Z][A-Za-z0-9]*|[a-z]\w*(Model|Collection|Coll|Col)|collection|model|col|coll)$/;

const nosqlSinks: SinkModel[] = [
  {
    id: 'mongo.filter',
    rule: 'nosql-injection',
    match: method('mongo.collection', FILTER_METHODS, MONGO_NAMES),
    args: [0],
    condition: 'nosql-filter',
    patch: 'nosql-coerce',
    label: 'uses the value in a MongoDB query filter, where an object is read as query operators',
  },
  {
    id: 'mongo.distinct',
    rule: 'nosql-injection',
    match: method('mongo.collection', ['distinct'], MONGO_NAMES),
    args: [1],
    condition: 'nosql-filter',
    patch: 'nosql-coerce',
    label: 'uses the value in a MongoDB query filter, where an object is read as query operators',
  },
  {
    id: 'mongo.$where',
    rule: 'nosql-injection',
    match: method('mongo.collection', [...FILTER_METHODS, 'distinct', '$where'], MONGO_NAMES),
    args: [0, 1],
    condition: 'nosql-where',
    label: 'runs the text as JavaScript on the database server ($where)',
  },
];

/** Modules whose presence makes a PascalCase receiver (`User.find`) likely a Mongo model. */
export const MONGO_MODULES = ['mongoose', 'mongodb', '@typegoose/typegoose', 'mongojs', 'monk'];
/** Middleware that strips `$`/`.` keys from every request's body, query and params (operator injection is off). */
export const MONGO_REQUEST_SANITISERS = ['express-mongo-sanitize'];

// ---------------------------------------------------------------- template injection (CWE-1336)

const templateSource = (module: string, path: string[], what: string): SinkModel => ({
  id: `${module}.${path.join('.')}`,
  rule: 'template-injection',
  match: { kind: 'module', module, path },
  args: [0],
  label: `compiles the text as a template (${what})`,
});

const templateSinks: SinkModel[] = [
  templateSource('ejs', ['render'], 'ejs.render'),
  templateSource('ejs', ['compile'], 'ejs.compile'),
  templateSource('pug', ['render'], 'pug.render'),
  templateSource('pug', ['compile'], 'pug.compile'),
  templateSource('jade', ['render'], 'jade.render'),
  templateSource('jade', ['compile'], 'jade.compile'),
  templateSource('handlebars', ['compile'], 'Handlebars.compile'),
  templateSource('handlebars', ['precompile'], 'Handlebars.precompile'),
  templateSource('nunjucks', ['renderString'], 'nunjucks.renderString'),
  templateSource('nunjucks', ['compile'], 'nunjucks.compile'),
  templateSource('lodash', ['template'], '_.template'),
  templateSource('lodash.template', [], 'lodash.template'),
  templateSource('lodash-es', ['template'], '_.template'),
  templateSource('underscore', ['template'], '_.template'),
  templateSource('dot', ['template'], 'doT.template'),
  templateSource('dot', ['compile'], 'doT.compile'),
  templateSource('mustache', ['render'], 'Mustache.render'),
  templateSource('mustache', ['parse'], 'Mustache.parse'),
  templateSource('hogan.js', ['compile'], 'Hogan.compile'),
  templateSource('eta', ['renderString'], 'eta.renderString'),
  templateSource('squirrelly', ['render'], 'Sqrl.render'),
  templateSource('art-template', ['render'], 'template.render'),
  templateSource('velocityjs', ['render'], 'Velocity.render'),
  {
    id: 'nunjucks.environment.renderString',
    rule: 'template-injection',
    match: method('nunjucks.environment', ['renderString'], /^(nunjucks|env|environment|nunjucksEnv|[a-z]\w*Env)$/),
    args: [0],
    label: 'compiles the text as a template (nunjucks Environment.renderString)',
  },
  {
    id: 'liquid.parseAndRender',
    rule: 'template-injection',
    match: method('liquid.engine', ['parseAndRender', 'parse', 'parseAndRenderSync'], /^(liquid|engine|[a-z]\w*Liquid)$/),
    args: [0],
    label: 'compiles the text as a template (Liquid parseAndRender)',
  },
];

// ---------------------------------------------------------------- XSS (CWE-79)

const RES = /^(res|response)$/;
const xssSinks: SinkModel[] = [
  ...['express.response', 'next.api-response'].map((type): SinkModel => ({
    id: `${type}.send`,
    rule: 'xss',
    match: method(type, ['send'], RES),
    args: [0],
    condition: 'html-body',
    patch: 'html-escape',
    label: 'sends the text as the response body, which Express serves as text/html',
  })),
  ...['express.response', 'node.response', 'next.api-response'].map((type): SinkModel => ({
    id: `${type}.write`,
    rule: 'xss',
    match: method(type, ['write', 'end'], RES),
    args: [0],
    condition: 'html-write',
    patch: 'html-escape',
    label: 'writes the HTML text into the response',
  })),
  {
    id: 'fastify.reply.send',
    rule: 'xss',
    match: method('fastify.reply', ['send'], /^reply$/),
    args: [0],
    condition: 'html-typed',
    patch: 'html-escape',
    label: 'sends the text as an HTML response (reply.type("text/html"))',
  },
  {
    id: 'koa.context.body',
    rule: 'xss',
    match: method('koa.context', ['body'], /^ctx$/),
    args: [0],
    condition: 'html-sniffed',
    property: true,
    patch: 'html-escape',
    label: 'sets the response body, which Koa serves as text/html when it starts with "<"',
  },
  {
    id: 'hono.context.html',
    rule: 'xss',
    match: method('hono.context', ['html'], /^c$/),
    args: [0],
    patch: 'html-escape',
    label: 'sends the text as an HTML response (c.html)',
  },
  // Views rendered with locals (Express res.render, koa-views ctx.render, @fastify/view reply.view): the hit is
  // placed where the template writes a local unescaped or into script context (models/templates.ts).
  ...([['express.response', ['render'], RES], ['koa.context', ['render'], /^ctx$/], ['fastify.reply', ['view'], /^(reply|res)$/]] as const).map(
    ([type, methods, names]): SinkModel => ({
      id: `${type}.${methods[0]}:template`,
      rule: 'xss',
      match: method(type, [...methods], names, [...methods]),
      args: [1],
      condition: 'template-output',
      label: 'renders the view with the data',
    }),
  ),
  // Marking request data as safe HTML: the template engine will not escape it.
  {
    id: 'handlebars.SafeString',
    rule: 'xss',
    match: { kind: 'module', module: 'handlebars', path: ['SafeString'], construct: true },
    args: [0],
    label: 'marks the text as safe HTML, so templates render it unescaped (Handlebars.SafeString)',
  },
  // Templates compiled with escaping off: the data they render is HTML.
  {
    id: 'handlebars.noEscape-template',
    rule: 'xss',
    match: method('html-template', ['()']),
    args: [0],
    condition: 'unescaped-template',
    label: 'renders the data into HTML without escaping (template compiled with noEscape: true)',
  },
  {
    id: 'nunjucks.autoescape-off',
    rule: 'xss',
    match: method('nunjucks.environment', ['render', 'renderString'], /^(nunjucks|env|environment|nunjucksEnv|[a-z]\w*Env)$/),
    args: [1],
    condition: 'unescaped-template',
    label: 'renders the data into HTML without escaping (nunjucks configured with autoescape: false)',
  },
];

// ---------------------------------------------------------------- open redirect (CWE-601)

const redirect = (type: string, names: RegExp, methods = ['redirect']): SinkModel => ({
  id: `${type}.${methods.join('/')}`,
  rule: 'open-redirect',
  match: method(type, methods, names),
  args: 'all',
  condition: 'redirect-target',
  patch: 'redirect-local',
  label: 'redirects the browser to the URL',
});
const locationHeader = (type: string, names: RegExp, methods: string[]): SinkModel => ({
  id: `${type}.${methods.join('/')}:Location`,
  rule: 'open-redirect',
  match: method(type, methods, names),
  args: [1],
  condition: 'location-header',
  label: 'sets the Location header to the URL (a redirect)',
});

const redirectSinks: SinkModel[] = [
  redirect('express.response', RES, ['redirect', 'location']),
  redirect('next.api-response', RES),
  redirect('koa.context', /^ctx$/),
  redirect('fastify.reply', /^reply$/),
  redirect('hono.context', /^c$/),
  ...[['redirect'], ['permanentRedirect']].map((path): SinkModel => ({
    id: `next/navigation.${path[0]}`,
    rule: 'open-redirect',
    match: { kind: 'module', module: 'next/navigation', path },
    args: [0],
    condition: 'redirect-target',
    label: 'redirects the browser to the URL (Next.js redirect)',
  })),
  {
    id: 'next/server.NextResponse.redirect',
    rule: 'open-redirect',
    match: { kind: 'module', module: 'next/server', path: ['NextResponse', 'redirect'] },
    args: [0],
    condition: 'redirect-target',
    label: 'redirects the browser to the URL (NextResponse.redirect)',
  },
  {
    id: 'Response.redirect',
    rule: 'open-redirect',
    match: { kind: 'global', name: 'Response', path: ['redirect'] },
    args: [0],
    condition: 'redirect-target',
    label: 'redirects the browser to the URL (Response.redirect)',
  },
  locationHeader('express.response', RES, ['set', 'header', 'setHeader', 'append']),
  locationHeader('node.response', RES, ['setHeader']),
  locationHeader('next.api-response', RES, ['setHeader']),
  locationHeader('koa.context', /^ctx$/, ['set']),
  locationHeader('fastify.reply', /^reply$/, ['header']),
  locationHeader('hono.context', /^c$/, ['header']),
  ...['express.response', 'node.response', 'next.api-response'].map((type): SinkModel => ({
    id: `${type}.writeHead:Location`,
    rule: 'open-redirect',
    match: method(type, ['writeHead'], RES),
    args: 'all',
    condition: 'location-header',
    label: 'sets the Location header to the URL (a redirect)',
  })),
];

// ---------------------------------------------------------------- log injection (CWE-117)

const LOG_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'fatal', 'verbose', 'silly', 'http', 'notice', 'crit', 'alert', 'emerg', 'warning', 'critical'];
const logSinks: SinkModel[] = [
  ...['log', 'info', 'warn', 'error', 'debug', 'trace'].map((fn): SinkModel => ({
    id: `console.${fn}`,
    rule: 'log-injection',
    match: { kind: 'global', name: 'console', path: [fn] },
    args: 'all',
    condition: 'log-message',
    patch: 'log-strip',
    label: `writes the text into the log (console.${fn})`,
  })),
  ...['log', 'info', 'warn', 'error', 'debug', 'verbose', 'silly'].map((fn): SinkModel => ({
    id: `winston.${fn}`,
    rule: 'log-injection',
    match: { kind: 'module', module: 'winston', path: [fn] },
    args: 'all',
    condition: 'log-message',
    patch: 'log-strip',
    label: `writes the text into the log (winston.${fn})`,
  })),
  {
    id: 'logger.message',
    rule: 'log-injection',
    match: method('logger', LOG_METHODS, /^(logger|log|LOGGER|Logger|LOG|[a-z]\w*Logger)$/),
    args: 'all',
    condition: 'log-message',
    patch: 'log-strip',
    label: 'writes the text into the log message',
  },
  {
    id: 'debug.logger',
    rule: 'log-injection',
    match: method('debug.logger', ['()']),
    args: 'all',
    condition: 'log-message',
    patch: 'log-strip',
    label: 'writes the text into the debug log',
  },
];

export const WEB_SINKS: SinkModel[] = [...sqlSinks, ...nosqlSinks, ...templateSinks, ...xssSinks, ...redirectSinks, ...logSinks];

// ---------------------------------------------------------------- typed values these sinks need

const both = (module: string, path: string[], type: string, info?: Record<string, string>, options?: TypeProducer['options']): TypeProducer[] => [
  { match: { kind: 'module', module, path }, type, info, options },
  { match: { kind: 'module', module, path, construct: true }, type, info, options },
];

export const WEB_TYPE_PRODUCERS: TypeProducer[] = [
  // TypeORM: data sources, managers and repositories all run SQL with query().
  ...both('typeorm', ['DataSource'], 'sql-client', { driver: 'typeorm', placeholder: '?' }),
  ...['createConnection', 'getConnection', 'getManager', 'getRepository', 'getCustomRepository', 'getTreeRepository'].flatMap((fn) =>
    both('typeorm', [fn], 'sql-client', { driver: 'typeorm', placeholder: '?' }),
  ),
  ...both('@prisma/client', ['PrismaClient'], 'prisma.client'),
  // MongoDB: Mongoose models, driver clients, databases and collections.
  ...both('mongoose', ['model'], 'mongo.collection'),
  ...both('mongoose', ['createConnection'], 'mongo.connection'),
  ...both('mongoose', ['connection', 'collection'], 'mongo.collection'),
  ...both('mongoose', ['connection', 'model'], 'mongo.collection'),
  ...both('mongoose', ['connection', 'db', 'collection'], 'mongo.collection'),
  ...both('@typegoose/typegoose', ['getModelForClass'], 'mongo.collection'),
  ...both('mongodb', ['MongoClient'], 'mongo.client'),
  ...both('mongodb', ['MongoClient', 'connect'], 'mongo.client'),
  ...both('mongojs', [], 'mongo.db'),
  // Templates: compiled functions (escaping unless noEscape), nunjucks environments.
  ...both('handlebars', ['compile'], 'html-template', { engine: 'handlebars' }, { arg: 1, keys: ['noEscape'] }),
  ...both('nunjucks', ['configure'], 'nunjucks.environment', undefined, { arg: 1, keys: ['autoescape'] }),
  ...both('nunjucks', ['Environment'], 'nunjucks.environment', undefined, { arg: 1, keys: ['autoescape'] }),
  ...both('liquidjs', ['Liquid'], 'liquid.engine'),
  // Loggers.
  ...both('winston', ['createLogger'], 'logger'),
  ...both('winston', ['Logger'], 'logger'),
  ...both('pino', [], 'logger'),
  ...both('pino', ['default'], 'logger'),
  ...both('bunyan', ['createLogger'], 'logger'),
  ...both('log4js', ['getLogger'], 'logger'),
  ...both('loglevel', ['getLogger'], 'logger'),
  ...both('debug', [], 'debug.logger'),
  ...both('dompurify', [], 'dompurify'),
];

export const WEB_METHOD_RESULTS: { type: string; method: string; result: string | null }[] = [
  // knex('users') is a query builder on the same connection.
  { type: 'sql-client', method: '()', result: 'sql-client' },
  { type: 'sql-client', method: 'createQueryBuilder', result: 'typeorm.query-builder' },
  { type: 'mongo.client', method: 'db', result: 'mongo.db' },
  { type: 'mongo.db', method: 'collection', result: 'mongo.collection' },
  { type: 'mongo.connection', method: 'model', result: 'mongo.collection' },
  { type: 'mongo.connection', method: 'collection', result: 'mongo.collection' },
  { type: 'mongo.connection', method: 'useDb', result: 'mongo.connection' },
  { type: 'debug.logger', method: 'extend', result: 'debug.logger' },
];

/**
 * Request members that are always strings (or arrays of strings), never objects: their values cannot carry
 * MongoDB operators. Matched against the last segment of a source kind ("req.params" → "params").
 */
// GraphQL arguments ('graphql.args') are typed by the schema: scalars, and input objects whose fields are typed in turn.
export const STRING_SOURCE_MEMBERS = ['params', 'headers', 'header', 'url', 'originalUrl', 'path', 'href', 'querystring', 'nextUrl', 'args'];

/**
 * Chainable methods that return their receiver (responses, loggers, query builders, Mongo handles): a sink
 * called at the end of a chain (`res.status(404).send(x)`, `db.collection('u').findOne(q)`) is recognised by
 * the name the chain starts from when the receiver's type is not known yet.
 */
export const FLUENT_METHODS = [
  'status', 'type', 'code', 'header', 'headers', 'set', 'setHeader', 'append', 'cookie', 'clearCookie', 'vary', 'contentType',
  'links', 'attachment', 'removeHeader', 'child', 'collection', 'db', 'useDb', 'model', 'where', 'andWhere', 'orWhere',
  'select', 'from', 'join', 'leftJoin', 'innerJoin', 'orderBy', 'limit', 'offset', 'table', 'withSchema', 'sort', 'skip',
  'lean', 'populate', 'createQueryBuilder', 'leftJoinAndSelect', 'innerJoinAndSelect', 'getRepository', 'promise',
];

/** JSX attributes whose value is inserted as raw HTML (server-side rendering included): `member` holds the HTML. */
export const JSX_HTML_ATTRIBUTES = [
  { attribute: 'dangerouslySetInnerHTML', member: '__html', id: 'react.dangerouslySetInnerHTML', label: 'inserts the text as raw HTML (React dangerouslySetInnerHTML)' },
];
