// The JS/TS program: parsed modules, module-level values and exports, and the function summaries
// computed to a fixed point over the call graph (a worklist; cycles terminate because summaries only grow
// and are bounded).
import { createHash } from 'node:crypto';
import ts from 'typescript';
import { addHit, emptySummary, mergeCall, type Summary, type SummaryProvider } from '../summaries.js';
import { bindsKnownValues, covers, empty, join, signature, THIS_PARAM, type Env, type Site, type Value } from '../values.js';
import { memberAccess } from '../access.js';
import { analyse } from './interpreter.js';
import { composeHooks, type Plugin } from './hooks.js';
import type { FileMemo, JsProgram, ModuleState, ProgramMemo } from './context.js';
import { PLUGINS } from './plugins.js';
import { collectFunctions, type FunctionInfo } from './functions.js';
import { externalModule, resolveSpecifier, type ImportBinding, type ModuleInfo, type Target } from './modules.js';

/**
 * A key per file that changes when anything in its import cone changes: a Merkle hash over the strongly connected
 * components of the import graph (files in an import cycle share a key).
 */
export function coneKeys(modules: Map<string, ModuleInfo>): Map<string, string> {
  const own = new Map<string, string>();
  const deps = new Map<string, string[]>();
  for (const [p, m] of modules) {
    const d = m.deps.filter((x) => modules.has(x) && x !== p);
    deps.set(p, d);
    const resolved = [...(m.resolved ?? new Map())].map(([s, t]) => `${s}=${t.kind === 'file' ? `f:${t.path}` : `x:${t.module}`}`).sort();
    own.set(p, createHash('sha1').update(p).update('\0').update(m.sf.text).update('\0').update(resolved.join('\n')).update('\0').update(m.envKey ?? '').digest('base64'));
  }
  // Tarjan's algorithm, iterative (import chains can be long).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccOf = new Map<string, number>();
  const sccs: string[][] = [];
  let next = 0;
  for (const start of [...modules.keys()].sort()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      const ds = deps.get(v)!;
      if (i < ds.length) {
        top[1]++;
        const w = ds[i];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const u = work[work.length - 1][0];
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          sccOf.set(w, sccs.length);
          comp.push(w);
        } while (w !== v);
        sccs.push(comp.sort());
      }
    }
  }
  // Tarjan emits a component after every component it reaches: keys bottom-up in emission order.
  const sccKey: string[] = [];
  sccs.forEach((comp, i) => {
    const h = createHash('sha1');
    for (const p of comp) h.update(own.get(p)!).update('\0');
    const children = new Set<string>();
    for (const p of comp) for (const d of deps.get(p)!) if (sccOf.get(d) !== i) children.add(sccKey[sccOf.get(d)!]);
    for (const c of [...children].sort()) h.update(c).update('\0');
    sccKey.push(h.digest('base64'));
  });
  const out = new Map<string, string>();
  for (const p of modules.keys()) out.set(p, sccKey[sccOf.get(p)!]);
  return out;
}

/**
 * A program of `modules`; `previous` is the memo of the last program of the same repository (only read);
 * `plugins` extend the interpreter (the engine's own list unless a caller supplies another).
 */
