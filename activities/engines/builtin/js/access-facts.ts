// The JavaScript/TypeScript side of access-control/facts.ts: registration calls as written, syntactic
// facts of middleware and handler bodies, data model definitions (Mongoose, Sequelize, TypeORM) and the
// role-guarded HTTP calls of front-end code. Light AST passes over files already parsed; each result is
// computed once per file or function.
import ts from 'typescript';
import { unwrapAwait as strip, parses } from './syntax.js';
import type { Patch, SourceFiles } from '../../../model.js';
import { createUnifiedDiff } from '../../../patches/create-diff.js';
import type { AccessFacts, CallArg, CallShape, ClientCall, FnFacts, ModelDef } from '../access-control/facts.js';
import { AUTH_HELPER_NAME, CLIENT_HTTP_METHODS, CLIENT_HTTP_RECEIVER, CLIENT_PATH, DENY_STATUS, IDENTITY_MEMBERS, OPTION_HOOKS, LIST_ALL_METHODS, RESPONSE_METHODS, ROLE_PATH, SQL_ALL_USERS, STORED_PASSWORD_FIELD, USER_RECORD } from '../models/access-control.js';
import type { FnRef, Site, Value } from '../values.js';
import { isFunctionNode } from './functions.js';
import { AUTH_SESSION_TYPE } from '../models/frameworks.js';
import { requireSpecifier, type ModuleInfo } from './modules.js';
import { applyEdits, findCall } from './patches/edit.js';
import type { AccessFiles } from './access-memo.js';

// Members of a handler's request/context parameter; a library session's members (`session.email`) are read off a call's result.
const IDENTITY_NAMES = new Set(IDENTITY_MEMBERS.filter((r) => !r.member.endsWith('()') && r.member !== '*' && r.type !== AUTH_SESSION_TYPE).map((r) => r.member));
// Session readers of Next.js apps too: next-auth v5 / Clerk `auth()`, `currentUser()`, iron-session, Lucia, Supabase `auth.getUser()`.
const AUTH_CALLS = /^(verify|verifyToken|verifyJwt|jwtVerify|isAuthenticated|getSession|getServerSession|getToken|authenticate|decodeToken|validateToken|checkToken|auth|currentUser|getCurrentUser|getIronSession|getUser|getAuth|getUserSession|validateRequest)$/;
/** Helpers that read the user and refuse (throw or redirect) when there is none: the caller is authenticated. */
const REQUIRE_AUTH_CALLS = /^(require(User|Auth|Session|Login|SignedIn|Authenticated)|ensure(Auth|Authenticated|User|LoggedIn|Session|SignedIn))$/;
const AUTH_STRINGS = /^(authorization|x-api-key|x-auth-token|x-access-token|bearer|token|jwt|access_token)$/i;
const DENY_NAMES = /Unauthori[sz]ed|Forbidden|AuthenticationError|AuthorizationError|PermissionDenied|NotAuthenticated|AccessDenied/;
const ROLE_CALLS = /^(hasRole|hasAnyRole|hasPermission|hasScope|isAdmin|checkRole|checkPermission|authorize|can|cannot|isGranted)$/;
const ROLE_WORDS = /\b(role|roles|isAdmin|is_admin|admin|permissions?|isStaff|superuser|isSuperuser|canManage|canDelete|canEdit|isModerator|moderator)\b/;

export const lastName = (e: ts.Expression): string | undefined => {
  const s = strip(e);
  if (ts.isIdentifier(s)) return s.text;
  if (ts.isPropertyAccessExpression(s)) return s.name.text;
  if (ts.isCallExpression(s)) return lastName(s.expression);
  return undefined;
};

export function siteOf(sf: ts.SourceFile, path: string, n: ts.Node): Site {
  const a = sf.getLineAndCharacterOfPosition(n.getStart(sf));
  const b = sf.getLineAndCharacterOfPosition(n.getEnd());
  return { file: path, line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 };
}

const short = (t: string, max = 60) => {
  const s = t.replace(/\s+/g, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

function argOf(sf: ts.SourceFile, path: string, node: ts.Expression): CallArg {
  const e = strip(node);
  const base = { text: short(e.getText(sf)), site: siteOf(sf, path, e), fnNodes: [] as unknown[], inner: [] as CallArg[] };
  if (ts.isStringLiteralLike(e)) return { ...base, kind: 'string', value: e.text };
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return { ...base, kind: 'function', fnNodes: [e] };
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) return { ...base, kind: 'identifier', name: lastName(e) };
  if (ts.isCallExpression(e)) return { ...base, kind: 'call', name: lastName(e.expression) };
  if (ts.isArrayLiteralExpression(e)) {
    const inner = e.elements.filter((x) => !ts.isSpreadElement(x) && !ts.isOmittedExpression(x)).map((x) => argOf(sf, path, x));
    return { ...base, kind: 'array', inner, fnNodes: inner.flatMap((i) => i.fnNodes) };
  }
  if (ts.isObjectLiteralExpression(e)) {
    const inner: CallArg[] = [];
    let handler: CallArg | undefined;
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'handler') handler = argOf(sf, path, p.initializer);
      if (ts.isMethodDeclaration(p) && ts.isIdentifier(p.name) && p.name.text === 'handler') handler = { text: 'handler', site: siteOf(sf, path, p), kind: 'function', fnNodes: [p], inner: [] };
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) || !OPTION_HOOKS.has(p.name.text)) continue;
      const v = argOf(sf, path, p.initializer);
      inner.push(...(v.kind === 'array' ? v.inner : [v]));
    }
    for (const i of inner) i.container = base.text;
    return { ...base, kind: 'object', inner, handler, fnNodes: inner.flatMap((i) => i.fnNodes) };
  }
  return { ...base, kind: 'other' };
}

