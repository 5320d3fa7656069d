// Prototype pollution in the project's own code: a write `obj[key] = value` whose key comes from the data
// and whose object was itself reached through a data-named property. With key "__proto__" (or
// "constructor" then "prototype") that object is Object.prototype, and the write changes every object in
// the process. The shapes that reach it:
//   - `obj[k1][k2] = v`                                   (a two-level write)
//   - `cur = cur[k]; ... cur[k2] = v`                     (set-by-path walking a key path)
//   - `function merge(t, s) { ... merge(t[k], s[k]) ... t[k] = s[k] }`   (recursive merge / deep assign)
// Key guards that reject the polluting names cut the key (server-guards.ts); allow-lists cut it too.
import ts from 'typescript';
import { unwrap as strip } from './syntax.js';
import { isFunctionNode, readsArguments } from './functions.js';
import { taintOf, type Flow } from '../values.js';
import type { Ctx } from './context.js';
import { siteOf, textOf } from './sites.js';
import { stepKeyChecked } from './server-guards.js';

const isPure = (e: ts.Expression): boolean =>
  ts.isIdentifier(e) || (ts.isPropertyAccessExpression(e) && isPure(strip(e.expression))) || (ts.isElementAccessExpression(e) && isPure(strip(e.expression)) && isPure(strip(e.argumentExpression)) ) || ts.isNumericLiteral(e) || ts.isStringLiteralLike(e) || (ts.isBinaryExpression(e) && isPure(strip(e.left)) && isPure(strip(e.right)));

/** An object or array literal (or a choice between such literals): a new object, never a shared prototype. */
function freshLiteral(e: ts.Expression): boolean {
  const s = strip(e);
  if (ts.isObjectLiteralExpression(s) || ts.isArrayLiteralExpression(s)) return true;
  return ts.isConditionalExpression(s) && freshLiteral(s.whenTrue) && freshLiteral(s.whenFalse);
}

/** `x[k]` with a computed, non-literal key (also through `x[k] || {}`, `x[k] ?? {}`, `x[k] = ...`). */
function dynamicRead(e: ts.Expression): ts.ElementAccessExpression | undefined {
  const s = strip(e);
  if (ts.isBinaryExpression(s) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(s.operatorToken.kind)) return dynamicRead(s.left);
  // `p = out[k] = out[k] || {}`: the chained assignment's value is the object stored at out[k].
  // `cur = (cur[k] = {})` stores a fresh object and walks into it: that object is no prototype.
  if (ts.isBinaryExpression(s) && s.operatorToken.kind === ts.SyntaxKind.EqualsToken) return freshLiteral(s.right) ? undefined : dynamicRead(s.left);
  if (ts.isElementAccessExpression(s) && !ts.isStringLiteralLike(strip(s.argumentExpression)) && !ts.isNumericLiteral(strip(s.argumentExpression))) return s;
  return undefined;
}

/** `Object.create(null)` or `{ __proto__: null }`: an object with no prototype to reach. */
function prototypeless(e: ts.Expression): boolean {
  const s = strip(e);
  if (ts.isCallExpression(s) && ts.isPropertyAccessExpression(s.expression) && s.expression.name.text === 'create' && ts.isIdentifier(s.expression.expression) && s.expression.expression.text === 'Object') {
    return s.arguments.length >= 1 && strip(s.arguments[0]).kind === ts.SyntaxKind.NullKeyword;
  }
  return ts.isObjectLiteralExpression(s) && s.properties.some((p) => ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === '__proto__' && strip(p.initializer).kind === ts.SyntaxKind.NullKeyword);
}

const tableCache = new WeakMap<ts.SourceFile, Map<string, boolean>>();

/**
 * `cache[a]` where every value the file ever gives the name `cache` has no prototype (`Object.create(null)`):
 * "__proto__" and "constructor" are plain missing keys there, so the read reaches no prototype. One
 * `cache = {}` anywhere (a reset) brings the prototype back.
 */
function prototypelessTable(ctx: Ctx, read: ts.ElementAccessExpression): boolean {
  const obj = strip(read.expression);
  if (!ts.isIdentifier(obj)) return false;
  let byName = tableCache.get(ctx.sf);
  if (!byName) tableCache.set(ctx.sf, (byName = new Map()));
  const known = byName.get(obj.text);
  if (known !== undefined) return known;
  const values: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === obj.text && n.initializer) values.push(n.initializer);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(strip(n.left)) && (strip(n.left) as ts.Identifier).text === obj.text) values.push(n.right);
    if (ts.isParameter(n) && ts.isIdentifier(n.name) && n.name.text === obj.text) values.push(n.name);
    ts.forEachChild(n, visit);
  };
  visit(ctx.sf);
  const out = values.length > 0 && values.every(prototypeless);
  byName.set(obj.text, out);
  return out;
}

