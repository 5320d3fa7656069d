// The JavaScript/TypeScript side of access-control/facts.ts RequestFacts and ProjectFacts: what a handler
// or middleware body does with the request (reads a cookie or session, checks a CSRF token, changes state,
// checks a password, counts attempts, reads a forwarding header), and project-wide cookie/GraphQL facts.
// A light syntactic pass over trees already parsed; the conventions are data in models/web-app.ts.
import ts from 'typescript';
import { unwrapAwait as strip } from './syntax.js';
import type { AccessFacts, ProjectFacts, RequestFacts } from '../access-control/facts.js';
import type { SourceFiles } from '../../../model.js';
import {
  ATTEMPT_COUNTER, COOKIE_HEADER, COOKIE_MEMBERS, COOKIE_READ_CALLS, CREDENTIAL_FIELD, CSRF_TOKEN_NAME, GRAPHQL_MUTATION_DECL, HEADER_CREDENTIAL,
  NON_STATE_METHOD, NON_STATE_RECEIVER, ORIGIN_HEADERS, PASSWORD_CHECK_CALL, PASSWORD_CHECK_METHOD, PASSWORD_CHECK_RECEIVER, PASSWORD_FILTER_FIELD,
  PASSWORD_SQL, SAMESITE_PROTECTIVE, SPOOFABLE_IP_HEADERS, STATE_CHANGE_VERB, WRITE_METHODS, WRITE_SQL,
} from '../models/web-app.js';
import { AUTH_COOKIE_NAME } from '../models/checks.js';
import type { Site } from '../values.js';
import { chain, lastName, paramNames, siteOf } from './access-facts.js';
import type { ModuleInfo } from './modules.js';
import type { AccessFiles } from './access-memo.js';