function shapeOf(sf: ts.SourceFile, path: string, call: ts.CallExpression): CallShape | undefined {
  const c = strip(call.expression);
  if (!ts.isPropertyAccessExpression(c)) return undefined;
  return { site: siteOf(sf, path, call), receiver: lastName(c.expression) ?? '', method: c.name.text, args: call.arguments.map((a) => argOf(sf, path, a)) };
}

/** The root identifier and member names of an access chain: `req.user.role` → ["req", "user", "role"]. */
export function chain(e: ts.Expression): string[] | undefined {
  const s = strip(e);
  if (ts.isIdentifier(s)) return [s.text];
  if (ts.isPropertyAccessExpression(s)) {
    const base = chain(s.expression);
    return base && [...base, s.name.text];
  }
  if (ts.isElementAccessExpression(s) && ts.isStringLiteralLike(s.argumentExpression)) {
    const base = chain(s.expression);
    return base && [...base, s.argumentExpression.text];
  }
  if (ts.isCallExpression(s) && ts.isPropertyAccessExpression(s.expression)) {
    // c.get('user'), req.header('authorization')
    const base = chain(s.expression);
    const a = s.arguments[0];
    return base && a && ts.isStringLiteralLike(a) ? [...base, a.text] : base;
  }
  return undefined;
}

export function paramNames(fn: ts.Node): Set<string> {
  const out = new Set<string>();
  for (let n: ts.Node | undefined = fn; n; n = n.parent) {
    if (isFunctionNode(n)) for (const p of n.parameters) if (ts.isIdentifier(p.name)) out.add(p.name.text);
  }
  return out;
}

/** A statement that throws on its own path (not inside a nested function). */
function throws(st: ts.Statement): boolean {
  if (ts.isThrowStatement(st)) return true;
  return ts.isBlock(st) && st.statements.some((x) => ts.isThrowStatement(x));
}

/** Functions declared at the top of a file, by name (`function requireUser(ctx) {…}`, `const requireUser = (ctx) => …`). */
export function localFunctions(sf: ts.SourceFile): Map<string, ts.Node> {
  const out = new Map<string, ts.Node>();
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name && st.body) out.set(st.name.text, st);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && isFunctionNode(strip(d.initializer))) out.set(d.name.text, strip(d.initializer));
      }
    }
  }
  return out;
}

/** Names a parameter destructures (`({ user }, { id })` → user, id), with the member each reads. */
function destructuredParams(fn: ts.Node): { local: string; key: string }[] {
  const out: { local: string; key: string }[] = [];
  if (!isFunctionNode(fn)) return out;
  for (const p of (fn as ts.FunctionLikeDeclaration).parameters) {
    if (!ts.isObjectBindingPattern(p.name)) continue;
    for (const el of p.name.elements) {
      if (!ts.isIdentifier(el.name)) continue;
      const key = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
      out.push({ local: el.name.text, key });
    }
  }
  return out;
}

/** The function a name called in `path` refers to: declared there or imported (front-end resolution). */
export type HelperResolver = (path: string, name: string) => { sf: ts.SourceFile; path: string; node: ts.Node } | undefined;

export interface FactsOptions {
  resolve?: HelperResolver;
  /** Helpers are read one level deep. */
  depth?: number;
  /** Read on behalf of a handler that only delegates to this function (delegation is followed once). */
  delegated?: boolean;
  /** Parameters that hold the signed-in user because the caller passed it (`needUser(user)` from a resolver whose context gave `user`). */
  identityParams?: string[];
}

/** A response that refuses: a redirect to a sign-in page, a 401/403 status. */
function refusesByResponse(n: ts.Node): boolean {
  let hit = false;
  const visit = (x: ts.Node): void => {
    if (hit) return;
    if (ts.isCallExpression(x)) {
      const callee = lastName(x.expression);
      if (callee === 'redirect' && x.arguments.some((a) => literalMentions(a, /login|signin|sign-in/))) hit = true;
      if ((callee === 'status' || callee === 'sendStatus') && x.arguments.some((a) => ts.isNumericLiteral(a) && DENY_STATUS.has(a.text))) hit = true;
    }
    if (!isFunctionNode(x)) ts.forEachChild(x, visit);
  };
  visit(n);
  return hit;
}

/** A string literal in the expression (`'/login?next=' + req.url`) matches. */
function literalMentions(e: ts.Node, re: RegExp): boolean {
  if (ts.isStringLiteralLike(e) || ts.isTemplateHead(e)) return re.test(e.text);
  return !!ts.forEachChild(e, (c) => literalMentions(c, re) || undefined);
}

