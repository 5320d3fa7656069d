// Shared state of one access-control pass (chains, facts, per-route access hits, models) and the
// conversion of a rule's draft into a Candidate.
import type { AccessControlEvidence, Candidate, Patch, SourceFiles, TraceStep } from '../../../model.js';
import { looksLikeTest, shortHash } from '../candidates.js';
import type { FrontEndResult } from '../frontend.js';
import { CHECK_RULES } from '../models/rules.js';
import type { CheckRuleId } from '../models/types.js';
import type { Site } from '../values.js';
import type { Chains, Route } from './chains.js';
import { collectRoute, type RouteAccess } from './collect.js';
import type { AccessFacts, ModelDef } from './facts.js';

export interface AccessContext {
  fe: FrontEndResult;
  facts: AccessFacts;
  chains: Chains;
  files: SourceFiles;
  access(route: Route): RouteAccess;
  /** The model a receiver or variable name refers to (`Order`, `orderRepository`, `prisma.order`, `order`). */
  model(name: string): ModelDef | undefined;
}

const singular = (s: string) => s.toLowerCase().replace(/(repository|repo|model|dao|collection|table|schema)$/, '').replace(/ies$/, 'y').replace(/s$/, '');

export function createContext(fe: FrontEndResult, facts: AccessFacts, chains: Chains, files: SourceFiles): AccessContext {
  const memo = new Map<Route, RouteAccess>();
  let byName: Map<string, ModelDef> | undefined;
  return {
    fe,
    facts,
    chains,
    files,
    access(route) {
      let a = memo.get(route);
      if (!a) memo.set(route, (a = collectRoute(fe, route)));
      return a;
    },
    model(name) {
      if (!byName) {
        byName = new Map();
        for (const m of facts.models()) if (m.name && !byName.has(singular(m.name))) byName.set(singular(m.name), m);
      }
      return byName.get(singular(name));
    },
  };
}

/** The data-access receiver of a call as written: `Order.findByPk(…)` → "Order", `prisma.order.update(…)` → "order". */
export function receiverOf(calleeText: string): string | undefined {
  const repo = /get(?:Repository|Model|Collection)\(\s*([A-Za-z_$][\w$]*)/.exec(calleeText);
  if (repo) return repo[1];
  const m = /([A-Za-z_$][\w$]*)\s*\.\s*[A-Za-z_$][\w$]*\s*$/.exec(calleeText.replace(/\(.*$/, ''));
  return m?.[1];
}

export interface Draft {
  rule: CheckRuleId;
  title: string;
  location: Site;
  route: Route;
  trace: TraceStep[];
  explanation: string;
  files: Iterable<string>;
  evidence: AccessControlEvidence;
  patch?: Patch;
}


export function toCandidate(d: Draft, engine: string, files: SourceFiles, cache: Map<string, string[]>): Candidate {
  const rule = CHECK_RULES[d.rule];
  const line = (file: string, n: number) => {
    let lines = cache.get(file);
    if (!lines) cache.set(file, (lines = (files.read(file) ?? '').split('\n')));
    const t = lines[n - 1]?.trim();
    return t ? (t.length > 200 ? `${t.slice(0, 199)}…` : t) : undefined;
  };
  // One step per line: a value passed on where it is read says nothing new.
  d.trace = d.trace.filter((s, i) => i === 0 || s.kind === 'sink' || s.file !== d.trace[i - 1].file || s.line !== d.trace[i - 1].line);
  for (const s of d.trace) s.snippet = line(s.file, s.line);
  const origin = d.route.handler.file;
  const deps = new Set<string>([origin, d.location.file, d.route.site.file, ...d.trace.map((s) => s.file), ...d.files]);
  const c: Candidate = {
    id: shortHash(`${d.rule}|${d.location.file}:${d.location.line}:${d.location.column}|${d.route.site.file}:${d.route.site.line}:${d.route.site.column}`),
    engine,
    ruleId: rule.id,
    cwe: rule.cwe,
    title: `${rule.title}: ${d.title}`,
    location: { file: d.location.file, startLine: d.location.line, endLine: d.location.endLine ?? d.location.line, startColumn: d.location.column, endColumn: d.location.endColumn },
    origin,
    trace: d.trace,
    explanation: `${d.explanation} ${rule.impact} Fix: ${rule.fix}`,
    dependsOn: [...deps].filter(Boolean).sort(),
    evidence: {
      analysis: 'access-control',
      reachableFromMountedRoute: d.route.reachable,
      route: d.route.route,
      inTestOrFixture: looksLikeTest(origin),
      accessControl: d.evidence,
    },
  };
  if (d.patch) c.patch = d.patch;
  return c;
}

export const step = (kind: TraceStep['kind'], site: Site, label: string): TraceStep => ({ kind, file: site.file, line: site.line, column: site.column, label });

/** The first argument after the path of a route registration: where sibling middleware is inserted. */
export function insertionPoint(route: Route): Site | undefined {
  const a = route.shape?.args.find((x) => x.kind !== 'string');
  return a?.site;
}

/** Middleware as the route must be given it: positionally, or in the options object its siblings use (Fastify). */
export function insertText(link: { text: string; container?: string }, route: Route): string | undefined {
  if (!link.container) return link.text;
  return route.shape?.args.some((x) => x.kind === 'object') ? undefined : link.container;
}

/** The handler argument of a route registration: a role check goes right before it, after authentication. */
export function handlerPoint(route: Route): Site | undefined {
  const args = route.shape?.args ?? [];
  const last = args[args.length - 1];
  return last && last.kind !== 'string' ? last.site : undefined;
}

/** A trace step at the body of a middleware function, when the engine could read it. */
export function middlewareStep(ctx: AccessContext, link: { fns: { file: string }[]; text: string; why: string }, label: string): TraceStep[] {
  const fn = link.fns[0] as Parameters<AccessContext['facts']['fnFacts']>[0] | undefined;
  const f = fn && ctx.facts.fnFacts(fn);
  return f ? [step('step', f.site, label)] : [];
}
