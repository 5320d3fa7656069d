// Calls: matched against the model tables (sinks, sanitisers, type producers, route registration),
// resolved to functions the analysis can see (summary instantiation), or propagated by default.
import ts from 'typescript';
import { unwrap as strip } from './syntax.js';
import { hostHeader, memberAccess, WHOLE_BODY_MEMBERS } from '../access.js';
import { METHOD_RESULTS, ROUTE_MODELS, TYPE_PRODUCERS, type RouteModel } from '../models/frameworks.js';
import { roleObject } from '../routes.js';
import { CALLBACK_METHODS, DERIVING_METHODS, FUNCTION_WRAPPERS, ITERATION_HELPERS, MUTATING_METHODS, PARSING_CALLBACKS, PATH_NORMALISERS, SANITISERS } from '../models/sanitisers.js';
import { SINKS } from '../models/sinks.js';
import { instantiate, type Collector } from '../summaries.js';
import { derived, empty, join, joinAll, MAX_PATH, notePartial, sanitise, tag, taintOf, type Flow, type Site, type Value } from '../values.js';
import type { Ctx } from './context.js';
import { calleeOf, indexRows, matchesCallee, pathMatches, receiverName, symbolicReceiver, type CallInfo } from './callee-match.js';
import { constantJoin, constructedRegex } from './regex-values.js';
import { siteOf, textOf } from './sites.js';
import { requireSpecifier } from './modules.js';
import { judgeReplace, looksLikeSql, replaceHistory, replaceTag, type ReplaceStep } from './strings.js';
import { resolvedOnBase, webCondition } from './web-sinks.js';
import { archiveEntries, serverCondition } from './sink-conditions.js';
import { RULE_IDS } from '../models/rules.js';
import { HOST_HEADER, REQUEST_READERS, REQUEST_SOURCE_INDEX } from '../models/sources.js';
import { observeCall } from './checks/observe.js';
import { checkAccessCall, passwordHashResult } from './access-calls.js';
import { filteredByGuard } from './filter-guards.js';

/** SQL text may be unknown (a parameter) for these methods on a client recognised only by name. */
const SQL_TEXT_OPTIONAL_METHODS = ['query', 'execute', 'raw'];

const sinkRows = indexRows(SINKS.filter((s) => !s.property));
const propertySinkRows = indexRows(SINKS.filter((s) => s.property));
const PROPERTY_SINK_NAMES = new Set(SINKS.flatMap((s) => (s.property && s.match.kind === 'method' ? s.match.methods : [])));
const sanitiserRows = indexRows(SANITISERS);
const producerRows = indexRows(TYPE_PRODUCERS);

const truthyOption = (args: Value[], name: string) =>
  args.some((a) => {
    const p = a.props?.get(name);
    return p !== undefined && !(p.constant && (p.text === 'false' || p.text === 'null' || p.text === '0' || p.text === ''));
  });

