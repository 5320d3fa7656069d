// `xs.filter((x) => GUARD(x))`: the elements that survive a filter are the ones for which the guard held, so
// the guard refines them the way it refines `x` inside `if (GUARD(x))` (allow-list regexes, includes, ...).
import ts from 'typescript';
import { memberAccess } from '../access.js';
import { derived, join, type Site, type Value } from '../values.js';
import { refine } from './conditions.js';
import type { Ctx } from './context.js';

const FILTERING_METHODS = new Set(['filter', 'find', 'findLast']);

/** The callback's returned condition when it is written inline as `(x) => cond` or `(x) => { return cond; }`. */
function inlineCondition(fn: ts.Expression): { param: string; cond: ts.Expression } | undefined {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const p = fn.parameters[0];
  if (!p || !ts.isIdentifier(p.name)) return undefined;
  const body = fn.body;
  if (!ts.isBlock(body)) return { param: p.name.text, cond: body };
  const [only] = body.statements;
  if (body.statements.length === 1 && only && ts.isReturnStatement(only) && only.expression) return { param: p.name.text, cond: only.expression };
  return undefined;
}

/**
 * The result of `receiver.method(callback)` when the method keeps the elements its inline callback accepts and
 * that callback is a guard; undefined when the guard establishes nothing (the generic callback model applies).
 */
export function filteredByGuard(ctx: Ctx, method: string | undefined, receiver: Value | undefined, callback: ts.Expression | undefined, site: Site): Value | undefined {
  if (!method || !FILTERING_METHODS.has(method) || !receiver || !callback) return undefined;
  const inline = inlineCondition(callback);
  if (!inline) return undefined;
  const elem = join(memberAccess(receiver, '*', site), derived(receiver));
  const key = `#path:${inline.param}`;
  // The callback is written here, so its other names resolve in this environment; only its parameter is bound.
  const saved = ctx.env.vars;
  ctx.env.vars = new Map(saved);
  ctx.env.vars.set(key, elem);
  let refined: Value | undefined;
  try {
    refine(ctx, inline.cond, true);
    refined = ctx.env.vars.get(key);
  } finally {
    ctx.env.vars = saved;
  }
  if (!refined || refined === elem) return undefined;
  return method === 'filter' ? { flows: refined.flows, props: new Map([['*', refined]]) } : refined;
}
