// Abstract values of the dataflow analysis. Language-neutral: a front end (see js/) produces them.
//
// A value is what the analysis knows about one expression: which *roots* it derives from (flows), its
// known object shape, the functions it may be, the library member it refers to, a typed allocation
// (an Express app, a SQL client ...) and its constant text. Roots are symbolic while a function is
// summarised (its parameters and captured variables) and become concrete request sources when a
// summary is instantiated for a route handler.
import type { TraceStep } from '../../model.js';
import { analyseRegex } from './js/regex-safety.js';

export interface Site {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** `file:line:column` of a site, for sets and maps of places. */
export const siteKey = (s: Pick<Site, 'file' | 'line' | 'column'>) => `${s.file}:${s.line}:${s.column}`;

export interface SourceRoot {
  kind: 'source';
  /** Model row kind, e.g. "req.query". */
  sourceKind: string;
  /** Canonical access path for labels, e.g. "req.query.name". */
  label: string;
  requestInput: boolean;
  site: Site;
}
export interface ParamRoot {
  kind: 'param';
  /** Parameter position; THIS_PARAM (-1) is the function's `this`. */
  index: number;
  path: string[];
  site: Site;
}
export interface CaptureRoot {
  kind: 'capture';
  name: string;
  path: string[];
  site: Site;
}
export type Root = SourceRoot | ParamRoot | CaptureRoot;

export interface Flow {
  root: Root;
  /** Trace steps after the root, in order. */
  steps: TraceStep[];
  /** Still the root itself (not transformed), so a property read extends the root's path. */
  alias: boolean;
  /** Rules for which a sanitiser on the way cut this flow. */
  cuts: string[];
  /** Sanitisers seen that did not cut the flow (evidence for the verifier). */
  partial: string[];
  /** Facts about the data, e.g. "normalised-path". */
  tags: string[];
  /** Files whose summaries this flow went through (for dependsOn). */
  files: string[];
}

/** A function the analysis can see: its declaration plus the environment it closes over. */
export interface FnRef {
  id: string;
  node: unknown;
  file: string;
  name: string;
  env?: Env;
  /** A method read off an instance: the instance it runs on (`this`) unless the call names another receiver. */
  self?: Value;
}

/** A reference into a library: module specifier plus member path ("child_process", ["exec"]). */
export interface ExtRef {
  module: string;
  path: string[];
}

/** A typed allocation: an Express app or router, a SQL client ... `alloc` is the creation site. */
export interface ObjRef {
  type: string;
  alloc: string;
  /** Extra facts, e.g. the path of `router.route(path)` or the SQL driver. */
  info?: Record<string, string>;
}

export interface Value {
  flows: Flow[];
  props?: Map<string, Value>;
  fns?: FnRef[];
  ext?: ExtRef[];
  obj?: ObjRef;
  /** Constant text, with U+0000 standing for unknown parts. */
  text?: string;
  /** The value is exactly `text` (a literal or built only from literals). */
  constant?: boolean;
  regex?: { source: string; flags: string };
  /** The syntax node of the literal the constant was written as (front-end specific; checks/ report hard-coded values there). */
  lit?: unknown;
}

/** Variables of one function activation; `parent` is the environment the function closed over. */
export interface Env {
  vars: Map<string, Value>;
  owner: unknown;
  parent?: Env;
}

export const MAX_PATH = 4;
/** ParamRoot index of `this`: a method's summary speaks of its receiver's fields as of a parameter's members. */
export const THIS_PARAM = -1;
export const MAX_FLOWS = 16;
const MAX_STEPS = 24;

export const empty = (): Value => ({ flows: [] });

function computeRootKey(r: Root): string {
  switch (r.kind) {
    case 'source':
      return `s:${r.label}@${r.site.file}:${r.site.line}:${r.site.column}`;
    case 'param':
      return `p${r.index}.${r.path.join('.')}`;
    case 'capture':
      return `c:${r.name}.${r.path.join('.')}`;
  }
}

// Memoised per root object (roots are immutable and shared by the many flows derived from them); a flow's own
// key is then a cheap concatenation, with no per-flow table (flows are created by the million).
const rootKeys = new WeakMap<Root, string>();
const collapsedKeys = new WeakMap<Root, string>();

export function rootKey(r: Root): string {
  let k = rootKeys.get(r);
  if (k === undefined) rootKeys.set(r, (k = computeRootKey(r)));
  return k;
}

/** Identity of a flow for deduplication (its steps do not count). */
export function flowKey(f: Flow): string {
  return flowKeyOf(f.root, f.alias, f.cuts);
}

/** flowKey of the flow these parts would make, computed before the flow is built. */
export function flowKeyOf(r: Root, alias: boolean, cutList: string[]): string {
  let root: string;
  if (!alias && r.kind !== 'source' && r.path.length > 2) {
    // Transformed data from one parameter member is one flow, whichever sub-member it came from: the first
    // keeps its precise path for labels, and summaries stay small.
    let c = collapsedKeys.get(r);
    if (c === undefined) collapsedKeys.set(r, (c = `${r.kind === 'param' ? `p${r.index}` : `c:${r.name}`}.${r.path[0]}.${r.path[1]}`));
    root = c;
  } else root = rootKey(r);
  const cuts = cutList.length === 0 ? '' : cutList.length === 1 ? cutList[0] : cutList.join(',');
  return alias ? `${root}|${cuts}|a` : `${root}|${cuts}|`;
}

const uniq = (xs: string[]) => [...new Set(xs)].sort();

const keySets = new WeakMap<Flow[], Set<string>>();

/** The flow keys of a flow list (memoised: lists are never mutated once built). */
function keysOf(a: Flow[]): Set<string> {
  let keys = keySets.get(a);
  if (!keys) keySets.set(a, (keys = new Set(a.map(flowKey))));
  return keys;
}

export function mergeFlows(a: Flow[], b: Flow[]): Flow[] {
  if (!b.length || a === b || a.length >= MAX_FLOWS) return a;
  if (!a.length && b.length === 1) return b;
  const seen = keysOf(a);
  let out: Flow[] | undefined;
  let added: Set<string> | undefined;
  for (const f of b) {
    if ((out ?? a).length >= MAX_FLOWS) break;
    const k = flowKey(f);
    if (seen.has(k) || added?.has(k)) continue;
    (out ??= [...a]).push(f);
    (added ??= new Set()).add(k);
  }
  // Nothing new: the same list, so later joins short-cut on identity.
  return out ?? a;
}

function mergeBy<T>(a: T[] | undefined, b: T[] | undefined, k: (t: T) => string): T[] | undefined {
  if (!b?.length) return a;
  if (!a?.length) return b;
  const seen = new Set(a.map(k));
  return [...a, ...b.filter((t) => !seen.has(k(t)))];
}

/** Least upper bound of two values (used at control-flow merges and for unions). */
const isEmpty = (v: Value) =>
  !v.flows.length && !v.props && !v.fns && !v.ext && !v.obj && v.text === undefined && !v.regex;

type Regex = NonNullable<Value['regex']>;

/**
 * Of two regexes a value may be, the one a backtracking check must judge: an exponential one over any other
 * (the first on a tie). Polynomial patterns do not displace the first: a quadratic pattern among alternatives
 * (a lenient parse mode next to a strict one) is weak evidence on its own, and promoting it flagged a fixed release.
 */
function worseRegex(a: Regex | undefined, b: Regex | undefined): Regex | undefined {
  if (!a || !b || a === b || (a.source === b.source && a.flags === b.flags)) return a ?? b;
  return !analyseRegex(a.source, a.flags).catastrophic && analyseRegex(b.source, b.flags).catastrophic ? b : a;
}

export function join(a: Value, b: Value): Value {
  if (a === b || isEmpty(b)) return a;
  if (isEmpty(a)) return b;
  const out: Value = { flows: mergeFlows(a.flows, b.flows) };
  if (a.props || b.props) {
    const props = new Map(a.props ?? []);
    for (const [k, v] of b.props ?? []) props.set(k, props.has(k) ? join(props.get(k)!, v) : v);
    out.props = props;
  }
  out.fns = mergeBy(a.fns, b.fns, (f) => f.id);
  out.ext = mergeBy(a.ext, b.ext, (e) => `${e.module}#${e.path.join('.')}`);
  out.obj = a.obj ?? b.obj;
  out.regex = worseRegex(a.regex, b.regex);
  if (a.text !== undefined && b.text !== undefined) {
    out.text = a.text === b.text ? a.text : '\u0000';
    out.constant = a.text === b.text && a.constant && b.constant;
    if (a.text === b.text && (a.lit ?? b.lit)) out.lit = a.lit ?? b.lit;
  } else if (a.text !== undefined || b.text !== undefined) {
    out.text = a.text ?? b.text;
    const lit = a.text !== undefined ? a.lit : b.lit;
    if (lit) out.lit = lit;
  }
  if (!out.fns) delete out.fns;
  if (!out.ext) delete out.ext;
  if (!out.obj) delete out.obj;
  if (!out.regex) delete out.regex;
  return out;
}

/**
 * True when joining `b` into `a` adds nothing (no new flow, function, library member, type, text or property):
 * the fixed point's "did it grow?" test, without building the join or signatures.
 */
export function covers(a: Value, b: Value, depth = 4): boolean {
  if (a === b) return true;
  if (b.flows.length && a.flows.length < MAX_FLOWS && b.flows.some((f) => !a.flows.includes(f))) {
    const keys = new Set(a.flows.map(flowKey));
    for (const f of b.flows) if (!keys.has(flowKey(f))) return false;
  }
  if (b.fns?.some((f) => !a.fns?.some((g) => g.id === f.id))) return false;
  if (b.ext?.some((e) => !a.ext?.some((x) => x.module === e.module && x.path.length === e.path.length && x.path.every((s, i) => s === e.path[i])))) return false;
  if (b.obj && !a.obj) return false;
  if (b.regex && !a.regex) return false;
  if (b.text !== undefined && a.text !== b.text && a.text !== '\u0000') return false;
  if (b.props && b.props !== a.props) {
    if (!a.props || depth === 0) return false;
    for (const [k, p] of b.props) {
      const q = a.props.get(k);
      if (!q || !covers(q, p, depth - 1)) return false;
    }
  }
  return true;
}

export const joinAll = (vs: Value[]): Value => vs.reduce((acc, v) => join(acc, v), empty());

/** Every flow reaching the value, including through its known properties (an object or array of tainted data). */
export function taintOf(v: Value, depth = 3): Flow[] {
  let flows = v.flows;
  if (depth > 0 && v.props) for (const p of v.props.values()) flows = mergeFlows(flows, taintOf(p, depth - 1));
  return flows;
}

/** The value as plain data derived from its inputs: taint survives, identity does not. */
export function derived(v: Value, extra?: Partial<Flow>): Value {
  return {
    flows: taintOf(v).map((f) => ({ ...f, alias: false, ...extra })),
  };
}

export function addStep(f: Flow, step: TraceStep): Flow {
  const last = f.steps[f.steps.length - 1];
  // One step per line keeps traces readable.
  if (last && last.file === step.file && last.line === step.line) return f;
  if (f.root.site.file === step.file && f.root.site.line === step.line && f.steps.length === 0) return f;
  if (f.steps.length >= MAX_STEPS) return f;
  return { ...f, steps: [...f.steps, step] };
}

export function withStep(v: Value, step: TraceStep): Value {
  if (!v.flows.length && !v.props) return v;
  return { ...v, flows: v.flows.map((f) => addStep(f, step)), props: v.props && mapProps(v.props, (p) => withStep(p, step)) };
}

function mapProps(props: Map<string, Value>, fn: (v: Value) => Value): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [k, v] of props) out.set(k, fn(v));
  return out;
}

