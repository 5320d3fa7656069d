// Guards of the server sink classes, called from conditions.ts:
//  - a check on a parsed URL's host (`ALLOWED.includes(new URL(u).hostname)`, `new URL(u).origin === ORIGIN`)
//    fixes where a request to `u` goes (SSRF);
//  - rejecting the polluting key names (`if (key === '__proto__' || key === 'constructor') continue;`,
//    `if (BAD_KEYS.has(key)) continue;`) makes dynamic writes with `key` safe (prototype pollution).
import ts from 'typescript';
import { unwrapAwait as strip } from './syntax.js';
import { CONSTANT_SET_CONSTRUCTORS, POLLUTING_KEYS, URL_PARSERS } from '../models/sanitisers-server.js';
import { empty, isTainted, sanitise, type Value } from '../values.js';
import { accessPathText, evalExpr, type Ctx } from './interpreter.js';
import { declarationOf } from './sink-conditions.js';

// ---------------------------------------------------------------- URL host checks

/** `new URL(x, ...)` or `url.parse(x)`: the parsed expression x. */
function parsedFrom(ctx: Ctx, e: ts.Expression): ts.Expression | undefined {
  e = strip(e);
  if (ts.isNewExpression(e) && e.arguments?.[0]) {
    const c = evalExpr(ctx, e.expression);
    if (c.ext?.some((x) => x.module === '<global>' && x.path.length === 1 && URL_PARSERS.constructors.includes(x.path[0]))) return e.arguments[0];
  }
  if (ts.isCallExpression(e) && e.arguments[0]) {
    const c = evalExpr(ctx, e.expression);
    if (c.ext?.some((x) => URL_PARSERS.modules.some((m) => m.module === x.module && m.path.join('.') === x.path.join('.')))) return e.arguments[0];
  }
  return undefined;
}

/** The expressions whose destination a check on `subject` fixes: the raw URL and the parsed URL variable. */
function urlSources(ctx: Ctx, subject: ts.Expression, depth = 2): ts.Expression[] {
  const s = strip(subject);
  if (ts.isIdentifier(s) && depth > 0) {
    const init = declarationOf(ctx.sf, s.text, s.getStart(ctx.sf));
    return init ? urlSources(ctx, init, depth - 1) : [];
  }
  if (!ts.isPropertyAccessExpression(s) || !URL_PARSERS.hostParts.includes(s.name.text)) return [];
  const base = strip(s.expression);
  const direct = parsedFrom(ctx, base);
  if (direct) return [direct];
  if (ts.isIdentifier(base)) {
    const init = declarationOf(ctx.sf, base.text, base.getStart(ctx.sf));
    const raw = init && parsedFrom(ctx, init);
    if (raw) return [raw, base];
  }
  return [];
}

function cutAt(ctx: Ctx, e: ts.Expression, rules: string[]): void {
  const path = accessPathText(strip(e));
  if (!path) return;
  ctx.env.vars.set(`#path:${path}`, sanitise(evalExpr(ctx, e), rules));
}

/** A guard held on `subject`: when it is a parsed URL's host, the URL's destination is fixed. */
export function urlHostChecked(ctx: Ctx, subject: ts.Expression): void {
  for (const e of urlSources(ctx, subject)) cutAt(ctx, e, [...URL_PARSERS.cuts]);
}

// ---------------------------------------------------------------- polluting keys

const constantText = (v: Value) => (v.constant && v.text !== undefined ? v.text : undefined);

/** The constant strings of an array literal, `new Set([...])`, or a const bound to one. */
function constantStrings(ctx: Ctx, e: ts.Expression, depth = 2): string[] | undefined {
  const s = strip(e);
  if (ts.isArrayLiteralExpression(s)) {
    const out: string[] = [];
    for (const el of s.elements) {
      if (!ts.isStringLiteralLike(el)) return undefined;
      out.push(el.text);
    }
    return out;
  }
  if (ts.isNewExpression(s) && ts.isIdentifier(s.expression) && CONSTANT_SET_CONSTRUCTORS.includes(s.expression.text) && s.arguments?.[0]) {
    return constantStrings(ctx, s.arguments[0], depth);
  }
  if (ts.isIdentifier(s) && depth > 0) {
    const init = declarationOf(ctx.sf, s.text, s.getStart(ctx.sf));
    return init ? constantStrings(ctx, init, depth - 1) : undefined;
  }
  return undefined;
}

function exclude(ctx: Ctx, subject: ts.Expression, names: string[]): void {
  const path = accessPathText(strip(subject));
  if (!path || !names.length) return;
  const key = `#path:${path}.#excluded`;
  const props = new Map(ctx.env.vars.get(key)?.props ?? []);
  for (const n of names) props.set(n, empty());
  ctx.env.vars.set(key, { flows: [], props });
  const covered = POLLUTING_KEYS.required.every((k) => props.has(k)) && POLLUTING_KEYS.oneOf.some((k) => props.has(k));
  if (covered) cutAt(ctx, subject, ['prototype-pollution']);
}

const POLLUTING_NAMES = new Set([...POLLUTING_KEYS.required, ...POLLUTING_KEYS.oneOf]);
const EQ = [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken];
const NE = [ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken];

/**
 * Refinements of a condition `e` holding with value `truth` (after `!` was folded in): URL host equality
 * with a constant, and key names known to differ from the polluting ones.
 */
