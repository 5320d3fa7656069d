// Abstract interpretation of one JS/TS function body (or a module's top level) into a summary.
// Statements run in order with strong updates; branches run on copies of the environment and join;
// loops run twice. Everything beyond plain JS semantics comes from the plug-ins (plugins.ts) through
// the context's hooks: calls are resolved through the model tables or, for functions the analysis can
// see, by instantiating their summaries (calls.ts); guards narrow branches (conditions.ts); observers
// watch values (checks/). No plug-in imports this module: they evaluate with `ctx.eval`.
import ts from 'typescript';
import type { TraceStep } from '../../../model.js';
import { anyMember, memberAccess } from '../access.js';
import { instantiate, thisAfter, type CallSite, type Collector, type Summary } from '../summaries.js';
import { addStep, derived, empty, join, joinAll, knownValue, numericFacts, taintOf, SPREAD_TAG, THIS_PARAM, type Env, type Flow, type Site, type Value } from '../values.js';
import { ARGUMENT_SLOTS, bindingNames, isFunctionNode, readsArguments, type FunctionInfo } from './functions.js';
import type { ModuleInfo } from './modules.js';
import { builder, type Ctx, type JsProgram } from './context.js';
import { siteOf, step } from './sites.js';
import { accessPathText } from './syntax.js';
import { exportsAliases } from './exports-alias.js';
import { copiedMembers } from './member-copies.js';

const symbolic = (root: Flow['root']): Value => ({
  flows: [{ root, steps: [], alias: true, cuts: [], partial: [], tags: [], files: [] }],
});

// ---------------------------------------------------------------- names

export function lookup(ctx: Ctx, name: string, node: ts.Node): Value {
  const { info } = ctx;
  if (info.declared.has(name)) {
    const v = ctx.env.vars.get(name);
    if (v) return v;
    if (info.isModule) return ctx.prog.moduleBinding(ctx.mod, name);
    return empty();
  }
  for (let p = info.parent; p; p = p.parent) {
    if (!p.declared.has(name)) continue;
    if (p.isModule) return ctx.prog.moduleBinding(ctx.mod, name);
    if (ctx.closure) {
      const known = closureValue(ctx.closure, p.node, name);
      if (known) return known;
    }
    let v = symbolic({ kind: 'capture', name, path: [], site: siteOf(ctx, node) });
    const decl = p.hoisted.get(name) ?? p.constFunctions.get(name);
    if (decl && !ts.isClassDeclaration(decl)) v = join(v, { flows: [], fns: [ctx.prog.fnRef(decl)] });
    return v;
  }
  if (name === 'undefined' || name === 'NaN' || name === 'Infinity' || name === 'this') return empty();
  if (name === 'arguments' && !info.isModule && readsArguments(info.node)) return argumentsValue(ctx, info.node as ts.FunctionLikeDeclaration);
  // An implicit global this function assigned (sloppy mode `filePath = …` without a declaration): read back here.
  const implicit = ctx.env.vars.get(name);
  if (implicit) return implicit;
  if (name === '__dirname' || name === '__filename') return { flows: [], text: '\u0000' };
  return { flows: [], ext: [{ module: '<global>', path: [name] }] };
}

/** A function's `arguments`: element i is parameter i (declared or not), any element is any of them. */
function argumentsValue(ctx: Ctx, node: ts.FunctionLikeDeclaration): Value {
  const props = new Map<string, Value>();
  let all = empty();
  const site = siteOf(ctx, node.name ?? node);
  for (let i = 0; i < Math.max(node.parameters.length, ARGUMENT_SLOTS); i++) {
    const v = symbolic({ kind: 'param', index: i, path: [], site });
    props.set(String(i), v);
    all = join(all, v);
  }
  props.set('*', all);
  return { ...derived(all), props };
}

/** What `name` of the function `owner` is bound to in a closure's environment chain, when it is a known value. */
function closureValue(closure: Env, owner: unknown, name: string): Value | undefined {
  for (let env: Env | undefined = closure; env; env = env.parent) {
    if (env.owner !== owner) continue;
    const v = env.vars.get(name);
    return v && knownValue(v) ? v : undefined;
  }
  return undefined;
}

function assignName(ctx: Ctx, name: string, v: Value): void {
  // A new value invalidates what guards established about the old one.
  for (const k of [...ctx.env.vars.keys()]) if (k === `#path:${name}` || k.startsWith(`#path:${name}.`)) ctx.env.vars.delete(k);
  if (ctx.info.declared.has(name)) {
    ctx.env.vars.set(name, v);
    return;
  }
  // A module-level variable assigned inside a function (lazy initialisation): weak update.
  for (let p = ctx.info.parent; p; p = p.parent) {
    if (!p.declared.has(name)) continue;
    if (p.isModule) {
      const env = ctx.prog.moduleEnv(ctx.mod.path);
      env.vars.set(name, join(env.vars.get(name) ?? empty(), v));
    }
    return;
  }
  // Declared nowhere: an implicit global (sloppy mode). Kept in this function's environment, so the function's
  // own later reads see it (what other functions read of it is not followed).
  ctx.env.vars.set(name, v);
}