function checkSinks(
  ctx: Ctx,
  node: ts.CallExpression | ts.NewExpression | ts.BinaryExpression,
  call: CallInfo,
  args: Value[],
  site: Site,
  rows = sinkRows(call),
): boolean {
  let matched = false;
  for (const model of rows) {
    const how = matchesCallee(model.match, call);
    if (how === 'no') continue;
    let positions = model.args === 'all' ? args.map((_, i) => i) : [...model.args];
    const web = webCondition(ctx, node, model, call, args, how);
    if (web === 'skip') continue;
    if (web?.positions) positions = web.positions;
    const server = ts.isBinaryExpression(node) ? undefined : serverCondition(ctx, node, model, call, args);
    if (server === null) continue;
    if (server) positions = server.positions;
    if (model.condition === 'shell-option' && truthyOption(args, 'shell')) positions = [...positions, ...(model.conditionalArgs ?? [])];
    if (model.condition === 'no-root-option' && args.slice(1).some((a) => a.props?.has('root'))) continue;
    if (model.condition === 'sql-text' && how === 'named') {
      const text = args[0]?.text;
      const unknown = text === undefined || /^\u0000*$/.test(text);
      if (!looksLikeSql(text) && !(unknown && SQL_TEXT_OPTIONAL_METHODS.includes(call.method ?? ''))) continue;
    }
    // A conditional match (receiver still a parameter) is not known to be this sink yet; a sink whose result is
    // still the data (a regex match) does not end the flow.
    if (how !== 'symbolic' && !model.returnsInput) matched = true;
    const receiverRoot = how === 'symbolic' ? symbolicReceiver(call.receiver!) : undefined;
    for (const i of positions) {
      const a = i === -1 ? call.receiver : args[i]; // -1: the receiver (`text.match(re)`)
      if (!a) continue;
      for (const { flow, requires, at } of web ? web.select(a, i) : (server ? server.flows(i) : taintOf(a)).map((flow) => ({ flow, requires: undefined, at: undefined }))) {
        if (flow.cuts.includes(model.rule)) continue;
        ctx.out.addSink({
          requires,
          sinkId: model.id,
          rule: model.rule,
          site: at?.site ?? site,
          argIndex: i,
          flow,
          receiver: receiverRoot && model.match.kind === 'method' ? { root: receiverRoot, type: model.match.receiverType } : undefined,
          label: at?.label ?? server?.label ?? model.label,
          calleeText: at?.text ?? textOf(ctx, ts.isBinaryExpression(node) ? node.left : node.expression, 40),
          ...(at ? { shownAs: at.text } : {}),
          patch: at ? undefined : model.patch,
        });
      }
    }
  }
  return matched;
}

/** `recv.name = value` where a sink model says the property is a sink (`ctx.body = html`). */
export function checkPropertySink(ctx: Ctx, node: ts.BinaryExpression, target: ts.PropertyAccessExpression, value: Value): void {
  if (!PROPERTY_SINK_NAMES.has(target.name.text) || !value.flows.length && !value.props) return;
  const receiver = ctx.eval(target.expression);
  const call: CallInfo = { callee: empty(), receiver, receiverExpr: target.expression, method: target.name.text, construct: false };
  checkSinks(ctx, node, call, [value], siteOf(ctx, node), propertySinkRows(call));
}

const allocOf = (site: Site) => `${site.file}:${site.line}:${site.column}`;

/** Route models that know a method (registration, mounting, `route`, plugins), in table order. */
const ROUTE_MODELS_BY_METHOD = new Map<string, RouteModel[]>();
for (const rm of ROUTE_MODELS) {
  const names = new Set([...rm.methods, rm.mountMethod, rm.routeType ? 'route' : undefined, rm.optionsMethod?.method, rm.plugin?.method]);
  for (const n of names) if (n) ROUTE_MODELS_BY_METHOD.set(n, [...(ROUTE_MODELS_BY_METHOD.get(n) ?? []), rm]);
}

