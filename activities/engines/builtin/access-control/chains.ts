// Per-route middleware chains, from the generic route registry (routes.ts) plus the registration calls as
// written (facts.ts): route-level middleware (`router.get('/x', requireAuth, handler)`, arrays, option
// hooks), router-level `use` registered before the route (order matters), middleware of the mounting call
// (`app.use('/api', requireAuth, apiRouter)`) and application-level `use` before the mount. Each link is
// classified as authentication, role check or ownership check from its body's facts and its name.
import { AUTH_MIDDLEWARE_NAME, OWNERSHIP_MIDDLEWARE_NAME, PUBLIC_PROBE_SEGMENTS, PUBLIC_ROUTE_SEGMENTS, ROLE_MIDDLEWARE_NAME, USE_CALLS } from '../models/access-control.js';
import { FILE_MIDDLEWARE_MODEL, FILE_ROUTE_SIBLING_DEPTH, handlerSignature, type HandlerRole } from '../models/frameworks.js';
import { collectRegistry, fileRoutes, prefixFinder, routeString, type FileRoute, type Registration, type Registry } from '../routes.js';
import type { FrontEndResult } from '../frontend.js';
import type { FnRef, ObjRef, Site } from '../values.js';
import { siteKey } from '../values.js';
import type { AccessFacts, CallArg, CallShape, FnFacts } from './facts.js';

export type Level = 'route' | 'router' | 'mount' | 'app';

export interface Link {
  /** The middleware as written at its registration (`requireAuth`, `requireRole('admin')`). */
  text: string;
  site: Site;
  fns: FnRef[];
  level: Level;
  auth: boolean;
  role: boolean;
  ownership: boolean;
  /** Why it counts (for explanations): "reads req.user and refuses with 401/403", "named like authentication". */
  why: string;
  /** The registration call applying it (a `use` call for router/app-level links). */
  at: Site;
  /** Written inside an options object (`{ preHandler: [auth] }`): that object's text. */
  container?: string;
}

export interface Route {
  owner?: ObjRef;
  ownerKey: string;
  method: string;
  path: string;
  /** Path under the application root (mount prefixes included). */
  fullPath: string;
  route: string;
  reachable: boolean;
  site: Site;
  handler: FnRef;
  roles: HandlerRole[];
  handlerFacts?: FnFacts;
  shape?: CallShape;
  /** Route-level middleware (before the handler, in the registration call). */
  own: Link[];
  /** Router-, mount- and app-level middleware that applies to the route. */
  inherited: Link[];
  /** `use` calls on the owner registered after this route (middleware that does not apply to it). */
  laterUses: Link[];
  /** An operation of a schema served at one endpoint (a GraphQL field): its type (`Query`, absent for a root value's field) and name. */
  operation?: { type?: string; field: string };
}

export const chainOf = (r: Route) => [...r.inherited, ...r.own];
export const isAuthenticated = (r: Route) => chainOf(r).some((l) => l.auth) || !!(r.handlerFacts?.readsIdentity && r.handlerFacts.denies);
export const hasRoleCheck = (r: Route) => chainOf(r).some((l) => l.role) || !!(r.handlerFacts?.checksRole && r.handlerFacts.denies);

/** Public by design: a path segment (or the handler's name) says sign-in, health, webhook, reset … */
export function isPublicByDesign(r: Route): boolean {
  // An operation's name says it in words (`userLogin`, `requestPasswordReset`, `register`).
  if (r.operation && words(r.operation.field).some((w) => PUBLIC_ROUTE_SEGMENTS.has(w))) return true;
  const segs = r.fullPath.toLowerCase().split('/').filter(Boolean);
  if (segs.some((s) => PUBLIC_ROUTE_SEGMENTS.has(s))) return true;
  if ((r.method === 'get' || r.method === 'head') && PUBLIC_PROBE_SEGMENTS.has(segs[segs.length - 1] ?? '')) return true;
  return /^(login|logout|signin|signup|register|healthCheck|webhook|forgotPassword|resetPassword|verifyEmail)/i.test(r.handler.name);
}

/** `userLoginByEmail` → user, login, by, email; `sign_up` → sign, up. */
export const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

