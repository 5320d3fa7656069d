// Guards of the server sink classes, called from conditions.ts:
//  - a check on a parsed URL's host (`ALLOWED.includes(new URL(u).hostname)`, `new URL(u).origin === ORIGIN`)
//    fixes where a request to `u` goes (SSRF);
//  - rejecting the polluting key names (`if (key === '__proto__' || key === 'constructor') continue;`,
//    `if (BAD_KEYS.has(key)) continue;`) makes dynamic writes with `key` safe (prototype pollution).
import ts from 'typescript';
import { unwrapAwait as strip, accessPathText } from './syntax.js';
import { CONSTANT_SET_CONSTRUCTORS, POLLUTING_KEYS, URL_PARSERS } from '../models/sanitisers-server.js';
import { empty, isTainted, sanitise, type Value } from '../values.js';
import type { Ctx } from './context.js';
import { declarationOf } from './sink-conditions.js';

// ---------------------------------------------------------------- URL host checks

/** `new URL(x, ...)` or `url.parse(x)`: the parsed expression x. */
function parsedFrom(ctx: Ctx, e: ts.Expression): ts.Expression | undefined {
  e = strip(e);
  if (ts.isNewExpression(e) && e.arguments?.[0]) {
    const c = ctx.eval(e.expression);
    if (c.ext?.some((x) => x.module === '<global>' && x.path.length === 1 && URL_PARSERS.constructors.includes(x.path[0]))) return e.arguments[0];
  }
  if (ts.isCallExpression(e) && e.arguments[0]) {
    const c = ctx.eval(e.expression);
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
  ctx.env.vars.set(`#path:${path}`, sanitise(ctx.eval(e), rules));
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
    const init = declarationOf(ctx.sf, s.text, s.getStart(ctx.sf)) ?? soleFileAssignment(ctx, s.text);
    return init ? constantStrings(ctx, init, depth - 1) : undefined;
  }
  return undefined;
}

/** `var BAD; … BAD = [...]` (hoisted declarations, compiled CoffeeScript): the one value assigned to the name in the file. */
function soleFileAssignment(ctx: Ctx, name: string): ts.Expression | undefined {
  const found: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (found.length > 1) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(strip(n.left)) && (strip(n.left) as ts.Identifier).text === name) found.push(n.right);
    ts.forEachChild(n, visit);
  };
  visit(ctx.sf);
  return found.length === 1 ? found[0] : undefined;
}

/**
 * `RE.test(k)` with a regular expression literal (or a name bound to one) holding with value `truth`: the
 * polluting names the test then rules out (those it would reject when it passed, or accept when it failed).
 */
function regexExclusions(ctx: Ctx, e: ts.Expression, truth: boolean): { subject: ts.Expression; names: string[] } | undefined {
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'test' || e.arguments.length !== 1) return undefined;
  let re = strip(e.expression.expression);
  if (ts.isIdentifier(re)) {
    const init = declarationOf(ctx.sf, re.text, re.getStart(ctx.sf));
    if (!init) return undefined;
    re = strip(init);
  }
  if (!ts.isRegularExpressionLiteral(re)) return undefined;
  const text = re.text;
  const slash = text.lastIndexOf('/');
  let rx: RegExp;
  try {
    rx = new RegExp(text.slice(1, slash), text.slice(slash + 1).replace(/[gy]/g, ''));
  } catch {
    return undefined;
  }
  const names = [...POLLUTING_NAMES].filter((n) => rx.test(n) !== truth);
  return names.length ? { subject: e.arguments[0], names } : undefined;
}

/**
 * The array a checked key was taken from: the key is `arr[i]` (or a variable declared as `arr[i]`). A check on
 * each element as it is used (`if (parts[i] === '__proto__') return;`) vouches for the array's elements.
 */
function elementArray(ctx: Ctx, subject: ts.Expression): ts.Expression | undefined {
  let s = strip(subject);
  if (ts.isIdentifier(s)) {
    const init = declarationOf(ctx.sf, s.text, s.getStart(ctx.sf));
    if (!init) return undefined;
    s = strip(init);
  }
  if (!ts.isElementAccessExpression(s)) return undefined;
  const index = strip(s.argumentExpression);
  if (ts.isStringLiteralLike(index)) return undefined;
  return accessPathText(strip(s.expression)) ? s.expression : undefined;
}