/** Route registration and mounting (models/frameworks.ts ROUTE_MODELS). */
function checkRoutes(ctx: Ctx, call: CallInfo, args: Value[], site: Site): Value | undefined {
  const { receiver, method } = call;
  if (!receiver || !method) return undefined;
  for (const rm of ROUTE_MODELS_BY_METHOD.get(method) ?? []) {
    const type = receiver.obj?.type;
    if (rm.routeType && type === rm.routeType && rm.methods.includes(method)) {
      // router.route('/x').get(handler)
      const owner = receiver.obj!.info ?? {};
      // A route of a router that is still a parameter carries the parameter: instantiation resolves it to the router.
      const ownerValue: Value = owner.ownerAlloc
        ? { flows: [], obj: { type: owner.ownerType, alloc: owner.ownerAlloc, info: ownerInfo(owner) } }
        : { flows: receiver.flows };
      ctx.out.addEffect({ kind: 'route', receiver: ownerValue, receiverName: owner.ownerName ?? '', method, path: owner.path, handlers: handlerValue(args), site });
      return receiver;
    }
    const typed = !!type && rm.receiverTypes.includes(type);
    const untyped = !receiver.obj && !receiver.ext?.length && !receiver.fns?.length;
    const named = untyped && !!rm.receiverNames?.test(receiverName(call.receiverExpr));
    // A parameter itself (`function setup(app) { app.get('/x', fn) }`), registering a function we can see.
    const symbolic =
      untyped && receiver.flows.some((f) => f.alias && f.root.kind !== 'source' && f.root.path.length === 0) && args.some(passesFunction);
    if (!typed && !named && !symbolic) continue;
    const name = receiverName(call.receiverExpr);
    if (rm.routeType && method === 'route' && args[0]?.constant) {
      const info: Record<string, string> = { path: args[0].text ?? '', ownerType: type ?? '', ownerAlloc: receiver.obj?.alloc ?? '', ownerName: name };
      if (receiver.obj?.info?.prefix) info.ownerPrefix = receiver.obj.info.prefix;
      // `function routes(router) { router.route('/x').get(h) }`: the route keeps the parameter it was made from.
      const symbolicOwner = typed ? [] : receiver.flows.filter((f) => f.alias && f.root.kind !== 'source' && f.root.path.length === 0);
      return { flows: symbolicOwner, obj: { type: rm.routeType, alloc: allocOf(site), info } };
    }
    if (rm.plugin?.method === method) {
      registerPlugin(ctx, rm.plugin, receiver, args, site);
      return typed ? receiver : undefined;
    }
    if (rm.optionsMethod?.method === method && args[0]?.props && !args[0].fns) {
      // fastify.route({ method: 'GET', url: '/x', handler })
      const o = args[0].props;
      const handlers = joinAll(rm.optionsMethod.handlerKeys.map((k) => handlerValue([o.get(k) ?? empty()])));
      const pathValue = rm.optionsMethod.pathKeys.map((k) => o.get(k)).find((v) => v?.constant);
      const verbs = constantTexts(o.get(rm.optionsMethod.verbKey));
      for (const verb of verbs.length ? verbs : ['all']) {
        if (handlers.fns?.length || handlers.flows.length) {
          ctx.out.addEffect({ kind: 'route', receiver, receiverName: name, method: verb.toLowerCase(), path: pathValue?.text, handlers, site });
        }
      }
      return typed ? receiver : undefined;
    }
    if (!rm.methods.includes(method) && method !== rm.mountMethod) continue;
    let rest = args;
    let path: string | undefined;
    if (args[0]?.constant && args[0].text !== undefined) {
      path = args[0].text;
      rest = args.slice(1);
      // router.get('user', '/users/:id', handler): a route name before the path.
      if (rm.namedRoutes && rest[0]?.constant && rest[0].text !== undefined) {
        path = rest[0].text;
        rest = rest.slice(1);
      }
    } else if (args[0] && !args[0].fns && !args[0].obj && !args[0].flows.length && method !== rm.mountMethod) {
      rest = args.slice(1); // a computed path
    }
    const handlers = handlerValue(rest);
    if (!handlers.fns?.length && !rest.some((a) => a.obj || a.flows.some((f) => f.alias))) continue; // app.get('setting')
    if (method === rm.mountMethod) {
      for (const a of rest) {
        if ((a.obj && rm.mountable.includes(a.obj.type)) || (!a.obj && !a.fns && a.flows.some((f) => f.alias && f.root.kind !== 'source'))) {
          ctx.out.addEffect({ kind: 'mount', receiver, prefix: path ?? '', child: a, site });
        }
      }
    }
    if ((handlers.fns?.length || handlers.flows.length) && rm.methods.includes(method)) {
      ctx.out.addEffect({ kind: 'route', receiver, receiverName: name, method, path, handlers, site });
    }
    return typed ? receiver : undefined;
  }
  return undefined;
}

/** The members of `v` along `path` ('*': every member), with the keys taken at the '*' segments (the names handlers are held under). */
function namedMembersAlong(v: Value | undefined, path: string[]): { value: Value; keys: string[] }[] {
  let level = v ? [{ value: v, keys: [] as string[] }] : [];
  for (const key of path) {
    const next: { value: Value; keys: string[] }[] = [];
    for (const x of level) {
      if (key !== '*') {
        const m = x.value.props?.get(key);
        if (m) next.push({ value: m, keys: x.keys });
      } else for (const [k, m] of x.value.props ?? []) next.push({ value: m, keys: [...x.keys, k] });
    }
    level = next;
  }
  return level;
}

