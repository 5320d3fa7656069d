// Entry points: route and event handlers registered on apps/routers/servers, and whether each is reachable
// from an application root (a router mounted, possibly through other routers or plugins, on an app); and
// the values a handler's parameters receive (frameworks.ts roles).
import { FILE_ROUTE_HIDDEN_SEGMENT, FILE_ROUTES, handlerSignature, ROUTE_MODELS, UNTYPED_ROUTE_MODEL, type FileRouteModel, type HandlerRole, type RouteModel } from './models/frameworks.js';
import type { FrontEndResult, ParamInfo } from './frontend.js';
import { PARAMETER_SOURCES, REQUEST_MEMBERS } from './models/sources.js';

const DESTRUCTURED_LABEL = new Map(PARAMETER_SOURCES.flatMap((r) => (r.destructured ? [[r.sourceKind, r.destructured] as const] : [])));
import { instantiate, type Effect, type Summary, type SummaryProvider } from './summaries.js';
import type { FnRef, ObjRef, Site, Value } from './values.js';

export interface Registration {
  handler: FnRef;
  owner?: ObjRef;
  ownerName: string;
  method: string;
  path?: string;
  site: Site;
  /** The framework the registration belongs to (by the owner's type; untyped owners follow UNTYPED_ROUTE_MODEL). */
  model?: RouteModel;
  /** Index of `handler` among the functions of its registration call, in argument order (middleware first). */
  position?: number;
  /** The member the handler is held under (a GraphQL field: `Query.user`), for registrations by option object. */
  field?: string;
}

const MODEL_BY_TYPE = new Map<string, RouteModel>();
for (const m of ROUTE_MODELS) for (const t of [...m.receiverTypes, ...(m.routeType ? [m.routeType] : [])]) MODEL_BY_TYPE.set(t, m);
const ROOT_TYPES = new Set(ROUTE_MODELS.flatMap((m) => m.roots));

/** The route model of a registration's owner type (undefined type: an untyped receiver). */
export function routeModelOf(type: string | undefined): RouteModel | undefined {
  return type ? MODEL_BY_TYPE.get(type) : ROUTE_MODELS.find((m) => m.id === UNTYPED_ROUTE_MODEL);
}

interface Mount {
  parent: ObjRef;
  child: ObjRef;
  prefix: string;
  /** The mounting call (orders it against middleware registered on the parent). */
  site?: Site;
}

export interface Registry {
  routes: Registration[];
  mounts: Mount[];
}

/**
 * Effects with a concrete receiver are real registrations wherever they occur. Effects whose receiver is
 * still a parameter count only in functions nobody calls (their callers would have resolved them).
 */
export function collectRegistry(summaries: Iterable<Summary>, hasCallers: (fnId: string) => boolean): Registry {
  const routes = new Map<string, Registration>();
  const mounts = new Map<string, Mount>();
  const add = (e: Effect, root: boolean) => {
    const owner = e.receiver.obj;
    if (!owner && !root) return;
    if (e.kind === 'mount') {
      if (owner && e.child.obj) mounts.set(`${owner.alloc}>${e.child.obj.alloc}|${e.prefix}`, { parent: owner, child: e.child.obj, prefix: e.prefix, site: e.site });
      return;
    }
    for (const [position, handler] of (e.handlers.fns ?? []).entries()) {
      const key = `${handler.id}|${owner?.alloc ?? ''}|${e.method}|${e.path ?? ''}|${e.site.file}:${e.site.line}`;
      if (!routes.has(key)) routes.set(key, { handler, owner, ownerName: e.receiverName, method: e.method, path: e.path, site: e.site, model: routeModelOf(owner?.type), position, ...(e.field ? { field: e.field } : {}) });
    }
  };
  for (const s of summaries) {
    const root = !hasCallers(s.fnId);
    for (const e of s.effects.values()) add(e, root);
  }
  const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return { routes: [...routes.entries()].sort(byKey).map(([, r]) => r), mounts: [...mounts.entries()].sort(byKey).map(([, m]) => m) };
}

/**
 * Event handlers that receive something handlers are registered on (a WebSocket server's `connection`
 * handler gets the socket whose `message` events carry client data): instantiate each with that value,
 * so what it registers on it becomes concrete registrations, and mount the value on the owner (the socket
 * is served when its server is). Appends to `reg`; nested levels are followed as they appear.
 */