function exclude(ctx: Ctx, subject: ts.Expression, names: string[], viaElement = true): void {
  if (viaElement) {
    const arr = elementArray(ctx, subject);
    if (arr) exclude(ctx, arr, names, false);
  }
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
  refineIndexOf(ctx, e, truth);
  const rx = regexExclusions(ctx, e, truth);
  if (rx) exclude(ctx, rx.subject, rx.names);
  for (const [arr, names] of elementChecks(ctx, e, truth)) exclude(ctx, arr, [...names], false);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const equal = (EQ.includes(op) && truth) || (NE.includes(op) && !truth);
    const differ = (EQ.includes(op) && !truth) || (NE.includes(op) && truth);
    if (!equal && !differ) return;
    const l = strip(e.left);
    const r = strip(e.right);
    if (equal) filteredLengthsEqual(ctx, l, r);
    for (const [subject, other] of [[l, r], [r, l]] as const) {
      if (!ts.isStringLiteralLike(other) && !ts.isIdentifier(other) && !ts.isPropertyAccessExpression(other)) continue;
      const ov = ctx.eval(other);
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
    for (const fn of ctx.eval(e.expression).fns ?? []) {
      const excluded = helperExclusions(ctx, fn.node as ts.Node, truth);
      if (!excluded) continue;
      for (const [index, names] of excluded) if (e.arguments[index]) exclude(ctx, e.arguments[index], names);
      return;
    }
  }
  // `path.includes('__proto__')` false: no part cut out of that text (split, sliced, matched) spells the name.
  const sub = substringTest(e, truth);
  if (sub) exclude(ctx, sub.text, [sub.name], false);
  // `!BAD_KEYS.includes(key)` / `!BAD_KEYS.has(key)`: in the false branch the key is none of them.
  if (ts.isCallExpression(e) && !truth && ts.isPropertyAccessExpression(e.expression) && ['includes', 'has'].includes(e.expression.name.text) && e.arguments[0]) {
    const names = constantStrings(ctx, e.expression.expression);
    if (names) exclude(ctx, e.arguments[0], names.filter((n) => POLLUTING_NAMES.has(n)));
  }
}

/** `s.includes('__proto__')` (also `s.indexOf('__proto__') === -1`) proving the polluting name absent from s. */
function substringTest(e: ts.Expression, truth: boolean): { text: ts.Expression; name: string } | undefined {
  const idx = indexOfTest(e, truth);
  const [call, absent] = idx ? [strip((e as ts.BinaryExpression).left), !idx.found] : [e, !truth];
  if (!absent || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || !['includes', 'indexOf'].includes(call.expression.name.text)) return undefined;
  if (call.expression.name.text === 'includes' && idx) return undefined;
  const arg = call.arguments[0] && strip(call.arguments[0]);
  if (!arg || !ts.isStringLiteralLike(arg) || !POLLUTING_NAMES.has(arg.text)) return undefined;
  return { text: call.expression.expression, name: arg.text };
}

/**
 * `const ok = parts.filter(isAllowed); if (ok.length !== parts.length) throw ...`: where the lengths are
 * equal the filter kept every element, so each element passed `isAllowed`; when that predicate rejects the
 * polluting names, the array's elements are none of them.
 */
function filteredLengthsEqual(ctx: Ctx, a: ts.Expression, b: ts.Expression): void {
  for (const [x, y] of [[a, b], [b, a]]) {
    if (!ts.isPropertyAccessExpression(x) || !ts.isPropertyAccessExpression(y) || x.name.text !== 'length' || y.name.text !== 'length') continue;
    const filtered = strip(x.expression);
    const init = ts.isIdentifier(filtered) ? declarationOf(ctx.sf, filtered.text, filtered.getStart(ctx.sf)) : filtered;
    const call = init && strip(init);
    if (!call || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'filter' || !call.arguments[0]) continue;
    const source = call.expression.expression;
    if (accessPathText(strip(source)) !== accessPathText(strip(y.expression))) continue;
    for (const fn of ctx.eval(call.arguments[0]).fns ?? []) {
      const names = helperExclusions(ctx, fn.node as ts.Node, true)?.get(0);
      if (names) exclude(ctx, y.expression, names, false);
      return;
    }
  }
}