/** An argument that hands over a function: itself, a module's default export, or an options object's member. */
/**
 * The arguments `f.apply(self, list)` passes: the list's known elements by position (`f.apply(null, arguments)`
 * forwards each parameter to the same slot), else any element of it as the first argument.
 */
function appliedArgs(list: Value, site: Site): Value[] {
  const known = [...(list.props?.keys() ?? [])].filter((k) => /^\d+$/.test(k)).map(Number);
  if (!known.length) return [memberAccess(list, '*', site)];
  return Array.from({ length: Math.max(...known) + 1 }, (_, i) => list.props!.get(String(i)) ?? memberAccess(list, '*', site));
}

/** The plain name a call is made through (`each(…)`), when it is one. */
const calleeIdentifier = (node: ts.CallExpression | ts.NewExpression): string | undefined => {
  const e = strip(node.expression);
  return ts.isIdentifier(e) ? e.text : undefined;
};

const passesFunction = (a: Value) => !!(a.fns?.length || [...(a.props?.values() ?? [])].some((p) => p.fns?.length));

/** The owner of `router.route(path)` keeps its own prefix (servedPrefixes reads it from info). */
const ownerInfo = (owner: Record<string, string>) => (owner.ownerPrefix ? { prefix: owner.ownerPrefix } : undefined);

/** Constant strings of a value: a literal, or an array of literals (`method: ['GET', 'POST']`). */
function constantTexts(v: Value | undefined): string[] {
  if (!v) return [];
  if (v.constant && v.text !== undefined) return [v.text];
  return [...(v.props ?? [])].filter(([k]) => k !== '*').flatMap(([, p]) => (p.constant && p.text !== undefined ? [p.text] : []));
}

/** Instantiated facts that matter for registration: effects only (request data is not known here). */
function effectsOnly(ctx: Ctx): Collector {
  return { addSink: () => {}, addEffect: (e) => ctx.out.addEffect(e), addCall: () => {}, addFiles: (f) => ctx.out.addFiles(f) };
}

/**
 * `fastify.register(plugin, { prefix })`: the plugin runs with a child instance; what it registers on it is
 * served under the prefix (a mount of the child on the receiver).
 */
function registerPlugin(ctx: Ctx, plugin: NonNullable<RouteModel['plugin']>, receiver: Value, args: Value[], site: Site): void {
  const fns = args[0]?.fns ?? args[0]?.props?.get('default')?.fns ?? [];
  if (!fns.length) return;
  const child = roleObject(plugin.childType, `${allocOf(site)}:${plugin.childType}`);
  const prefix = args[1]?.props?.get(plugin.prefixKey);
  ctx.out.addEffect({ kind: 'mount', receiver, prefix: prefix?.constant ? (prefix.text ?? '') : '', child, site });
  for (const fn of fns) instantiate(ctx.prog.provider, fn, [child, args[1] ?? empty()], { site, argText: () => undefined, depth: 0 }, effectsOnly(ctx));
}

/** Handler functions among route arguments (arrays of middleware included); symbolic ones resolve later. */
function handlerValue(args: Value[]): Value {
  let out = empty();
  for (const a of args) {
    if (a.obj) continue;
    out = join(out, { flows: a.flows.filter((f) => f.alias && f.root.kind !== 'source'), fns: a.fns });
    const elems = a.props?.get('*');
    if (elems?.fns) out = join(out, { flows: [], fns: elems.fns });
  }
  return out;
}