/** Cut the flows of `v` for `rules` ('all' removes the taint altogether). */
export function sanitise(v: Value, rules: string[] | 'all'): Value {
  if (rules === 'all') return { flows: numericFacts(v).flows, text: v.text && v.constant ? v.text : undefined, constant: v.constant };
  const f = (x: Value): Value => ({
    ...x,
    flows: x.flows.map((fl) => ({ ...fl, cuts: uniq([...fl.cuts, ...rules]) })),
    props: x.props && mapProps(x.props, f),
  });
  return f(v);
}

/** Record a sanitiser that did not cut the flow (bypassable or of the wrong kind). */
export function notePartial(v: Value, name: string): Value {
  const f = (x: Value): Value => ({
    ...x,
    flows: x.flows.map((fl) => (fl.partial.includes(name) ? fl : { ...fl, partial: [...fl.partial, name] })),
    props: x.props && mapProps(x.props, f),
  });
  return f(v);
}

/**
 * Flows tagged NUMERIC_FACT are facts about the value itself (a predictable random number), not attacker text:
 * arithmetic, numeric coercion and indexing keep them where they cut everything else.
 */
export const NUMERIC_FACT = 'numeric-fact';

/** Tag of a flow copied by an object spread (`{ ...req.body }`): the whole object, not picked fields. */
export const SPREAD_TAG = 'object-spread';