/** `LIST.indexOf(x) !== -1` (also `> -1`, `>= 0`) is "x is in LIST"; `=== -1` and `< 0` are "x is not". */
function indexOfTest(e: ts.Expression, truth: boolean): { list: ts.Expression; item: ts.Expression; found: boolean } | undefined {
  if (!ts.isBinaryExpression(e)) return undefined;
  const call = strip(e.left);
  const right = strip(e.right);
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'indexOf' || !call.arguments[0]) return undefined;
  const minusOne = ts.isPrefixUnaryExpression(right) && right.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(right.operand) && right.operand.text === '1';
  const zero = ts.isNumericLiteral(right) && right.text === '0';
  const op = e.operatorToken.kind;
  const foundWhenTrue = ((NE.includes(op) || op === ts.SyntaxKind.GreaterThanToken) && minusOne) || (op === ts.SyntaxKind.GreaterThanEqualsToken && zero);
  const absentWhenTrue = (EQ.includes(op) && minusOne) || (op === ts.SyntaxKind.LessThanToken && zero);
  if (!foundWhenTrue && !absentWhenTrue) return undefined;
  return { list: call.expression.expression, item: call.arguments[0], found: foundWhenTrue === truth };
}

/** `if (BAD_KEYS.indexOf(key) !== -1) continue;`: where the key is not found it is none of the listed names. */
export function refineIndexOf(ctx: Ctx, cond: ts.Expression, truth: boolean): void {
  const t = indexOfTest(strip(cond), truth);
  if (!t || t.found) return;
  const names = constantStrings(ctx, t.list);
  if (names) exclude(ctx, t.item, names.filter((n) => POLLUTING_NAMES.has(n)));
}

// ---------------------------------------------------------------- statement-level key checks

/** An `if (C) <exit>` statement with no else, where <exit> returns or throws (also `continue`/`break` if `loopExits`). */
function exitGuard(st: ts.Statement, loopExits: boolean): ts.Expression | undefined {
  if (!ts.isIfStatement(st) || st.elseStatement) return undefined;
  let then: ts.Statement | undefined = st.thenStatement;
  if (ts.isBlock(then)) then = then.statements[then.statements.length - 1];
  if (!then) return undefined;
  const exits = ts.isReturnStatement(then) || ts.isThrowStatement(then) || (loopExits && (ts.isContinueStatement(then) || ts.isBreakStatement(then)));
  return exits ? st.expression : undefined;
}

/**
 * `checkKey(k);` where `checkKey` throws when its parameter is a polluting name
 * (`function checkKey(p) { if (p === '__proto__' || p === 'constructor') throw new Error(...) }`):
 * after the call, the argument is none of those names.
 */
export function refineAfterCall(ctx: Ctx, st: ts.ExpressionStatement): void {
  const call = strip(st.expression);
  if (!ts.isCallExpression(call) || !call.arguments.length) return;
  for (const fn of ctx.eval(call.expression).fns ?? []) {
    const node = fn.node as ts.Node;
    if (!ts.isFunctionDeclaration(node) && !ts.isFunctionExpression(node) && !ts.isArrowFunction(node)) continue;
    if (!node.body || !ts.isBlock(node.body)) continue;
    const params = node.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
    for (const s of node.body.statements) {
      const cond = exitGuard(s, false);
      if (!cond) continue;
      const ifs = s as ts.IfStatement;
      const last = ts.isBlock(ifs.thenStatement) ? ifs.thenStatement.statements[ifs.thenStatement.statements.length - 1] : ifs.thenStatement;
      if (!ts.isThrowStatement(last)) continue; // a `return` inside the helper does not stop the caller
      for (const [name, names] of checkedNames(ctx, cond, false)) {
        const i = params.indexOf(name);
        if (i >= 0 && call.arguments[i]) exclude(ctx, call.arguments[i], [...names]);
      }
    }
    return;
  }
}

/**
 * A validation loop: `for (...) { if (BAD.indexOf(parts[i]) !== -1) return; }` (or `throw`) rejects the
 * whole array before it is used, so after the loop the array's elements are none of the polluting names.
 */
