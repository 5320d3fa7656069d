// Access-control conventions: what the signed-in user looks like in each framework, which routes are
// public by design, which are administrative, which calls read or change records, and which model fields
// tie a record to its owner or grant privileges. The reasoning in access-control/ reads only these rows.

/** Members of a request/context value that hold the signed-in user (or server-side session state). */
export const IDENTITY_MEMBERS: { type: string; member: string; label: string }[] = [
  // Passport, express-jwt (req.auth), express-session, hand-written middleware (req.userId, req.currentUser).
  ...['user', 'session', 'auth', 'userId', 'currentUser', 'principal'].map((member) => ({ type: 'express.request', member, label: `req.${member}` })),
  // Set by authentication middleware for the rest of the chain.
  { type: 'express.response', member: 'locals', label: 'res.locals' },
  { type: 'koa.context', member: 'state', label: 'ctx.state' },
  { type: 'koa.context', member: 'session', label: 'ctx.session' },
  ...['user', 'session'].map((member) => ({ type: 'fastify.request', member, label: `request.${member}` })),
  { type: 'hono.context', member: 'var', label: 'c.var' },
  { type: 'hono.context', member: 'get()', label: 'c.get()' },
  ...['user', 'session', 'auth'].map((member) => ({ type: 'next.api-request', member, label: `req.${member}` })),
  // Claims of a verified token (frameworks.ts VERIFIED_TOKEN_TYPE): any member ('*') is the signed-in user's.
  { type: 'auth.verified-token', member: '*', label: 'token' },
  // GraphQL resolvers: the context the server built for the request (`context.user`, `context.currentUser`).
  ...['user', 'currentUser', 'userId', 'viewer', 'auth', 'session', 'principal'].map((member) => ({ type: 'graphql.context', member, label: `context.${member}` })),
  // A session returned by an authentication library (next-auth `getServerSession()`/`auth()`, Clerk `auth()`,
  // `currentUser()`, iron-session): the user, or the user's id directly.
  ...['user', 'userId', 'id', 'sub', 'uid', 'email'].map((member) => ({ type: 'auth.session', member, label: `session.${member}` })),
];
export const IDENTITY_MEMBER_INDEX = new Map(IDENTITY_MEMBERS.map((r) => [`${r.type}|${r.member}`, r] as const));

/** Identity paths that name a role or privilege (`req.user.role === 'admin'` is a role check). */
export const ROLE_PATH = /(^|\.)(role|roles|isAdmin|admin|is_admin|permissions?|scopes?|groups?|isStaff|staff|superuser|isSuperuser|access|level|type)(\.|$)/i;

/**
 * Route path segments that are public by design: signing in and up, password reset requests, health and
 * status probes, webhooks (they authenticate with their own signature), OAuth callbacks, static assets,
 * API documentation. Such routes are never reported for lacking the authentication their siblings have.
 */
export const PUBLIC_ROUTE_SEGMENTS = new Set([
  'login', 'logout', 'signin', 'sign-in', 'signout', 'sign-out', 'register', 'signup', 'sign-up', 'auth', 'authenticate',
  'token', 'tokens', 'refresh', 'refresh-token', 'session', 'sessions', 'oauth', 'callback', 'sso', 'saml', 'openid',
  'forgot', 'forgot-password', 'reset', 'reset-password', 'password-reset', 'verify', 'verify-email', 'confirm', 'activate', 'magic-link',
  'healthz', 'healthcheck', 'readyz', 'livez',
  'public', 'webhook', 'webhooks', 'hooks', 'static', 'assets', 'favicon.ico', 'robots.txt', 'docs', 'swagger', 'openapi', 'api-docs',
]);
/** Probes: public only as the last segment of a GET (`GET /health`), not as a resource's field (`PATCH /orders/:id/status`). */
export const PUBLIC_PROBE_SEGMENTS = new Set(['health', 'status', 'ping', 'ready', 'live', 'version', 'metrics', 'uptime']);