/** Whether a statement ends the function's path (return, throw) anywhere on it, or hands over to `next`. */
function stops(st: ts.Node): boolean {
  if (ts.isReturnStatement(st) || ts.isThrowStatement(st)) return true;
  if (isFunctionNode(st)) return false;
  return !!ts.forEachChild(st, (c) => stops(c) || undefined);
}

/** The function returns a value somewhere (`return false`), not counting nested functions. */
function returnsValue(fn: ts.Node): boolean {
  const visit = (n: ts.Node): boolean => {
    if (ts.isReturnStatement(n)) return !!n.expression;
    if (n !== fn && isFunctionNode(n)) return false;
    return !!ts.forEachChild(n, (c) => visit(c) || undefined);
  };
  return visit(fn);
}

/** Statements that run after `st` in its block (and the blocks around it, up to the function). */
function followedByMore(st: ts.Node, fn: ts.Node): boolean {
  for (let n: ts.Node = st; n.parent && n !== fn; n = n.parent) {
    const p = n.parent;
    if (ts.isBlock(p) || ts.isSourceFile(p)) {
      const i = p.statements.indexOf(n as ts.Statement);
      if (i >= 0 && i < p.statements.length - 1) return true;
    }
    if (p === fn) break;
  }
  return false;
}

/**
 * Whether the value of `e` goes to the client from `fn`: as (part of) an argument of a response method
 * (`res.json({ env })`) or the returned value (resolvers, handlers that answer by returning), directly or
 * through one local variable (`const out = {…}; res.json(out)`).
 */
function reachesResponse(e: ts.Node, fn: ts.Node, viaVar = true): boolean {
  let n: ts.Node = e;
  for (;;) {
    const p = n.parent;
    if (!p || p === fn) return p === fn && !ts.isBlock(n) && isFunctionNode(fn); // an arrow's expression body
    if (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isSpreadAssignment(p) || ts.isObjectLiteralExpression(p) || ts.isArrayLiteralExpression(p) || ts.isParenthesizedExpression(p) || ts.isSpreadElement(p) || ts.isAwaitExpression(p) || (ts.isConditionalExpression(p) && p.condition !== n)) {
      n = p;
      continue;
    }
    if (ts.isCallExpression(p) && p.arguments.includes(n as ts.Expression)) return RESPONSE_METHODS.has(lastName(p.expression) ?? '');
    if (ts.isReturnStatement(p)) return enclosingFunction(p) === fn;
    if (viaVar && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return identifierReachesResponse(p.name.text, fn);
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === n && ts.isPropertyAccessExpression(strip(p.left))) {
      // Koa `ctx.body = …`
      return RESPONSE_METHODS.has((strip(p.left) as ts.PropertyAccessExpression).name.text);
    }
    if (viaVar && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === n) {
      const target = chain(p.left);
      return !!target && target.length === 1 && identifierReachesResponse(target[0], fn);
    }
    return false;
  }
}

function enclosingFunction(n: ts.Node): ts.Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFunctionNode(p)) return p;
  return undefined;
}

function identifierReachesResponse(name: string, fn: ts.Node): boolean {
  let hit = false;
  const visit = (x: ts.Node): void => {
    if (hit) return;
    if (ts.isIdentifier(x) && x.text === name && !(ts.isVariableDeclaration(x.parent) && x.parent.name === x) && reachesResponse(x, fn, false)) hit = true;
    ts.forEachChild(x, visit);
  };
  visit(fn);
  return hit;
}