export function refineAfterLoop(ctx: Ctx, st: ts.Statement): void {
  const body = ts.isForStatement(st) || ts.isForOfStatement(st) || ts.isWhileStatement(st) ? st.statement : undefined;
  if (!body) return;
  const forOfVar = ts.isForOfStatement(st) && ts.isVariableDeclarationList(st.initializer) && ts.isIdentifier(st.initializer.declarations[0]?.name) ? (st.initializer.declarations[0].name as ts.Identifier).text : undefined;
  for (const s of ts.isBlock(body) ? body.statements : [body]) {
    const cond = exitGuard(s, false);
    if (!cond) continue;
    for (const [text, names] of checkedSubjects(ctx, cond, false)) {
      const subject = strip(text);
      const arr = forOfVar && ts.isIdentifier(subject) && subject.text === forOfVar ? (st as ts.ForOfStatement).expression : ts.isElementAccessExpression(subject) && !ts.isStringLiteralLike(strip(subject.argumentExpression)) ? subject.expression : undefined;
      if (arr) exclude(ctx, arr, [...names], false);
    }
  }
}

/**
 * The parts a condition with value `truth` asserts, each with its own value: through parentheses and `!`, into
 * both sides of `a && b` when true and of `a || b` when false; any other expression is one part.
 */
function eachAsserted(cond: ts.Expression, truth: boolean, visit: (part: ts.Expression, t: boolean) => void): void {
  const s = strip(cond);
  if (ts.isParenthesizedExpression(s)) return eachAsserted(s.expression, truth, visit);
  if (ts.isPrefixUnaryExpression(s) && s.operator === ts.SyntaxKind.ExclamationToken) return eachAsserted(s.operand, !truth, visit);
  if (ts.isBinaryExpression(s)) {
    const op = s.operatorToken.kind;
    if ((op === ts.SyntaxKind.BarBarToken && !truth) || (op === ts.SyntaxKind.AmpersandAmpersandToken && truth)) {
      eachAsserted(s.left, truth, visit);
      eachAsserted(s.right, truth, visit);
      return;
    }
  }
  visit(s, truth);
}

/**
 * Syntactically, the subjects a condition with value `truth` proves to differ from polluting names, with
 * those names: `k === '__proto__' || k === 'constructor'` false, `BAD.includes(k)` / `BAD.has(k)` /
 * `BAD.indexOf(k) !== -1` false, a predicate helper's result.
 */
function checkedSubjects(ctx: Ctx, cond: ts.Expression, truth: boolean, depth = 2): Map<ts.Expression, Set<string>> {
  const out = new Map<ts.Expression, Set<string>>();
  const add = (subject: ts.Expression, names: string[]) => {
    const bad = names.filter((n) => POLLUTING_NAMES.has(n));
    if (!bad.length) return;
    const set = out.get(subject) ?? new Set<string>();
    for (const n of bad) set.add(n);
    out.set(subject, set);
  };
  const visit = (s: ts.Expression, t: boolean): void => {
    const idx = indexOfTest(s, t);
    if (idx) {
      const names = !idx.found && constantStrings(ctx, idx.list);
      if (names) add(idx.item, names);
      return;
    }
    if (ts.isBinaryExpression(s)) {
      const op = s.operatorToken.kind;
      const differ = (EQ.includes(op) && !t) || (NE.includes(op) && t);
      if (!differ) return;
      const [l, r] = [strip(s.left), strip(s.right)];
      if (ts.isStringLiteralLike(r)) add(l, [r.text]);
      else if (ts.isStringLiteralLike(l)) add(r, [l.text]);
      return;
    }
    if (ts.isCallExpression(s) && !t && ts.isPropertyAccessExpression(s.expression) && ['includes', 'has'].includes(s.expression.name.text) && s.arguments[0]) {
      const names = constantStrings(ctx, s.expression.expression);
      if (names) add(s.arguments[0], names);
      return;
    }
    const rx = ts.isCallExpression(s) ? regexExclusions(ctx, s, t) : undefined;
    if (rx) return add(rx.subject, rx.names);
    if (ts.isCallExpression(s) && s.arguments.length) {
      for (const fn of ctx.eval(s.expression).fns ?? []) {
        const excluded = depth > 0 && helperExclusions(ctx, fn.node as ts.Node, t, depth);
        if (!excluded) continue;
        for (const [i, names] of excluded) if (s.arguments[i]) add(s.arguments[i], names);
        return;
      }
    }
  };
  eachAsserted(cond, truth, visit);
  return out;
}