function typeResult(ctx: Ctx, call: CallInfo, args: Value[], site: Site): Value | undefined {
  // `getCookie(c, 'name')`: reads `member` of the request value given (a parameter's member path resolves where the handler is instantiated).
  for (const r of call.callee.ext?.length ? REQUEST_READERS : []) {
    if (args[r.arg] && matchesCallee({ kind: 'module', module: r.module, path: r.path }, call) === 'typed') return memberAccess(args[r.arg], r.member, site);
  }
  for (const p of producerRows(call)) {
    if (matchesCallee(p.match, call) !== 'typed') continue;
    let info = p.info;
    for (const key of p.options?.keys ?? []) {
      const o = args[p.options!.arg]?.props?.get(key);
      if (o?.constant && o.text !== undefined) info = { ...info, [key]: o.text };
    }
    // With its typed members (REQUEST_MEMBERS: next-auth's `auth`), as a handler's typed parameter has them.
    const made: Value = { ...roleObject(p.type, allocOf(site)), obj: { type: p.type, alloc: allocOf(site), info } };
    if (p.registers) {
      // `http.createServer(handler)`: the handler argument is registered on the new value for an event.
      const from = p.registers.from;
      const typeName = from?.typeKey ? args[from.arg]?.props?.get(from.typeKey) : undefined;
      const prefix = typeName?.constant && typeName.text ? [typeName.text] : [];
      const groups = from ? namedMembersAlong(args[from.arg], from.path).map((m) => ({ handlers: handlerValue([m.value]), field: [...prefix, ...m.keys].join('.') })) : [{ handlers: handlerValue(args), field: undefined }];
      for (const { handlers, field } of groups) {
        if (handlers.fns?.length || handlers.flows.length) {
          ctx.out.addEffect({ kind: 'route', receiver: made, receiverName: '', method: p.registers.method, path: p.registers.event, handlers, site, ...(field ? { field } : {}) });
        }
      }
    }
    return made;
  }
  const obj = call.receiver?.obj;
  if (obj && call.method) {
    // A request method called on a concrete request value (`cookies().get('x')`).
    if (REQUEST_SOURCE_INDEX.has(`${obj.type}|${call.method}()`)) {
      const v = memberAccess({ flows: [], obj }, `${call.method}()`, site);
      return readsHostHeader(args) ? { ...v, flows: v.flows.map(hostHeader) } : v;
    }
    const row = METHOD_RESULTS.find((r) => r.type === obj.type && r.method === call.method);
    if (row && row.result && row.prefixArg !== undefined) {
      // `app.basePath('/api')`: a new instance whose routes are served under the prefix.
      const p = args[row.prefixArg];
      const prefix = `${obj.info?.prefix ?? ''}${p?.constant ? (p.text ?? '') : ''}`;
      return { flows: [], obj: { type: row.result, alloc: allocOf(site), info: { ...obj.info, prefix } } };
    }
    if (row) return row.result ? { flows: [], obj: { type: row.result, alloc: allocOf(site), info: obj.info } } : empty();
    return { flows: [], obj };
  }
  // Calling a typed value (`knex('users')`): METHOD_RESULTS rows with method "()".
  const called = !call.method ? call.callee.obj : undefined;
  const row = called && METHOD_RESULTS.find((r) => r.type === called.type && r.method === '()');
  if (called && row) return row.result ? { flows: [], obj: { type: row.result, alloc: allocOf(site), info: called.info } } : empty();
  return undefined;
}

const extIs = (v: Value, rows: { module: string; path: string[] }[]) =>
  (v.ext ?? []).some((e) => rows.some((r) => r.module === e.module && pathMatches(e.path, r.path)));

function sanitiserResult(call: CallInfo, args: Value[]): Value | undefined {
  for (const s of sanitiserRows(call)) {
    if (matchesCallee(s.match, call) === 'no') continue;
    const from = s.from ?? 0;
    const base = from === -1 ? (call.receiver ?? empty()) : (args[from] ?? empty());
    return sanitise(derived(base), s.cuts);
  }
  return undefined;
}

function stringReplace(call: CallInfo, args: Value[]): Value | undefined {
  if ((call.method !== 'replace' && call.method !== 'replaceAll') || !call.receiver) return undefined;
  const [pattern, replacement] = args;
  let v = join(derived(call.receiver), derived(replacement ?? empty()));
  if (pattern?.regex && replacement?.constant) {
    const step: ReplaceStep = [pattern.regex.source, pattern.regex.flags, replacement.text ?? ''];
    const j = judgeReplace(step[0], step[1], step[2], replaceHistory(taintOf(call.receiver)));
    v = tag(v, replaceTag(step));
    const name = `replace(/${pattern.regex.source}/${pattern.regex.flags})`;
    if (j.cuts.length) v = sanitise(v, j.cuts.length === RULE_IDS.length ? 'all' : j.cuts);
    if (j.partial.length) v = notePartial(v, `${name} (partial filtering for ${j.partial.join(', ')})`);
  }
  return v;
}

