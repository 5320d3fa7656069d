// The context one function body (or module top level) is interpreted in, as the interpreter and its plug-ins
// see it: Ctx, the program it belongs to (JsProgram, with its memo) and the plug-ins' composed hooks. Plug-ins
// reach the interpreter only through it (`ctx.eval(e)`, `ctx.bind`, `ctx.construct`), never by importing
// interpreter.ts. These types refer to each other, so they live together here, and this module imports no
// module of the interpreter: program.ts, interpreter.ts, hooks.ts and every plug-in name them without an import
// cycle, type-only ones included.
import type ts from 'typescript';
import { addHit, effectKey, emptySummary, hitKey, mergeCall, type CallSite, type Collector, type Summary, type SummaryProvider } from '../summaries.js';
import type { Env, Flow, FnRef, Value } from '../values.js';
import type { FnNode, FunctionInfo } from './functions.js';
import type { ModuleInfo } from './modules.js';

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

export interface JsProgram {
  modules: Map<string, ModuleInfo>;
  functions: Map<ts.Node, FunctionInfo>;
  summaries: Map<string, Summary>;
  provider: SummaryProvider;
  fnRef(node: FnNode, env?: Env): FnRef;
  infoOf(fn: FnRef): FunctionInfo | undefined;
  moduleBinding(mod: ModuleInfo, name: string): Value;
  moduleEnv(path: string): Env;
  requireValue(from: string, spec: string): Value;
  setCjsExports(path: string, v: Value): void;
  setCjsExport(path: string, key: string, v: Value): void;
  setEsmExport(path: string, name: string, v: Value): void;
  /** Functions some code calls (as opposed to only registering them as handlers). */
  called: Set<string>;
  /** Functions instantiated by other code (their effects belong to their callers). */
  hasCallers(fnId: string): boolean;
  solve(signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<void>;
  /** Stop recording call-graph facts (the final instantiation is not a call from code). */
  freeze(): void;
  /** Files whose results came from `previous`, and all files. */
  cacheStats: { reused: number; files: number };
  /** This program's results by file, for the next analysis of the repository (set once solved). */
  memo: ProgramMemo | undefined;
  /** Loops the interpreter is inside (interpreter.ts: nested loops run once). */
  loopDepth: number;
  /** The interpreter's plug-ins, composed (hooks.ts; the list is plugins.ts). */
  hooks: Hooks;
}

/** A module's values as its top level left them (program.ts runs each module once). */
export interface ModuleState {
  env: Env;
  cjs: Value;
  cjsAssigned: boolean;
  esm: Map<string, Value>;
  status: 'pending' | 'running' | 'done';
}

/**
 * What one file contributed to a solved program: its module state, its functions' summaries and the call-graph
 * facts its functions recorded. A file's summaries depend only on the files it imports, transitively (its import
 * cone: the analysis has no cross-module heap, and callers' values reach a function only through its symbolic
 * parameters), so they are reused as long as the cone's paths, texts and resolutions are unchanged (`key`).
 */
export interface FileMemo {
  key: string;
  /** The tree the results were computed from: they hold its nodes, so they are valid only with that very tree. */
  sf: ts.SourceFile;
  state: ModuleState;
  summaries: Summary[];
  /** [callee, caller] pairs where the caller is a function of this file. */
  edges: [string, string][];
  called: string[];
}

/** A solved program's results by file. Never changed once made: a later program reads it and builds its own. */
export type ProgramMemo = ReadonlyMap<string, FileMemo>;

/** What the interpreter hands a plug-in's `onJsx`. */
export type JsxNode = ts.JsxElement | ts.JsxSelfClosingElement | ts.JsxFragment;

/** The plug-ins' hooks composed into one function per extension point (what the interpreter calls). */
export interface Hooks {
  call(ctx: Ctx, node: ts.CallExpression | ts.NewExpression): Value;
  jsx(ctx: Ctx, node: JsxNode): Value;
  value(ctx: Ctx, e: ts.Expression, v: Value): void;
  assign(ctx: Ctx, node: ts.BinaryExpression, v: Value): void;
  elementWrite(ctx: Ctx, target: ts.ElementAccessExpression): void;
  compare(ctx: Ctx, node: ts.BinaryExpression, left: Value, right: Value): void;
  condition(ctx: Ctx, cond: ts.Expression, truth: boolean): void;
  afterExpressionStatement(ctx: Ctx, st: ts.ExpressionStatement): void;
  afterLoop(ctx: Ctx, st: ts.Statement): void;
  concat(ctx: Ctx, prefix: Value, flows: Flow[]): Flow[];
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