/**
 * `parts.some(isUnsafe)` false, `parts.every(isSafe)` true (also inside `!`, `||`, `&&`): every element of the
 * array passed the predicate, so none is a name the predicate rejects. The arrays with those names.
 */
function elementChecks(ctx: Ctx, cond: ts.Expression, truth: boolean): Map<ts.Expression, Set<string>> {
  const out = new Map<ts.Expression, Set<string>>();
  const visit = (s: ts.Expression, t: boolean): void => {
    if (!ts.isCallExpression(s) || !ts.isPropertyAccessExpression(s.expression) || !s.arguments[0]) return;
    const method = s.expression.name.text;
    // some() false: the predicate was false for each element; every() true: it was true for each.
    const each = method === 'some' && !t ? false : method === 'every' && t ? true : undefined;
    if (each === undefined) return;
    for (const fn of ctx.eval(s.arguments[0]).fns ?? []) {
      const names = helperExclusions(ctx, fn.node as ts.Node, each)?.get(0);
      if (!names) continue;
      const arr = s.expression.expression;
      out.set(arr, new Set([...(out.get(arr) ?? []), ...names]));
      return;
    }
  };
  eachAsserted(cond, truth, visit);
  return out;
}

/** checkedSubjects keyed by the subject's identifier name (for a helper's own parameters). */
function checkedNames(ctx: Ctx, cond: ts.Expression, truth: boolean, depth = 2): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [e, names] of checkedSubjects(ctx, cond, truth, depth)) if (ts.isIdentifier(e)) out.set(e.text, new Set([...(out.get(e.text) ?? []), ...names]));
  return out;
}

const coversPollution = (names: Set<string>) => POLLUTING_KEYS.required.every((k) => names.has(k)) && POLLUTING_KEYS.oneOf.some((k) => names.has(k));

/** `X.hasOwnProperty(K)`, `Object.prototype.hasOwnProperty.call(X, K)`, `hasOwnProperty.call(X, K)`, `Object.hasOwn(X, K)`: [X, K]. */
function ownPropertyTest(e: ts.Expression): [ts.Expression, ts.Expression] | undefined {
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return undefined;
  const name = e.expression.name.text;
  const recv = strip(e.expression.expression);
  if (name === 'hasOwnProperty' && e.arguments[0]) return [recv, e.arguments[0]];
  if (name === 'hasOwn' && ts.isIdentifier(recv) && recv.text === 'Object' && e.arguments[1]) return [e.arguments[0], e.arguments[1]];
  if (name === 'call' && e.arguments[1] && ((ts.isPropertyAccessExpression(recv) && recv.name.text === 'hasOwnProperty') || (ts.isIdentifier(recv) && recv.text === 'hasOwnProperty'))) return [e.arguments[0], e.arguments[1]];
  return undefined;
}

/**
 * Whether `cond` with value `truth` proves `typeof R === 'object'` for an R that `same` accepts. Stepping into
 * `obj[k]` only when it is an object never enters `obj.constructor` (a function), nor, through it, a
 * `prototype`: of the polluting names only "__proto__" is left to check.
 */
function typeofObjectHeld(cond: ts.Expression, truth: boolean, same: (e: ts.Expression) => boolean): boolean {
  const s = strip(cond);
  if (ts.isParenthesizedExpression(s)) return typeofObjectHeld(s.expression, truth, same);
  if (ts.isPrefixUnaryExpression(s) && s.operator === ts.SyntaxKind.ExclamationToken) return typeofObjectHeld(s.operand, !truth, same);
  if (!ts.isBinaryExpression(s)) return false;
  const op = s.operatorToken.kind;
  if ((op === ts.SyntaxKind.BarBarToken && !truth) || (op === ts.SyntaxKind.AmpersandAmpersandToken && truth)) return typeofObjectHeld(s.left, truth, same) || typeofObjectHeld(s.right, truth, same);
  const holds = (EQ.includes(op) && truth) || (NE.includes(op) && !truth);
  if (!holds) return false;
  const [l, r] = [strip(s.left), strip(s.right)];
  const [t, lit] = ts.isTypeOfExpression(l) ? [l, r] : ts.isTypeOfExpression(r) ? [r, l] : [];
  return !!t && !!lit && ts.isStringLiteralLike(lit) && lit.text === 'object' && same((t as ts.TypeOfExpression).expression);
}

