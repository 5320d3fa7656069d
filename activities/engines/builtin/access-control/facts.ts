// What access-control reasoning needs from a language's front end, beyond summaries: the shape of a
// registration call (its arguments in order, as written), the facts of a middleware or handler body, the
// data models an application defines, and the HTTP calls its front-end code makes behind a role check.
import type { Patch } from '../../../model.js';
import type { FnRef, Site } from '../values.js';

export interface CallArg {
  /** Source text of the argument (shortened). */
  text: string;
  site: Site;
  kind: 'string' | 'function' | 'identifier' | 'call' | 'object' | 'array' | 'other';
  /** Constant string value (a path). */
  value?: string;
  /** Inline function nodes (an arrow function, or elements of an array of them), to align with FnRefs. */
  fnNodes: unknown[];
  /** The last name of an identifier or member argument (`auth.required` → "required"), to align with FnRefs. */
  name?: string;
  /** Middleware inside an options object (`{ preHandler: [auth] }`) or an array argument. */
  inner: CallArg[];
  /** For middleware inside an options object: that object's text (how the framework wants it written). */
  container?: string;
  /** The `handler` of a route declared by an options object (`fastify.route({ url, preHandler, handler })`). */
  handler?: CallArg;
}

export interface CallShape {
  site: Site;
  /** The receiver as written (`router`, `app`), its last name. */
  receiver: string;
  method: string;
  args: CallArg[];
}

/** Facts of one function body, read syntactically (a light pass, no dataflow). */
export interface FnFacts {
  /** Reads the signed-in user, the session, an Authorization header or a token, or verifies one. */
  readsIdentity: boolean;
  /** Refuses the request: 401/403, an Unauthorized/Forbidden error, a redirect to a login page. */
  denies: boolean;
  /** Tests a role or privilege of the user (`req.user.role`, `roles.includes(...)`, `isAdmin`). */
  checksRole: boolean;
  /** Where the function is, for evidence. */
  site: Site;
  name: string;
  /** Where it refuses by answering (a redirect to sign in, a 401/403) when the user is missing. */
  refusal?: Site;
  /**
   * Refusals that do not stop it: `if (!req.session.user) res.redirect('/login')` without `return`, or a helper
   * that answers so (`checkLogged(req, res);`) whose call it does not act on, with statements after them.
   * `helper` is the helper's name ('' for an inline check); `refusal` is where the answer is sent; `flaw` is
   * where the fix belongs: the call when the helper tells its caller whether it refused, else the refusal.
   */
  refusalsThatContinue?: { call: Site; helper: string; refusal: Site; flaw: Site }[];
  /** What goes to the client that must not: the whole `process.env`, a record's stored password (hash). */
  exposures?: { site: Site; what: 'environment' | 'stored-password'; text: string }[];
  /** Where it reads every user account with no filter (`User.find({})`, `SELECT … FROM users`). */
  listsAllUsers?: { site: Site; text: string };
}

/** What a handler or middleware body does with the request, for CSRF and brute-force reasoning (syntactic). */
export interface RequestFacts {
  /** Where it reads a cookie or cookie-backed session state (`req.cookies.token`, `req.session.user`, the Cookie header). */
  cookieAuth?: Site;
  /** Reads a credential a browser never sends on its own (Authorization header, API key header). */
  headerAuth: boolean;
  /** Where it checks an anti-CSRF token, a same-origin-only header, or the Origin/Referer against a value. */
  csrfCheck?: Site;
  /** Where it changes state (a database write, a state-changing call, write SQL), and the call as written. */
  write?: { site: Site; text: string };
  /** Where it checks a password or one-time code (bcrypt.compare, a lookup by password, totp.verify). */
  credentialCheck?: { site: Site; text: string };
  /** Counts failed attempts or locks accounts itself. */
  attemptCounter: boolean;
  /** Where it reads a client-controlled forwarding header (X-Forwarded-For …), and which one. */
  spoofableHeader?: { site: Site; header: string };
  /** Names of functions it hands the request to (`(req, res) => controller.login(req, res)`). */
  delegates?: string[];
}

/** Project-wide facts the route-level checks weigh (cookie policy, GraphQL schema, plugins registered). */
export interface ProjectFacts {
  /** Where a session or authentication cookie is given SameSite strict or lax (lax still goes with top-level GETs). */
  sameSiteCookie?: { site: Site; strict: boolean };
  /** Some schema declares GraphQL mutations. */
  graphqlMutations: boolean;
  /** Modules some file of the project requires or imports. */
  imports(module: string): boolean;
  /** `<x>.use(...)` calls in `file` whose arguments, as written, match `pattern` (middleware applied where a router is made). */
  usesIn(file: string, pattern: RegExp): string[];
}

export interface ModelField {
  name: string;
  line: number;
}

/** A data model (Mongoose schema, Sequelize model, TypeORM entity, Prisma model) and its fields. */
export interface ModelDef {
  name: string;
  file: string;
  line: number;
  fields: ModelField[];
}

/** An HTTP call in front-end code that only runs behind a role check. */
export interface ClientCall {
  site: Site;
  /** The URL as far as it is constant; U+0000 stands for unknown parts. */
  url: string;
  method?: string;
  /** The role check guarding it (its text and where it is). */
  guard: { text: string; site: Site };
  callText: string;
}

export interface AccessFacts {
  /** The call that starts at `site` (a route registration or mount). */
  callAt(site: Site): CallShape | undefined;
  /** Calls `<receiver>.<method>(...)` in `file` (router-level middleware registrations), in source order. */
  callsOn(file: string, receiver: string, methods: string[]): CallShape[];
  fnFacts(fn: FnRef): FnFacts | undefined;
  /** Request facts of a function body (CSRF, brute force); undefined when its body cannot be read. */
  requestFacts?(fn: FnRef): RequestFacts | undefined;
  project?(): ProjectFacts;
  /** The initializer, as written, of the variable `name` declared in `file` (`rateLimit({ max: 5 })` for `loginLimiter`). */
  definitionText?(file: string, name: string): string | undefined;
  /** Data models defined anywhere in the project. */
  models(): ModelDef[];
  /** Role-guarded HTTP calls of front-end files. */
  clientCalls(): ClientCall[];
  /** A unified diff of text edits to one file, if the result still parses. */
  edit(file: string, edits: { line: number; column: number; endLine: number; endColumn: number; text: string }[], description: string): Patch | undefined;
}
