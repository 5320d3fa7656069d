// The JavaScript/TypeScript side of access-control/facts.ts: registration calls as written, syntactic
// facts of middleware and handler bodies, data model definitions (Mongoose, Sequelize, TypeORM) and the
// role-guarded HTTP calls of front-end code. Light AST passes over files already parsed; each result is
// computed once per file or function.
import ts from 'typescript';
import { unwrapAwait as strip, parses } from './syntax.js';
import type { Patch, SourceFiles } from '../../../model.js';
import { createUnifiedDiff } from '../../../patches/create-diff.js';
import type { AccessFacts, CallArg, CallShape, ClientCall, FnFacts, ModelDef } from '../access-control/facts.js';
import { CLIENT_HTTP_METHODS, CLIENT_HTTP_RECEIVER, CLIENT_PATH, DENY_STATUS, IDENTITY_MEMBERS, OPTION_HOOKS, ROLE_PATH } from '../models/access-control.js';
import type { FnRef, Site } from '../values.js';
import { isFunctionNode } from './functions.js';
import { AUTH_SESSION_TYPE } from '../models/frameworks.js';
import type { ModuleInfo } from './modules.js';
import { applyEdits, findCall } from './patches/edit.js';

// Members of a handler's request/context parameter; a library session's members (`session.email`) are read off a call's result.
const IDENTITY_NAMES = new Set(IDENTITY_MEMBERS.filter((r) => !r.member.endsWith('()') && r.type !== AUTH_SESSION_TYPE).map((r) => r.member));
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

export function functionFacts(sf: ts.SourceFile, path: string, fn: ts.Node, name: string): FnFacts {
  const params = paramNames(fn);
  /** Local names bound to the identity (`const user = req.user`, `const { role } = req.user`). */
  const identityVars = new Set<string>();
  let readsIdentity = false;
  let denies = false;
  let checksRole = false;
  const isIdentityChain = (c: string[] | undefined): boolean => {
    if (!c) return false;
    if (identityVars.has(c[0])) return true;
    return params.has(c[0]) && c.length > 1 && IDENTITY_NAMES.has(c[1]);
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
      const callee = lastName(n.expression);
      if (callee && AUTH_CALLS.test(callee)) readsIdentity = true;
      if (callee && REQUIRE_AUTH_CALLS.test(callee)) readsIdentity = denies = true;
      if (callee && ROLE_CALLS.test(callee)) checksRole = true;
      if (callee === 'redirect' && n.arguments.some((a) => ts.isStringLiteralLike(a) && /login|signin|sign-in/.test(a.text))) denies = true;
    }
    if (ts.isNumericLiteral(n) && DENY_STATUS.has(n.text)) denies = true;
    if (ts.isIdentifier(n) && DENY_NAMES.test(n.text)) denies = true;
    if (ts.isStringLiteralLike(n) && DENY_NAMES.test(n.text.replace(/\s+/g, ''))) denies = true;
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return { readsIdentity, denies, checksRole: checksRole && readsIdentity, site: siteOf(sf, path, fn), name };
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

export function createAccessFacts(modules: Map<string, ModuleInfo>, fnName: (fn: FnRef) => string, files?: SourceFiles): AccessFacts {
  const usesByFile = new Map<string, ts.CallExpression[]>();
  const factsByFn = new Map<unknown, FnFacts>();
  let models: ModelDef[] | undefined;
  let client: ClientCall[] | undefined;
  const propertyCalls = (mod: ModuleInfo): ts.CallExpression[] => {
    let list = usesByFile.get(mod.path);
    if (!list) {
      const found: ts.CallExpression[] = [];
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(strip(n.expression))) found.push(n);
        ts.forEachChild(n, visit);
      };
      visit(mod.sf);
      usesByFile.set(mod.path, (list = found));
    }
    return list;
  };
  return {
    callAt(site) {
      const mod = modules.get(site.file);
      const call = mod && findCall(mod.sf, site);
      return mod && call && ts.isCallExpression(call) ? shapeOf(mod.sf, mod.path, call) : undefined;
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
      let f = factsByFn.get(node);
      if (!f) {
        const mod = modules.get(fn.file);
        if (!mod || !node || typeof (node as ts.Node).getStart !== 'function') return undefined;
        f = functionFacts(mod.sf, mod.path, node, fnName(fn));
        factsByFn.set(node, f);
      }
      return f;
    },
    models() {
      if (!models) {
        models = [...modules.values()].flatMap(modelsOf);
        for (const p of files?.paths() ?? []) if (p.endsWith('.prisma') && !/(^|\/)node_modules\//.test(p)) models.push(...prismaModels(p, files!.read(p) ?? ''));
      }
      return models;
    },
    clientCalls() {
      if (!client) client = [...modules.values()].filter((m) => CLIENT_PATH.test(m.path)).flatMap(clientCallsOf);
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
