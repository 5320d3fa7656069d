// Function summaries and their instantiation at a call site.
//
// A summary says, in terms of the function's own parameters and captured variables (symbolic roots):
// which of them reach which sink (with the trace inside the function), what the return value derives
// from, which routes it registers, and which of its parameters it calls back. Instantiating a summary
// substitutes the caller's argument values for the roots, so one summary serves every call site and
// taint crosses function and file boundaries without re-analysing the callee.
import type { TraceStep } from '../../model.js';
import { project } from './access.js';
import type { PatchKind, RuleId } from './models/types.js';
import { empty, flowKey, join, mergeFlows, rootKey, signature, taintOf, withFiles, type Env, type Flow, type FnRef, type Root, type Site, type Value } from './values.js';

export interface SinkHit {
  sinkId: string;
  rule: RuleId;
  /** The sink call. */
  site: Site;
  argIndex: number;
  flow: Flow;
  /** The hit holds only if the receiver (still symbolic here) turns out to have this type. */
  receiver?: { root: Root; type: string };
  label: string;
  calleeText: string;
  patch?: PatchKind;
}

export interface RouteEffect {
  kind: 'route';
  receiver: Value;
  receiverName: string;
  method: string;
  path?: string;
  handlers: Value;
  site: Site;
}
export interface MountEffect {
  kind: 'mount';
  receiver: Value;
  prefix: string;
  child: Value;
  site: Site;
}
export type Effect = RouteEffect | MountEffect;

/** A call of a value that is still symbolic (a parameter called back). */
export interface CallEffect {
  callee: Value;
  args: Value[];
  site: Site;
  argTexts: string[];
}

export interface Summary {
  fnId: string;
  sinks: Map<string, SinkHit>;
  ret: Value;
  effects: Map<string, Effect>;
  calls: Map<string, CallEffect>;
  /** Files of callees whose summaries were instantiated (dependsOn). */
  files: Set<string>;
}

export const emptySummary = (fnId: string): Summary => ({
  fnId,
  sinks: new Map(),
  ret: empty(),
  effects: new Map(),
  calls: new Map(),
  files: new Set(),
});

export const hitKey = (h: SinkHit) =>
  `${h.sinkId}|${h.site.file}:${h.site.line}:${h.site.column}|${h.argIndex}|${flowKey(h.flow)}|${h.receiver ? `${rootKey(h.receiver.root)}:${h.receiver.type}` : ''}`;

const valueRootsKey = (v: Value) =>
  `${v.flows.filter((f) => f.alias).map((f) => rootKey(f.root)).sort().join(',')}|${v.obj?.alloc ?? ''}|${(v.fns ?? []).map((f) => f.id).sort().join(',')}`;

export function effectKey(e: Effect): string {
  return e.kind === 'route'
    ? `r|${e.site.file}:${e.site.line}:${e.site.column}|${valueRootsKey(e.receiver)}|${valueRootsKey(e.handlers)}`
    : `m|${e.site.file}:${e.site.line}:${e.site.column}|${valueRootsKey(e.receiver)}|${valueRootsKey(e.child)}`;
}

const MAX_HITS_PER_SITE = 16;
const siteKey = (h: SinkHit) => `${h.sinkId}|${h.site.file}:${h.site.line}:${h.site.column}`;

/** Add a sink hit unless known, keeping at most a few flows per sink (enough to report it, bounded). */
export function addHit(sinks: Map<string, SinkHit>, key: string, hit: SinkHit): boolean {
  if (sinks.has(key)) return false;
  const site = siteKey(hit);
  let n = 0;
  for (const h of sinks.values()) if (siteKey(h) === site && ++n >= MAX_HITS_PER_SITE) return false;
  sinks.set(key, hit);
  return true;
}

/** One entry per call site and callee: argument values of repeated analyses are joined, not multiplied. */
export const callKey = (c: CallEffect) => `${c.site.file}:${c.site.line}:${c.site.column}|${valueRootsKey(c.callee)}`;

