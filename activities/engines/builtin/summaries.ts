// Function summaries and their instantiation at a call site.
//
// A summary says, in terms of the function's own parameters and captured variables (symbolic roots):
// which of them reach which sink (with the trace inside the function), what the return value derives
// from, which routes it registers, and which of its parameters it calls back. Instantiating a summary
// substitutes the caller's argument values for the roots, so one summary serves every call site and
// taint crosses function and file boundaries without re-analysing the callee.
import type { TraceStep } from '../../model.js';
import { project } from './access.js';
import type { CheckRuleId, FlowRequirement, PatchKind, RuleId } from './models/types.js';
import { covers, empty, flowKey, flowKeyOf, join, MAX_FLOWS, mergeFlows, rootKey, signature, taintOf, withFiles, type Env, type Flow, type FnRef, type Root, type Site, type Value, THIS_PARAM } from './values.js';

export interface SinkHit {
  sinkId: string;
  /** Access-control facts (access-control/, sinkId "access:…") travel as hits of a check rule. */
  rule: RuleId | CheckRuleId;
  /** The sink call. */
  site: Site;
  argIndex: number;
  flow: Flow;
  /** The hit holds only if the receiver (still symbolic here) turns out to have this type. */
  receiver?: { root: Root; type: string };
  label: string;
  calleeText: string;
  /** The sink is not a call (a template output): `calleeText` is shown as written. */
  shownAs?: string;
  patch?: PatchKind;
  /** What the flow must be once its source is known (a raw request object for NoSQL operators ...). */
  requires?: FlowRequirement;
  /** Access facts of raw SQL: the table the statement selects from (the callee does not name it), and whether by a key column. */
  record?: { name: string; byKey: boolean };
}

export interface RouteEffect {
  kind: 'route';
  receiver: Value;
  receiverName: string;
  method: string;
  path?: string;
  handlers: Value;
  site: Site;
  /** The member the handler is held under, for registrations by option object (`Query.user`: models/types.ts `registers.from`). */
  field?: string;
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
  /** The receiver of a method call (`this.repo.find(x)`): the callee's `this` once resolved. */
  receiver?: Value;
  /** How many callers this still-symbolic call has been handed up through (bounded by MAX_CALL_HOPS). */
  hops?: number;
}