/** Path segments and handler names of administrative functions (user and role management, configuration, export). */
export const ADMIN_ROUTE_SEGMENTS = new Set([
  'admin', 'admins', 'administrator', 'administration', 'superuser', 'sudo', 'staff', 'backoffice', 'back-office', 'internal',
  'manage', 'management', 'roles', 'role', 'permissions', 'grants', 'impersonate', 'config', 'configuration', 'settings', 'system',
  'export', 'exports', 'backup', 'backups', 'audit', 'audit-log', 'promote', 'demote', 'ban', 'suspend',
]);
export const ADMIN_HANDLER_NAME = /(^|[a-z])(admin|Admin|promote|Promote|grantRole|setRole|changeRole|impersonate|Impersonate|exportAll|ExportAll|deleteUser|DeleteUser|banUser|BanUser)/;

/**
 * Middleware recognised by name when its body cannot be read (a library's `passport.authenticate('jwt')`,
 * `expressjwt({...})`, `requiresAuth()`), or as supporting evidence for one we read.
 */
// Not `session(...)`, `passport.initialize()` or `passport.session()`: they restore a login, they do not require one.
export const AUTH_MIDDLEWARE_NAME = /auth(?!or)|logged|jwt|protect|guard|verifyToken|verifyUser|requireUser|currentUser|signedIn|bearer|apiKey|api_key/i;
/** Helpers a handler or resolver calls with its request or context to refuse anonymous callers (`requireUser(ctx)`, `ensureSignedIn(req)`). */
export const AUTH_HELPER_NAME = /^(require|ensure|assert|enforce|must|need|check)_?(auth|authenticated|authentication|user|login|logged_?in|signed_?in|session|viewer|current_?user)$|^(signedIn|loggedIn|authenticated|authenticate|requireAuth)$/i;
export const ROLE_MIDDLEWARE_NAME = /role|admin|permi|authori[sz]|acl|can[A-Z(]|policy|staff|superuser|owner|ability|rbac/i;
/** Ownership middleware: ties the record of the URL to the user before the handler runs. */
export const OWNERSHIP_MIDDLEWARE_NAME = /owner|ownership|isOwn|belongs|sameUser|isSelf/i;

/** Status codes that mean "not signed in" / "not allowed". */
export const DENY_STATUS = new Set(['401', '403']);

/**
 * Registration options that hold middleware (Fastify `{ preHandler: [auth] }`, `{ onRequest: auth }`) and
 * hook registrations that apply middleware to everything registered on the owner afterwards.
 */
export const OPTION_HOOKS = new Set(['preHandler', 'onRequest', 'preValidation', 'preParsing', 'beforeHandler']);
export const USE_CALLS: { method: string; hookArg?: number }[] = [{ method: 'use' }, { method: 'addHook', hookArg: 0 }];

/** Receivers that are data-access objects: a model class (`Order`), a repository, a Prisma delegate, `this.model`. */
export const DATA_RECEIVER = /^([A-Z][A-Za-z0-9]*|[a-z][A-Za-z0-9]*(Model|Repo|Repository|Collection|Table|Dao|DAO|Store))$|^(model|repo|repository|collection|dao)$/;
/** Typed receivers (models/frameworks.ts, sinks-web.ts producers): a model or collection, or a client whose name must say "model" (Sequelize's `define` result). */
export const DATA_RECEIVER_TYPES = { models: ['mongo.collection', 'prisma.delegate'], named: ['sql-client'] };
/** `prisma.order.findUnique(...)`, `db.order.update(...)`: the delegate's owner name. */
export const DELEGATE_OWNER = /^(prisma|db|client|orm|tx|prismaClient)$/;

export type DataAccessKind = 'read' | 'update' | 'delete' | 'create';

export interface DataAccessModel {
  methods: string[];
  kind: DataAccessKind;
  /** Arguments that select the record (an id or a filter object). */
  selectArgs: number[];
  /** The lookup is by primary key: any client value in `selectArgs` selects a record. */
  byId?: boolean;
  /** The argument holding the record's new data, and the property inside it when nested (Prisma `data`). */
  dataArg?: number;
  dataProp?: string;
  /** Selection nested in an options object (Sequelize `{ where }`, Prisma `{ where }`). */
  selectProp?: string;
}

/** Calls that read or change records (Mongoose, Sequelize, TypeORM, Prisma), by method name. */
export const DATA_ACCESS: DataAccessModel[] = [
  { methods: ['findById', 'findByPk', 'findByIdOrFail', 'findOneById'], kind: 'read', selectArgs: [0], byId: true },
  { methods: ['findOne', 'findFirst', 'findOneBy', 'findOneOrFail', 'findOneByOrFail', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow'], kind: 'read', selectArgs: [0] },
  { methods: ['findByIdAndUpdate'], kind: 'update', selectArgs: [0], byId: true, dataArg: 1 },
  { methods: ['findByIdAndDelete', 'findByIdAndRemove'], kind: 'delete', selectArgs: [0], byId: true },
  { methods: ['findOneAndUpdate', 'updateOne', 'updateMany', 'replaceOne'], kind: 'update', selectArgs: [0], dataArg: 1 },
  { methods: ['findOneAndDelete', 'findOneAndRemove', 'deleteOne', 'deleteMany', 'destroy', 'remove'], kind: 'delete', selectArgs: [0] },
  // Sequelize `Model.update(data, { where })`; TypeORM `repo.update(id, data)`; Prisma `update({ where, data })`.
  { methods: ['update'], kind: 'update', selectArgs: [0, 1], dataArg: 0 },
  { methods: ['delete'], kind: 'delete', selectArgs: [0] },
  { methods: ['create', 'build', 'insert', 'insertOne', 'bulkCreate', 'insertMany', 'upsert'], kind: 'create', selectArgs: [], dataArg: 0 },
];
/** Prisma-style calls carry both parts in one object. */
export const NESTED_ARGS = { select: 'where', data: 'data' };

/** Instance methods that write data onto a loaded record (`order.update(req.body)`, `user.set(req.body)`). */
export const RECORD_WRITE_METHODS = new Set(['update', 'set', 'setAttributes', 'updateAttributes', 'merge']);

/** SQL columns that hold a record's key (`id`, `user_id`, `orderId`, `userid`): text built with a value compared with one selects one record. */
export const SQL_KEY_COLUMN = /^(id|_id|uuid|guid|[A-Za-z0-9]+_id|[A-Za-z0-9]*[a-z](Id|ID|id))$/;

/** Records that are users themselves: their own key ties them to the signed-in user (`users WHERE id = …`). */
export const USER_RECORD = /^(user|users|account|accounts|member|members|profile|profiles|customer|customers)$/i;

/** Request values that name a record: `req.params.id`, `req.query.orderId`, `req.body.invoice_id`. */
export const ID_LIKE = /^(id|_id|uuid|guid|slug|key|[a-z0-9]+(Id|ID|_id|Uuid|_uuid))$/;

/**
 * Words an ownership or role check names (`order.userId === req.user.id`, `req.session.role === 'admin'`).
 * Comparisons without them are not recorded: in code that compares everything (parsers, interpreters) the
 * facts would otherwise flow into every caller's summary.
 */
export const CHECK_WORDS = /user|owner|author|account|member|session|role|admin|tenant|customer|creat(or|ed)|permission|principal|claims|identity|uid|\bsub\b|\bme\b/i;

/** Model fields that tie a record to a user. */
export const OWNER_FIELDS = /^(user|user_?id|owner|owner_?id|author|author_?id|created_?by|creator|creator_?id|customer|customer_?id|account|account_?id|tenant_?id|member|member_?id|profile_?id)$/i;

/** Model fields a client must not set: privileges, ownership, verification and money. */
export const PRIVILEGED_FIELDS = /^(role|roles|isAdmin|is_admin|admin|superuser|isSuperuser|permissions|scopes|ownerId|owner_id|owner|userId|user_id|authorId|verified|isVerified|emailVerified|email_verified|approved|isApproved|balance|credits|credit|plan|tier|subscription|isStaff|staff|banned|locked|status|resetToken|passwordResetToken|apiKey)$/;

/** Fields never offered in a generated allow-list (identity, bookkeeping). */
export const BOOKKEEPING_FIELDS = /^(id|_id|createdAt|updatedAt|deletedAt|created_at|updated_at|__v|password|passwordHash|password_hash|hash|salt)$/;

/** Calls that keep only some fields of an object or validate it against a schema (mass-assignment-safe). */
export const FIELD_PICKERS = new Set(['pick', 'pickBy', 'only', 'parse', 'parseAsync', 'safeParse', 'validate', 'validateAsync', 'validateSync', 'matchedData', 'cast', 'strip']);

/** Front-end files: where a role check hides an action rather than enforcing it. */
export const CLIENT_PATH = /(^|\/)(client|frontend|front-end|web|webapp|ui|app\/components|src\/components|components|pages|views|public|static)\/|\.(jsx|tsx|vue)$/;
export const CLIENT_HTTP_METHODS: Record<string, string> = { get: 'get', post: 'post', put: 'put', patch: 'patch', delete: 'delete', del: 'delete' };
/** HTTP clients in front-end code: `fetch(url, { method })`, `axios.delete(url)`, `api.post(url)`. */
export const CLIENT_HTTP_RECEIVER = /^(axios|api|http|client|request|apiClient|httpClient|\$http|ky|superagent)$/;

/** Fields and request values that hold a password (not a hash of one: `passwordHash` is not matched). */
export const PASSWORD_FIELD = /^(password|passwd|pass|pwd|passphrase|new_?password|newPassword|current_?password|currentPassword|user_?password|userPassword)$/i;
/** SQL that compares a password column with a value, or writes one (`WHERE … password = ?`, `INSERT INTO users(…, password)`, `SET password =`). */
export const SQL_PASSWORD = /\b(where\b[\s\S]*\bpass(word|wd)?\s*=|insert\s+into\b[\s\S]*\bpass(word|wd)?\b|\bset\b[\s\S]*\bpass(word|wd)?\s*=)/i;
/**
 * Calls (by their last name) that turn a password into something safe to compare or store: a password hash
 * (bcrypt, argon2, scrypt, pbkdf2), a digest or an HMAC. Their results carry PASSWORD_HASHED_TAG; weak
 * digests are weak-password-hash's business, not this rule's.
 */
export const PASSWORD_HASH_CALLS = /^(hash|hashSync|hashPassword|genHash|digest|pbkdf2|pbkdf2Sync|scrypt|scryptSync|encrypt|encryptPassword|md5|sha1|sha256|sha512|createHmac)$/i;
export const PASSWORD_HASHED_TAG = 'password-hashed';
/** A model file that hashes on save (Mongoose `pre('save')`, Sequelize `beforeCreate`, TypeORM `@BeforeInsert`) with a password hasher. */
export const MODEL_HASHES = /\b(bcrypt|argon2|scrypt|pbkdf2|createHash|hashSync|hashPassword)\b/;
/** List and count lookups: not record selections for IDOR, but a password in their filter is still compared as stored. */
export const LOOKUP_METHODS = new Set(['find', 'findAll', 'findMany', 'findBy', 'findAndCountAll', 'where', 'count', 'countDocuments', 'exists']);

/** Response methods: their arguments (and a handler's or resolver's return value) go to the client. */
export const RESPONSE_METHODS = new Set(['json', 'send', 'jsonp', 'end', 'write', 'render', 'body']);
/** Record fields that hold a stored password or its hash: never part of a response. */
export const STORED_PASSWORD_FIELD = /^(password|passwd|password_?hash|hashed_?password|hash|salt)$/i;
/** SQL that reads every row of a table of user accounts (no WHERE): the whole user list. */
export const SQL_ALL_USERS = /^\s*select\b(?:(?!\bwhere\b)[\s\S])*?\bfrom\s+[`"[]?(users|accounts|members|customers|profiles)\b(?:(?!\bwhere\b)[\s\S])*$/i;
/** ORM calls that list records: with no filter they list them all. */
export const LIST_ALL_METHODS = new Set(['find', 'findAll', 'findMany']);