/** Add `c` to `calls`, joining arguments with an existing entry; true when something new was learnt. */
export function mergeCall(calls: Map<string, CallEffect>, c: CallEffect): boolean {
  const k = callKey(c);
  const old = calls.get(k);
  if (!old) {
    calls.set(k, c);
    return true;
  }
  const n = Math.max(old.args.length, c.args.length);
  const args = Array.from({ length: n }, (_, i) => join(old.args[i] ?? empty(), c.args[i] ?? empty()));
  const changed = args.some((a, i) => signature(a) !== signature(old.args[i] ?? empty()));
  if (changed) calls.set(k, { ...old, args });
  return changed;
}

/** Where instantiated facts go: the caller's summary under construction, or the final candidate collector. */
export interface Collector {
  addSink(hit: SinkHit): void;
  addEffect(e: Effect): void;
  addCall(c: CallEffect): void;
  addFiles(files: Iterable<string>): void;
}

export interface SummaryProvider {
  summary(fn: FnRef): Summary;
  paramName(fn: FnRef, index: number): string;
  /** The value of `name` as `fn` sees it (its closure), or a capture root of the current function. */
  capture(fn: FnRef, name: string, site: Site): Value;
  /** Called for every instantiation, to record the call graph. */
  called?(fn: FnRef): void;
}

export interface CallSite {
  site: Site;
  /** Source text of argument i, computed only when a trace needs it. */
  argText: (i: number) => string | undefined;
  depth: number;
  /** Entry-point instantiation: parameters are not "passed" by any code. */
  entry?: boolean;
  /** Functions being instantiated on this chain: a recursive callback is not unfolded again. */
  active?: ReadonlySet<string>;
}

function concat(outer: Flow, inner: Flow, bridge: TraceStep | undefined): Flow {
  const steps = bridge ? [...outer.steps, bridge, ...inner.steps] : [...outer.steps, ...inner.steps];
  const dedup: TraceStep[] = [];
  for (const s of steps) {
    const last = dedup[dedup.length - 1];
    if (last && last.file === s.file && last.line === s.line) continue;
    dedup.push(s);
  }
  return {
    root: outer.root,
    steps: dedup.slice(0, 32),
    alias: outer.alias && inner.alias,
    cuts: [...new Set([...outer.cuts, ...inner.cuts])].sort(),
    partial: [...new Set([...outer.partial, ...inner.partial])],
    tags: [...new Set([...outer.tags, ...inner.tags])],
    files: [...new Set([...outer.files, ...inner.files])].sort(),
  };
}

/** Replaces a callee's symbolic roots with the caller's values. */
export class Substitution {
  constructor(
    private readonly provider: SummaryProvider,
    private readonly fn: FnRef,
    private readonly args: Value[],
    private readonly call: CallSite,
  ) {}

  private bridge(root: Root): TraceStep | undefined {
    if (root.kind !== 'param' || this.call.entry) return undefined;
    const text = this.call.argText(root.index);
    const param = this.provider.paramName(this.fn, root.index);
    const shown = text ? `\`${text}\`` : `argument ${root.index + 1}`;
    return {
      kind: 'step',
      file: this.call.site.file,
      line: this.call.site.line,
      column: this.call.site.column,
      label: `${shown} passed as argument \`${param}\` to \`${this.fn.name}\` (${this.fn.file})`,
    };
  }

  private readonly roots = new Map<string, Value>();

  /** The caller-side value a root stands for (memoised: summaries mention the same roots many times). */
  root(root: Root): Value {
    if (root.kind === 'source') return { flows: [{ root, steps: [], alias: true, cuts: [], partial: [], tags: [], files: [] }] };
    const key = `${rootKey(root)}@${root.site.line}:${root.site.column}`;
    let v = this.roots.get(key);
    if (!v) {
      const base = root.kind === 'param' ? (this.args[root.index] ?? empty()) : this.provider.capture(this.fn, root.name, root.site);
      v = project(base, root.path, root.site);
      this.roots.set(key, v);
    }
    return v;
  }

  flows(inner: Flow): Flow[] {
    if (inner.root.kind === 'source') return [withFiles(inner, [this.fn.file])];
    const outer = this.root(inner.root);
    const bridge = this.bridge(inner.root);
    return taintOf(outer).map((o) => withFiles(concat(o, inner, bridge), [this.fn.file]));
  }