export function refineServer(ctx: Ctx, cond: ts.Expression, truth: boolean): void {
  const e = strip(cond);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const equal = (EQ.includes(op) && truth) || (NE.includes(op) && !truth);
    const differ = (EQ.includes(op) && !truth) || (NE.includes(op) && truth);
    if (!equal && !differ) return;
    const l = strip(e.left);
    const r = strip(e.right);
    for (const [subject, other] of [[l, r], [r, l]] as const) {
      if (!ts.isStringLiteralLike(other) && !ts.isIdentifier(other) && !ts.isPropertyAccessExpression(other)) continue;
      const ov = evalExpr(ctx, other);
      const text = constantText(ov) ?? (ts.isIdentifier(other) && !isTainted(ov) && ov.text !== undefined && !ov.text.includes('\u0000') ? ov.text : undefined);
      if (text === undefined) continue;
      if (equal) urlHostChecked(ctx, subject);
      if (differ && POLLUTING_NAMES.has(text)) exclude(ctx, subject, [text]);
    }
    return;
  }
  // `if (isUnsafeKey(key)) continue;`: a predicate helper whose result says whether its parameter is one of
  // the polluting names (the usual shape of a fix); resolved through the called function's own body.
  if (ts.isCallExpression(e) && e.arguments.length) {
    for (const fn of evalExpr(ctx, e.expression).fns ?? []) {
      const excluded = helperExclusions(fn.node as ts.Node, truth);
      if (!excluded) continue;
      for (const [index, names] of excluded) if (e.arguments[index]) exclude(ctx, e.arguments[index], names);
      return;
    }
  }
  // `!BAD_KEYS.includes(key)` / `!BAD_KEYS.has(key)`: in the false branch the key is none of them.
  if (ts.isCallExpression(e) && !truth && ts.isPropertyAccessExpression(e.expression) && ['includes', 'has'].includes(e.expression.name.text) && e.arguments[0]) {
    const names = constantStrings(ctx, e.expression.expression);
    if (names) exclude(ctx, e.arguments[0], names.filter((n) => POLLUTING_NAMES.has(n)));
  }
}

/** The returned expression of a function that is one `return e` (or an arrow with an expression body). */
function returnedExpression(fn: ts.Node): ts.Expression | undefined {
  if (!ts.isFunctionDeclaration(fn) && !ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn)) return undefined;
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return body;
  const stmts = body.statements;
  return stmts.length === 1 && ts.isReturnStatement(stmts[0]) && stmts[0].expression ? stmts[0].expression : undefined;
}

/**
 * For a predicate helper (`function isUnsafe(k) { return k === '__proto__' || k === 'constructor'; }`), the
 * polluting names each parameter is known to differ from when the call's result is `truth`; undefined when
 * the helper is not such a predicate. Purely syntactic: the helper's body names its own parameters only.
 */
function helperExclusions(fn: ts.Node, truth: boolean): Map<number, string[]> | undefined {
  const ret = returnedExpression(fn);
  if (!ret) return undefined;
  const params = (fn as ts.FunctionLikeDeclaration).parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
  const out = new Map<number, string[]>();
  const add = (param: string, names: string[]) => {
    const i = params.indexOf(param);
    const bad = names.filter((n) => POLLUTING_NAMES.has(n));
    if (i < 0 || !bad.length) return;
    out.set(i, [...(out.get(i) ?? []), ...bad]);
  };
  const literals = (x: ts.Expression): string[] | undefined => {
    const a = strip(x);
    if (!ts.isArrayLiteralExpression(a)) return undefined;
    return a.elements.every(ts.isStringLiteralLike) ? a.elements.map((el) => (el as ts.StringLiteral).text) : undefined;
  };
  const visit = (x: ts.Expression, t: boolean): void => {
    const s = strip(x);
    if (ts.isParenthesizedExpression(s)) return visit(s.expression, t);
    if (ts.isPrefixUnaryExpression(s) && s.operator === ts.SyntaxKind.ExclamationToken) return visit(s.operand, !t);
    if (ts.isBinaryExpression(s)) {
      const op = s.operatorToken.kind;
      // Known false: every disjunct is false; known true: every conjunct is true.
      if ((op === ts.SyntaxKind.BarBarToken && !t) || (op === ts.SyntaxKind.AmpersandAmpersandToken && t)) {
        visit(s.left, t);
        visit(s.right, t);
        return;
      }
      const differ = (EQ.includes(op) && !t) || (NE.includes(op) && t);
      if (!differ) return;
      const [l, r] = [strip(s.left), strip(s.right)];
      if (ts.isIdentifier(l) && ts.isStringLiteralLike(r)) add(l.text, [r.text]);
      else if (ts.isIdentifier(r) && ts.isStringLiteralLike(l)) add(r.text, [l.text]);
      return;
    }
    // ['__proto__', 'constructor'].includes(k) known false: k is none of them.
    if (ts.isCallExpression(s) && !t && ts.isPropertyAccessExpression(s.expression) && s.expression.name.text === 'includes' && s.arguments[0] && ts.isIdentifier(strip(s.arguments[0]))) {
      const names = literals(s.expression.expression);
      if (names) add((strip(s.arguments[0]) as ts.Identifier).text, names);
    }
  };
  visit(ret, truth);
  return out.size ? out : undefined;
}