const short = (t: string, max = 80) => {
  const s = t.replace(/\s+/g, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/** Library helpers whose names start like a state change but only build values (`createHash`, `setTimeout`). */
const BUILDER = /^(create(Hash|Hmac|Cipher|Decipher|Read|Write|Server|Connection|Pool|Client|Transport|Element|Error|Context|Sign|Verify|Require|Interface|Logger|Token|Jwt|Router|App|Schema|Store|Selector|Slice)|set(Timeout|Interval|Immediate|Header|Status|Encoding|Locale|Cookie|State)|add(EventListener|Listener|Header|Hook))/;

/** The text of a string or template literal (template holes as U+0000). */
function literalText(n: ts.Node): string | undefined {
  if (ts.isStringLiteralLike(n)) return n.text;
  if (ts.isTemplateExpression(n)) return n.head.text + n.templateSpans.map((s) => `\u0000${s.literal.text}`).join('');
  return undefined;
}

/** A condition that compares `n` with something other than undefined/null, or tests it against a list. */
function comparedWithValue(n: ts.Node): boolean {
  const p = n.parent;
  if (!p) return false;
  if (ts.isBinaryExpression(p) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(p.operatorToken.kind)) {
    const other = strip(p.left === n ? p.right : p.left);
    return !(other.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(other) && other.text === 'undefined'));
  }
  if (ts.isCallExpression(p) && p.arguments.includes(n as ts.Expression)) return /^(includes|has|indexOf|test|startsWith|some|match)$/.test(lastName(p.expression) ?? '');
  if (ts.isPropertyAccessExpression(p) && p.expression === n) return /^(startsWith|endsWith|includes|match)$/.test(p.name.text);
  return false;
}

/** Request facts of one function body; `fn` is the handler or middleware node. */
export function requestFactsOf(sf: ts.SourceFile, path: string, fn: ts.Node): RequestFacts {
  const params = paramNames(fn);
  const out: RequestFacts = { headerAuth: false, attemptCounter: false };
  const at = (n: ts.Node) => siteOf(sf, path, n);
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || (ts.isCallExpression(n) && ts.isPropertyAccessExpression(strip(n.expression)))) {
      // Only the outermost access of a chain is judged (its members include the inner ones).
      const parentChain = n.parent && (ts.isPropertyAccessExpression(n.parent) || ts.isElementAccessExpression(n.parent)) && n.parent.expression === n;
      const c = parentChain ? undefined : chain(n as ts.Expression);
      if (c && params.has(c[0]) && c.length > 1) {
        const members = c.slice(1);
        const lower = members.map((m) => m.toLowerCase());
        if (!out.cookieAuth && (members.some((m) => COOKIE_MEMBERS.has(m)) || lower.includes(COOKIE_HEADER))) out.cookieAuth = at(n);
        if (lower.some((m) => HEADER_CREDENTIAL.test(m))) out.headerAuth = true;
        if (!out.csrfCheck && (members.some((m) => CSRF_TOKEN_NAME.test(m)) || (ORIGIN_HEADERS.test(members[members.length - 1]) && comparedWithValue(n)))) out.csrfCheck = at(n);
        const spoof = members.find((m) => SPOOFABLE_IP_HEADERS.test(m));
        if (spoof && !out.spoofableHeader) out.spoofableHeader = { site: at(n), header: spoof.toLowerCase() };
      }
    }
    if (ts.isCallExpression(n)) call(n);
    if (ts.isObjectLiteralExpression(n)) filterByPassword(n);
    const text = literalText(n);
    if (text !== undefined) {
      if (!out.write && WRITE_SQL.test(text)) out.write = { site: at(n), text: short(text) };
      if (!out.credentialCheck && PASSWORD_SQL.test(text)) out.credentialCheck = { site: at(n), text: short(text) };
      if (!out.csrfCheck && CSRF_TOKEN_NAME.test(text) && !/^x-requested-with$|^sec-fetch-site$/i.test(text) && text.length < 40 && n.parent && (ts.isElementAccessExpression(n.parent) || ts.isCallExpression(n.parent))) out.csrfCheck = at(n);
    }
    if ((ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) && ATTEMPT_COUNTER.test(n.text)) out.attemptCounter = true;
    ts.forEachChild(n, visit);
  };
  const call = (n: ts.CallExpression): void => {
    const callee = strip(n.expression);
    const name = lastName(callee);
    if (!name) return;
    const receiver = ts.isPropertyAccessExpression(callee) ? lastName(callee.expression) : undefined;
    if (!out.cookieAuth && ts.isIdentifier(callee) && COOKIE_READ_CALLS.has(name)) out.cookieAuth = at(n);
    if (n.arguments.some((a) => ts.isIdentifier(a) && params.has(a.text))) (out.delegates ??= []).includes(name) || out.delegates.push(name);
    if (!out.credentialCheck) {
      const lib = receiver !== undefined && PASSWORD_CHECK_CALL.test(name) && PASSWORD_CHECK_RECEIVER.test(receiver);
      const helper = PASSWORD_CHECK_METHOD.test(name);
      // passport.authenticate('local'): a username/password strategy checks the password.
      const a0 = n.arguments[0] && strip(n.arguments[0]);
      const strategy = name === 'authenticate' && !!a0 && ts.isStringLiteralLike(a0) && /^(local|ldapauth|basic|digest)$/i.test(a0.text);
      if (lib || helper || strategy) out.credentialCheck = { site: at(n), text: short(n.getText(sf)) };
    }
    if (!out.write && (receiver === undefined || !NON_STATE_RECEIVER.test(receiver)) && !BUILDER.test(name)) {
      const dataWrite = receiver !== undefined && WRITE_METHODS.has(name);
      const verb = STATE_CHANGE_VERB.test(name) && !NON_STATE_METHOD.test(name);
      if (dataWrite || verb) out.write = { site: at(n), text: short(n.getText(sf)) };
    }
  };
  /** `{ username, password: md5(pw) }` passed to a lookup: the database compares the password. */
  const filterByPassword = (o: ts.ObjectLiteralExpression): void => {
    if (out.credentialCheck) return;
    const prop = o.properties.find((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && PASSWORD_FILTER_FIELD.test(p.name.text));
    if (!prop) return;
    if (ts.isPropertyAssignment(prop) && ts.isStringLiteralLike(strip(prop.initializer))) return;
    for (let p: ts.Node | undefined = o.parent, depth = 0; p && depth < 4; p = p.parent, depth++) {
      if (ts.isCallExpression(p)) {
        const m = lastName(p.expression) ?? '';
        if (/^(find|select|where|get|count|exists|one|first)/i.test(m)) out.credentialCheck = { site: at(p), text: short(p.getText(sf)) };
        return;
      }
    }
  };
  visit(fn);
  return out;
}

/** The request supplies a credential: reads a field named like a password or code (for the facts' callers). */
export const isCredentialField = (name: string) => CREDENTIAL_FIELD.test(name);

/** A session or authentication cookie set with SameSite strict/lax anywhere in the module. */
function sameSiteIn(mod: ModuleInfo): { site: Site; strict: boolean } | undefined {
  if (!/samesite/i.test(mod.sf.text)) return undefined;
  let found: { site: Site; strict: boolean } | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAssignment(n) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) && n.name.text.toLowerCase() === 'samesite') {
      const v = strip(n.initializer);
      const protective = (ts.isStringLiteralLike(v) && SAMESITE_PROTECTIVE.test(v.text)) || v.kind === ts.SyntaxKind.TrueKeyword;
      const strict = v.kind === ts.SyntaxKind.TrueKeyword || (ts.isStringLiteralLike(v) && v.text.toLowerCase() === 'strict');
      if (protective && forAuthCookie(n)) found = { site: siteOf(mod.sf, mod.path, n), strict };
    }
    ts.forEachChild(n, visit);
  };
  visit(mod.sf);
  return found;
}