function assignLabel(init: ts.Expression | undefined, name: string): string {
  let e = init;
  while (e && (ts.isAwaitExpression(e) || ts.isParenthesizedExpression(e) || ts.isAsExpression(e))) e = e.expression;
  if (e && (ts.isTemplateExpression(e) || ts.isTaggedTemplateExpression(e))) return `interpolated into \`${name}\` (template string)`;
  if (e && ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return `concatenated into \`${name}\``;
  return `assigned to \`${name}\``;
}

/** Bind a declaration pattern (or a destructuring assignment target) to a value. */
export function bind(ctx: Ctx, target: ts.BindingName | ts.Expression, v: Value, init?: ts.Expression): void {
  if (ts.isIdentifier(target)) {
    const traced = v.flows.length || v.props ? addSteps(v, step(ctx, target, assignLabel(init, target.text))) : v;
    assignName(ctx, target.text, traced);
    return;
  }
  if (ts.isObjectBindingPattern(target)) {
    for (const el of target.elements) {
      let part: Value;
      if (el.dotDotDotToken) part = v;
      else {
        const key = el.propertyName ? propName(ctx, el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
        part = key === undefined ? derived(v) : memberAccess(v, key, siteOf(ctx, el));
      }
      if (el.initializer) part = join(part, evalExpr(ctx, el.initializer));
      bind(ctx, el.name, part);
    }
    return;
  }
  if (ts.isArrayBindingPattern(target)) {
    target.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return;
      let part = el.dotDotDotToken ? v : memberAccess(v, String(i), siteOf(ctx, el));
      if (el.initializer) part = join(part, evalExpr(ctx, el.initializer));
      bind(ctx, el.name, part);
    });
    return;
  }
  // Destructuring assignment: ({ a, b: c } = v), [a, b] = v
  if (ts.isObjectLiteralExpression(target)) {
    for (const p of target.properties) {
      if (ts.isShorthandPropertyAssignment(p)) bind(ctx, p.name, memberAccess(v, p.name.text, siteOf(ctx, p)));
      else if (ts.isPropertyAssignment(p)) {
        const key = propName(ctx, p.name);
        bind(ctx, p.initializer, key === undefined ? derived(v) : memberAccess(v, key, siteOf(ctx, p)));
      } else if (ts.isSpreadAssignment(p)) bind(ctx, p.expression, v);
    }
    return;
  }
  if (ts.isArrayLiteralExpression(target)) {
    target.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return;
      if (ts.isSpreadElement(el)) bind(ctx, el.expression, v);
      else bind(ctx, el, memberAccess(v, String(i), siteOf(ctx, el)));
    });
    return;
  }
  if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    bind(ctx, target.left, join(v, evalExpr(ctx, target.right)));
    return;
  }
  assignTo(ctx, target, v);
}

function addSteps(v: Value, s: TraceStep): Value {
  if (!v.flows.length && !v.props) return v;
  const props = v.props && new Map([...v.props].map(([k, p]) => [k, addSteps(p, s)] as const));
  return { ...v, flows: v.flows.map((f) => addStep(f, s)), props };
}

export function propName(ctx: Ctx, name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name)) {
    const v = evalExpr(ctx, name.expression);
    return v.constant ? v.text : undefined;
  }
  return undefined;
}

function isModuleExports(e: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'module' && e.name.text === 'exports';
}

function assignTo(ctx: Ctx, target: ts.Expression, v: Value): void {
  if (ts.isParenthesizedExpression(target)) return assignTo(ctx, target.expression, v);
  if (ts.isIdentifier(target)) return bind(ctx, target, v);
  if (isModuleExports(target)) {
    ctx.prog.setCjsExports(ctx.mod.path, v);
    return;
  }
  if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
    if (ts.isElementAccessExpression(target)) ctx.hooks.elementWrite(ctx, target); // prototype pollution (dynamic-writes.ts)
    const obj = target.expression;
    const key = ts.isPropertyAccessExpression(target)
      ? target.name.text
      : (() => {
          const k = evalExpr(ctx, target.argumentExpression);
          return k.constant && k.text !== undefined ? k.text : '*';
        })();
    // `out[k] = src[k]` (re-exporting a module's members, building an index of handlers): each known member of
    // src also lands under its own name, as the loop over the keys puts it there.
    if (key === '*' && ts.isElementAccessExpression(target)) for (const [name, m] of copiedMembers(ctx, target)) writeMember(ctx, obj, name, m);
    writeMember(ctx, obj, key, v);
  }
}