/** Names a function is called by: its own name, or the variable / property / method it is bound to. */
function namesOf(fn: ts.Node): string[] {
  const out: string[] = [];
  const n = fn as ts.FunctionLikeDeclaration;
  if (n.name && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name))) out.push(n.name.text);
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) out.push(p.name.text);
  if (p && ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) out.push(p.name.text);
  if (p && ts.isBinaryExpression(p) && ts.isPropertyAccessExpression(p.left)) out.push(p.left.name.text);
  // `var merge; merge = function (…) {…}` (compiled CoffeeScript, hoisted declarations)
  if (p && ts.isBinaryExpression(p) && ts.isIdentifier(p.left)) out.push(p.left.text);
  return out;
}

const calleeName = (c: ts.Expression): string | undefined => {
  const s = strip(c);
  if (ts.isIdentifier(s)) return s.text;
  if (ts.isPropertyAccessExpression(s)) return s.name.text;
  return undefined;
};

/**
 * A call of one of `names` and the argument expression it passes as parameter `param`: `f(a, b)`, and
 * `f.call(self, a, b)` (the receiver comes first). `f.apply(self, arguments)` passes the caller's own parameters.
 */
function argumentFor(call: ts.CallExpression, names: string[], param: number): ts.Expression | undefined {
  const callee = strip(call.expression);
  if (names.includes(calleeName(callee) ?? '')) return call.arguments[param];
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'call' && names.includes(calleeName(callee.expression) ?? '')) return call.arguments[param + 1];
  return undefined;
}

/** The function (and parameter index, if any) that declares `name` as seen from `from`. */
function declaringFunction(from: ts.Node, name: string): { fn: ts.FunctionLikeDeclaration; param: number } | undefined {
  for (let p: ts.Node | undefined = from.parent; p; p = p.parent) {
    if (!isFunctionNode(p)) continue;
    const fn = p as ts.FunctionLikeDeclaration;
    const param = fn.parameters.findIndex((x) => ts.isIdentifier(x.name) && x.name.text === name);
    if (param >= 0) return { fn, param };
    let local = false;
    const visit = (n: ts.Node): void => {
      if (local || (n !== fn && isFunctionNode(n))) return;
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) local = true;
      ts.forEachChild(n, visit);
    };
    if (fn.body) visit(fn.body);
    if (local) return { fn, param: -1 };
  }
  return undefined;
}

const localsCache = new WeakMap<ts.Node, Map<string, ts.Expression[]>>();

/** The values each local name of `fn` is assigned or initialised with (nested functions left out). */
function localAssignments(fn: ts.FunctionLikeDeclaration): Map<string, ts.Expression[]> {
  let out = localsCache.get(fn);
  if (out) return out;
  const found = new Map<string, ts.Expression[]>();
  const add = (name: string, v: ts.Expression) => found.set(name, [...(found.get(name) ?? []), v]);
  const visit = (n: ts.Node): void => {
    if (n !== fn && isFunctionNode(n)) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) add(n.name.text, n.initializer);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(strip(n.left))) add((strip(n.left) as ts.Identifier).text, n.right);
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  localsCache.set(fn, (out = found));
  return out;
}

const reachCache = new WeakMap<ts.Node, Map<string, { walks: ts.Node[]; recursion: boolean }>>();

/**
 * How the variable `name` (declared by `fn`) can come to hold an object reached through a computed property:
 * the assignments `name = x[k]` that walk a path, and whether it is parameter `param` and `fn` calls itself
 * with `x[k]` there (recursion into nested objects). Steps whose key was checked first (server-guards.ts
 * stepKeyChecked) cannot land on a prototype and are left out.
 */
