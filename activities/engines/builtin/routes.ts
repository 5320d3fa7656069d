// Entry points: route handlers registered on apps/routers, and whether each is reachable from an
// application root (a router mounted, possibly through other routers, on an app).
import { ROUTE_MODELS } from './models/frameworks.js';
import type { Effect, Summary } from './summaries.js';
import type { FnRef, ObjRef, Site } from './values.js';

export interface Registration {
  handler: FnRef;
  owner?: ObjRef;
  ownerName: string;
  method: string;
  path?: string;
  site: Site;
}

interface Mount {
  parent: ObjRef;
  child: ObjRef;
  prefix: string;
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
      if (owner && e.child.obj) mounts.set(`${owner.alloc}>${e.child.obj.alloc}|${e.prefix}`, { parent: owner, child: e.child.obj, prefix: e.prefix });
      return;
    }
    for (const handler of e.handlers.fns ?? []) {
      const key = `${handler.id}|${owner?.alloc ?? ''}|${e.method}|${e.path ?? ''}|${e.site.file}:${e.site.line}`;
      if (!routes.has(key)) routes.set(key, { handler, owner, ownerName: e.receiverName, method: e.method, path: e.path, site: e.site });
    }
  };
  for (const s of summaries) {
    const root = !hasCallers(s.fnId);
    for (const e of s.effects.values()) add(e, root);
  }
  const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return { routes: [...routes.entries()].sort(byKey).map(([, r]) => r), mounts: [...mounts.entries()].sort(byKey).map(([, m]) => m) };
}

function joinPath(prefix: string, path: string): string {
  const p = `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** Mount prefixes under which an app/router is served; empty when it is never mounted on an app. */
export function servedPrefixes(reg: Registry, owner: ObjRef | undefined, seen = new Set<string>()): string[] {
  if (!owner || seen.has(owner.alloc)) return [];
  if (ROUTE_MODELS.some((m) => m.roots.includes(owner.type))) return [''];
  seen.add(owner.alloc);
  const out: string[] = [];
  for (const m of reg.mounts) {
    if (m.child.alloc !== owner.alloc) continue;
    for (const p of servedPrefixes(reg, m.parent, seen)) out.push(joinPath(p, m.prefix));
  }
  return [...new Set(out)].sort();
}

export function routeString(method: string, prefix: string | undefined, path: string | undefined): string {
  const verb = method === 'use' ? 'USE' : method === 'del' ? 'DELETE' : method.toUpperCase();
  return `${verb} ${joinPath(prefix ?? '', path ?? '/')}`;
}
