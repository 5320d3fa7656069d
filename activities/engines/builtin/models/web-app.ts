// Web-application conventions for the route-level checks that are neither data flows nor access control:
// cross-site request forgery (what authenticates a request by cookie, what changes state, what protects a
// route), brute-force protection (what checks a password or one-time code, what limits attempts, which
// headers a client can forge) and GraphQL servers (introspection, IDEs, batching, form-encoded requests).
// access-control/csrf.ts, access-control/rate-limit.ts and js/checks/graphql.ts read only these rows.
import type { CalleeMatch } from './types.js';

const ctor = (module: string, ...path: string[]): CalleeMatch => ({ kind: 'module', module, path, construct: true });
const mod = (module: string, ...path: string[]): CalleeMatch => ({ kind: 'module', module, path });

// ---------------------------------------------------------------- cookie authentication

/** Request members that carry cookies or cookie-backed session state (`req.cookies.token`, `ctx.session`). */
export const COOKIE_MEMBERS = new Set(['cookies', 'signedCookies', 'session']);
/** The raw Cookie header (`req.headers.cookie`, `req.get('cookie')`). */
export const COOKIE_HEADER = 'cookie';
/** Helpers that read a cookie from a request/context (Hono `getCookie(c, 'sid')`, Next.js `cookies()`). */
export const COOKIE_READ_CALLS = new Set(['getCookie', 'getSignedCookie', 'cookies', 'parseCookies']);
/** Headers and members that carry a bearer credential a browser never attaches on its own (not CSRF-able). */
export const HEADER_CREDENTIAL = /^(authorization|x-api-key|x-auth-token|x-access-token|bearer)$/i;
/**
 * Application-level middleware, as written, that restores a login from a cookie (express-session,
 * cookie-session, passport sessions, koa-session): routes behind it that read the user are cookie-authenticated.
 */