/** The whole process environment, or a stored password, on its way to the client. */
function exposuresOf(sf: ts.SourceFile, path: string, fn: ts.Node, params: Set<string>): NonNullable<FnFacts['exposures']> {
  const out: NonNullable<FnFacts['exposures']> = [];
  /** `user.password`, `rows[0].password_hash`: a record's field, not the request's. */
  const storedPassword = (v: ts.Expression) => {
    const c = chainThroughIndex(v);
    return !!c && c.length > 1 && !params.has(c[0]) && STORED_PASSWORD_FIELD.test(c[c.length - 1]);
  };
  const visit = (n: ts.Node): void => {
    if (n !== fn && isFunctionNode(n)) return;
    // `process.env` as a whole (not `process.env.PORT`).
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'env' && ts.isIdentifier(n.expression) && n.expression.text === 'process') {
      const p = n.parent;
      const member = (ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === n;
      if (!member && reachesResponse(n, fn)) out.push({ site: siteOf(sf, path, n), what: 'environment', text: 'process.env' });
    }
    // `{ password: user.password }` / `out.password = rows[0].password` on its way out.
    if (ts.isPropertyAssignment(n) && STORED_PASSWORD_FIELD.test(propName(n.name) ?? '') && storedPassword(n.initializer) && reachesResponse(n.parent, fn)) {
      out.push({ site: siteOf(sf, path, n), what: 'stored-password', text: short(n.getText(sf)) });
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && storedPassword(n.right)) {
      const target = strip(n.left);
      const key = ts.isPropertyAccessExpression(target) ? target.name.text : ts.isElementAccessExpression(target) && ts.isStringLiteralLike(target.argumentExpression) ? target.argumentExpression.text : undefined;
      const obj = ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target) ? strip(target.expression) : undefined;
      if (key && STORED_PASSWORD_FIELD.test(key) && obj && ts.isIdentifier(obj) && identifierReachesResponse(obj.text, fn)) {
        out.push({ site: siteOf(sf, path, n), what: 'stored-password', text: short(n.getText(sf)) });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return out;
}

const propName = (n: ts.PropertyName) => (ts.isIdentifier(n) || ts.isStringLiteralLike(n) ? n.text : undefined);

/** `rows[0].password` → rows, password (an index in the middle of a chain is skipped). */
function chainThroughIndex(e: ts.Expression): string[] | undefined {
  const s = strip(e);
  if (ts.isIdentifier(s)) return [s.text];
  if (ts.isPropertyAccessExpression(s)) {
    const base = chainThroughIndex(s.expression);
    return base && [...base, s.name.text];
  }
  if (ts.isElementAccessExpression(s)) {
    const base = chainThroughIndex(s.expression);
    return base && (ts.isStringLiteralLike(s.argumentExpression) ? [...base, s.argumentExpression.text] : base);
  }
  return undefined;
}

function exposureFacts(sf: ts.SourceFile, path: string, fn: ts.Node, params: Set<string>): Pick<FnFacts, 'exposures' | 'listsAllUsers'> {
  const exposures = exposuresOf(sf, path, fn, params);
  const all = allUsersAt(sf, path, fn);
  return { ...(exposures.length ? { exposures } : {}), ...(all ? { listsAllUsers: all } : {}) };
}

/** `User.find()`, `User.findAll({ attributes })`, `prisma.user.findMany()`, `'SELECT name, email FROM users'`: every account. */
function allUsersAt(sf: ts.SourceFile, path: string, fn: ts.Node): FnFacts['listsAllUsers'] {
  let out: FnFacts['listsAllUsers'];
  const visit = (n: ts.Node): void => {
    if (out || (n !== fn && isFunctionNode(n))) return;
    if (ts.isStringLiteralLike(n) && SQL_ALL_USERS.test(n.text)) out = { site: siteOf(sf, path, n), text: short(n.text) };
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(strip(n.expression))) {
      const c = strip(n.expression) as ts.PropertyAccessExpression;
      const recv = lastName(c.expression);
      const a0 = n.arguments[0] && strip(n.arguments[0]);
      const unfiltered = !a0 || (ts.isObjectLiteralExpression(a0) && (c.name.text === 'find' ? a0.properties.length === 0 : !a0.properties.some((p) => p.name && propName(p.name) === 'where')));
      if (LIST_ALL_METHODS.has(c.name.text) && recv && USER_RECORD.test(recv) && n.arguments.length <= 1 && unfiltered) out = { site: siteOf(sf, path, n), text: short(n.getText(sf)) };
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return out;
}

/**
 * A handler that only hands its request on (`(req, res) => ctl.close(req, res)`): the method it calls, when
 * declared in the same file (a class method of a `new`-made instance, or a function).
 */
function delegate(sf: ts.SourceFile, fn: ts.Node, resolve: HelperResolver | undefined, path: string): ReturnType<HelperResolver> {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  let body: ts.Node = fn.body;
  if (ts.isBlock(body)) {
    if (body.statements.length !== 1) return undefined;
    const st = body.statements[0];
    body = ts.isReturnStatement(st) && st.expression ? st.expression : ts.isExpressionStatement(st) ? st.expression : st;
  }
  const call = strip(body as ts.Expression);
  if (!ts.isCallExpression(call) || !fn.parameters.length) return undefined;
  const names = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
  if (!call.arguments.every((a, i) => ts.isIdentifier(a) && a.text === names[i])) return undefined;
  const callee = strip(call.expression);
  if (ts.isIdentifier(callee)) return resolve?.(path, callee.text);
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return undefined;
  // `const ctl = new Ctl()` … `class Ctl { close(req, res) {…} }`
  const instance = callee.expression.text;
  let cls: string | undefined;
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text === instance && d.initializer && ts.isNewExpression(d.initializer) && ts.isIdentifier(d.initializer.expression)) cls = d.initializer.expression.text;
    }
  }
  const decl = cls && sf.statements.find((st): st is ts.ClassDeclaration => ts.isClassDeclaration(st) && st.name?.text === cls);
  const method = decl && decl.members.find((m) => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === callee.name.text && !!m.body);
  return method ? { sf, path, node: method } : undefined;
}