export function numericFacts(v: Value): Value {
  const flows = taintOf(v).filter((f) => f.tags.includes(NUMERIC_FACT));
  return { flows: flows.length ? flows.map((f) => (f.alias ? { ...f, alias: false } : f)) : [] };
}

export function tag(v: Value, t: string): Value {
  return { ...v, flows: v.flows.map((fl) => (fl.tags.includes(t) ? fl : { ...fl, tags: [...fl.tags, t] })) };
}

export function withFiles(f: Flow, files: string[]): Flow {
  if (files.every((x) => f.files.includes(x))) return f;
  return { ...f, files: uniq([...f.files, ...files]) };
}

export const isTainted = (v: Value) => taintOf(v).length > 0;

/** A stable signature, to notice when a summary's return value grew. */
export function signature(v: Value, depth = 2): string {
  const parts = [
    v.flows.map(flowKey).sort().join(';'),
    (v.fns ?? []).map((f) => f.id).sort().join(','),
    (v.ext ?? []).map((e) => `${e.module}#${e.path.join('.')}`).join(','),
    v.obj ? `${v.obj.type}@${v.obj.alloc}` : '',
    v.text ?? '',
  ];
  if (depth > 0 && v.props) {
    parts.push([...v.props.entries()].map(([k, p]) => `${k}=${signature(p, depth - 1)}`).sort().join('&'));
  }
  return parts.join('|');
}

/** A value a closure may use as it is instead of as a captured variable: concrete and worth knowing. */
export function knownValue(v: Value): boolean {
  return v.flows.every((f) => f.root.kind === 'source') && !!(v.fns?.length || v.ext?.length || v.obj || v.props?.size);
}

/**
 * Whether a function's environment in the chain (not a module's: module bindings are read as they are anyway)
 * binds a variable to a known value (knownValue).
 */
export function bindsKnownValues(closure: Env, isModule: (owner: unknown) => boolean): boolean {
  for (let env: Env | undefined = closure; env; env = env.parent) {
    if (isModule(env.owner)) continue;
    for (const [k, v] of env.vars) if (k !== 'this' && knownValue(v)) return true;
  }
  return false;
}