/** A key's text with `i++` read as `i` (the element read is the one the check looked at). */
function keyText(ctx: Ctx, e: ts.Expression): string {
  const s = strip(e);
  if (ts.isPostfixUnaryExpression(s)) return keyText(ctx, s.operand);
  if (ts.isElementAccessExpression(s)) return `${keyText(ctx, s.expression)}[${keyText(ctx, s.argumentExpression)}]`;
  return s.getText(ctx.sf);
}

/** Characters of the polluting names: a decoder that only ever writes other characters cannot spell one. */
const NAME_CHARS = new Set([...POLLUTING_NAMES].join(''));

/** The string literals a replacement (a literal, or a function returning literals or choices of them) produces. */
function replacementTexts(ctx: Ctx, e: ts.Expression): string[] | undefined {
  const s = strip(e);
  if (ts.isStringLiteralLike(s)) return [s.text];
  if (ts.isConditionalExpression(s)) {
    const [a, b] = [replacementTexts(ctx, s.whenTrue), replacementTexts(ctx, s.whenFalse)];
    return a && b ? [...a, ...b] : undefined;
  }
  const fns = ts.isIdentifier(s) ? (ctx.eval(s).fns ?? []).map((f) => f.node as ts.Node) : isFunctionLike(s) ? [s] : [];
  if (fns.length !== 1) return undefined;
  const rets = functionReturns(fns[0]);
  if (!rets?.length) return undefined;
  const out: string[] = [];
  for (const r of rets) {
    const t = replacementTexts(ctx, r);
    if (!t) return undefined;
    out.push(...t);
  }
  return out;
}

/** Every expression `fn` returns (undefined when some `return` has none, or the body cannot be read). */
function functionReturns(fn: ts.Node): ts.Expression[] | undefined {
  if (!ts.isFunctionDeclaration(fn) && !ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn)) return undefined;
  if (!fn.body) return undefined;
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  let bare = false;
  const visit = (n: ts.Node): void => {
    if (n !== fn && isFunctionLike(n)) return;
    if (ts.isReturnStatement(n)) {
      if (n.expression) out.push(n.expression);
      else bare = true;
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return bare ? undefined : out;
}

/**
 * `unescape(tok)` where the helper returns its parameter as it is or `param.replace(re, r)` with replacements
 * that write none of the characters of the polluting names (RFC 6901 `~0`/`~1` decoding): its result spells a
 * polluting name only if its argument already did, so a check on the argument vouches for the result. Returns
 * the argument, or undefined when the call is no such decoder (decodeURIComponent and the like are not).
 */
function nameKeepingArgument(ctx: Ctx, e: ts.Expression): ts.Expression | undefined {
  const s = strip(e);
  if (!ts.isCallExpression(s) || s.arguments.length !== 1) return undefined;
  const fns = ctx.eval(s.expression).fns ?? [];
  if (fns.length !== 1) return undefined;
  const fn = fns[0].node as ts.FunctionLikeDeclaration;
  const param = fn.parameters?.[0];
  if (!param || !ts.isIdentifier(param.name)) return undefined;
  const rets = functionReturns(fn);
  if (!rets?.length) return undefined;
  const p = param.name.text;
  const ok = rets.every((r) => {
    const x = strip(r);
    if (ts.isIdentifier(x)) return x.text === p;
    if (!ts.isCallExpression(x) || !ts.isPropertyAccessExpression(x.expression) || !['replace', 'replaceAll'].includes(x.expression.name.text)) return false;
    const recv = strip(x.expression.expression);
    if (!ts.isIdentifier(recv) || recv.text !== p || x.arguments.length !== 2) return false;
    const texts = replacementTexts(ctx, x.arguments[1]);
    return !!texts && texts.every((t) => t.length > 0 && ![...t].some((c) => NAME_CHARS.has(c) || c === '$'));
  });
  return ok ? s.arguments[0] : undefined;
}

/**
 * The one value a local key variable declared without one (`var part; … part = f(parts[i++])`) takes in the
 * function, leaving out assignments that cannot be a name (numbers, `.length`): the key is known by it.
 */
function soleAssignedValue(ctx: Ctx, id: ts.Identifier): ts.Expression | undefined {
  let fn: ts.Node | undefined = id.parent;
  while (fn && !isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return undefined;
  const values: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (n !== fn && isFunctionLike(n)) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === id.text && n.initializer) values.push(n.initializer);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(strip(n.left)) && (strip(n.left) as ts.Identifier).text === id.text) values.push(n.right);
    ts.forEachChild(n, visit);
  };
  visit(fn);
  const named = values.filter((v) => {
    const x = strip(v);
    return !ts.isNumericLiteral(x) && !(ts.isPropertyAccessExpression(x) && x.name.text === 'length');
  });
  return named.length === 1 ? named[0] : undefined;
}