/** Syntactic facts of one function (a handler, middleware, a resolver, or a helper they call). */
export function functionFacts(sf: ts.SourceFile, path: string, fn: ts.Node, name: string, opts: FactsOptions = {}): FnFacts {
  const depth = opts.depth ?? 0;
  const target = depth === 0 && !opts.delegated ? delegate(sf, fn, opts.resolve, path) : undefined;
  if (target && target.node !== fn && isFunctionNode(target.node)) {
    const f = functionFacts(target.sf, target.path, target.node, name, { ...opts, delegated: true });
    return { ...f, site: siteOf(sf, path, fn) };
  }
  const params = paramNames(fn);
  /** Local names bound to the identity (`const user = req.user`, `const { role } = req.user`, a resolver's `{ user }` context). */
  const identityVars = new Set<string>(opts.identityParams ?? []);
  for (const d of destructuredParams(fn)) {
    params.add(d.local);
    if (IDENTITY_NAMES.has(d.key)) identityVars.add(d.local);
  }
  const continuing: NonNullable<FnFacts['refusalsThatContinue']> = [];
  let muted = 0;
  let refusal: Site | undefined;
  /**
   * `requireUser(ctx)`: a helper handed the request or context that refuses anonymous callers, read where the
   * front end resolves it, else recognised by its name (AUTH_HELPER_NAME). 'continues': it refuses by answering
   * (a redirect, a 401), and this function discards its result and goes on.
   */
  const helperAuthenticates = (call: ts.CallExpression): 'yes' | 'continues' | 'no' => {
    if (!call.arguments.some((a) => { const c = chain(a); return !!c && params.has(c[0]); })) return 'no';
    const callee = strip(call.expression);
    const decl = ts.isIdentifier(callee) && depth === 0 ? opts.resolve?.(path, callee.text) : undefined;
    if (decl && decl.node !== fn && isFunctionNode(decl.node)) {
      // The helper's parameters that receive the user (`needUser(user)`) are the user there too.
      const passed = (decl.node as ts.FunctionLikeDeclaration).parameters.flatMap((p, i) => {
        const c = call.arguments[i] && chain(call.arguments[i]);
        return ts.isIdentifier(p.name) && c && isIdentityChain(c) ? [p.name.text] : [];
      });
      const f = functionFacts(decl.sf, decl.path, decl.node, (callee as ts.Identifier).text, { depth: depth + 1, identityParams: passed });
      if (!(f.readsIdentity && f.denies)) return 'no';
      let up: ts.Node = call.parent;
      while (ts.isAwaitExpression(up) || ts.isParenthesizedExpression(up)) up = up.parent;
      if (f.refusal && ts.isExpressionStatement(up) && followedByMore(up, fn)) {
        // A helper that says whether it refused (`return false`) leaves stopping to its callers: this call is the flaw.
        const call_ = siteOf(sf, path, up);
        continuing.push({ call: call_, helper: (callee as ts.Identifier).text, refusal: f.refusal, flaw: returnsValue(decl.node) ? call_ : f.refusal });
        return 'continues';
      }
      return 'yes';
    }
    const last = lastName(call.expression);
    return last && AUTH_HELPER_NAME.test(last) ? 'yes' : 'no';
  };
  let readsIdentity = false;
  let denies = false;
  let checksRole = false;
  const isIdentityChain = (c: string[] | undefined): boolean => {
    if (!c) return false;
    if (identityVars.has(c[0])) return true;
    return params.has(c[0]) && c.length > 1 && IDENTITY_NAMES.has(c[1]);
  };
  const mentionsIdentity = (e: ts.Node): boolean => {
    if ((ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isIdentifier(e)) && isIdentityChain(chain(e as ts.Expression))) return true;
    return !!ts.forEachChild(e, (c) => mentionsIdentity(c) || undefined);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && n.initializer && isIdentityChain(chain(n.initializer))) {
      if (ts.isIdentifier(n.name)) identityVars.add(n.name.text);
      else if (ts.isObjectBindingPattern(n.name)) {
        for (const el of n.name.elements) if (ts.isIdentifier(el.name)) identityVars.add(el.name.text);
      }
    }
    if (ts.isVariableDeclaration(n) && n.initializer && ts.isObjectBindingPattern(n.name)) {
      const c = chain(n.initializer);
      if (c && params.has(c[0])) for (const el of n.name.elements) {
        const key = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : ts.isIdentifier(el.name) ? el.name.text : '';
        if (IDENTITY_NAMES.has(key) && ts.isIdentifier(el.name)) (identityVars.add(el.name.text), (readsIdentity = true));
      }
    }
    if (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) {
      const c = chain(n);
      if (isIdentityChain(c)) {
        readsIdentity = true;
        if (c!.some((m, i) => i > 0 && ROLE_PATH.test(m) && !IDENTITY_NAMES.has(m))) checksRole = true;
      }
      if (c && c.some((m) => /^authorization$/i.test(m))) readsIdentity = true;
    }
    if (ts.isIdentifier(n) && identityVars.has(n.text) && ROLE_WORDS.test(n.text)) checksRole = true;
    if (ts.isStringLiteralLike(n) && AUTH_STRINGS.test(n.text)) readsIdentity = true;
    if (ts.isCallExpression(n)) {
      const helper = helperAuthenticates(n);
      if (helper === 'yes') readsIdentity = denies = true;
      if (helper === 'continues') readsIdentity = true;
      const callee = lastName(n.expression);
      if (callee && AUTH_CALLS.test(callee)) readsIdentity = true;
      if (callee && REQUIRE_AUTH_CALLS.test(callee)) readsIdentity = denies = true;
      if (callee && ROLE_CALLS.test(callee)) checksRole = true;
      if (!muted && callee === 'redirect' && n.arguments.some((a) => literalMentions(a, /login|signin|sign-in/))) denies = true;
    }
    // `if (!context.user) throw new Error(…)`: a GraphQL resolver (or a service) refuses by throwing.
    if (ts.isIfStatement(n) && throws(n.thenStatement) && mentionsIdentity(n.expression)) readsIdentity = denies = true;
    // `if (!req.session.user) res.redirect('/login')`: where it refuses by answering, and whether it stops there.
    if (ts.isIfStatement(n) && mentionsIdentity(n.expression) && refusesByResponse(n.thenStatement)) {
      const then = n.thenStatement;
      const answer = siteOf(sf, path, ts.isBlock(then) && then.statements.length ? then.statements[0] : then);
      refusal ??= answer;
      if (!stops(then) && followedByMore(n, fn)) {
        // The handler goes on after answering: that refusal protects nothing (its deny words do not count).
        continuing.push({ call: siteOf(sf, path, n), helper: '', refusal: answer, flaw: answer });
        visit(n.expression);
        muted++;
        visit(n.thenStatement);
        muted--;
        if (n.elseStatement) visit(n.elseStatement);
        return;
      }
    }
    if (!muted && ts.isNumericLiteral(n) && DENY_STATUS.has(n.text)) denies = true;
    if (!muted && ts.isIdentifier(n) && DENY_NAMES.test(n.text)) denies = true;
    if (!muted && ts.isStringLiteralLike(n) && DENY_NAMES.test(n.text.replace(/\s+/g, ''))) denies = true;
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return {
    readsIdentity,
    denies,
    checksRole: checksRole && readsIdentity,
    site: siteOf(sf, path, fn),
    name,
    ...(refusal ? { refusal } : {}),
    ...(continuing.length ? { refusalsThatContinue: continuing } : {}),
    ...(depth === 0 ? exposureFacts(sf, path, fn, params) : {}),
  };
}