const before = (a: Site, b: Site) => a.file !== b.file || a.line < b.line || (a.line === b.line && a.column < b.column);

function joinPath(prefix: string, path: string): string {
  const p = `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** Whether middleware registered for `usePath` runs for requests to `path` (segment prefix; `*` wildcards). */
function covers(usePath: string | undefined, path: string): boolean {
  if (!usePath || usePath === '/' || usePath === '*' || usePath === '/*') return true;
  const u = usePath.replace(/\/?\*$/, '').split('/').filter(Boolean);
  const p = path.split('/').filter(Boolean);
  return u.length <= p.length && u.every((s, i) => s === p[i] || s.startsWith(':') || s === '*');
}

function classify(facts: AccessFacts, text: string, fns: FnRef[]): Pick<Link, 'auth' | 'role' | 'ownership' | 'why'> {
  const reasons: string[] = [];
  let auth = false;
  let role = false;
  for (const fn of fns) {
    const f = facts.fnFacts(fn);
    if (!f) continue;
    if (f.readsIdentity && f.denies) {
      auth = true;
      reasons.push(`\`${f.name}\` (${f.site.file}:${f.site.line}) checks the signed-in user and refuses the request`);
    }
    if (f.checksRole && f.denies) role = true;
  }
  const names = [text, ...fns.map((f) => f.name)].join(' ');
  if (!auth && AUTH_MIDDLEWARE_NAME.test(names)) {
    auth = true;
    reasons.push(`\`${text}\` is named like authentication middleware`);
  }
  const ownership = OWNERSHIP_MIDDLEWARE_NAME.test(names) && (auth || ROLE_MIDDLEWARE_NAME.test(names));
  if (!role && ROLE_MIDDLEWARE_NAME.test(names) && !ownership) role = true;
  if (role) auth = true;
  return { auth, role, ownership, why: reasons[0] ?? (role ? `\`${text}\` checks a role` : '') };
}

/** Arguments flattened into middleware items (arrays and option hooks opened), paths dropped. */
function items(args: CallArg[], skipFirst: boolean): CallArg[] {
  const out: CallArg[] = [];
  args.forEach((a, i) => {
    if (i === 0 && skipFirst) return;
    if (a.kind === 'string') return;
    if (a.kind === 'array' || a.kind === 'object') out.push(...a.inner);
    else out.push(a);
  });
  return out;
}

/** Pair the functions of a registration (in argument order) with its arguments as written. */
function align(args: CallArg[], fns: FnRef[]): { arg: CallArg; fns: FnRef[] }[] {
  const left = [...fns];
  const out = args.map((arg) => ({ arg, fns: [] as FnRef[] }));
  const take = (pred: (f: FnRef) => boolean, slot: { fns: FnRef[] }) => {
    const i = left.findIndex(pred);
    if (i >= 0) slot.fns.push(...left.splice(i, 1));
  };
  for (const slot of out) for (const node of slot.arg.fnNodes) take((f) => f.node === node, slot);
  for (const slot of out) if (!slot.fns.length && slot.arg.name) take((f) => f.name === slot.arg.name, slot);
  // Factories (`requireRole('admin')`) and unresolved names take what is left, in order, when counts agree.
  const open = out.filter((s) => !s.fns.length && (s.arg.kind === 'call' || s.arg.kind === 'identifier'));
  if (open.length === left.length) open.forEach((s, i) => s.fns.push(left[i]));
  return out;
}

interface Call {
  owner?: ObjRef;
  ownerName: string;
  method: string;
  path?: string;
  site: Site;
  /** Functions in argument order (registry positions). */
  fns: FnRef[];
  regs: Registration[];
}

function groupCalls(reg: Registry): Call[] {
  const calls = new Map<string, Call>();
  for (const r of reg.routes) {
    const k = `${r.owner?.alloc ?? ''}|${siteKey(r.site)}|${r.method}|${r.path ?? ''}`;
    let c = calls.get(k);
    if (!c) calls.set(k, (c = { owner: r.owner, ownerName: r.ownerName, method: r.method, path: r.path, site: r.site, fns: [], regs: [] }));
    c.regs.push(r);
  }
  for (const c of calls.values()) {
    c.regs.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    c.fns = c.regs.map((r) => r.handler);
  }
  return [...calls.values()];
}