/** `obj.key = v` (key '*': under a key not known). */
function writeMember(ctx: Ctx, obj: ts.Expression, key: string, v: Value): void {
  if (isModuleExports(obj) || (ts.isIdentifier(obj) && obj.text === 'exports' && !ctx.info.declared.has('exports'))) {
    ctx.prog.setCjsExport(ctx.mod.path, key, v);
    return;
  }
  // `var api = module.exports = {}; api.get = …`: the member is an export too (exports-alias.ts).
  if (ctx.info.isModule && ts.isIdentifier(obj) && exportsAliases(ctx.sf).has(obj.text)) ctx.prog.setCjsExport(ctx.mod.path, key, v);
  const path = accessPathText(obj);
  // `C.prototype.m = function (…) {…}`: a method of C's instances, kept on C under `prototype` (construct reads it).
  if (ts.isPropertyAccessExpression(obj) && obj.name.text === 'prototype' && ts.isIdentifier(obj.expression) && key !== '*') {
    const cls = evalExpr(ctx, obj.expression);
    if (cls.fns?.length) {
      const proto = new Map(cls.props?.get('prototype')?.props ?? []);
      proto.set(key, v);
      bind(ctx, obj.expression, { ...cls, props: new Map([...(cls.props ?? []), ['prototype', { flows: [], props: proto }]]) });
      return;
    }
  }
  if (path && ts.isIdentifier(obj)) {
    const cur = evalExpr(ctx, obj);
    const props = new Map(cur.props ?? []);
    props.set(key, key === '*' ? join(props.get('*') ?? empty(), v) : v);
    bind(ctx, obj, { ...cur, props });
  } else if (obj.kind === ts.SyntaxKind.ThisKeyword && ctx.info.declared.has('this')) {
    // `this.db = db`: a field of the receiver; the summary's thisOut carries it to the instance.
    setThisField(ctx, key, v);
  }
}

// ---------------------------------------------------------------- statements

/** Runs statements; returns true when every path through them returns or throws. */
export function evalStatements(ctx: Ctx, statements: readonly ts.Statement[]): boolean {
  for (const st of statements) {
    if (evalStatement(ctx, st)) return true;
  }
  return false;
}

function branch(ctx: Ctx, run: () => boolean): { vars: Map<string, Value>; exits: boolean } {
  const saved = ctx.env.vars;
  ctx.env.vars = new Map(saved);
  const exits = run();
  const vars = ctx.env.vars;
  ctx.env.vars = saved;
  return { vars, exits };
}

function joinVars(a: Map<string, Value>, b: Map<string, Value>): Map<string, Value> {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, out.has(k) ? join(out.get(k)!, v) : v);
  return out;
}

function mergeBranches(ctx: Ctx, a: { vars: Map<string, Value>; exits: boolean }, b: { vars: Map<string, Value>; exits: boolean }): boolean {
  if (a.exits && b.exits) {
    ctx.env.vars = joinVars(a.vars, b.vars);
    return true;
  }
  ctx.env.vars = a.exits ? b.vars : b.exits ? a.vars : joinVars(a.vars, b.vars);
  return false;
}