/** The options object belongs to session middleware, or to the setting of an authentication cookie. */
function forAuthCookie(n: ts.Node): boolean {
  for (let p: ts.Node | undefined = n.parent, depth = 0; p && depth < 6; p = p.parent, depth++) {
    if (ts.isCallExpression(p)) {
      const name = lastName(p.expression) ?? '';
      if (/session/i.test(name)) return true;
      const a0 = p.arguments[0] && strip(p.arguments[0]);
      if (/^(cookie|setCookie|set|serialize)$/.test(name) && a0 && ts.isStringLiteralLike(a0)) return AUTH_COOKIE_NAME.test(a0.text);
    }
    // A shared config object (`cookie: { sameSite: 'lax' }` in a session config module).
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && /^(cookie|session|cookies)$/i.test(p.name.text)) return true;
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name) && /session|cookie/i.test(p.name.text)) return true;
  }
  return false;
}

export function projectFactsOf(modules: Map<string, ModuleInfo>, read: (path: string) => string | undefined, paths: string[]): ProjectFacts {
  let sameSiteCookie: ProjectFacts['sameSiteCookie'];
  let graphqlMutations = false;
  for (const mod of modules.values()) {
    sameSiteCookie ??= sameSiteIn(mod);
    if (!graphqlMutations && GRAPHQL_MUTATION_DECL.test(mod.sf.text)) graphqlMutations = true;
  }
  if (!graphqlMutations) for (const p of paths) if (/\.(graphql|gql)$/.test(p) && GRAPHQL_MUTATION_DECL.test(read(p) ?? '')) graphqlMutations = true;
  const importCache = new Map<string, boolean>();
  const useCache = new Map<string, ts.CallExpression[]>();
  const usesOf = (file: string): ts.CallExpression[] => {
    let list = useCache.get(file);
    if (list) return list;
    list = [];
    const mod = modules.get(file);
    const found = list;
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(strip(n.expression)) && lastName(n.expression) === 'use') found.push(n);
      ts.forEachChild(n, visit);
    };
    if (mod && /\.use\s*\(/.test(mod.sf.text)) visit(mod.sf);
    useCache.set(file, list);
    return list;
  };
  return {
    usesIn(file, pattern) {
      const mod = modules.get(file);
      return mod ? usesOf(file).map((c) => c.arguments.map((a) => a.getText(mod.sf)).join(', ')).filter((t) => pattern.test(t)).map((t) => short(t)) : [];
    },
    sameSiteCookie,
    graphqlMutations,
    imports(module) {
      let r = importCache.get(module);
      if (r === undefined) {
        const q = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        const re = new RegExp(`(require\\(\\s*|from\\s+|import\\s*\\(\\s*)['"]${q}['"]`);
        r = [...modules.values()].some((m) => re.test(m.sf.text));
        importCache.set(module, r);
      }
      return r;
    },
  };
}

/** The function or method declared as `name` in the module (a class method, a function, a `const name = () => …`). */
function declaredFunction(sf: ts.SourceFile, name: string): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if ((ts.isMethodDeclaration(n) || ts.isFunctionDeclaration(n)) && n.name && ts.isIdentifier(n.name) && n.name.text === name && n.body) found = n;
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))) found = n.initializer;
    else ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** `facts` with request and project facts added: request facts once per function node and tree (kept in `files`), project facts once per analysis. */
export function withRequestFacts(facts: AccessFacts, modules: Map<string, ModuleInfo>, files: AccessFiles, sources?: SourceFiles): AccessFacts {
  let project: ProjectFacts | undefined;
  return {
    ...facts,
    requestFacts(fn) {
      const node = fn.node as ts.Node;
      const mod = modules.get(fn.file);
      if (!mod || !node || typeof node.getStart !== 'function') return undefined;
      const byNode = files.of(mod).requestFacts;
      let f = byNode.get(node);
      if (!f) {
        f = requestFactsOf(mod.sf, mod.path, node);
        // A thin wrapper that hands the request to a function of the same module: its facts are the wrapper's.
        for (const name of f.delegates ?? []) {
          const target = declaredFunction(mod.sf, name);
          if (!target || target === node) continue;
          const g = requestFactsOf(mod.sf, mod.path, target);
          f = { ...g, ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== false)), headerAuth: f.headerAuth || g.headerAuth, attemptCounter: f.attemptCounter || g.attemptCounter };
        }
        byNode.set(node, f);
      }
      return f;
    },
    project() {
      return (project ??= projectFactsOf(modules, (p) => sources?.read(p), sources?.paths() ?? []));
    },
    definitionText(file, name) {
      const mod = modules.get(file);
      if (!mod || !/^[\w$]+$/.test(name)) return undefined;
      const definitions = files.of(mod).definitions;
      if (definitions.has(name)) return definitions.get(name);
      let found: string | undefined;
      const visit = (n: ts.Node): void => {
        if (found !== undefined) return;
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer) found = short(n.initializer.getText(mod.sf), 120);
        else ts.forEachChild(n, visit);
      };
      visit(mod.sf);
      definitions.set(name, found);
      return found;
    },
  };
}