export interface Chains {
  routes: Route[];
  registry: Registry;
  /** Every link seen anywhere (role middleware elsewhere in the app is evidence). */
  links: Link[];
}

const USE_METHODS = USE_CALLS.map((u) => u.method);

export function buildChains(fe: FrontEndResult, facts: AccessFacts): Chains {
  const registry = collectRegistry(fe.summaries, fe.hasCallers);
  const calls = groupCalls(registry);
  const prefixesOf = prefixFinder(registry);
  const mountSites = new Set(registry.mounts.map((m) => (m.site ? siteKey(m.site) : '')));
  const links: Link[] = [];
  // Functions registered somewhere, by name: a hook written as `addHook('onRequest', verify)` names one of them.
  const fnsByName = new Map<string, FnRef>();
  for (const c of calls) for (const f of c.fns) if (!fnsByName.has(f.name)) fnsByName.set(f.name, f);
  const makeLinks = (c: { site: Site; args: CallArg[]; fns: FnRef[]; level: Level; skipFirst: boolean; dropLast: boolean }): Link[] => {
    let its = items(c.args, c.skipFirst);
    if (c.dropLast) its = its.slice(0, -1);
    const atMount = mountSites.has(siteKey(c.site));
    const out: Link[] = [];
    for (const { arg, fns: aligned } of align(its, c.fns)) {
      const known = !aligned.length && arg.kind === 'identifier' && arg.name ? fnsByName.get(arg.name) : undefined;
      const fns = known ? [known] : aligned;
      // A mounted router is not middleware (`app.use('/api', apiRouter)`).
      if (atMount && !fns.length && arg.kind === 'identifier' && /(router|routes|app|api)$/i.test(arg.name ?? arg.text)) continue;
      if (atMount && arg.kind === 'call' && /^(routes|require|middleware)$/.test(arg.name ?? '')) continue;
      const link: Link = { text: arg.text, site: arg.site, fns, level: c.level, at: c.site, container: arg.container, ...classify(facts, arg.text, fns) };
      out.push(link);
      links.push(link);
    }
    return out;
  };

  // Router- and app-level `use` calls by owner: from the registry (resolved functions) and as written (library middleware).
  const usesByOwner = new Map<string, { path?: string; site: Site; links: Link[] }[]>();
  const namesByOwner = new Map<string, Set<string>>();
  const note = (owner: ObjRef | undefined, file: string, name: string) => {
    if (!owner || !name) return;
    const k = owner.alloc;
    (namesByOwner.get(k) ?? namesByOwner.set(k, new Set()).get(k)!).add(`${file}|${name}`);
  };
  for (const c of calls) note(c.owner, c.site.file, c.ownerName);
  for (const m of registry.mounts) if (m.site) note(m.parent, m.site.file, facts.callAt(m.site)?.receiver ?? '');
  const seenUse = new Set<string>();
  const addUse = (owner: ObjRef | undefined, shape: CallShape | undefined, site: Site, path: string | undefined, fns: FnRef[], level: Level) => {
    if (!owner || seenUse.has(siteKey(site))) return;
    seenUse.add(siteKey(site));
    const hook = USE_CALLS.find((u) => u.method === shape?.method)?.hookArg;
    const args = shape ? shape.args.filter((_, i) => i !== hook) : [];
    const ls = makeLinks({ site, args, fns, level, skipFirst: false, dropLast: false });
    if (!ls.length) return; // a plain mount (`router.use('/users', usersRouter)`) adds no middleware
    const list = usesByOwner.get(owner.alloc) ?? usesByOwner.set(owner.alloc, []).get(owner.alloc)!;
    list.push({ path, site, links: ls });
  };
  for (const c of calls) {
    if (!USE_METHODS.includes(c.method)) continue;
    addUse(c.owner, facts.callAt(c.site), c.site, c.path, c.fns, 'router');
  }
  const ownerByAlloc = new Map<string, ObjRef>();
  for (const m of registry.mounts) ownerByAlloc.set(m.parent.alloc, m.parent);
  for (const c of calls) if (c.owner) ownerByAlloc.set(c.owner.alloc, c.owner);
  for (const [alloc, names] of namesByOwner) {
    const owner = ownerByAlloc.get(alloc);
    for (const fn of names) {
      const [file, name] = fn.split('|');
      for (const shape of facts.callsOn(file, name, USE_METHODS)) {
        const first = shape.args[0];
        const path = first?.kind === 'string' && shape.method === 'use' ? first.value : undefined;
        addUse(owner, shape, shape.site, path, [], 'router');
      }
    }
  }

  const mountsByChild = new Map<string, Registry['mounts']>();
  for (const m of registry.mounts) (mountsByChild.get(m.child.alloc) ?? mountsByChild.set(m.child.alloc, []).get(m.child.alloc)!).push(m);
  const mountsOf = (alloc: string) => mountsByChild.get(alloc) ?? [];
  /** Links that apply to a request for `path` arriving at `owner`, registered before `site`. */
  const above = (owner: ObjRef | undefined, path: string, site: Site, level: Level, seen: Set<string>): Link[] => {
    if (!owner || seen.has(owner.alloc)) return [];
    seen.add(owner.alloc);
    const out: Link[] = [];
    for (const u of usesByOwner.get(owner.alloc) ?? []) {
      if (siteKey(u.site) === siteKey(site) || !before(u.site, site) || !covers(u.path, path)) continue;
      out.push(...u.links.map((l) => ({ ...l, level })));
    }
    const m = mountsOf(owner.alloc)[0];
    if (m) {
      // Middleware in the mounting call itself, then everything registered on the parent before it.
      const inCall = m.site ? (usesByOwner.get(m.parent.alloc) ?? []).find((u) => siteKey(u.site) === siteKey(m.site!)) : undefined;
      if (inCall) out.push(...inCall.links.map((l) => ({ ...l, level: 'mount' as Level })));
      out.push(...above(m.parent, joinPath(m.prefix, path), m.site ?? site, 'app', seen));
    }
    return out;
  };

  /**
   * Middleware that runs before a schema's operations: the links of the `use` call that serves it
   * (`router.use('/graphql', requireAuth, graphqlHTTP({ schema, rootValue }))`), and what applies above it.
   */
  const servedThrough = (owner: ObjRef): { links: Link[]; path: string } => {
    const m = /^(.*):(\d+):(\d+)$/.exec(owner.alloc);
    if (!m) return { links: [], path: '/' };
    for (const c of calls) {
      if (!USE_METHODS.includes(c.method)) continue;
      const shape = facts.callAt(c.site);
      const at = shape?.args.findIndex((a) => a.site.file === m[1] && a.site.line === Number(m[2]) && a.site.column === Number(m[3])) ?? -1;
      if (!shape || at < 0) continue;
      const path = c.path ?? '/';
      const own = makeLinks({ site: c.site, args: shape.args.slice(0, at), fns: c.fns, level: 'mount', skipFirst: false, dropLast: false });
      return { links: [...above(c.owner, path, c.site, 'router', new Set()), ...own], path };
    }
    return { links: [], path: '/' };
  };
  const operationRoutes = (c: Call, model: NonNullable<Registration['model']>): Route[] => {
    const out: Route[] = [];
    const served = c.owner ? servedThrough(c.owner) : { links: [], path: '/' };
    const prefixes = prefixesOf(c.owner);
    for (const reg of c.regs) {
      if (!reg.field) continue;
      const parts = reg.field.split('.');
      const field = parts[parts.length - 1];
      const type = parts.length > 1 ? parts[parts.length - 2] : undefined;
      if (type !== undefined && !model.operations!.types.test(type)) continue;
      const handler = reg.handler;
      const handlerFacts = facts.fnFacts(handler);
      out.push({
        handlerFacts,
        owner: c.owner,
        // Siblings are the API's other operations, whichever type object holds them (graphql-js builds one per type).
        ownerKey: `operations|${model.id}`,
        method: type?.toLowerCase() ?? 'operation',
        path: field,
        fullPath: joinPath(joinPath(prefixes[0] ?? '', served.path), field),
        route: `${model.events?.label ?? ''} ${type ? `${type}.` : ''}${field}`.trim(),
        reachable: prefixes.length > 0,
        // The resolver is where the operation is defined (the schema's construction site names them all).
        site: handlerFacts?.site ?? reg.site,
        handler,
        roles: handlerSignature(model, fe.params(handler).length, reg.path)?.roles ?? [],
        own: [],
        inherited: served.links,
        laterUses: [],
        operation: { type, field },
      });
    }
    return out;
  };

  const roleByHandler = new Map<string, HandlerRole[]>();
  const routes: Route[] = [];
  for (const c of calls) {
    const model = c.regs[0].model;
    if (model?.operations && model.methods.includes(c.method)) routes.push(...operationRoutes(c, model));
    if (!model || model.events || USE_METHODS.includes(c.method) || c.method === model.mountMethod || !model.methods.includes(c.method)) continue;
    const shape = facts.callAt(c.site);
    // The handler is the last function, unless an options object names it (`route({ preHandler, handler })`).
    const named = shape?.args.find((a) => a.kind === 'object' && a.handler)?.handler;
    const handler = (named && align([named], c.fns)[0].fns[0]) || c.fns[c.fns.length - 1];
    const params = fe.params(handler);
    const prefixes = prefixesOf(c.owner);
    const path = c.path ?? '/';
    const own = shape ? makeLinks({ site: c.site, args: shape.args, fns: c.fns.filter((f) => f !== handler), level: 'route', skipFirst: false, dropLast: !named }) : [];
    const inherited = above(c.owner, path, c.site, 'router', new Set());
    const laterUses = (c.owner ? usesByOwner.get(c.owner.alloc) ?? [] : []).filter((u) => u.site.file === c.site.file && before(c.site, u.site) && covers(u.path, path)).flatMap((u) => u.links);
    const sig = model.handlers.find((h) => h.arity === undefined || h.arity === params.length);
    roleByHandler.set(handler.id, sig?.roles ?? []);
    let handlerFacts: FnFacts | undefined | null = null;
    routes.push({
      // Read lazily: most routes are settled by their middleware chain.
      get handlerFacts() {
        if (handlerFacts === null) handlerFacts = facts.fnFacts(handler);
        return handlerFacts;
      },
      owner: c.owner,
      ownerKey: c.owner?.alloc ?? `${c.site.file}|${c.ownerName}`,
      method: c.method,
      path,
      fullPath: joinPath(prefixes[0] ?? '', path),
      route: routeString(c.method, prefixes[0], c.path, model),
      reachable: prefixes.length > 0,
      site: c.site,
      handler,
      roles: sig?.roles ?? [],
      shape,
      own,
      inherited,
      laterUses,
    });
  }
  // File-system routes (Next.js route handlers, pages, Server Actions): no registration call, no middleware
  // chain; the handler's own checks decide. Siblings: the routes of one resource (FILE_ROUTE_SIBLING_DEPTH).
  for (const fr of fileRoutes(fe)) {
    if (fr.model.id === FILE_MIDDLEWARE_MODEL) continue;
    const handler = fr.handler;
    let handlerFacts: FnFacts | undefined | null = null;
    routes.push({
      get handlerFacts() {
        if (handlerFacts === null) handlerFacts = facts.fnFacts(handler);
        return handlerFacts;
      },
      ownerKey: fileRouteOwner(fr),
      method: fr.method,
      path: fr.path,
      fullPath: fr.path,
      route: fr.route,
      reachable: true,
      site: facts.fnFacts(handler)?.site ?? { file: handler.file, line: 1, column: 1 },
      handler,
      roles: fr.roles,
      own: [],
      inherited: [],
      laterUses: [],
    });
  }
  routes.sort((a, b) => a.site.file.localeCompare(b.site.file) || a.site.line - b.site.line || a.site.column - b.site.column);
  return { routes, registry, links };
}

/** The sibling group of a file route: its first static path segments (`/api/orders` and `/api/orders/[id]`), or its file. */
function fileRouteOwner(fr: FileRoute): string {
  if (fr.model.label) return `file:${fr.handler.file}`;
  const segs = fr.path.split('/').filter(Boolean);
  const stat: string[] = [];
  for (const s of segs) {
    if (/^\[/.test(s) || stat.length >= FILE_ROUTE_SIBLING_DEPTH) break;
    stat.push(s);
  }
  return `files:${fr.model.id}:/${stat.join('/')}`;
}