/** `for (const k of arr)` around `id` declaring it: arr (the key is one of its elements). */
function forOfIterable(id: ts.Identifier): ts.Expression | undefined {
  for (let p: ts.Node | undefined = id.parent; p && !isFunctionLike(p); p = p.parent) {
    if (!ts.isForOfStatement(p) || !ts.isVariableDeclarationList(p.initializer)) continue;
    const d = p.initializer.declarations[0];
    if (d && ts.isIdentifier(d.name) && d.name.text === id.text) return p.expression;
  }
  return undefined;
}

const ELEMENT_CALLBACKS: Record<string, number> = { forEach: 0, map: 0, flatMap: 0, filter: 0, some: 0, every: 0, find: 0, reduce: 1, reduceRight: 1 };

/** `arr.forEach((k) => …)`, `arr.reduce((o, k, i) => …)`: the array whose element the callback parameter `id` is. */
function callbackElementOf(id: ts.Identifier): ts.Expression | undefined {
  for (let p: ts.Node | undefined = id.parent; p; p = p.parent) {
    if (!isFunctionLike(p)) continue;
    const fn = p as ts.FunctionLikeDeclaration;
    const index = fn.parameters.findIndex((x) => ts.isIdentifier(x.name) && x.name.text === id.text);
    if (index < 0) continue; // declared further out
    const call = fn.parent;
    if (!call || !ts.isCallExpression(call) || call.arguments[0] !== fn || !ts.isPropertyAccessExpression(call.expression)) return undefined;
    return ELEMENT_CALLBACKS[call.expression.name.text] === index ? call.expression.expression : undefined;
  }
  return undefined;
}

/** Texts a key is known by: itself, its declared initializer `arr[i]`, and `arr[]` for "an element of arr". */
function keyRoots(ctx: Ctx, e: ts.Expression): Set<string> {
  const out = new Set<string>();
  let s = strip(e);
  out.add(keyText(ctx, s));
  if (ts.isIdentifier(s)) {
    const loop = forOfIterable(s) ?? callbackElementOf(s);
    if (loop) out.add(`${keyText(ctx, loop)}[]`);
    let init = declarationOf(ctx.sf, s.text, s.getStart(ctx.sf)) ?? soleAssignedValue(ctx, s);
    if (init) init = nameKeepingArgument(ctx, init) ?? init;
    if (init && ts.isElementAccessExpression(strip(init))) {
      s = strip(init);
      out.add(keyText(ctx, s));
    }
  }
  if (ts.isElementAccessExpression(s) && !ts.isStringLiteralLike(strip(s.argumentExpression))) out.add(`${keyText(ctx, s.expression)}[]`);
  return out;
}

/**
 * Whether the step `... = obj[key]` (at `at`) only runs once `key` was checked: an earlier
 * `if (<key is polluting>) return/continue/throw`, `checkKey(key);` with a throwing helper, or an enclosing
 * `if` whose condition rejects the names or proves `obj.hasOwnProperty(key)` (an own property is never a
 * prototype). Syntactic, up to the enclosing function: the walk that reaches an object through such steps
 * cannot reach Object.prototype.
 */