export function createProgram(modules: Map<string, ModuleInfo>, previous?: ProgramMemo, plugins: readonly Plugin[] = PLUGINS): JsProgram {
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
  /** Functions computed in phase 2 (with complete module scopes), or in phase 1 with nothing incomplete read. */
  const computed = new Set<string>();
  /**
   * Per function being analysed (parallel to `stack`): whether it read something not final yet (a module still
   * initialising, a summary in progress or itself incomplete). A phase-1 result that read nothing of the kind is
   * what phase 2 would compute again, so phase 2 skips it.
   */
  const incompleteRead: boolean[] = [];
  const incomplete = new Set<string>();
  const taint = () => {
    if (incompleteRead.length) incompleteRead[incompleteRead.length - 1] = true;
  };

  // Files whose import cone is unchanged since the last program: their results are taken as they are.
  const keys = coneKeys(modules);
  const reusedFiles = new Set<string>();
  const reusedFns = new Set<string>();
  const edgesByFile = new Map<string, [string, string][]>();
  const calledByFile = new Map<string, Set<string>>();
  const cacheStats = { reused: 0, files: keys.size };
  for (const [path, key] of keys) {
    const m = previous?.get(path);
    if (!m || m.key !== key || m.sf !== modules.get(path)!.sf) continue;
    cacheStats.reused++;
    reusedFiles.add(path);
    states.set(path, m.state);
    for (const s of m.summaries) {
      summaries.set(s.fnId, s);
      computed.add(s.fnId);
      reusedFns.add(s.fnId);
    }
    for (const [callee, caller] of m.edges) {
      let set = dependents.get(callee);
      if (!set) dependents.set(callee, (set = new Set()));
      set.add(caller);
    }
    for (const id of m.called) called.add(id);
  }

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

  // Exports and namespaces, once every module is initialised and none is running: barrels (`export *`) would
  // otherwise be walked, and namespace objects rebuilt, at every access. Any change to a module state clears it.
  const exportCache = new Map<string, Value>();
  let runningModules = 0;
  const cacheable = () => phase === 2 && runningModules === 0;

  function getExport(target: Target, name: string, seen?: Set<string>): Value {
    if (target.kind === 'external') return { flows: [], ext: [{ module: externalModule(target.module), path: name === 'default' ? [] : [name] }] };
    if (seen || !cacheable()) return exportOf(target, name, seen ?? new Set());
    const k = `${target.path}\0${name}`;
    let v = exportCache.get(k);
    if (!v) exportCache.set(k, (v = exportOf(target, name, new Set())));
    return v;
  }

  function namespace(target: Target, seen?: Set<string>): Value {
    if (target.kind === 'external' || seen || !cacheable()) return namespaceOf(target, seen ?? new Set());
    const k = `${target.path}\0*`;
    let v = exportCache.get(k);
    if (!v) exportCache.set(k, (v = namespaceOf(target, new Set())));
    return v;
  }

  function exportOf(target: Target & { kind: 'file' }, name: string, seen: Set<string>): Value {
    const path = target.path;
    if (seen.has(path)) return empty();
    seen.add(path);
    ensureInit(path);
    const st = state(path);
    if (st.status !== 'done') taint();
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

  function namespaceOf(target: Target, seen: Set<string>): Value {
    if (target.kind === 'external') return { flows: [], ext: [{ module: externalModule(target.module), path: [] }] };
    ensureInit(target.path);
    const st = state(target.path);
    if (st.status !== 'done') taint();
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
    if (i === THIS_PARAM) return 'this';
    const p = info?.params[i];
    if (!p) return `#${i + 1}`;
    const t = p.name.getText(modules.get(info!.file)!.sf).replace(/\s+/g, ' ');
    return t.length > 40 ? `${t.slice(0, 39)}…` : t;
  };

  const provider: SummaryProvider = {
    summary(fn) {
      const info = functions.get(fn.node as ts.Node);
      if (!info) return emptySummary(fn.id);
      if (frozen && fn.env && !info.isModule) {
        const own = specialised(info, fn.env);
        if (own) return own;
      }
      const caller = stack[stack.length - 1];
      if (caller) {
        let set = dependents.get(info.id);
        if (!set) dependents.set(info.id, (set = new Set()));
        if (!set.has(caller)) {
          set.add(caller);
          const file = byId.get(caller)!.file;
          const list = edgesByFile.get(file);
          if (list) list.push([info.id, caller]);
          else edgesByFile.set(file, [[info.id, caller]]);
        }
      }
      // Bottom-up: a callee not yet (re)computed in this phase is computed before its caller reads it.
      const stale = !summaries.has(info.id) || (phase === 2 && !computed.has(info.id));
      if (stale && !inProgress.has(info.id) && stack.length < 48) run(info, caller);
      if (inProgress.has(info.id) || incomplete.has(info.id) || !summaries.has(info.id)) taint();
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
      if (frozen) return;
      called.add(fn.id);
      const caller = stack[stack.length - 1];
      if (caller) {
        const file = byId.get(caller)!.file;
        let set = calledByFile.get(file);
        if (!set) calledByFile.set(file, (set = new Set()));
        set.add(fn.id);
      }
    },
  };

  /**
   * Summaries of closures analysed with what their enclosing functions' variables were bound to where those
   * functions were called: a handler returned by `makeHandler({ db, execFile, escapeHtml })` calls the very
   * functions, library members and clients passed in (their sinks, sanitisers and types), which its general summary
   * only knows as captured variables. Computed once the program is solved (complete callee summaries), only for
   * closures whose environment holds such values, per environment.
   */
  const bySpecialEnv = new WeakMap<Env, Map<string, Summary | null>>();
  // Each specialised analysis makes fresh environments for the closures it instantiates, so closures that
  // create closures (recursive builders, module patterns) would specialise without end: bound the nesting.
  const MAX_SPECIAL_DEPTH = 3;
  let specialDepth = 0;
  function specialised(info: FunctionInfo, closure: Env): Summary | undefined {
    let cache = bySpecialEnv.get(closure);
    const known = cache?.get(info.id);
    if (known !== undefined) return known ?? undefined;
    if (specialDepth >= MAX_SPECIAL_DEPTH) return undefined;
    if (!bindsKnownValues(closure, (owner: unknown) => !!functions.get(owner as ts.Node)?.isModule)) return undefined;
    if (!cache) bySpecialEnv.set(closure, (cache = new Map()));
    cache.set(info.id, null); // while analysing: a recursive call uses the general summary
    specialDepth++;
    try {
      const out = analyse(prog, info, modules.get(info.file)!, { vars: new Map(), owner: info.node, parent: closure }, closure);
      cache.set(info.id, out);
      return out;
    } finally {
      specialDepth--;
    }
  }

  function mergeInto(old: Summary, fresh: Summary): boolean {
    let changed = false;
    for (const [k, v] of fresh.sinks) if (addHit(old.sinks, k, v)) changed = true;
    for (const [k, v] of fresh.effects) if (!old.effects.has(k)) (old.effects.set(k, v), (changed = true));
    for (const c of fresh.calls.values()) if (mergeCall(old.calls, c)) changed = true;
    for (const f of fresh.files) if (!old.files.has(f)) (old.files.add(f), (changed = true));
    if (!covers(old.ret, fresh.ret)) {
      const ret = join(old.ret, fresh.ret);
      if (signature(ret) !== signature(old.ret)) changed = true;
      old.ret = ret;
    }
    if (fresh.thisOut && !(old.thisOut && covers(old.thisOut, fresh.thisOut))) {
      const t = old.thisOut ? join(old.thisOut, fresh.thisOut) : fresh.thisOut;
      if (!old.thisOut || signature(t) !== signature(old.thisOut)) changed = true;
      old.thisOut = t;
    }
    return changed;
  }

  /** Analyse `info` and merge the result; `requester` is the caller about to read it (no need to queue it again). */
  function run(info: FunctionInfo, requester?: string): void {
    if (reusedFns.has(info.id) || (info.isModule && reusedFiles.has(info.file))) return;
    const mod = modules.get(info.file)!;
    let env: Env;
    if (info.isModule) {
      exportCache.clear();
      runningModules++;
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
    incompleteRead.push(false);
    let fresh: Summary;
    let partial = true;
    try {
      fresh = analyse(prog, info, mod, env);
    } finally {
      stack.pop();
      partial = incompleteRead.pop()!;
      inProgress.delete(info.id);
      if (info.isModule) {
        state(info.file).status = 'done';
        runningModules--;
        exportCache.clear();
      }
    }
    if (phase === 1) {
      if (partial) incomplete.add(info.id);
      else computed.add(info.id);
    }
    const old = summaries.get(info.id);
    const changed = old ? mergeInto(old, fresh) : (summaries.set(info.id, fresh), true);
    if (changed) for (const d of dependents.get(info.id) ?? []) if (d !== requester) queue.add(d);
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
      const b = v ? undefined : mod.imports.get(name);
      // A module still initialising may assign the binding later (or again).
      if (!b && st.status !== 'done') taint();
      if (v) return v;
      return b ? importValue(b) : empty();
    },
    moduleEnv: (path) => state(path).env,
    requireValue(from, spec) {
      // The module read resolved its require()/import() specifiers (tsconfig paths, workspace packages).
      const t = modules.get(from)?.resolved.get(spec) ?? resolveSpecifier(from, spec, exists);
      if (t.kind === 'external') return { flows: [], ext: [{ module: externalModule(t.module), path: [] }] };
      return namespace(t);
    },
    setCjsExports(path, v) {
      exportCache.clear();
      const st = state(path);
      st.cjs = v;
      st.cjsAssigned = true;
    },
    setCjsExport(path, key, v) {
      exportCache.clear();
      const st = state(path);
      const props = new Map(st.cjs.props ?? []);
      props.set(key, v);
      st.cjs = { ...st.cjs, props };
      st.cjsAssigned = true;
    },
    setEsmExport(path, name, v) {
      exportCache.clear();
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
      for (const p of paths) {
        const top = functions.get(modules.get(p)!.sf)!;
        if (!computed.has(top.id)) run(top);
      }
      const budget = 40 * byId.size + 1000;
      while (queue.size && runs < budget) {
        await pause();
        const id = queue.values().next().value as string;
        queue.delete(id);
        run(byId.get(id)!);
        runs++;
      }
      // Keep this program's results for the next analysis of the repository.
      const fnsOf = new Map<string, string[]>();
      for (const info of byId.values()) {
        const list = fnsOf.get(info.file);
        if (list) list.push(info.id);
        else fnsOf.set(info.file, [info.id]);
      }
      const next = new Map<string, FileMemo>();
      for (const [path, key] of keys) {
        if (reusedFiles.has(path)) {
          next.set(path, previous!.get(path)!);
          continue;
        }
        const st = states.get(path);
        if (!st) continue;
        const sums = (fnsOf.get(path) ?? []).map((id) => summaries.get(id)).filter((s): s is Summary => !!s);
        next.set(path, { key, sf: modules.get(path)!.sf, state: st, summaries: sums, edges: edgesByFile.get(path) ?? [], called: [...(calledByFile.get(path) ?? [])] });
      }
      prog.memo = next;
    },
    freeze() {
      frozen = true;
    },
    cacheStats,
    memo: undefined,
    loopDepth: 0,
    hooks: composeHooks(plugins),
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