/** `x.method()` on a value that is still a parameter: remember the access so a request method resolves later. */
function symbolicMethodResult(call: CallInfo, args: Value[]): Value {
  const flows: Flow[] = [];
  const host = readsHostHeader(args);
  for (const f of call.receiver?.flows ?? []) {
    if (!f.alias || f.root.kind === 'source' || f.root.path.length >= MAX_PATH) continue;
    const flow = { ...f, alias: WHOLE_BODY_MEMBERS.has(`${call.method}()`), root: { ...f.root, path: [...f.root.path, `${call.method}()`] } };
    flows.push(host ? hostHeader(flow) : flow);
  }
  return { flows };
}

/** `req.get('host')`, `c.req.header('Host')`: a header read whose name is the Host header. */
const readsHostHeader = (args: Value[]) => !!args[0]?.constant && HOST_HEADER.test(args[0].text ?? '');

function evalArgs(ctx: Ctx, node: ts.CallExpression | ts.NewExpression): Value[] {
  return (node.arguments ?? []).map((a) => {
    if (ts.isSpreadElement(a)) {
      const v = ctx.eval(a.expression);
      return join(memberAccess(v, '*', siteOf(ctx, a)), derived(v));
    }
    return ctx.eval(a);
  });
}

export function evalCall(ctx: Ctx, node: ts.CallExpression | ts.NewExpression): Value {
  const site = siteOf(ctx, node);
  if (ts.isCallExpression(node)) {
    const spec = requireSpecifier(node);
    if (spec !== undefined) return ctx.prog.requireValue(ctx.mod.path, spec);
  }
  const call = calleeOf(ctx, node);
  const args = evalArgs(ctx, node);
  // Non-flow checks (checks/) record the library calls they judge; a weak random generator yields a tagged value.
  const observed = observeCall(ctx, node, call, args, site);
  if (observed) return observed;
  const argNodes = node.arguments ?? [];
  const argText = (i: number) => (argNodes[i] ? textOf(ctx, argNodes[i]) : undefined);
  const callSite = { site, argText, depth: 0 };

  if (extIs(call.callee, FUNCTION_WRAPPERS)) return args[0] ?? empty();
  const isSink = checkSinks(ctx, node, call, args, site);
  checkAccessCall(ctx, node, call, args, site);
  const routed = checkRoutes(ctx, call, args, site);
  if (routed) return routed;
  const sanitised = sanitiserResult(call, args);
  if (sanitised) return sanitised;
  const entries = archiveEntries(ctx, node, call, args); // zip slip: entry names come from the archive
  if (entries) return entries;
  const compiled = constructedRegex(call, args); // `new RegExp('…')` of constant text is a regex like a literal
  if (compiled) return compiled;
  const joined = constantJoin(call, args);
  if (joined) return joined;
  const typed = typeResult(ctx, call, args, site);

  // Functions the analysis can see.
  const { callee, receiver, method } = call;
  if (method === 'call' || method === 'apply' || method === 'bind') {
    if (receiver?.fns?.length) {
      if (method === 'bind') return { flows: [], fns: receiver.fns };
      const passed = method === 'call' ? args.slice(1) : args[1] ? appliedArgs(args[1], site) : [];
      return joinAll(receiver.fns.map((fn) => instantiate(ctx.prog.provider, fn, passed, callSite, ctx.out)));
    }
  }
  // A constructor function (`function C() { this.h = … }`) too: its `this` fields are the instance's members.
  if (call.construct && (callee.props || callee.fns?.some((f) => ctx.prog.infoOf(f)?.assignsThis)) && !callee.ext?.length) {
    // `new C(...)` of a class we can see: run the constructor, the instance has the class's methods and its fields.
    return ctx.construct(callee, args, callSite);
  }
  if (callee.fns?.length) {
    let out = empty();
    // A method call runs with its receiver as `this`.
    const at = method ? { ...callSite, thisValue: receiver } : callSite;
    for (const fn of callee.fns) out = join(out, instantiate(ctx.prog.provider, fn, args, at, ctx.out));
    return typed ? join(out, typed) : out;
  }
  // Still-symbolic callee (a parameter called back, a method of a parameter or of `this`): the caller resolves it.
  // Known sinks and built-in string/array methods are not user methods; recording them would only cost time.
  const builtin = !!method && (isSink || DERIVING_METHODS.includes(method) || method in CALLBACK_METHODS);
  if (!builtin && !callee.ext?.length && callee.flows.some((f) => f.alias && f.root.kind !== 'source')) {
    ctx.out.addCall({ callee, args, site, argTexts: argNodes.map((a) => textOf(ctx, a)), receiver: method ? receiver : undefined });
  }

  // Callbacks handed to code we cannot see (or to array/promise methods).
  const cbModel = method ? CALLBACK_METHODS[method] : undefined;
  let cbResult: Value | undefined;
  // A parser's callback receives the parsed text (xml2js.parseString(body, (err, result) => …)).
  const parsing = callee.ext?.length && args.some((a) => a.fns?.length) ? PARSING_CALLBACKS.find((p) => matchesCallee(p.match, call) === 'typed') : undefined;
  args.forEach((a, i) => {
    if (!a.fns?.length) return;
    let passed: Value[] = [];
    if (parsing && i > parsing.from) passed = Array.from({ length: parsing.param + 1 }, (_, k) => (k === parsing.param ? derived(args[parsing.from] ?? empty()) : empty()));
    if (cbModel && i === cbModel.arg && receiver) {
      const elem = cbModel.passes === 'element' ? join(memberAccess(receiver, '*', site), derived(receiver)) : receiver;
      passed = method === 'reduce' || method === 'reduceRight' ? [args[1] ?? empty(), elem] : [elem];
    } else if (i === 1 && !callee.fns?.length && !args[0]?.fns?.length && ITERATION_HELPERS.includes(method ?? calleeIdentifier(node) ?? '')) {
      // `_.each(obj, (value, key) => …)`, `forOwn(obj, fn)`: the callback gets each value and its key.
      const coll = args[0] ?? empty();
      passed = [join(memberAccess(coll, '*', site), derived(coll)), derived(coll)];
    }
    for (const fn of a.fns) {
      const r = instantiate(ctx.prog.provider, fn, passed, { ...callSite, argText: () => undefined }, ctx.out);
      if (cbModel && i === cbModel.arg) cbResult = join(cbResult ?? empty(), r);
    }
  });
  if (cbModel && receiver && cbResult) {
    const guarded = filteredByGuard(ctx, method, receiver, argNodes[cbModel.arg] && strip(argNodes[cbModel.arg] as ts.Expression), site);
    if (guarded) return guarded;
    if (cbModel.returns === 'callback') return cbResult;
    if (cbModel.returns === 'callback-array') return { flows: [], props: new Map([['*', cbResult]]) };
    return receiver;
  }

  // Arrays and collections remember what is stored in them.
  if (method && receiver && MUTATING_METHODS.includes(method) && args.length) {
    const target = (node.expression as ts.PropertyAccessExpression).expression;
    if (ts.isIdentifier(strip(target))) {
      const stored = joinAll(args);
      const props = new Map(receiver.props ?? []);
      props.set('*', join(props.get('*') ?? empty(), stored));
      ctx.bind(strip(target) as ts.Identifier, { ...receiver, props });
    }
  }

  if (typed) return typed;
  if (isSink) return empty();
  const replaced = stringReplace(call, args) ?? (call.construct ? resolvedOnBase(call, args) : undefined);
  if (replaced) return replaced;
  let out = joinAll(args.map((a) => derived(a)));
  if (receiver) out = join(out, derived(receiver));
  if (method && receiver && !DERIVING_METHODS.includes(method) && !callee.ext?.length) out = join(out, symbolicMethodResult(call, args));
  if (extIs(callee, PATH_NORMALISERS)) out = tag(out, 'normalised-path');
  out = passwordHashResult(node, call, out);
  // Unknown wrappers (asyncHandler(fn), catchErrors(fn)) usually return the function they wrap.
  const wrapped = args.flatMap((a) => a.fns ?? []);
  if (wrapped.length && !method) out = join(out, { flows: [], fns: wrapped });
  return out;
}