export function stepKeyChecked(ctx: Ctx, read: ts.ElementAccessExpression, at: ts.Node): boolean {
  const roots = keyRoots(ctx, read.argumentExpression);
  const objText = keyText(ctx, read.expression);
  const readText = keyText(ctx, read);
  const names = new Set<string>();
  let own = false;
  const consider = (cond: ts.Expression, truth: boolean) => {
    for (const [subject, ns] of checkedSubjects(ctx, cond, truth)) {
      const sr = keyRoots(ctx, subject);
      if ([...sr].some((r) => roots.has(r))) for (const n of ns) names.add(n);
    }
    if (typeofObjectHeld(cond, truth, (x) => keyText(ctx, x) === readText)) for (const n of POLLUTING_KEYS.oneOf) names.add(n);
    for (const [arr, ns] of elementChecks(ctx, cond, truth)) if (roots.has(`${keyText(ctx, arr)}[]`)) for (const n of ns) names.add(n);
    if (ownOrAbsent(cond, truth)) own = true;
  };
  // Whether `c` with value `t` proves obj[key] is an own property or no property at all (`!(key in obj)`): either
  // way the step does not reach an inherited prototype. `k in o && !own(o, k)` false is "absent or own".
  const sameStep = (o: ts.Expression, k: ts.Expression) => keyText(ctx, o) === objText && [...keyRoots(ctx, k)].some((r) => roots.has(r));
  const ownOrAbsent = (c: ts.Expression, t: boolean): boolean => {
    const s = strip(c);
    if (ts.isParenthesizedExpression(s)) return ownOrAbsent(s.expression, t);
    if (ts.isPrefixUnaryExpression(s) && s.operator === ts.SyntaxKind.ExclamationToken) return ownOrAbsent(s.operand, !t);
    if (ts.isBinaryExpression(s)) {
      const op = s.operatorToken.kind;
      const and = op === ts.SyntaxKind.AmpersandAmpersandToken;
      const or = op === ts.SyntaxKind.BarBarToken;
      // a && b true, a || b false: both hold, one proof suffices; a && b false, a || b true: one of them holds, each must prove it.
      if ((and && t) || (or && !t)) return ownOrAbsent(s.left, t) || ownOrAbsent(s.right, t);
      if ((and && !t) || (or && t)) return ownOrAbsent(s.left, t) && ownOrAbsent(s.right, t);
      if (op === ts.SyntaxKind.InKeyword && !t) return sameStep(s.right, s.left);
      return false;
    }
    const test = t ? ownPropertyTest(s) : undefined;
    return !!test && sameStep(test[0], test[1]);
  };
  for (let child: ts.Node = at, p = at.parent; p && !isFunctionLike(p); child = p, p = p.parent) {
    if (ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p)) {
      for (const st of p.statements) {
        if (st === child) break;
        const cond = exitGuard(st, true);
        if (cond) consider(cond, false);
        if (ts.isExpressionStatement(st) && ts.isCallExpression(strip(st.expression))) {
          const call = strip(st.expression) as ts.CallExpression;
          for (const fn of ctx.eval(call.expression).fns ?? []) {
            const node = fn.node as ts.Node;
            if (!(ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) || !node.body) continue;
            const params = node.parameters.map((x) => (ts.isIdentifier(x.name) ? x.name.text : ''));
            for (const s of node.body.statements) {
              const c = exitGuard(s, false);
              const ifs = s as ts.IfStatement;
              const last = c && (ts.isBlock(ifs.thenStatement) ? ifs.thenStatement.statements[ifs.thenStatement.statements.length - 1] : ifs.thenStatement);
              if (!c || !last || !ts.isThrowStatement(last)) continue;
              for (const [name, ns] of checkedNames(ctx, c, false)) {
                const i = params.indexOf(name);
                if (i >= 0 && call.arguments[i] && [...keyRoots(ctx, call.arguments[i])].some((r) => roots.has(r))) for (const n of ns) names.add(n);
              }
            }
          }
        }
      }
    }
    if (ts.isIfStatement(p) && child !== p.expression) consider(p.expression, child === p.thenStatement);
    if (ts.isBinaryExpression(p) && child === p.right && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) consider(p.left, true);
    if (ts.isConditionalExpression(p) && child !== p.condition) consider(p.condition, child === p.whenTrue);
  }
  return own || coversPollution(names);
}

const isFunctionLike = (n: ts.Node) => ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n);

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
function helperExclusions(ctx: Ctx, fn: ts.Node, truth: boolean, depth = 2): Map<number, string[]> | undefined {
  const ret = returnedExpression(fn);
  if (!ret || depth <= 0) return undefined;
  const params = (fn as ts.FunctionLikeDeclaration).parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
  const out = new Map<number, string[]>();
  for (const [name, names] of checkedNames(ctx, ret, truth, depth - 1)) {
    const i = params.indexOf(name);
    if (i >= 0 && names.size) out.set(i, [...names]);
  }
  return out.size ? out : undefined;
}