export function expandEventRegistrations(reg: Registry, provider: SummaryProvider, params: (fn: FnRef) => ParamInfo[]): void {
  const seen = new Set<string>();
  const known = new Set(reg.routes.map((r) => `${r.handler.id}|${r.owner?.alloc ?? ''}|${r.method}|${r.path ?? ''}`));
  for (let i = 0; i < reg.routes.length && i < MAX_EVENT_REGISTRATIONS; i++) {
    const r = reg.routes[i];
    const model = r.model;
    if (!model?.events || !r.owner) continue;
    const sig = handlerSignature(model, params(r.handler).length, r.path);
    if (!sig?.roles.some((role) => typeof role === 'string' && model.receiverTypes.includes(role))) continue;
    const key = `${r.handler.id}|${r.owner.alloc}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const args = roleValues(sig.roles, [], `${r.owner.alloc}>${r.site.file}:${r.site.line}:${r.site.column}`);
    for (const a of args) if (a.obj && model.mountable.includes(a.obj.type)) reg.mounts.push({ parent: r.owner, child: a.obj, prefix: '', site: r.site });
    const effects: Effect[] = [];
    const collect = { addEffect: (e: Effect) => effects.push(e), addSink: () => {}, addCall: () => {}, addFiles: () => {} };
    instantiate(provider, r.handler, args, { site: r.site, argText: () => undefined, depth: 0 }, collect);
    for (const e of effects) {
      const owner = e.receiver.obj;
      if (e.kind !== 'route' || !owner) continue;
      for (const [position, handler] of (e.handlers.fns ?? []).entries()) {
        const k = `${handler.id}|${owner.alloc}|${e.method}|${e.path ?? ''}`;
        if (known.has(k)) continue;
        known.add(k);
        reg.routes.push({ handler, owner, ownerName: e.receiverName, method: e.method, path: e.path, site: e.site, model: routeModelOf(owner.type), position });
      }
    }
  }
}

/** Bounds the expansion (each nesting level adds registrations). */
const MAX_EVENT_REGISTRATIONS = 10_000;

function joinPath(prefix: string, path: string): string {
  const p = `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** Mount prefixes under which an app/router is served; empty when it is never mounted on an app. */
export function servedPrefixes(reg: Registry, owner: ObjRef | undefined): string[] {
  return prefixFinder(reg)(owner);
}

/**
 * servedPrefixes for many owners of one registry, its mounts indexed by child once (a lookup per route would
 * otherwise scan every mount, up the mount chain). The registry must not change while the finder is used.
 */
export function prefixFinder(reg: Registry): (owner: ObjRef | undefined) => string[] {
  const byChild = new Map<string, Mount[]>();
  for (const m of reg.mounts) (byChild.get(m.child.alloc) ?? byChild.set(m.child.alloc, []).get(m.child.alloc)!).push(m);
  const served = (owner: ObjRef | undefined, seen: Set<string>): string[] => {
    if (!owner || seen.has(owner.alloc)) return [];
    seen.add(owner.alloc);
    const out: string[] = [];
    // A router's own prefix (koa-router `new Router({ prefix })`) comes after its mount prefix.
    const own = owner.info?.prefix ?? '';
    for (const m of byChild.get(owner.alloc) ?? []) {
      for (const p of served(m.parent, seen)) out.push(joinPath(joinPath(p, m.prefix), own));
    }
    // An application root is served as is, unless it is mounted as a sub-application (Hono `app.route`).
    if (!out.length && ROOT_TYPES.has(owner.type)) out.push(joinPath('', own));
    return [...new Set(out)].sort();
  };
  return (owner) => served(owner, new Set());
}

export function routeString(method: string, prefix: string | undefined, path: string | undefined, model?: RouteModel): string {
  if (model?.events) return `${model.events.label} ${path ?? method}`;
  const verb = method === 'use' ? 'USE' : method === 'del' ? 'DELETE' : method.toUpperCase();
  return `${verb} ${joinPath(prefix ?? '', path ?? '/')}`;
}

/** The value a typed role receives: the typed object with its typed members (ctx.request, c.req). */
export function roleObject(type: string, alloc: string, depth = 0): Value {
  const v: Value = { flows: [], obj: { type, alloc } };
  if (depth < 2) {
    for (const m of REQUEST_MEMBERS) {
      if (m.type !== type) continue;
      v.props ??= new Map();
      v.props.set(m.member, roleObject(m.memberType, `${alloc}.${m.member}`, depth + 1));
    }
  }
  return v;
}

/** Arguments for a handler's parameters under `roles`: typed objects, and parameters that are input themselves. */
export function roleValues(roles: HandlerRole[], params: ParamInfo[], allocPrefix = 'entry'): Value[] {
  return roles.map((role, i) => {
    if (role === null) return { flows: [] };
    if (typeof role === 'string') return roleObject(role, `${allocPrefix}:${role}`);
    const p = params[i];
    if (!p) return { flows: [] };
    // A destructured parameter has no name of its own: its members are labelled from the argument.
    const label = /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(p.name) ? p.name : (DESTRUCTURED_LABEL.get(role.source) ?? `(argument ${i + 1})`);
    return {
      flows: [{ root: { kind: 'source', sourceKind: role.source, label, requestInput: true, site: p.site }, steps: [], alias: true, cuts: [], partial: [], tags: [], files: [] }],
    };
  });
}

export interface FileRoute {
  handler: FnRef;
  model: FileRouteModel;
  method: string;
  /** URL path (dynamic segments as written, `[id]`), or the export's name for routes that have none. */
  path: string;
  route: string;
  roles: HandlerRole[];
  params: ParamInfo[];
}

/** Handlers served by file-system routing (models/frameworks.ts FILE_ROUTES): reachable by convention. */
export function fileRoutes(fe: Pick<FrontEndResult, 'files' | 'exportsOf' | 'params' | 'directives'>): FileRoute[] {
  const out: FileRoute[] = [];
  for (const file of fe.files) {
    for (const fr of FILE_ROUTES) {
      const m = fr.pattern.exec(file);
      if (!m || (fr.directive && !fe.directives(file).includes(fr.directive))) continue;
      const path = fileRoutePath(m[1] ?? '');
      for (const { name, fn } of fe.exportsOf(file)) {
        const method = fr.exports[name] ?? (name.includes('.') ? undefined : fr.exports['*']);
        if (!method) continue;
        const params = fe.params(fn);
        const sig = handlerSignature(fr, params.length);
        if (!sig) continue;
        const route = fr.label ? `${fr.label} ${name} (${file})` : routeString(method, '', path);
        out.push({ handler: fn, model: fr, method, path: fr.label ? `/${name}` : path, route, roles: sig.roles, params });
      }
    }
  }
  return out;
}

/** URL path of a file route: dynamic segments stay as written (`[id]`), route groups disappear. */
function fileRoutePath(part: string): string {
  const segs = part.split('/').filter((s) => s && !FILE_ROUTE_HIDDEN_SEGMENT.test(s));
  return `/${segs.join('/')}`;
}