// ---------------------------------------------------------------- models

function objectFields(sf: ts.SourceFile, o: ts.Expression | undefined): { name: string; line: number }[] {
  if (!o) return [];
  const e = strip(o);
  if (!ts.isObjectLiteralExpression(e)) return [];
  const out: { name: string; line: number }[] = [];
  for (const p of e.properties) {
    if (!(ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
    out.push({ name: p.name.text, line: sf.getLineAndCharacterOfPosition(p.getStart(sf)).line + 1 });
  }
  return out;
}

function modelsOf(mod: ModuleInfo): ModelDef[] {
  const { sf, path } = mod;
  const text = sf.text;
  if (!/Schema|define|init\(|@Entity|model\(/.test(text)) return [];
  const out: ModelDef[] = [];
  const schemas = new Map<string, { fields: { name: string; line: number }[]; line: number }>();
  const line = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (n: ts.Node): void => {
    // const orderSchema = new Schema({...}) / new mongoose.Schema({...})
    if (ts.isNewExpression(n) && lastName(n.expression) === 'Schema') {
      const fields = objectFields(sf, n.arguments?.[0]);
      const decl = n.parent && ts.isVariableDeclaration(n.parent) && ts.isIdentifier(n.parent.name) ? n.parent.name.text : undefined;
      if (decl) schemas.set(decl, { fields, line: line(n) });
      else out.push({ name: '', file: path, line: line(n), fields });
    }
    if (ts.isCallExpression(n)) {
      const callee = lastName(n.expression);
      const [a0, a1] = n.arguments;
      // mongoose.model('Order', orderSchema)
      if (callee === 'model' && a0 && ts.isStringLiteralLike(a0) && a1) {
        const s = ts.isIdentifier(a1) ? schemas.get(a1.text) : undefined;
        const inline = ts.isNewExpression(a1) ? objectFields(sf, a1.arguments?.[0]) : undefined;
        if (s || inline) out.push({ name: a0.text, file: path, line: s?.line ?? line(n), fields: s?.fields ?? inline! });
      }
      // sequelize.define('Order', {...})
      if (callee === 'define' && a0 && ts.isStringLiteralLike(a0) && a1) out.push({ name: a0.text, file: path, line: line(n), fields: objectFields(sf, a1) });
      // class Order extends Model {}; Order.init({...}, { sequelize })
      if (callee === 'init' && ts.isPropertyAccessExpression(n.expression) && ts.isIdentifier(n.expression.expression) && a0 && ts.isObjectLiteralExpression(a0)) {
        out.push({ name: n.expression.expression.text, file: path, line: line(n), fields: objectFields(sf, a0) });
      }
    }
    // @Entity() class Order { @Column() userId: number }
    if (ts.isClassDeclaration(n) && n.name && (ts.getDecorators(n) ?? []).some((d) => lastName(d.expression) === 'Entity')) {
      const fields = n.members.filter(ts.isPropertyDeclaration).filter((m) => ts.isIdentifier(m.name)).map((m) => ({ name: (m.name as ts.Identifier).text, line: line(m) }));
      out.push({ name: n.name.text, file: path, line: line(n), fields });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  // A schema exported without a model() call (models registered elsewhere) is still named by its variable.
  for (const [v, s] of schemas) if (!out.some((m) => m.line === s.line)) out.push({ name: v.replace(/Schema$/i, ''), file: path, line: s.line, fields: s.fields });
  return out;
}

// ---------------------------------------------------------------- front-end calls

function urlText(e: ts.Expression | undefined): string | undefined {
  if (!e) return undefined;
  const s = strip(e);
  if (ts.isStringLiteralLike(s)) return s.text;
  if (ts.isTemplateExpression(s)) return s.head.text + s.templateSpans.map((sp) => `\u0000${sp.literal.text}`).join('');
  if (ts.isBinaryExpression(s) && s.operatorToken.kind === ts.SyntaxKind.PlusToken) return `${urlText(s.left) ?? '\u0000'}${urlText(s.right) ?? '\u0000'}`;
  return undefined;
}

function httpCall(n: ts.CallExpression): { url: string; method?: string } | undefined {
  const c = strip(n.expression);
  if (ts.isIdentifier(c) && c.text === 'fetch') {
    const url = urlText(n.arguments[0]);
    if (!url) return undefined;
    let method = 'get';
    const opts = n.arguments[1] && strip(n.arguments[1]);
    if (opts && ts.isObjectLiteralExpression(opts)) {
      for (const p of opts.properties) {
        if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'method' && ts.isStringLiteralLike(p.initializer)) method = p.initializer.text.toLowerCase();
      }
    }
    return { url, method };
  }
  if (ts.isPropertyAccessExpression(c) && CLIENT_HTTP_METHODS[c.name.text] && CLIENT_HTTP_RECEIVER.test(lastName(c.expression) ?? '')) {
    const url = urlText(n.arguments[0]);
    return url ? { url, method: CLIENT_HTTP_METHODS[c.name.text] } : undefined;
  }
  return undefined;
}

const isRoleCondition = (sf: ts.SourceFile, e: ts.Node): boolean => {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if ((ts.isIdentifier(n) && ROLE_WORDS.test(n.text)) || (ts.isStringLiteralLike(n) && /^(admin|administrator|superuser|staff|moderator)$/i.test(n.text))) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(e);
  return found && e.getText(sf).length < 300;
};

/** The role condition a node runs under, within its file (JSX `cond && …`, `cond ? … : …`, `if (cond)`). */
function guardOf(sf: ts.SourceFile, n: ts.Node): ts.Expression | undefined {
  for (let child: ts.Node = n, p = n.parent; p; child = p, p = p.parent) {
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && child === p.right && isRoleCondition(sf, p.left)) return p.left;
    if (ts.isConditionalExpression(p) && child === p.whenTrue && isRoleCondition(sf, p.condition)) return p.condition;
    if (ts.isIfStatement(p) && child === p.thenStatement && isRoleCondition(sf, p.expression)) return p.expression;
  }
  return undefined;
}

function clientCallsOf(mod: ModuleInfo): ClientCall[] {
  const { sf, path } = mod;
  const out: ClientCall[] = [];
  // Functions (by name) that make HTTP calls, so `onClick={deleteUser}` under a role check counts.
  const callers = new Map<string, { call: ts.CallExpression; http: { url: string; method?: string } }[]>();
  const calls: { call: ts.CallExpression; http: { url: string; method?: string } }[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const http = httpCall(n);
      if (http) calls.push({ call: n, http });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  for (const c of calls) {
    for (let p: ts.Node | undefined = c.call.parent; p; p = p.parent) {
      if (!isFunctionNode(p)) continue;
      const name = ts.isFunctionDeclaration(p) && p.name ? p.name.text : ts.isVariableDeclaration(p.parent) && ts.isIdentifier(p.parent.name) ? p.parent.name.text : undefined;
      if (name) (callers.get(name) ?? callers.set(name, []).get(name)!).push(c);
      break;
    }
  }
  const add = (c: { call: ts.CallExpression; http: { url: string; method?: string } }, guard: ts.Expression) => {
    if (out.some((o) => o.site.line === siteOf(sf, path, c.call).line && o.site.column === siteOf(sf, path, c.call).column)) return;
    out.push({ site: siteOf(sf, path, c.call), url: c.http.url, method: c.http.method, guard: { text: short(guard.getText(sf), 80), site: siteOf(sf, path, guard) }, callText: short(c.call.getText(sf)) });
  };
  for (const c of calls) {
    const g = guardOf(sf, c.call);
    if (g) add(c, g);
  }
  if (callers.size) {
    const refs = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && callers.has(n.text) && !(ts.isVariableDeclaration(n.parent) || ts.isFunctionDeclaration(n.parent))) {
        const g = guardOf(sf, n);
        if (g) for (const c of callers.get(n.text)!) add(c, g);
      }
      ts.forEachChild(n, refs);
    };
    refs(sf);
  }
  return out;
}

// ---------------------------------------------------------------- the facts object

/** Prisma schema files (`model Order { id Int @id  ownerId Int … }`): a declarative schema, read block by block. */
export function prismaModels(path: string, text: string): ModelDef[] {
  const out: ModelDef[] = [];
  let current: ModelDef | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const words = line.split(/\s+/);
    if (!current && words[0] === 'model' && words[1] && line.endsWith('{')) {
      current = { name: words[1], file: path, line: i + 1, fields: [] };
      return;
    }
    if (!current) return;
    if (line.startsWith('}')) {
      out.push(current);
      current = undefined;
      return;
    }
    if (words[0] && !words[0].startsWith('@') && /^[A-Za-z_]\w*$/.test(words[0])) current.fields.push({ name: words[0], line: i + 1 });
  });
  return out;
}

/**
 * The access facts of `modules`, read lazily into `files` (access-memo.ts: kept for the next analysis of the
 * repository where still valid). `moduleValue(from, spec)`: what `require(spec)` in `from` evaluates to (the front
 * end's module values), to find the helper an imported name refers to.
 */
export function createAccessFacts(
  modules: Map<string, ModuleInfo>,
  files: AccessFiles,
  fnName: (fn: FnRef) => string,
  sources?: SourceFiles,
  moduleValue?: (from: string, spec: string) => Value,
): AccessFacts {
  let models: ModelDef[] | undefined;
  let client: ClientCall[] | undefined;
  const propertyCalls = (mod: ModuleInfo): ts.CallExpression[] => {
    const t = files.of(mod);
    if (!t.propertyCalls) {
      const found: ts.CallExpression[] = [];
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(strip(n.expression))) found.push(n);
        ts.forEachChild(n, visit);
      };
      visit(mod.sf);
      t.propertyCalls = found;
    }
    return t.propertyCalls;
  };
  const nodeOf = (v: Value | undefined) => {
    const fn = v?.fns?.[0];
    const mod = fn && modules.get(fn.file);
    return fn && mod && fn.node && typeof (fn.node as ts.Node).getStart === 'function' ? { sf: mod.sf, path: mod.path, node: fn.node as ts.Node } : undefined;
  };
  const resolve: HelperResolver = (path, name) => {
    const mod = modules.get(path);
    if (!mod) return undefined;
    const t = files.of(mod);
    const local = (t.locals ??= localFunctions(mod.sf)).get(name);
    if (local) return { sf: mod.sf, path, node: local };
    if (!moduleValue) return undefined;
    // `import check from './auth'`, `import { check } from './auth'`
    const b = mod.imports.get(name);
    if (b && b.target.kind === 'file') {
      const ns = moduleValue(path, `/${b.target.path}`);
      return nodeOf(b.imported === 'default' ? ns.props?.get('default') ?? ns : b.imported === 'namespace' ? undefined : ns.props?.get(b.imported));
    }
    // `const check = require('./auth')`, `const { check } = require('./auth')`
    for (const st of mod.sf.statements) {
      if (!ts.isVariableStatement(st)) continue;
      for (const d of st.declarationList.declarations) {
        const spec = d.initializer && requireSpecifier(strip(d.initializer));
        if (!spec) continue;
        if (ts.isIdentifier(d.name) && d.name.text === name) return nodeOf(moduleValue(path, spec));
        if (ts.isObjectBindingPattern(d.name)) {
          for (const el of d.name.elements) {
            if (!ts.isIdentifier(el.name) || el.name.text !== name) continue;
            const key = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : name;
            return nodeOf(moduleValue(path, spec).props?.get(key));
          }
        }
      }
    }
    return undefined;
  };
  return {
    callAt(site) {
      const mod = modules.get(site.file);
      if (!mod) return undefined;
      const shapes = files.of(mod).shapes;
      const key = `${site.line}:${site.column}:${site.endLine ?? ''}:${site.endColumn ?? ''}`;
      if (shapes.has(key)) return shapes.get(key);
      const call = findCall(mod.sf, site);
      const shape = call && ts.isCallExpression(call) ? shapeOf(mod.sf, mod.path, call) : undefined;
      shapes.set(key, shape);
      return shape;
    },
    callsOn(file, receiver, methods) {
      const mod = modules.get(file);
      if (!mod) return [];
      const out: CallShape[] = [];
      for (const call of propertyCalls(mod)) {
        const c = strip(call.expression) as ts.PropertyAccessExpression;
        if (!methods.includes(c.name.text) || lastName(c.expression) !== receiver) continue;
        const shape = shapeOf(mod.sf, mod.path, call);
        if (shape) out.push(shape);
      }
      return out;
    },
    fnFacts(fn) {
      const node = fn.node as ts.Node;
      const mod = modules.get(fn.file);
      if (!mod || !node || typeof (node as ts.Node).getStart !== 'function') return undefined;
      const facts = files.of(mod).fnFacts;
      let f = facts.get(node);
      if (!f) {
        f = functionFacts(mod.sf, mod.path, node, fnName(fn), { resolve });
        facts.set(node, f);
      }
      return f;
    },
    models() {
      if (!models) {
        models = [...modules.values()].flatMap((mod) => (files.of(mod).models ??= modelsOf(mod)));
        for (const p of sources?.paths() ?? []) if (p.endsWith('.prisma') && !/(^|\/)node_modules\//.test(p)) models.push(...prismaModels(p, sources!.read(p) ?? ''));
      }
      return models;
    },
    clientCalls() {
      if (!client) client = [...modules.values()].filter((m) => CLIENT_PATH.test(m.path)).flatMap((mod) => (files.of(mod).clientCalls ??= clientCallsOf(mod)));
      return client;
    },
    edit(file, edits, description): Patch | undefined {
      const mod = modules.get(file);
      if (!mod) return undefined;
      const sf = mod.sf;
      const pos = (l: number, c: number) => sf.getPositionOfLineAndCharacter(l - 1, c - 1);
      try {
        const after = applyEdits(sf.text, edits.map((e) => ({ start: pos(e.line, e.column), end: pos(e.endLine, e.endColumn), text: e.text })));
        if (after === sf.text || !parses(file, after)) return undefined;
        return { file, diff: createUnifiedDiff(file, sf.text, after), description };
      } catch {
        return undefined; // overlapping edits: no mechanical fix
      }
    },
  };
}