export const SESSION_MIDDLEWARE_TEXT = /(^|[^\w])(session|cookieSession|expressSession|koaSession)\s*\(|passport\.session\s*\(/;

// ---------------------------------------------------------------- CSRF protection

/** Middleware, as written or by function name, that enforces a CSRF token or origin check (csurf, csrf-csrf, lusca, @fastify/csrf-protection, koa-csrf, hono csrf()). */
export const CSRF_MIDDLEWARE_NAME = /csrf|xsrf|csurf|lusca|doubleCsrf|sameOrigin|originCheck|checkOrigin|verifyOrigin/i;
/** Request members, headers or body fields that carry an anti-CSRF token, or a header only same-origin script can send. */
export const CSRF_TOKEN_NAME = /csrf|xsrf|^_token$|^x-requested-with$|^sec-fetch-site$/i;
/** Headers whose value is compared with an allow-list in a hand-written origin check. */
export const ORIGIN_HEADERS = /^(origin|referer|referrer)$/i;
/** Cookie SameSite values that keep the browser from sending the cookie on cross-site form posts. */
export const SAMESITE_PROTECTIVE = /^(strict|lax)$/i;

// ---------------------------------------------------------------- state changes

/** Data-access methods that write (Mongoose, Sequelize, TypeORM, Prisma, knex, MongoDB). */
export const WRITE_METHODS = new Set([
  'save', 'create', 'insert', 'insertOne', 'insertMany', 'bulkCreate', 'upsert', 'update', 'updateOne', 'updateMany', 'replaceOne',
  'findByIdAndUpdate', 'findOneAndUpdate', 'findByIdAndDelete', 'findByIdAndRemove', 'findOneAndDelete', 'findOneAndRemove',
  'deleteOne', 'deleteMany', 'destroy', 'increment', 'decrement', 'writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'unlink', 'unlinkSync',
]);
/** SQL text that writes. */
export const WRITE_SQL = /^\s*(insert|update|delete|replace|merge|alter|drop|truncate)\s/i;
/**
 * Names of application functions that change state (`orders.purchase(cart)`, `transferFunds(...)`): a
 * handler calling one changes state even when the write itself is in another module.
 */
export const STATE_CHANGE_VERB =
  /^(create|update|delete|remove|destroy|save|insert|upsert|purchase|buy|checkout|pay|transfer|withdraw|deposit|change|reset|edit|modify|subscribe|unsubscribe|follow|unfollow|approve|cancel|grant|revoke|invite|promote|demote|ban|unban|enable|disable|add|set|store|persist|write|upload)([A-Z_]|$)/;
/** Receivers whose methods never change application state (responses, loggers, builtins, request helpers). */
export const NON_STATE_RECEIVER = /^(res|response|reply|ctx|c|context|req|request|console|logger|log|JSON|Object|Array|Math|Promise|Reflect|headers|params|query|searchParams|url|URL|cache|map|set|seen|router|app|session|cookies|window|document|localStorage|sessionStorage|formData|form|state|this)$/;
/** Methods called on a value that are never application writes even when the verb matches (`headers.set`, `arr.add`). */
export const NON_STATE_METHOD = /^(set|add|delete|remove|update|write|change)$/;

// ---------------------------------------------------------------- authentication attempts

/** Calls that check a password or a one-time code, by callee name (bcrypt/argon2/scrypt, passport-local, speakeasy, otplib, model helpers). */
export const PASSWORD_CHECK_CALL = /^(compare|compareSync|verify|verifySync)$/;
/** Receivers whose compare/verify checks a password or code (bcrypt.compare, argon2.verify, speakeasy.totp.verify, authenticator.verify). */
export const PASSWORD_CHECK_RECEIVER = /^(bcrypt|bcryptjs|bcryptJs|argon2|argon|scrypt|totp|hotp|authenticator|speakeasy|otp|otplib|passwordHash|pbkdf2)$/i;
/** Methods that check a password wherever they are defined (`user.comparePassword(pw)`, `verifyPassword`). */
export const PASSWORD_CHECK_METHOD = /^(comparePassword|validPassword|validatePassword|verifyPassword|checkPassword|isValidPassword|isPasswordValid|passwordMatches|matchPassword|authenticate|verifyOtp|verifyTotp|checkOtp|verifyCode)$/;
/** Request fields that hold a password or a one-time code. */
export const CREDENTIAL_FIELD = /^(password|passwd|pass|pwd|passphrase|pin|otp|totp|code|token|mfaCode|twoFactorCode|verificationCode|oldPassword|currentPassword)$/i;
/** Database filters that select by password: `{ username, password: md5(pw) }`, `... WHERE password = '...'`. */
export const PASSWORD_FILTER_FIELD = /^(password|passwd|pwd|password_hash|passwordHash|hash)$/;
export const PASSWORD_SQL = /\bselect\b[\s\S]*\bwhere\b[\s\S]*\b(password|passwd|pwd)\b\s*=/i;
/** Library middleware, as written or by function name, that limits request rates (express-rate-limit, rate-limiter-flexible, express-brute, express-slow-down, koa-ratelimit, @fastify/rate-limit, hono-rate-limiter). */
export const RATE_LIMIT_NAME = /limit|brute|throttl|slow[-_]?down|speedLimiter/i;
/** Rate-limiting plugins that, once registered on a Fastify/Hono/Koa app, apply to every route by default. */
export const GLOBAL_RATE_LIMIT_MODULES = ['@fastify/rate-limit', 'fastify-rate-limit'];
/** Names in a handler that show a hand-written attempt counter or lockout. */
// A limiter called in the handler itself (`await ratelimit.limit(ip)`: @upstash/ratelimit in Next.js route handlers and Server Actions).
export const ATTEMPT_COUNTER = /attempt|lockout|lockUntil|locked_?until|failedLogin|loginFailures|failCount|tooMany|retryAfter|consume\b|ratelimit|limiter/i;

/** Request headers a client sets freely: a limiter keyed on one is bypassed by changing it on every request. */
export const SPOOFABLE_IP_HEADERS = /^(x-forwarded-for|x-real-ip|x-client-ip|forwarded|true-client-ip|cf-connecting-ip|x-cluster-client-ip)$/i;

// ---------------------------------------------------------------- GraphQL servers

export interface GraphqlServerModel {
  match: CalleeMatch;
  optionsArg: number;
  label: string;
  /** Introspection is on unless `introspection: false` (or validation rules that forbid it) is given. */
  introspectionByDefault: boolean;
  /** The option that turns introspection on or off (Apollo `introspection`); undefined: the server has none. */
  introspectionOption?: string;
  /** Options that serve an in-browser IDE in production when true (`graphiql`, `playground`). */
  ideOptions: string[];
  /** Options that accept several operations in one HTTP request when true (brute force in one request). */
  batchingOptions: string[];
  /** The server executes mutations from form-encoded POSTs (what a cross-site HTML form can send). */
  formMutations: boolean;
}

export const GRAPHQL_SERVERS: GraphqlServerModel[] = [
  // Apollo 2–4: introspection defaults to NODE_ENV !== 'production', so only an explicit `true` is reported.
  ...['apollo-server', 'apollo-server-express', 'apollo-server-koa', 'apollo-server-fastify', 'apollo-server-hapi', 'apollo-server-lambda', '@apollo/server'].map(
    (module): GraphqlServerModel => ({ match: ctor(module, 'ApolloServer'), optionsArg: 0, label: `new ApolloServer() (${module})`, introspectionByDefault: false, introspectionOption: 'introspection', ideOptions: ['playground'], batchingOptions: ['allowBatchedHttpRequests'], formMutations: false }),
  ),
  // express-graphql and graphql-http answer introspection queries unless validationRules forbid them.
  { match: mod('express-graphql', 'graphqlHTTP'), optionsArg: 0, label: 'graphqlHTTP() (express-graphql)', introspectionByDefault: true, ideOptions: ['graphiql'], batchingOptions: [], formMutations: true },
  { match: mod('express-graphql'), optionsArg: 0, label: 'graphqlHTTP() (express-graphql)', introspectionByDefault: true, ideOptions: ['graphiql'], batchingOptions: [], formMutations: true },
  { match: mod('graphql-http/lib/use/express', 'createHandler'), optionsArg: 0, label: 'createHandler() (graphql-http)', introspectionByDefault: true, ideOptions: [], batchingOptions: [], formMutations: false },
  { match: mod('mercurius'), optionsArg: 1, label: 'mercurius', introspectionByDefault: false, ideOptions: ['graphiql', 'ide'], batchingOptions: ['allowBatchedQueries'], formMutations: false },
];
/** Option names whose presence means the server restricts which queries run (NoSchemaIntrospectionCustomRule). */
export const GRAPHQL_VALIDATION_OPTIONS = ['validationRules'];
/** Middleware names, as written, of GraphQL endpoints mounted with `use` (for CSRF on the mount). */
export const GRAPHQL_MIDDLEWARE_NAME = /^(graphqlHTTP|graphqlExpress|graphqlKoa)$/;
/** A schema that declares mutations (SDL or graphql-js objects). */
export const GRAPHQL_MUTATION_DECL = /\btype\s+Mutation\b|\bextend\s+type\s+Mutation\b|\bmutation\s*:\s*new\s+GraphQLObjectType|name\s*:\s*['"]Mutation['"]/;