  value(v: Value, depth = 0): Value {
    let out: Value = { flows: [] };
    if (v.text !== undefined) out.text = v.text;
    if (v.constant) out.constant = true;
    if (v.ext) out.ext = v.ext;
    if (v.obj) out.obj = v.obj;
    if (v.regex) out.regex = v.regex;
    if (v.fns) out.fns = v.fns.map((f) => this.rebind(f));
    if (v.props && depth < 3) {
      out.props = new Map();
      for (const [k, p] of v.props) out.props.set(k, this.value(p, depth + 1));
    }
    const flows: Flow[] = [];
    for (const f of v.flows) {
      if (f.root.kind === 'source') {
        flows.push(f);
        continue;
      }
      const outer = this.root(f.root);
      const bridge = this.bridge(f.root);
      if (f.alias) {
        // The value *is* the caller's value: keep its identity (functions, typed objects, shape).
        for (const o of outer.flows) flows.push(concat(o, f, bridge));
        if (outer.obj || outer.fns || outer.ext || outer.props || outer.text !== undefined) out = join(out, { ...outer, flows: [] });
      } else {
        for (const o of taintOf(outer)) flows.push(concat(o, f, bridge));
      }
    }
    if (flows.length) out = { ...out, flows: mergeFlows(out.flows, mergeFlows([], flows)) };
    return out;
  }

  private readonly rebound = new Map<Env, Env>();

  /** A closure created inside the callee closes over the callee's variables: rebind them to caller values. */
  private rebind(f: FnRef): FnRef {
    const env = f.env;
    if (!env || env.owner !== this.fn.node) return f;
    let copy = this.rebound.get(env);
    if (!copy) {
      // Register first: closures stored in the same environment refer back to it.
      copy = { vars: new Map(), owner: env.owner, parent: this.fn.env };
      this.rebound.set(env, copy);
      for (const [k, v] of env.vars) copy.vars.set(k, this.value(v, 1));
    }
    return { ...f, env: copy };
  }
}

const MAX_DEPTH = 8;

/** Apply `fn`'s summary at a call site: facts go to `into`, the return value comes back. */
export function instantiate(provider: SummaryProvider, fn: FnRef, args: Value[], call: CallSite, into: Collector): Value {
  if (call.depth > MAX_DEPTH || call.active?.has(fn.id)) return empty();
  provider.called?.(fn);
  const active = new Set(call.active ?? []).add(fn.id);
  const s = provider.summary(fn);
  const sub = new Substitution(provider, fn, args, call);
  into.addFiles([fn.file, ...s.files]);
  for (const hit of s.sinks.values()) {
    let receiver = hit.receiver;
    if (receiver) {
      const r = sub.root(receiver.root);
      if (r.obj) {
        if (r.obj.type !== receiver.type) continue;
        receiver = undefined;
      } else {
        const sym = r.flows.find((f) => f.alias && f.root.kind !== 'source');
        if (!sym) continue;
        receiver = { root: sym.root, type: receiver.type };
      }
    }
    for (const flow of sub.flows(hit.flow)) {
      if (flow.cuts.includes(hit.rule)) continue;
      into.addSink({ ...hit, flow, receiver });
    }
  }
  for (const e of s.effects.values()) {
    if (e.kind === 'route') into.addEffect({ ...e, receiver: sub.value(e.receiver), handlers: sub.value(e.handlers) });
    else into.addEffect({ ...e, receiver: sub.value(e.receiver), child: sub.value(e.child) });
  }
  for (const c of s.calls.values()) {
    const callee = sub.value(c.callee);
    const cargs = c.args.map((a) => sub.value(a));
    for (const target of callee.fns ?? []) {
      instantiate(provider, target, cargs, { site: c.site, argText: (i) => c.argTexts[i], depth: call.depth + 1, active }, into);
    }
    if (!callee.fns?.length && callee.flows.some((f) => f.alias && f.root.kind !== 'source')) {
      into.addCall({ ...c, callee, args: cargs });
    }
  }
  return sub.value(s.ret);
}