function evalStatement(ctx: Ctx, st: ts.Statement): boolean {
  if (ts.isVariableStatement(st)) {
    for (const d of st.declarationList.declarations) {
      const v = d.initializer ? evalExpr(ctx, d.initializer) : empty();
      bind(ctx, d.name, v, d.initializer);
    }
    if (ctx.info.isModule && hasExport(st)) {
      for (const d of st.declarationList.declarations) for (const n of bindingNames(d.name)) ctx.prog.setEsmExport(ctx.mod.path, n, ctx.env.vars.get(n) ?? empty());
    }
    return false;
  }
  if (ts.isExpressionStatement(st)) {
    evalExpr(ctx, st.expression);
    ctx.hooks.afterExpressionStatement(ctx, st); // `checkKey(k);` with a helper that throws on polluting names (server-guards.ts)
    return false;
  }
  if (ts.isReturnStatement(st)) {
    if (st.expression) {
      const v = evalExpr(ctx, st.expression);
      const label = `returned from \`${ctx.info.name}\` (${ctx.mod.path})`;
      ctx.out.ret = join(ctx.out.ret, addSteps(v, step(ctx, st, label)));
    }
    return true;
  }
  if (ts.isThrowStatement(st)) {
    evalExpr(ctx, st.expression);
    return true;
  }
  if (ts.isBreakStatement(st) || ts.isContinueStatement(st)) {
    // What the iteration assigned so far goes on to the next iteration (continue) or past the loop (break).
    const carried = ctx.loopExits;
    if (carried?.length) carried[carried.length - 1] = joinVars(carried[carried.length - 1], ctx.env.vars);
    return true;
  }
  if (ts.isBlock(st)) return evalStatements(ctx, st.statements);
  if (ts.isIfStatement(st)) {
    evalExpr(ctx, st.expression);
    const a = branch(ctx, () => {
      ctx.hooks.condition(ctx, st.expression, true);
      return evalStatement(ctx, st.thenStatement);
    });
    const b = branch(ctx, () => {
      ctx.hooks.condition(ctx, st.expression, false);
      return st.elseStatement ? evalStatement(ctx, st.elseStatement) : false;
    });
    return mergeBranches(ctx, a, b);
  }
  if (ts.isForOfStatement(st) || ts.isForInStatement(st)) {
    const coll = evalExpr(ctx, st.expression);
    const elem = ts.isForOfStatement(st) ? memberAccess(coll, '*', siteOf(ctx, st.expression)) : derived(coll);
    const init = st.initializer;
    loop(ctx, () => {
      if (ts.isVariableDeclarationList(init)) for (const d of init.declarations) bind(ctx, d.name, elem);
      else bind(ctx, init, elem);
      evalStatement(ctx, st.statement);
    });
    ctx.hooks.afterLoop(ctx, st);
    return false;
  }
  if (ts.isForStatement(st)) {
    if (st.initializer) {
      if (ts.isVariableDeclarationList(st.initializer)) {
        for (const d of st.initializer.declarations) bind(ctx, d.name, d.initializer ? evalExpr(ctx, d.initializer) : empty());
      } else evalExpr(ctx, st.initializer);
    }
    loop(ctx, () => {
      if (st.condition) evalExpr(ctx, st.condition);
      evalStatement(ctx, st.statement);
      if (st.incrementor) evalExpr(ctx, st.incrementor);
    });
    ctx.hooks.afterLoop(ctx, st); // a loop that rejects polluting elements vouches for the array (server-guards.ts)
    return false;
  }
  if (ts.isWhileStatement(st) || ts.isDoStatement(st)) {
    loop(ctx, () => {
      evalExpr(ctx, st.expression);
      evalStatement(ctx, st.statement);
    });
    ctx.hooks.afterLoop(ctx, st);
    return false;
  }
  if (ts.isTryStatement(st)) {
    const before = ctx.env.vars;
    const t = branch(ctx, () => evalStatements(ctx, st.tryBlock.statements));
    let exits = t.exits;
    ctx.env.vars = t.vars;
    if (st.catchClause) {
      const c = branch(ctx, () => {
        ctx.env.vars = joinVars(before, t.vars);
        if (st.catchClause!.variableDeclaration) bind(ctx, st.catchClause!.variableDeclaration.name, empty());
        return evalStatements(ctx, st.catchClause!.block.statements);
      });
      exits = mergeBranches(ctx, t, c);
    }
    if (st.finallyBlock) exits = evalStatements(ctx, st.finallyBlock.statements) || exits;
    return exits;
  }
  if (ts.isSwitchStatement(st)) {
    evalExpr(ctx, st.expression);
    const results = st.caseBlock.clauses.map((cl) => branch(ctx, () => evalStatements(ctx, cl.statements)));
    const hasDefault = st.caseBlock.clauses.some((c) => ts.isDefaultClause(c));
    let vars = hasDefault ? new Map<string, Value>() : ctx.env.vars;
    let first = !hasDefault;
    for (const r of results) {
      vars = first ? joinVars(vars, r.vars) : r.vars;
      first = true;
    }
    ctx.env.vars = vars;
    return false;
  }
  if (ts.isLabeledStatement(st)) return evalStatement(ctx, st.statement);
  if (ts.isExportAssignment(st)) {
    const v = evalExpr(ctx, st.expression);
    if (st.isExportEquals) ctx.prog.setCjsExports(ctx.mod.path, v);
    else ctx.prog.setEsmExport(ctx.mod.path, 'default', v);
    return false;
  }
  if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
    for (const el of st.exportClause.elements) {
      const local = (el.propertyName ?? el.name).text;
      ctx.prog.setEsmExport(ctx.mod.path, el.name.text, lookup(ctx, local, el));
    }
    return false;
  }
  // A class is hoisted by name only: its `extends` clause and field initialisers see the bindings above it.
  if (ts.isClassDeclaration(st) && st.name && ctx.info.hoisted.get(st.name.text) === st) ctx.env.vars.set(st.name.text, classValue(ctx, st));
  if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && ctx.info.isModule && hasExport(st)) {
    const isDefault = (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    const name = st.name?.text;
    const v = name ? (ctx.env.vars.get(name) ?? empty()) : hoistedValue(ctx, st);
    ctx.prog.setEsmExport(ctx.mod.path, isDefault ? 'default' : name!, v);
    return false;
  }
  return false;
}

