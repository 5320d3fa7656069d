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
import { empty, flowKey, join, rootKey, taintOf, withFiles, type Env, type Flow, type FnRef, type Root, type Site, type Value } from './values.js';

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

const valueRootsKey = (v: Value) => `${v.flows.map(flowKey).join(',')}|${v.obj?.alloc ?? ''}|${(v.fns ?? []).map((f) => f.id).join(',')}`;

export function effectKey(e: Effect): string {
  return e.kind === 'route'
    ? `r|${e.site.file}:${e.site.line}:${e.site.column}|${valueRootsKey(e.receiver)}|${valueRootsKey(e.handlers)}`
    : `m|${e.site.file}:${e.site.line}:${e.site.column}|${valueRootsKey(e.receiver)}|${valueRootsKey(e.child)}`;
}

export const callKey = (c: CallEffect) => `${c.site.file}:${c.site.line}:${c.site.column}|${valueRootsKey(c.callee)}|${c.args.map(valueRootsKey).join('/')}`;

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

  /** The caller-side value a root stands for. */
  root(root: Root): Value {
    if (root.kind === 'source') return { flows: [{ root, steps: [], alias: true, cuts: [], partial: [], tags: [], files: [] }] };
    const base = root.kind === 'param' ? (this.args[root.index] ?? empty()) : this.provider.capture(this.fn, root.name, root.site);
    return project(base, root.path, root.site);
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
    for (const f of v.flows) {
      if (f.root.kind === 'source') {
        out = join(out, { flows: [f] });
        continue;
      }
      const outer = this.root(f.root);
      const bridge = this.bridge(f.root);
      if (f.alias) {
        // The value *is* the caller's value: keep its identity (functions, typed objects, shape).
        out = join(out, { ...outer, flows: outer.flows.map((o) => concat(o, f, bridge)) });
      } else {
        out = join(out, { flows: taintOf(outer).map((o) => concat(o, f, bridge)) });
      }
    }
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

const MAX_DEPTH = 12;

/** Apply `fn`'s summary at a call site: facts go to `into`, the return value comes back. */
export function instantiate(provider: SummaryProvider, fn: FnRef, args: Value[], call: CallSite, into: Collector): Value {
  if (call.depth > MAX_DEPTH) return empty();
  provider.called?.(fn);
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
      instantiate(provider, target, cargs, { site: c.site, argText: (i) => c.argTexts[i], depth: call.depth + 1 }, into);
    }
    if (!callee.fns?.length && callee.flows.some((f) => f.alias && f.root.kind !== 'source')) {
      into.addCall({ ...c, callee, args: cargs });
    }
  }
  return sub.value(s.ret);
}
