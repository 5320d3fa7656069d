// Callee matching: what a call's callee is (CallInfo), and whether it is the callee a model row names — a
// module member, a global, or a method of a typed (or conventionally named) receiver. Used by the call
// evaluator (calls.ts), guards (conditions.ts) and the non-flow checks (checks/).
import ts from 'typescript';
import { unwrap as strip } from './syntax.js';
import { memberAccess } from '../access.js';
import { FLUENT_METHODS } from '../models/sinks-web.js';
import type { CalleeMatch } from '../models/types.js';
import type { Flow, Value } from '../values.js';
import type { Ctx } from './context.js';
import { siteOf } from './sites.js';

export interface CallInfo {
  callee: Value;
  receiver?: Value;
  receiverExpr?: ts.Expression;
  method?: string;
  construct: boolean;
}

/** The last name in a receiver expression: `this.db` → "db", `req.app.locals.pool` → "pool". */
export function receiverName(e: ts.Expression | undefined): string {
  if (!e) return '';
  const s = strip(e);
  if (ts.isIdentifier(s)) return s.text;
  if (ts.isPropertyAccessExpression(s)) return s.name.text;
  if (ts.isCallExpression(s)) return receiverName(s.expression);
  return '';
}

/** The name a chain of chainable calls starts from: `res.status(404)` → "res", `knex('t').where(...)` → "knex". */
function fluentRoot(e: ts.Expression | undefined): string {
  let s = e && strip(e);
  if (!s || !ts.isCallExpression(s)) return '';
  while (ts.isCallExpression(s)) {
    const c: ts.Expression = strip(s.expression);
    if (ts.isIdentifier(c)) return c.text;
    if (!ts.isPropertyAccessExpression(c) || !FLUENT_METHODS.includes(c.name.text)) return '';
    s = strip(c.expression);
  }
  return receiverName(s);
}

export function calleeOf(ctx: Ctx, node: ts.CallExpression | ts.NewExpression): CallInfo {
  const construct = ts.isNewExpression(node);
  const c = strip(node.expression);
  if (ts.isPropertyAccessExpression(c) || (ts.isElementAccessExpression(c) && ts.isStringLiteralLike(c.argumentExpression))) {
    const method = ts.isPropertyAccessExpression(c) ? c.name.text : (c.argumentExpression as ts.StringLiteral).text;
    const receiver = ctx.eval(c.expression);
    return { callee: memberAccess(receiver, method, siteOf(ctx, c)), receiver, receiverExpr: c.expression, method, construct };
  }
  return { callee: ctx.eval(c), construct };
}

export const pathMatches = (actual: string[], pattern: string[]) =>
  actual.length === pattern.length && pattern.every((p, i) => p === '*' || p === actual[i]);

/** 'typed': matched on the value's type; 'named': on the receiver's name; 'symbolic': receiver is a parameter. */
export function matchesCallee(m: CalleeMatch, call: CallInfo): 'typed' | 'named' | 'symbolic' | 'no' {
  if (m.kind === 'module') {
    const ok = !!m.construct === call.construct && (call.callee.ext ?? []).some((e) => e.module === m.module && pathMatches(e.path, m.path));
    return ok ? 'typed' : 'no';
  }
  if (m.kind === 'global') {
    const ok =
      !!m.construct === call.construct &&
      (call.callee.ext ?? []).some((e) => e.module === '<global>' && e.path[0] === m.name && pathMatches(e.path.slice(1), m.path ?? []));
    return ok ? 'typed' : 'no';
  }
  // "()": a call of the typed value itself (`knex('users')`, a compiled template).
  if (!call.method && call.callee.obj && m.methods.includes('()')) return call.callee.obj.type === m.receiverType ? 'typed' : 'no';
  if (!call.method || !call.receiver || !m.methods.includes(call.method)) return 'no';
  if (call.receiver.obj) return call.receiver.obj.type === m.receiverType ? 'typed' : 'no';
  if (call.receiver.ext?.length || call.receiver.fns?.length) return 'no';
  if (m.receiverNames && (m.receiverNames.test(receiverName(call.receiverExpr)) || m.receiverNames.test(fluentRoot(call.receiverExpr)))) return 'named';
  // A parameter (or one of its direct members) that may turn out to be of the type at a call site.
  const param = symbolicReceiver(call.receiver);
  if (param && m.symbolicMethods?.includes(call.method)) return 'symbolic';
  return 'no';
}

/** Rows worth testing for a call: indexed by module member, global name and method name. */
export function indexRows<T extends { match: CalleeMatch | { kind: 'any-method'; methods: string[] } }>(rows: T[]): (call: CallInfo) => T[] {
  const index = new Map<string, T[]>();
  const add = (k: string, r: T) => {
    const list = index.get(k);
    if (list) list.push(r);
    else index.set(k, [r]);
  };
  for (const r of rows) {
    const m = r.match;
    if (m.kind === 'module') add(`m:${m.module}`, r);
    else if (m.kind === 'global') add(`g:${m.name}`, r);
    else for (const meth of m.methods) add(`.${meth}`, r);
  }
  return (call) => {
    const keys = new Set<string>();
    for (const e of call.callee.ext ?? []) keys.add(e.module === '<global>' ? `g:${e.path[0]}` : `m:${e.module}`);
    if (call.method) keys.add(`.${call.method}`);
    else if (call.callee.obj) keys.add('.()');
    const out: T[] = [];
    for (const k of keys) for (const r of index.get(k) ?? []) out.push(r);
    // Keep table order: earlier rows win.
    return out.length > 1 ? out.sort((a, b) => rows.indexOf(a) - rows.indexOf(b)) : out;
  };
}

export function symbolicReceiver(v: Value): Flow['root'] | undefined {
  const f = v.flows.find((x) => x.alias && x.root.kind !== 'source' && x.root.path.length <= 1);
  return f?.root;
}