export interface Summary {
  fnId: string;
  sinks: Map<string, SinkHit>;
  ret: Value;
  effects: Map<string, Effect>;
  calls: Map<string, CallEffect>;
  /** Files of callees whose summaries were instantiated (dependsOn). */
  files: Set<string>;
  /** The value of `this` when the function returns, when it set fields on it (`this.db = db` in a constructor). */
  thisOut?: Value;
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
  `${h.sinkId}|${h.site.file}:${h.site.line}:${h.site.column}|${h.argIndex}|${flowKey(h.flow)}|${h.receiver ? `${rootKey(h.receiver.root)}:${h.receiver.type}` : ''}${h.requires ? `|${h.requires}` : ''}`;

const valueRootsKey = (v: Value) =>
  `${v.flows.filter((f) => f.alias).map((f) => rootKey(f.root)).sort().join(',')}|${v.obj?.alloc ?? ''}|${(v.fns ?? []).map((f) => f.id).sort().join(',')}`;

export function effectKey(e: Effect): string {
  return e.kind === 'route'
    ? `r|${e.site.file}:${e.site.line}:${e.site.column}|${valueRootsKey(e.receiver)}|${valueRootsKey(e.handlers)}`
    : `m|${e.site.file}:${e.site.line}:${e.site.column}|${valueRootsKey(e.receiver)}|${valueRootsKey(e.child)}`;
}

const MAX_HITS_PER_SITE = 16;
const siteKey = (h: SinkHit) => `${h.sinkId}|${h.site.file}:${h.site.line}:${h.site.column}`;

/** Hits per sink site of each sinks map (kept beside it, so the cap costs no scan of the map). */
const perSite = new WeakMap<Map<string, SinkHit>, Map<string, number>>();

/** Add a sink hit unless known, keeping at most a few flows per sink (enough to report it, bounded). */
export function addHit(sinks: Map<string, SinkHit>, key: string, hit: SinkHit): boolean {
  if (sinks.has(key)) return false;
  let counts = perSite.get(sinks);
  if (!counts || counts.size === 0) {
    // First use, or a map filled without addHit: count what is there.
    counts = new Map();
    for (const h of sinks.values()) counts.set(siteKey(h), (counts.get(siteKey(h)) ?? 0) + 1);
    perSite.set(sinks, counts);
  }
  const site = siteKey(hit);
  const n = counts.get(site) ?? 0;
  if (n >= MAX_HITS_PER_SITE) return false;
  counts.set(site, n + 1);
  sinks.set(key, hit);
  return true;
}

/** One entry per call site and callee: argument values of repeated analyses are joined, not multiplied. */
const MAX_SITED_CALLS = 32;
const MAX_CALLS = 256;
/**
 * A call of a function that is still a parameter resolves within a few callers (a service's injected
 * repository, a callback handed down); handing it further up every call chain costs quadratic time in code
 * that threads one context object everywhere, for no finding.
 */
const MAX_CALL_HOPS = 2;
export const callKey = (c: CallEffect) => `${c.site.file}:${c.site.line}:${c.site.column}|${valueRootsKey(c.callee)}`;

/** Add `c` to `calls`, joining arguments with an existing entry; true when something new was learnt. */
export function mergeCall(calls: Map<string, CallEffect>, c: CallEffect): boolean {
  let k = callKey(c);
  // Past a few dozen entries, calls of the same still-symbolic function merge whatever their site: in code that
  // threads one context object everywhere (`ctx.env.get(…)`), per-site entries would flow into every caller.
  if (!calls.has(k) && calls.size >= MAX_SITED_CALLS) {
    k = `~${valueRootsKey(c.callee)}`;
    // Bounded: past that, only methods of a parameter or of its direct members (`this.repo.find`) are kept —
    // deep paths (`node.left.elements[i].getStart`) are data navigation, not injected services.
    if (!calls.has(k) && (calls.size >= MAX_CALLS || c.callee.flows.every((f) => !f.alias || f.root.kind === 'source' || f.root.path.length > 2))) return false;
  }
  const old = calls.get(k);
  if (!old) {
    calls.set(k, c);
    return true;
  }
  if (c.args.every((a, i) => old.args[i] && covers(old.args[i], a))) return false;
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
  /** The callee's `this` (a method call's receiver, the instance under construction). */
  thisValue?: Value;
  /** Receives the callee's `this` at return, substituted (a constructor's fields). */
  onThis?: (v: Value) => void;
}

/** The union of two small string lists; one of them when the other adds nothing (no new array). */
function unite(a: string[], b: string[], sort: boolean): string[] {
  if (b.length === 0 || a === b) return a;
  if (a.length === 0) return b;
  if (b.every((x) => a.includes(x))) return a;
  const out = [...new Set([...a, ...b])];
  return sort ? out.sort() : out;
}

function concat(outer: Flow, inner: Flow, bridge: TraceStep | undefined): Flow {
  let steps: TraceStep[];
  if (!bridge && inner.steps.length === 0) steps = outer.steps;
  else if (!bridge && outer.steps.length === 0) steps = inner.steps;
  else {
    const all = bridge ? [...outer.steps, bridge, ...inner.steps] : [...outer.steps, ...inner.steps];
    steps = [];
    for (const s of all) {
      const last = steps[steps.length - 1];
      if (last && last.file === s.file && last.line === s.line) continue;
      steps.push(s);
      if (steps.length === 32) break;
    }
  }
  return {
    root: outer.root,
    steps,
    alias: outer.alias && inner.alias,
    cuts: unite(outer.cuts, inner.cuts, true),
    partial: unite(outer.partial, inner.partial, false),
    tags: unite(outer.tags, inner.tags, false),
    files: unite(outer.files, inner.files, true),
  };
}

const ownersMemo = new WeakMap<Value, ReadonlySet<unknown> | null>();
const NO_OWNERS: ReadonlySet<unknown> = new Set();

/**
 * For a value with no symbolic flow anywhere in it, the functions whose environments its closures hold (a
 * substitution rebinds only closures of the callee); null when something in it is symbolic. Memoised: values
 * are never mutated.
 */
function closedOwners(v: Value): ReadonlySet<unknown> | null {
  let o = ownersMemo.get(v);
  if (o !== undefined) return o;
  ownersMemo.set(v, null); // while computing (a value reachable from itself stays open)
  let open = v.flows.some((f) => f.root.kind !== 'source');
  let out: Set<unknown> | undefined;
  if (!open) {
    for (const f of v.fns ?? []) if (f.env) (out ??= new Set()).add(f.env.owner);
    for (const p of v.props?.values() ?? []) {
      const po = closedOwners(p);
      if (po === null) {
        open = true;
        break;
      }
      for (const x of po) (out ??= new Set()).add(x);
    }
  }
  o = open ? null : (out ?? NO_OWNERS);
  ownersMemo.set(v, o);
  return o;
}

/** Replaces a callee's symbolic roots with the caller's values. */
export class Substitution {
  constructor(
    private readonly provider: SummaryProvider,
    private readonly fn: FnRef,
    private readonly args: Value[],
    private readonly call: CallSite,
  ) {}

  private readonly bridges = new Map<number, TraceStep | undefined>();