function loop(ctx: Ctx, body: () => void): void {
  // Twice: a value assigned late in the body reaches uses early in the next iteration (once when nested,
  // to keep nested loops linear).
  ctx.prog.loopDepth++;
  try {
    for (let i = 0; i < (ctx.prog.loopDepth > 1 ? 1 : 2); i++) {
      const exits = (ctx.loopExits ??= []);
      exits.push(new Map());
      let exited = new Map<string, Value>();
      let r: { vars: Map<string, Value> };
      try {
        r = branch(ctx, () => {
          body();
          return false;
        });
      } finally {
        exited = exits.pop()!;
      }
      ctx.env.vars = joinVars(joinVars(ctx.env.vars, r.vars), exited);
    }
  } finally {
    ctx.prog.loopDepth--;
  }
}

function hasExport(n: ts.Node): boolean {
  return ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function classValue(ctx: Ctx, decl: ts.ClassDeclaration | ts.ClassExpression): Value {
  // Instance and static methods alike: `new C().m()` and `C.m()` both find them.
  const props = new Map<string, Value>();
  for (const m of decl.members) {
    if ((ts.isMethodDeclaration(m) || ts.isGetAccessorDeclaration(m)) && m.body) {
      const key = propName(ctx, m.name);
      if (key) props.set(key, { flows: [], fns: [ctx.prog.fnRef(m, ctx.env)] });
    } else if (ts.isPropertyDeclaration(m) && m.initializer) {
      // Field initialisers (`private repo = new Repo(pool)`), evaluated where the class is defined.
      const key = propName(ctx, m.name);
      if (key && !props.has(key)) props.set(key, evalExpr(ctx, m.initializer));
    }
  }
  const ctor = decl.members.find(ts.isConstructorDeclaration);
  let fns = ctor?.body ? [ctx.prog.fnRef(ctor, ctx.env)] : undefined;
  // `extends Base`: inherited members (overridden ones stay), and the base constructor when there is no own one.
  const base = decl.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (base) {
    const b = evalExpr(ctx, base.expression);
    for (const [k, v] of b.props ?? []) if (!props.has(k)) props.set(k, v);
    if (!fns && b.props) fns = b.fns;
  }
  return { flows: [], props, fns };
}

function hoistedValue(ctx: Ctx, decl: ts.FunctionDeclaration | ts.ClassDeclaration): Value {
  return ts.isFunctionDeclaration(decl) ? { flows: [], fns: [ctx.prog.fnRef(decl, ctx.env)] } : classValue(ctx, decl);
}

function setThisField(ctx: Ctx, key: string, v: Value): void {
  const cur = ctx.env.vars.get('this') ?? empty();
  const props = new Map(cur.props ?? []);
  props.set(key, key === '*' ? join(props.get('*') ?? empty(), v) : v);
  ctx.env.vars.set('this', { ...cur, props });
  ctx.env.vars.delete(`#path:this.${key}`);
}

const FIELD_MODIFIERS = new Set([ts.SyntaxKind.PublicKeyword, ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.ReadonlyKeyword]);

/** What plug-ins reach the interpreter through: methods on `this`, so a copy of a context works on the copy. */
const OPERATIONS: Pick<Ctx, 'eval' | 'bind' | 'construct'> = {
  eval(this: Ctx, e: ts.Expression) {
    return evalExpr(this, e);
  },
  bind(this: Ctx, target: ts.BindingName | ts.Expression, v: Value, init?: ts.Expression) {
    bind(this, target, v, init);
  },
  construct(this: Ctx, cls: Value, args: Value[], call: CallSite) {
    return construct(this, cls, args, call);
  },
};

/** Analyse a function (or a module top level, with `env` the module environment). */
export function analyse(prog: JsProgram, info: FunctionInfo, mod: ModuleInfo, env: Env, closure?: Env): Summary & Collector {
  const out = builder(info.id);
  const ctx: Ctx = { prog, info, mod, sf: mod.sf, env, out, closure, hooks: prog.hooks, ...OPERATIONS };
  for (const [name, decl] of info.hoisted) env.vars.set(name, hoistedValue(ctx, decl));
  if (info.isModule) {
    evalStatements(ctx, mod.sf.statements);
    return out;
  }
  const node = info.node as ts.FunctionLikeDeclaration;
  // `this` is a parameter of its own (THIS_PARAM): the summary says which of its fields reach sinks.
  if (info.declared.has('this')) env.vars.set('this', symbolic({ kind: 'param', index: THIS_PARAM, path: [], site: siteOf(ctx, node.name ?? node) }));
  info.params.forEach((p, i) => {
    let v: Value = symbolic({ kind: 'param', index: i, path: [], site: siteOf(ctx, p) });
    if (p.initializer) v = join(v, evalExpr(ctx, p.initializer));
    bind(ctx, p.name, v);
    // TypeScript parameter properties: `constructor(private readonly db: Db)` sets this.db.
    if (ts.isConstructorDeclaration(node) && ts.isIdentifier(p.name) && (ts.getModifiers(p) ?? []).some((m) => FIELD_MODIFIERS.has(m.kind))) {
      setThisField(ctx, p.name.text, ctx.env.vars.get(p.name.text) ?? v);
    }
  });
  if (!node.body) return out;
  if (ts.isBlock(node.body)) evalStatements(ctx, node.body.statements);
  else {
    const v = evalExpr(ctx, node.body);
    out.ret = join(out.ret, addSteps(v, step(ctx, node.body, `returned from \`${info.name}\` (${mod.path})`)));
  }
  const self = env.vars.get('this');
  if (self?.props?.size) out.thisOut = self;
  return out;
}

const isMethodNode = (n: unknown) => ts.isMethodDeclaration(n as ts.Node) || ts.isGetAccessorDeclaration(n as ts.Node) || ts.isSetAccessorDeclaration(n as ts.Node);

/**
 * `new C(args)` of a class the analysis can see: the instance has the class's members, the fields its constructor
 * sets (with the caller's arguments) and the fields other methods set that are known without their arguments
 * (`connect() { this.client = new Pool() }`); its methods are bound to it, so `obj.m` passed as a callback keeps
 * its `this`.
 */
export function construct(ctx: Ctx, cls: Value, args: Value[], call: CallSite): Value {
  // A class's methods, or a constructor function's prototype members (`C.prototype.m = …`).
  const proto = cls.props?.get('prototype')?.props;
  let inst: Value = { flows: [], props: new Map(proto ?? cls.props ?? []) };
  const provider = ctx.prog.provider;
  for (const fn of cls.fns ?? []) {
    instantiate(provider, fn, args, { ...call, thisValue: inst, onThis: (t) => (inst = join(inst, t)) }, ctx.out);
  }
  for (const v of cls.props?.values() ?? []) {
    for (const fn of v.fns ?? []) {
      if (!isMethodNode(fn.node) || !ctx.prog.infoOf(fn)?.assignsThis) continue;
      const t = thisAfter(provider, fn, [], { ...call, thisValue: inst });
      if (!t?.props) continue;
      const props = new Map(inst.props);
      for (const [k, p] of t.props) if (!props.has(k)) props.set(k, p);
      inst = { ...inst, props };
    }
  }
  const props = new Map(inst.props);
  const self: Value = { ...inst, flows: [], props };
  for (const [k, v] of props) {
    if (v.fns?.some((f) => isMethodNode(f.node))) props.set(k, { ...v, fns: v.fns.map((f) => (isMethodNode(f.node) ? { ...f, self } : f)) });
  }
  // Getters become the values they return, so access paths through them (`this.repo.find` in a method) resolve.
  for (const [k, v] of props) {
    const getters = v.fns?.filter((f) => ts.isGetAccessorDeclaration(f.node as ts.Node));
    if (getters?.length) props.set(k, joinAll(getters.map((g) => instantiate(provider, g, [], { ...call, thisValue: self }, DISCARD))));
  }
  return self;
}

const DISCARD: Collector = { addSink() {}, addEffect() {}, addCall() {}, addFiles() {} };

/** A getter read as a property (`svc.repo`) is a call: its result, with the object as `this`. */
function readGetters(ctx: Ctx, v: Value, obj: Value, site: Site): Value {
  const getters = v.fns!.filter((f) => ts.isGetAccessorDeclaration(f.node as ts.Node));
  if (!getters.length) return v;
  const rest = v.fns!.filter((f) => !getters.includes(f));
  let out: Value = { ...v, fns: rest.length ? rest : undefined };
  if (!out.fns) delete out.fns;
  for (const g of getters) {
    out = join(out, instantiate(ctx.prog.provider, g, [], { site, argText: () => undefined, depth: 0, thisValue: g.self ?? obj }, ctx.out));
  }
  return out;
}

// ---------------------------------------------------------------- expressions

const NUMERIC_OPERATORS = new Set([
  ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.AsteriskAsteriskToken, ts.SyntaxKind.BarToken, ts.SyntaxKind.AmpersandToken, ts.SyntaxKind.CaretToken,
  ts.SyntaxKind.LessThanLessThanToken, ts.SyntaxKind.GreaterThanGreaterThanToken, ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
]);
const BOOLEAN_OPERATORS = new Set([
  ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.LessThanToken, ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanEqualsToken, ts.SyntaxKind.InstanceOfKeyword, ts.SyntaxKind.InKeyword,
]);

export function concatText(a: Value, b: Value): Pick<Value, 'text' | 'constant'> {
  const ta = a.text ?? '\u0000';
  const tb = b.text ?? '\u0000';
  const text = `${ta}${tb}`.slice(0, 2000);
  return { text, constant: !!(a.constant && b.constant) };
}

function stringJoin(ctx: Ctx, parts: Value[]): Value {
  let out: Value = { flows: [], text: '', constant: true };
  for (const p of parts) {
    const t = concatText(out, p);
    // Plug-ins see where the text lands (after a fixed URL host, after a same-site prefix: plugins.ts).
    out = { flows: [...out.flows, ...ctx.hooks.concat(ctx, out, taintOf(p)).map((f) => (f.alias ? { ...f, alias: false } : f))], ...t };
  }
  const seen = new Set<string>();
  out.flows = out.flows.filter((f) => {
    const k = `${f.root.kind}:${JSON.stringify(f.root)}:${f.cuts.join(',')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return out;
}

export function evalExpr(ctx: Ctx, e: ts.Expression): Value {
  const v = evalNode(ctx, e);
  ctx.hooks.value(ctx, e, v); // observers (checks/ watch values landing in security-named places)
  return v;
}

function evalNode(ctx: Ctx, e: ts.Expression): Value {
  switch (e.kind) {
    case ts.SyntaxKind.Identifier:
      return ctx.env.vars.get(`#path:${(e as ts.Identifier).text}`) ?? lookup(ctx, (e as ts.Identifier).text, e);
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      return { flows: [], text: (e as ts.StringLiteral).text, constant: true, lit: e };
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
      return { flows: [], text: (e as ts.NumericLiteral).text, constant: true, lit: e };
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
      return { flows: [], text: e.kind === ts.SyntaxKind.TrueKeyword ? 'true' : 'false', constant: true, lit: e };
    case ts.SyntaxKind.NullKeyword:
      return { flows: [], text: 'null', constant: true };
    case ts.SyntaxKind.RegularExpressionLiteral: {
      const t = (e as ts.RegularExpressionLiteral).text;
      const i = t.lastIndexOf('/');
      return { flows: [], regex: { source: t.slice(1, i), flags: t.slice(i + 1) } };
    }
    case ts.SyntaxKind.ThisKeyword:
      return ctx.env.vars.get('#path:this') ?? lookup(ctx, 'this', e);
    case ts.SyntaxKind.SuperKeyword:
      return empty();
  }
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e) || ts.isAwaitExpression(e)) {
    return evalExpr(ctx, e.expression);
  }
  if (ts.isTemplateExpression(e)) {
    const parts: Value[] = [{ flows: [], text: e.head.text, constant: true }];
    for (const span of e.templateSpans) {
      parts.push(evalExpr(ctx, span.expression));
      parts.push({ flows: [], text: span.literal.text, constant: true });
    }
    return stringJoin(ctx, parts);
  }
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    const path = accessPathText(e);
    if (path) {
      const refined = ctx.env.vars.get(`#path:${path}`);
      if (refined) return refined;
    }
    const obj = evalExpr(ctx, e.expression);
    let key: string;
    if (ts.isPropertyAccessExpression(e)) key = e.name.text;
    else {
      const k = evalExpr(ctx, e.argumentExpression);
      key = k.constant && k.text !== undefined ? k.text : '*';
      if (key === '*') return joinAll([anyMember(obj, siteOf(ctx, e)), derived(obj), numericFacts(k)]);
    }
    const v = memberAccess(obj, key, siteOf(ctx, e));
    return v.fns ? readGetters(ctx, v, obj, siteOf(ctx, e)) : v;
  }
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) return ctx.hooks.call(ctx, e); // calls.ts
  if (ts.isTaggedTemplateExpression(e)) {
    // sql`...` style tags build parameterised queries; evaluate the parts for their own calls only.
    evalExpr(ctx, e.tag);
    if (ts.isTemplateExpression(e.template)) for (const s of e.template.templateSpans) evalExpr(ctx, s.expression);
    return empty();
  }
  if (ts.isBinaryExpression(e)) return evalBinary(ctx, e);
  if (ts.isPrefixUnaryExpression(e)) {
    // !x is a boolean; +x, -x, ~x, ++x coerce to a number: numeric coercion is a sanitiser.
    const v = evalExpr(ctx, e.operand);
    return e.operator === ts.SyntaxKind.ExclamationToken ? empty() : numericFacts(v);
  }
  if (ts.isPostfixUnaryExpression(e)) return empty();
  if (ts.isTypeOfExpression(e) || ts.isVoidExpression(e) || ts.isDeleteExpression(e)) {
    evalExpr(ctx, e.expression);
    return empty();
  }
  if (ts.isConditionalExpression(e)) {
    evalExpr(ctx, e.condition);
    const saved = ctx.env.vars;
    ctx.env.vars = new Map(saved);
    ctx.hooks.condition(ctx, e.condition, true);
    const t = evalExpr(ctx, e.whenTrue);
    ctx.env.vars = new Map(saved);
    ctx.hooks.condition(ctx, e.condition, false);
    const f = evalExpr(ctx, e.whenFalse);
    ctx.env.vars = saved;
    return join(t, f);
  }
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return { flows: [], fns: [ctx.prog.fnRef(e, ctx.env)] };
  if (ts.isClassExpression(e)) return classValue(ctx, e);
  if (ts.isObjectLiteralExpression(e)) {
    const props = new Map<string, Value>();
    let spread: Value = empty();
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p)) {
        const key = propName(ctx, p.name) ?? '*';
        const v = evalExpr(ctx, p.initializer);
        props.set(key, key === '*' && props.has('*') ? join(props.get('*')!, v) : v);
      } else if (ts.isShorthandPropertyAssignment(p)) props.set(p.name.text, evalExpr(ctx, p.name)); // sees guard refinements
      else if (ts.isSpreadAssignment(p)) {
        const v = evalExpr(ctx, p.expression);
        for (const [k, pv] of v.props ?? []) props.set(k, pv);
        // Tagged: a spread copies every field of the object (access-control/ mass assignment).
        spread = join(spread, { flows: v.flows.map((f) => ({ ...f, alias: false, tags: f.alias && !f.tags.includes(SPREAD_TAG) ? [...f.tags, SPREAD_TAG] : f.tags })) });
      } else if (isFunctionNode(p)) {
        const key = propName(ctx, p.name);
        if (key) props.set(key, { flows: [], fns: [ctx.prog.fnRef(p, ctx.env)] });
      }
    }
    return { ...spread, props };
  }
  if (ts.isArrayLiteralExpression(e)) {
    const props = new Map<string, Value>();
    let all = empty();
    e.elements.forEach((el, i) => {
      if (ts.isSpreadElement(el)) {
        const v = evalExpr(ctx, el.expression);
        all = join(all, join(memberAccess(v, '*', siteOf(ctx, el)), derived(v)));
      } else if (!ts.isOmittedExpression(el)) {
        const v = evalExpr(ctx, el);
        props.set(String(i), v);
        all = join(all, v);
      }
    });
    props.set('*', all);
    return { flows: [], props };
  }
  if (ts.isSpreadElement(e)) return evalExpr(ctx, e.expression);
  // Elements: attribute and child expressions, raw-HTML attributes, components called with their props (jsx.ts).
  if (ts.isJsxElement(e) || ts.isJsxSelfClosingElement(e) || ts.isJsxFragment(e)) return ctx.hooks.jsx(ctx, e);
  return empty();
}

