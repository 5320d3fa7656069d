// Access facts of one route: its handler (and route-level middleware) instantiated with the framework's
// request objects, keeping the "access:…" hits (js/access-calls.ts) whose flows now start at request input
// or at the signed-in user's identity. Summaries carry them across files (services, repositories).
import { roleValues } from '../routes.js';
import { instantiate, type Collector, type SinkHit, type SummaryProvider } from '../summaries.js';
import type { Flow, SourceRoot } from '../values.js';
import type { FrontEndResult } from '../frontend.js';
import type { Route } from './chains.js';
import { isIdentityFlow } from './identity.js';

export const SELECT = 'access:select';
export const SCOPE = 'access:scope';
export const DATA = 'access:data';
export const DATA_RECORD = 'access:data-record';
export const COMPARE = 'access:compare';
export const PASSWORD = 'access:password';
export const COMPARE_CONST = 'access:compare-const';

export interface RouteAccess {
  hits: SinkHit[];
  /** Files whose summaries were instantiated (dependsOn). */
  files: Set<string>;
}

export const isRequestFlow = (f: Flow) => f.root.kind === 'source' && f.root.requestInput;
export const rootOf = (f: Flow) => f.root as SourceRoot;

export function collectRoute(fe: FrontEndResult, route: Route): RouteAccess {
  const hits: SinkHit[] = [];
  const files = new Set<string>();
  const into: Collector = {
    addSink: (hit) => {
      if (hit.sinkId.startsWith('access:') && hit.flow.root.kind === 'source' && (isRequestFlow(hit.flow) || isIdentityFlow(hit.flow))) hits.push(hit);
    },
    addEffect: () => {},
    addCall: () => {},
    addFiles: (fs) => {
      for (const f of fs) files.add(f);
    },
  };
  const provider: SummaryProvider = fe.provider;
  for (const fn of [...route.own.flatMap((l) => l.fns), route.handler]) {
    // A summary holds the hits of everything it calls: none there, nothing to instantiate.
    if (![...provider.summary(fn).sinks.values()].some((h) => h.sinkId.startsWith('access:'))) continue;
    const params = fe.params(fn);
    instantiate(provider, fn, roleValues(route.roles, params, 'access'), { site: { file: fn.file, line: 1, column: 1 }, argText: () => undefined, depth: 0, entry: true }, into);
  }
  return { hits, files };
}

/** The identity appears on one side of a comparison (or membership test): an ownership or role check. */
export function identityChecks(a: RouteAccess, constant: boolean): SinkHit[] {
  const id = constant ? COMPARE_CONST : COMPARE;
  return a.hits.filter((h) => h.sinkId === id && isIdentityFlow(h.flow));
}
