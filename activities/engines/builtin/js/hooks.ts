// The interpreter's extension points. A plug-in is a plain object of optional hooks; the interpreter calls
// them at fixed points of its walk (in the order of the plug-in list, plugins.ts) and knows no plug-in by
// name. Plug-ins evaluate sub-expressions with `ctx.eval(e)`, never by importing the interpreter.
import type ts from 'typescript';
import { empty, type Flow, type Value } from '../values.js';
import type { Ctx, Hooks, JsxNode } from './context.js';

export interface Plugin {
  /** For error messages and reading the list. */
  name: string;
  /** A call or `new`: its value. The first plug-in that returns one decides (none: an unknown, clean value). */
  onCall?(ctx: Ctx, node: ts.CallExpression | ts.NewExpression): Value | undefined;
  /** A JSX element or fragment: its value. The first plug-in that returns one decides. */
  onJsx?(ctx: Ctx, node: JsxNode): Value | undefined;
  /** Every expression the interpreter evaluates, with its value (observers; called very often: keep it cheap). */
  onValue?(ctx: Ctx, e: ts.Expression, v: Value): void;
  /** `left = right`, the right side evaluated, before the left side is bound. */
  onAssign?(ctx: Ctx, node: ts.BinaryExpression, v: Value): void;
  /** A write through a computed member (`o[k] = v`, `o[k] += v`, destructuring into `o[k]`), before it happens. */
  onElementWrite?(ctx: Ctx, target: ts.ElementAccessExpression): void;
  /** A comparison (`===`, `<`, `instanceof`, `in`, ...) of two evaluated operands. */
  onCompare?(ctx: Ctx, node: ts.BinaryExpression, left: Value, right: Value): void;
  /** Narrow the environment to where `cond` has the truth value `truth` (if/else, `?:`, `&&`). */
  onCondition?(ctx: Ctx, cond: ts.Expression, truth: boolean): void;
  /** After an expression statement ran (`assertSafe(x);`). */
  afterExpressionStatement?(ctx: Ctx, st: ts.ExpressionStatement): void;
  /** After a loop (`for`, `for…of`, `for…in`, `while`, `do`) ran. */
  afterLoop?(ctx: Ctx, st: ts.Statement): void;
  /**
   * Text appended after `prefix` (string concatenation, template literals): the appended part's flows as they
   * land there. Plug-ins apply in list order, each to the previous one's result.
   */
  onConcat?(ctx: Ctx, prefix: Value, flows: Flow[]): Flow[];
}

type Fn<A extends unknown[], R> = (...args: A) => R;

/** Every hook in turn. A single hook is called directly (the interpreter calls some for every expression). */
function each<A extends unknown[]>(fns: Fn<A, void>[]): Fn<A, void> {
  if (fns.length === 0) return () => {};
  if (fns.length === 1) return fns[0];
  return (...args) => {
    for (const f of fns) f(...args);
  };
}

/** The first hook that returns a value decides; none: an unknown, clean value. */
function first<A extends unknown[]>(fns: Fn<A, Value | undefined>[]): Fn<A, Value> {
  return (...args) => {
    for (const f of fns) {
      const v = f(...args);
      if (v) return v;
    }
    return empty();
  };
}

export function composeHooks(plugins: readonly Plugin[]): Hooks {
  const names = new Set<string>();
  for (const p of plugins) {
    if (names.has(p.name)) throw new Error(`Two interpreter plug-ins are named "${p.name}": give each plug-in in plugins.ts its own name.`);
    names.add(p.name);
  }
  const all = <K extends keyof Plugin>(k: K) => plugins.flatMap((p) => (p[k] ? [p[k] as NonNullable<Plugin[K]>] : []));
  const concat = all('onConcat');
  return {
    call: first(all('onCall')),
    jsx: first(all('onJsx')),
    value: each(all('onValue')),
    assign: each(all('onAssign')),
    elementWrite: each(all('onElementWrite')),
    compare: each(all('onCompare')),
    condition: each(all('onCondition')),
    afterExpressionStatement: each(all('afterExpressionStatement')),
    afterLoop: each(all('afterLoop')),
    concat: (ctx, prefix, flows) => {
      for (const f of concat) flows = f(ctx, prefix, flows);
      return flows;
    },
  };
}