function computedKeySteps(ctx: Ctx, fn: ts.FunctionLikeDeclaration, name: string, param: number): { walks: ts.Node[]; recursion: boolean } {
  let byName = reachCache.get(fn);
  if (!byName) reachCache.set(fn, (byName = new Map()));
  const cached = byName.get(`${name}#${param}`);
  if (cached !== undefined) return cached;
  const self = namesOf(fn);
  const variadic = param < 0 && readsArguments(fn);
  const out = { walks: [] as ts.Node[], recursion: false };
  const locals = localAssignments(fn);
  const visit = (n: ts.Node): void => {
    const unchecked = (e: ts.Expression) => {
      const read = dynamicRead(e);
      return !!read && !prototypelessTable(ctx, read) && !stepKeyChecked(ctx, read, n);
    };
    // The argument of a self-call may hold `x[k]` through a local: `clone = src && isPlainObject(src) ? src : {}`
    // with `src = target[key]` earlier (jQuery-style extend).
    const reaches = (e: ts.Expression, depth: number, seen: Set<string>): boolean => {
      const s = strip(e);
      if (unchecked(s)) return true;
      if (depth <= 0) return false;
      if (ts.isConditionalExpression(s)) return reaches(s.whenTrue, depth - 1, seen) || reaches(s.whenFalse, depth - 1, seen);
      if (ts.isBinaryExpression(s) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(s.operatorToken.kind)) {
        return reaches(s.left, depth - 1, seen) || reaches(s.right, depth - 1, seen);
      }
      if (ts.isIdentifier(s) && s.text !== name && !seen.has(s.text)) {
        seen.add(s.text);
        return (locals.get(s.text) ?? []).some((v) => reaches(v, depth - 1, seen));
      }
      return false;
    };
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(strip(n.left)) && (strip(n.left) as ts.Identifier).text === name && (unchecked(n.right) || reducedWalk(ctx, n.right) || helperWalk(ctx, n.right))) out.walks.push(n);
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer && (reducedWalk(ctx, n.initializer) || helperWalk(ctx, n.initializer))) out.walks.push(n);
    else if (!out.recursion && param >= 0 && ts.isCallExpression(n)) {
      const arg = argumentFor(n, self, param);
      if (arg && reaches(arg, 3, new Set())) out.recursion = true;
    } else if (!out.recursion && variadic && ts.isCallExpression(n)) {
      // `extend(deep, target, …)` read through `arguments`: the target is a local taken from some argument
      // slot, so a self-call passing `x[k]` in any slot recurses into the nested object.
      const args = n.arguments.map((_, i) => argumentFor(n, self, i)).filter((a): a is ts.Expression => !!a);
      if (args.some((a) => reaches(a, 3, new Set()))) out.recursion = true;
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  // The accumulator of a reducer that returns `acc[k]` holds, on each call, the object the previous key reached.
  if (param === 0 && !out.recursion && walkingReducer(ctx, fn)) out.recursion = true;
  byName.set(`${name}#${param}`, out);
  return out;
}

const isLoop = (n: ts.Node) => ts.isForStatement(n) || ts.isForInStatement(n) || ts.isForOfStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n) || isFunctionNode(n);
const endsFlow = (st: ts.Statement | undefined) => !!st && (ts.isBreakStatement(st) || ts.isReturnStatement(st) || ts.isThrowStatement(st) || ts.isContinueStatement(st));

/**
 * Whether the walk step `step` can run before the write `write` inside `fn`: not when they sit in different
 * branches of an `if`, in different `case` clauses that do not fall through, or in sequence with the step
 * after the write, unless a loop (or a function that may be called again) around both carries the value back.
 */
function mayPrecede(step: ts.Node, write: ts.Node, fn: ts.Node): boolean {
  const chain = (n: ts.Node) => {
    const out: ts.Node[] = [];
    for (let p: ts.Node | undefined = n; p && p !== fn; p = p.parent) out.unshift(p);
    return out;
  };
  const a = chain(step);
  const b = chain(write);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === 0 || i >= a.length || i >= b.length) return true;
  if (a.slice(0, i).some(isLoop)) return true;
  const lca = a[i - 1];
  const [sa, sb] = [a[i], b[i]];
  if (ts.isIfStatement(lca)) return !(sa !== lca.expression && sb !== lca.expression);
  if (ts.isCaseBlock(lca)) {
    const ca = lca.clauses.indexOf(sa as ts.CaseOrDefaultClause);
    const cb = lca.clauses.indexOf(sb as ts.CaseOrDefaultClause);
    if (ca > cb) return false;
    return !lca.clauses.slice(ca, cb).some((c) => endsFlow(c.statements[c.statements.length - 1]));
  }
  if (ts.isBlock(lca) || ts.isSourceFile(lca)) return lca.statements.indexOf(sa as ts.Statement) <= lca.statements.indexOf(sb as ts.Statement);
  return true;
}

const unguarded = (flows: Flow[]) => flows.filter((f) => !f.cuts.includes('prototype-pollution'));

/** The expressions a function returns (an arrow's expression body, or its `return` statements). */
function returnedValues(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionNode(n)) return;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return out;
}

/**
 * `keys.reduce((o, k) => (o[k] = o[k] || {}), root)`: a reducer that returns what its accumulator holds under an
 * unchecked data key walks one level per key, like `cur = cur[k]` in a loop.
 */
function walkingReducer(ctx: Ctx, fn: ts.Node): boolean {
  const call = fn.parent;
  if (!call || !ts.isCallExpression(call) || call.arguments[0] !== fn || !isFunctionNode(fn)) return false;
  const callee = strip(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !['reduce', 'reduceRight'].includes(callee.name.text)) return false;
  return returnedValues(fn as ts.FunctionLikeDeclaration).some((r) => {
    const read = dynamicRead(r) ?? (ts.isBinaryExpression(strip(r)) ? dynamicRead((strip(r) as ts.BinaryExpression).right) : undefined);
    return !!read && !stepKeyChecked(ctx, read, r);
  });
}

