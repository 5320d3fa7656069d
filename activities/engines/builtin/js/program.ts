// The JS/TS program: parsed modules, module-level values and exports, and the function summaries
// computed to a fixed point over the call graph (a worklist; cycles terminate because summaries only grow
// and are bounded).
import ts from 'typescript';
import { addHit, emptySummary, mergeCall, type Summary, type SummaryProvider } from '../summaries.js';
import { empty, join, signature, type Env, type FnRef, type Site, type Value } from '../values.js';
import { memberAccess } from '../access.js';
import { analyse } from './interpreter.js';
import { collectFunctions, type FnNode, type FunctionInfo } from './functions.js';
import { externalModule, resolveSpecifier, type ImportBinding, type ModuleInfo, type Target } from './modules.js';

interface ModuleState {
  env: Env;
  cjs: Value;
  cjsAssigned: boolean;
  esm: Map<string, Value>;
  status: 'pending' | 'running' | 'done';
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
}

export function createProgram(modules: Map<string, ModuleInfo>): JsProgram {
  const functions = new Map<ts.Node, FunctionInfo>();
  const byId = new Map<string, FunctionInfo>();
  for (const mod of modules.values()) {
    for (const [node, info] of collectFunctions(mod.path, mod.sf)) {
      functions.set(node, info);
      byId.set(info.id, info);
    }
  }
  const states = new Map<string, ModuleState>();
  const summaries = new Map<string, Summary>();
  const dependents = new Map<string, Set<string>>();
  const stack: string[] = [];
  const inProgress = new Set<string>();
  const queue = new Set<string>();
  const called = new Set<string>();
  let frozen = false;
  let phase: 1 | 2 = 1;
  /** Functions computed in phase 2 (with complete module scopes). */
  const computed = new Set<string>();

  const state = (path: string): ModuleState => {
    let st = states.get(path);
    if (!st) {
      const info = functions.get(modules.get(path)!.sf)!;
      st = { env: { vars: new Map(), owner: info.node }, cjs: { flows: [], props: new Map() }, cjsAssigned: false, esm: new Map(), status: 'pending' };
      states.set(path, st);
    }
    return st;
  };

  const ensureInit = (path: string) => {
    const st = state(path);
    if (st.status === 'pending') run(functions.get(modules.get(path)!.sf)!);
  };

  const exists = (p: string) => modules.has(p);

  function getExport(target: Target, name: string, seen = new Set<string>()): Value {
    if (target.kind === 'external') return { flows: [], ext: [{ module: externalModule(target.module), path: name === 'default' ? [] : [name] }] };
    const path = target.path;
    if (seen.has(path)) return empty();
    seen.add(path);
    ensureInit(path);
    const st = state(path);
    const mod = modules.get(path)!;
    const own = st.esm.get(name);
    if (own) return own;
    for (const r of mod.reexports) {
      if (r.name === name) return r.imported === '*' ? namespace(r.target, seen) : getExport(r.target, r.imported ?? name, seen);
    }
    if (name !== 'default') {
      for (const r of mod.reexports) {
        if (r.name !== undefined) continue;
        const v = getExport(r.target, name, seen);
        if (v.flows.length || v.fns || v.obj || v.props || v.ext) return v;
      }
    }
    if (!mod.esm || st.cjsAssigned) {
      // CommonJS: named imports read module.exports properties; default is module.exports itself.
      return name === 'default' ? st.cjs : memberAccess(st.cjs, name, { file: path, line: 1, column: 1 });
    }
    return empty();
  }

  function namespace(target: Target, seen = new Set<string>()): Value {
    if (target.kind === 'external') return { flows: [], ext: [{ module: externalModule(target.module), path: [] }] };
    ensureInit(target.path);
    const st = state(target.path);
    const mod = modules.get(target.path)!;
    if (!mod.esm || st.cjsAssigned) return st.cjs;
    const props = new Map(st.esm);
    for (const r of mod.reexports) {
      if (r.name !== undefined) props.set(r.name, getExport(target, r.name, new Set(seen)));
      else if (!seen.has(r.target.kind === 'file' ? r.target.path : '')) {
        const inner = namespace(r.target, new Set([...seen, target.path]));
        for (const [k, v] of inner.props ?? []) if (k !== 'default' && !props.has(k)) props.set(k, v);
      }
    }
    return { flows: [], props };
  }

  const importValue = (b: ImportBinding): Value => (b.imported === 'namespace' ? namespace(b.target) : getExport(b.target, b.imported));

  const paramName = (info: FunctionInfo | undefined, i: number): string => {
    const p = info?.params[i];
    if (!p) return `#${i + 1}`;
    const t = p.name.getText(modules.get(info!.file)!.sf).replace(/\s+/g, ' ');
    return t.length > 40 ? `${t.slice(0, 39)}…` : t;
  };

  const provider: SummaryProvider = {
    summary(fn) {
      const info = functions.get(fn.node as ts.Node);
      if (!info) return emptySummary(fn.id);
      const caller = stack[stack.length - 1];
      if (caller) {
        let set = dependents.get(info.id);
        if (!set) dependents.set(info.id, (set = new Set()));
        set.add(caller);
      }
      // Bottom-up: a callee not yet (re)computed in this phase is computed before its caller reads it.
      const stale = !summaries.has(info.id) || (phase === 2 && !computed.has(info.id));
      if (stale && !inProgress.has(info.id) && stack.length < 48) run(info);
      return summaries.get(info.id) ?? emptySummary(info.id);
    },
    paramName: (fn, i) => paramName(functions.get(fn.node as ts.Node), i),
    capture(fn, name, site: Site) {
      for (let env = fn.env; env; env = env.parent) {
        const info = functions.get(env.owner as ts.Node);
        if (info?.declared.has(name)) {
          if (info.isModule) return prog.moduleBinding(modules.get(info.file)!, name);
          return env.vars.get(`#path:${name}`) ?? env.vars.get(name) ?? empty();
        }
      }
      return { flows: [{ root: { kind: 'capture', name, path: [], site }, steps: [], alias: true, cuts: [], partial: [], tags: [], files: [] }] };
    },
    called(fn) {
      if (!frozen) called.add(fn.id);
    },
  };

  function mergeInto(old: Summary, fresh: Summary): boolean {
    let changed = false;
    for (const [k, v] of fresh.sinks) if (addHit(old.sinks, k, v)) changed = true;
    for (const [k, v] of fresh.effects) if (!old.effects.has(k)) (old.effects.set(k, v), (changed = true));
    for (const c of fresh.calls.values()) if (mergeCall(old.calls, c)) changed = true;
    for (const f of fresh.files) if (!old.files.has(f)) (old.files.add(f), (changed = true));
    const ret = join(old.ret, fresh.ret);
    if (signature(ret) !== signature(old.ret)) changed = true;
    old.ret = ret;
    return changed;
  }

  function run(info: FunctionInfo): void {
    const mod = modules.get(info.file)!;
    let env: Env;
    if (info.isModule) {
      const st = state(info.file);
      st.status = 'running';
      st.env = { vars: new Map(), owner: info.node };
      st.esm = new Map();
      st.cjs = { flows: [], props: new Map() };
      st.cjsAssigned = false;
      env = st.env;
    } else env = { vars: new Map(), owner: info.node };
    inProgress.add(info.id);
    if (phase === 2) {
      computed.add(info.id);
      queue.delete(info.id); // computed now, with the latest callee summaries
    }
    stack.push(info.id);
    let fresh: Summary;
    try {
      fresh = analyse(prog, info, mod, env);
    } finally {
      stack.pop();
      inProgress.delete(info.id);
      if (info.isModule) state(info.file).status = 'done';
    }
    const old = summaries.get(info.id);
    const changed = old ? mergeInto(old, fresh) : (summaries.set(info.id, fresh), true);
    if (changed) for (const d of dependents.get(info.id) ?? []) queue.add(d);
  }

  const prog: JsProgram = {
    modules,
    functions,
    summaries,
    provider,
    called,
    fnRef(node, env) {
      const info = functions.get(node);
      return { id: info?.id ?? `${node.pos}`, node, file: info?.file ?? '', name: info?.name ?? 'function', env };
    },
    infoOf: (fn) => functions.get(fn.node as ts.Node),
    moduleBinding(mod, name) {
      const st = state(mod.path);
      const v = st.env.vars.get(name);
      if (v) return v;
      const b = mod.imports.get(name);
      return b ? importValue(b) : empty();
    },
    moduleEnv: (path) => state(path).env,
    requireValue(from, spec) {
      const t = resolveSpecifier(from, spec, exists);
      if (t.kind === 'external') return { flows: [], ext: [{ module: externalModule(t.module), path: [] }] };
      return namespace(t);
    },
    setCjsExports(path, v) {
      const st = state(path);
      st.cjs = v;
      st.cjsAssigned = true;
    },
    setCjsExport(path, key, v) {
      const st = state(path);
      const props = new Map(st.cjs.props ?? []);
      props.set(key, v);
      st.cjs = { ...st.cjs, props };
      st.cjsAssigned = true;
    },
    setEsmExport(path, name, v) {
      state(path).esm.set(name, v);
    },
    hasCallers: (fnId) => (dependents.get(fnId)?.size ?? 0) > 0,
    async solve(signal, onProgress) {
      const pause = pacer(signal);
      const paths = [...modules.keys()].sort();
      // Phase 1: module top levels in order (imports evaluate first, on demand).
      for (let i = 0; i < paths.length; i++) {
        await pause();
        ensureInit(paths[i]);
        onProgress?.(i + 1, paths.length);
      }
      // Phase 2: every function again, bottom-up, with complete module scopes; then until nothing changes.
      phase = 2;
      queue.clear();
      const all = [...byId.values()].filter((f) => !f.isModule).map((f) => f.id).sort();
      let runs = 0;
      for (const id of all) {
        await pause();
        if (!computed.has(id)) (run(byId.get(id)!), runs++);
      }
      for (const p of paths) run(functions.get(modules.get(p)!.sf)!);
      const budget = 40 * byId.size + 1000;
      while (queue.size && runs < budget) {
        await pause();
        const id = queue.values().next().value as string;
        run(byId.get(id)!);
        runs++;
      }
    },
    freeze() {
      frozen = true;
    },
  };
  return prog;
}

/** Yields to the event loop every ~50 ms (heartbeats and aborts get through), and throws once aborted. */
export function pacer(signal?: AbortSignal): () => Promise<void> {
  let last = Date.now();
  return async () => {
    signal?.throwIfAborted();
    if (Date.now() - last < 50) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = Date.now();
    signal?.throwIfAborted();
  };
}