function evalBinary(ctx: Ctx, e: ts.BinaryExpression): Value {
  const op = e.operatorToken.kind;
  if (op === ts.SyntaxKind.EqualsToken) {
    const v = evalExpr(ctx, e.right);
    ctx.hooks.assign(ctx, e, v); // a property a sink model names (`ctx.body = html`: calls.ts)
    bind(ctx, e.left, v, e.right);
    return v;
  }
  if (op === ts.SyntaxKind.PlusEqualsToken) {
    const cur = evalExpr(ctx, e.left);
    const v = stringJoin(ctx, [cur, evalExpr(ctx, e.right)]);
    const name = accessPathText(e.left) ?? 'the variable';
    const s = step(ctx, e, `appended to \`${name}\``);
    assignTo(ctx, e.left, { ...v, flows: v.flows.map((f) => addStep(f, s)) });
    return v;
  }
  if (
    op === ts.SyntaxKind.AmpersandAmpersandEqualsToken ||
    op === ts.SyntaxKind.BarBarEqualsToken ||
    op === ts.SyntaxKind.QuestionQuestionEqualsToken
  ) {
    const v = join(evalExpr(ctx, e.left), evalExpr(ctx, e.right));
    assignTo(ctx, e.left, v);
    return v;
  }
  if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) {
    evalExpr(ctx, e.right);
    assignTo(ctx, e.left, empty());
    return empty();
  }
  if (op === ts.SyntaxKind.CommaToken) {
    evalExpr(ctx, e.left);
    return evalExpr(ctx, e.right);
  }
  const l = evalExpr(ctx, e.left);
  if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
    const saved = ctx.env.vars;
    ctx.env.vars = new Map(saved);
    ctx.hooks.condition(ctx, e.left, true);
    const r = evalExpr(ctx, e.right);
    ctx.env.vars = saved;
    return join(l, r);
  }
  const r = evalExpr(ctx, e.right);
  if (op === ts.SyntaxKind.PlusToken) return stringJoin(ctx, [l, r]);
  if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return join(l, r);
  if (NUMERIC_OPERATORS.has(op)) return joinAll([numericFacts(l), numericFacts(r)]);
  if (BOOLEAN_OPERATORS.has(op)) {
    ctx.hooks.compare(ctx, e, l, r);
    return empty();
  }
  return joinAll([derived(l), derived(r)]);
}