/** A `.reduce(walker, root)` call whose reducer walks (walkingReducer): its result is the object the path reached. */
function reducedWalk(ctx: Ctx, e: ts.Expression): boolean {
  const s = strip(e);
  return ts.isCallExpression(s) && !!s.arguments[0] && walkingReducer(ctx, strip(s.arguments[0]));
}

const walkerCache = new WeakMap<ts.Node, boolean>();

/**
 * A helper that returns the object a walk reached: `return cur` after `cur = cur[k]` steps (a loop, a forEach
 * callback, a reducer), or `return obj[k]`. `namespace(obj, path)[last] = v` and `o = walk(o, parts); o[k] = v`
 * write on what it returns. Judged in the helper's own file; unchecked steps only.
 */
function returnsWalk(ctx: Ctx, fn: ts.Node): boolean {
  const known = walkerCache.get(fn);
  if (known !== undefined) return known;
  walkerCache.set(fn, false); // a recursive helper asks about itself
  const sf = fn.getSourceFile();
  const here: Ctx = sf === ctx.sf ? ctx : { ...ctx, sf };
  const out = returnedValues(fn as ts.FunctionLikeDeclaration).some((r) => {
    const s = strip(r);
    const read = dynamicRead(s);
    if (read) return !prototypelessTable(here, read) && !stepKeyChecked(here, read, r);
    if (reducedWalk(here, s)) return true;
    if (!ts.isIdentifier(s)) return false;
    const decl = declaringFunction(s, s.text);
    if (!decl || decl.fn !== fn) return false;
    return computedKeySteps(here, decl.fn, s.text, decl.param).walks.some((w) => mayPrecede(w, s, decl.fn));
  });
  walkerCache.set(fn, out);
  return out;
}

/** `helper(obj, path)` where the helper returns the object its walk reached and some argument is data. */
function helperWalk(ctx: Ctx, e: ts.Expression): boolean {
  const s = strip(e);
  if (!ts.isCallExpression(s) || !s.arguments.length) return false;
  const fns = (ctx.eval(s.expression).fns ?? []).map((f) => f.node as ts.Node).filter((n) => isFunctionNode(n));
  if (!fns.length || !fns.some((f) => returnsWalk(ctx, f))) return false;
  return s.arguments.some((a) => unguarded(taintOf(ctx.eval(a))).length > 0);
}

function objectReachable(ctx: Ctx, obj: ts.Expression, at: ts.Node): boolean {
  const s = strip(obj);
  if (reducedWalk(ctx, s)) return true;
  if (helperWalk(ctx, s)) return true;
  const read = dynamicRead(s);
  if (read) {
    if (prototypelessTable(ctx, read)) return false;
    const key = strip(read.argumentExpression);
    return isPure(key) && unguarded(taintOf(ctx.eval(key))).length > 0;
  }
  if (!ts.isIdentifier(s)) return false;
  const decl = declaringFunction(at, s.text);
  if (!decl) return false;
  const steps = computedKeySteps(ctx, decl.fn, s.text, decl.param);
  return steps.recursion || steps.walks.some((w) => mayPrecede(w, at, decl.fn));
}

/** Called for every assignment to `obj[expr]` (interpreter.ts assignTo): records a pollution sink hit. */
export function noteDynamicWrite(ctx: Ctx, target: ts.ElementAccessExpression): void {
  const keyExpr = strip(target.argumentExpression);
  if (ts.isStringLiteralLike(keyExpr) || ts.isNumericLiteral(keyExpr) || !isPure(keyExpr)) return;
  const assignment = target.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.left !== target) return;
  // `cur[k] = {}` creates the next level of a path; the write that stores the value is the one to report.
  if (freshLiteral(assignment.right)) return;
  const key = ctx.eval(keyExpr);
  if (key.constant) return;
  const flows = unguarded(taintOf(key));
  if (!flows.length || !objectReachable(ctx, target.expression, target)) return;
  const site = siteOf(ctx, assignment);
  for (const flow of flows) {
    ctx.out.addSink({
      sinkId: 'dynamic-write',
      rule: 'prototype-pollution',
      site,
      argIndex: 0,
      flow,
      label:
        'writes a property named by the data on an object that was itself reached through a data-named property: ' +
        'with the key "__proto__" (or "constructor", "prototype") that object is Object.prototype',
      calleeText: `${textOf(ctx, target, 40)} =`,
      patch: 'merge-key-guard',
    });
  }
}