  /** The trace step "argument passed as parameter" for a parameter root (one per parameter and call). */
  private bridge(root: Root): TraceStep | undefined {
    if (root.kind !== 'param' || this.call.entry || root.index === THIS_PARAM) return undefined;
    if (this.bridges.has(root.index)) return this.bridges.get(root.index);
    const b = this.makeBridge(root.index);
    this.bridges.set(root.index, b);
    return b;
  }

  private makeBridge(index: number): TraceStep {
    const text = this.call.argText(index);
    const param = this.provider.paramName(this.fn, index);
    const shown = text ? `\`${text}\`` : `argument ${index + 1}`;
    return {
      kind: 'step',
      file: this.call.site.file,
      line: this.call.site.line,
      column: this.call.site.column,
      label: `${shown} passed as argument \`${param}\` to \`${this.fn.name}\` (${this.fn.file})`,
    };
  }

  private readonly roots = new Map<Root, Value>();

  /** The caller-side value a root stands for (memoised: summaries mention the same root objects many times). */
  root(root: Root): Value {
    if (root.kind === 'source') return { flows: [{ root, steps: [], alias: true, cuts: [], partial: [], tags: [], files: [] }] };
    const key = root;
    let v = this.roots.get(key);
    if (!v) {
      const base =
        root.kind === 'capture'
          ? this.provider.capture(this.fn, root.name, root.site)
          : root.index === THIS_PARAM
            ? (this.call.thisValue ?? this.fn.self ?? empty())
            : (this.args[root.index] ?? empty());
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
    // Nothing symbolic in it and no closure of this callee: the caller sees the very same value.
    const owners = closedOwners(v);
    if (owners && !owners.has(this.fn.node)) return v;
    let out: Value = { flows: [] };
    if (v.text !== undefined) out.text = v.text;
    if (v.constant) out.constant = true;
    if (v.lit) out.lit = v.lit;
    if (v.ext) out.ext = v.ext;
    if (v.obj) out.obj = v.obj;
    if (v.regex) out.regex = v.regex;
    if (v.fns) out.fns = v.fns.map((f) => this.rebind(f));
    if (v.props && depth < 3) {
      out.props = new Map();
      for (const [k, p] of v.props) out.props.set(k, this.value(p, depth + 1));
    }
    // Only the first MAX_FLOWS distinct flows survive the merge below: keys are checked before the (costly)
    // concatenation, so a value of 16 flows substituted with arguments of 16 flows builds 16 flows, not 256.
    const flows: Flow[] = [];
    const seen = new Set<string>();
    const add = (o: Flow, f: Flow, bridge: TraceStep | undefined) => {
      if (flows.length >= MAX_FLOWS) return;
      const k = flowKeyOf(o.root, o.alias && f.alias, unite(o.cuts, f.cuts, true));
      if (seen.has(k)) return;
      seen.add(k);
      flows.push(concat(o, f, bridge));
    };
    for (const f of v.flows) {
      if (f.root.kind === 'source') {
        const k = flowKey(f);
        if (flows.length < MAX_FLOWS && !seen.has(k)) (seen.add(k), flows.push(f));
        continue;
      }
      const outer = this.root(f.root);
      const bridge = this.bridge(f.root);
      if (f.alias) {
        // The value *is* the caller's value: keep its identity (functions, typed objects, shape).
        for (const o of outer.flows) add(o, f, bridge);
        if (outer.obj || outer.fns || outer.ext || outer.props || outer.text !== undefined) out = join(out, { ...outer, flows: [] });
      } else {
        for (const o of taintOf(outer)) add(o, f, bridge);
      }
    }
    if (flows.length) out = { ...out, flows: out.flows.length ? mergeFlows(out.flows, mergeFlows([], flows)) : mergeFlows([], flows) };
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

/** The fields `fn` leaves on `this` for a call (its thisOut, substituted), without applying its other facts. */
export function thisAfter(provider: SummaryProvider, fn: FnRef, args: Value[], call: CallSite): Value | undefined {
  if (call.depth > MAX_DEPTH || call.active?.has(fn.id)) return undefined;
  const s = provider.summary(fn);
  return s.thisOut && new Substitution(provider, fn, args, call).value(s.thisOut);
}

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
    const symbolic = !callee.fns?.length && callee.flows.some((f) => f.alias && f.root.kind !== 'source');
    if (!callee.fns?.length && (!symbolic || (c.hops ?? 0) >= MAX_CALL_HOPS)) continue;
    const cargs = c.args.map((a) => sub.value(a));
    const receiver = c.receiver && sub.value(c.receiver);
    for (const target of callee.fns ?? []) {
      instantiate(provider, target, cargs, { site: c.site, argText: (i) => c.argTexts[i], depth: call.depth + 1, active, thisValue: receiver }, into);
    }
    if (symbolic) into.addCall({ ...c, callee, args: cargs, receiver, hops: (c.hops ?? 0) + 1 });
  }
  if (s.thisOut && call.onThis) call.onThis(sub.value(s.thisOut));
  return sub.value(s.ret);
}
