// The context one function body (or module top level) is interpreted in, as the interpreter and its plug-ins
// see it. Plug-ins reach the interpreter only through it (`ctx.eval(e)`, `ctx.bind`, `ctx.construct`), never
// by importing interpreter.ts: that keeps the engine free of import cycles.
import type ts from 'typescript';
import { addHit, effectKey, emptySummary, hitKey, mergeCall, type CallSite, type Collector, type Summary } from '../summaries.js';
import type { Env, Value } from '../values.js';
import type { FunctionInfo } from './functions.js';
import type { Hooks } from './hooks.js';
import type { ModuleInfo } from './modules.js';
import type { JsProgram } from './program.js';

export interface Ctx {
  prog: JsProgram;
  info: FunctionInfo;
  mod: ModuleInfo;
  sf: ts.SourceFile;
  env: Env;
  out: Summary & Collector;
  /** The environment this very closure was created in, when analysed for it (program.ts specialised summaries). */
  closure?: Env;
  /** Per enclosing loop (innermost last), the variables as `break`/`continue` left the body (interpreter.ts loop). */
  loopExits?: Map<string, Value>[];
  /** The plug-ins' hooks (plugins.ts, composed by hooks.ts), called at fixed points of the interpretation. */
  hooks: Hooks;
  /** The value of a sub-expression, evaluated here (guard refinements, plug-in hooks and observers included). */
  eval(e: ts.Expression): Value;
  /** Bind a declaration pattern (or a destructuring / assignment target) to a value. */
  bind(target: ts.BindingName | ts.Expression, v: Value, init?: ts.Expression): void;
  /** `new C(args)` of a class the analysis can see: the instance, with its constructor run. */
  construct(cls: Value, args: Value[], call: CallSite): Value;
}

/** The summary a function's interpretation writes into. */
export function builder(fnId: string): Summary & Collector {
  const s: Summary & Collector = {
    ...emptySummary(fnId),
    addSink(hit) {
      addHit(s.sinks, hitKey(hit), hit);
    },
    addEffect(e) {
      const k = effectKey(e);
      if (!s.effects.has(k)) s.effects.set(k, e);
    },
    addCall(c) {
      mergeCall(s.calls, c);
    },
    addFiles(files) {
      for (const f of files) s.files.add(f);
    },
  };
  return s;
}
