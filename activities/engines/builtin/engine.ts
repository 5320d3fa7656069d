// The built-in engine: each front end parses and summarises its files; then entry points are found
// (registered route and event handlers, file-system routes, a library's exported functions, and
// handler-shaped functions nothing registers), their summaries are instantiated with request objects,
// and the flows that reach sinks become candidates.
import type { EngineInput, EngineOutput, ReasoningEngine } from '../../model.js';
import { buildCandidates, looksLikeTest, type Entry } from './candidates.js';
import type { FrontEnd, FrontEndResult } from './frontend.js';
import { createJavascriptFrontEnd } from './js/frontend.js';
import { DEFAULT_CACHE_LIMITS, type CacheLimits, type CacheStats } from './cache.js';
import { accessControlCandidates } from './access-control/index.js';
import { GRAPHQL_FIELD_RESOLVER, GRAPHQL_ROUTE_MODEL, handlerSignature, LIBRARY_API_ROLE, ROUTE_MODELS } from './models/frameworks.js';
import { collectRegistry, expandEventRegistrations, fileRoutes, prefixFinder, roleValues, routeModelOf, routeString } from './routes.js';
import { thisAfter } from './summaries.js';

export const ENGINE_NAME = 'builtin';
// Stored analysis state from another version is discarded (stages/reason.ts): a new version re-analyses everything once.
export const ENGINE_VERSION = '2.1.0';

/** Languages the engine understands; a new language adds a front end here. Each engine instance makes its own. */
const FRONT_ENDS: ((limits: CacheLimits) => FrontEnd)[] = [createJavascriptFrontEnd];

function entryPoints(fe: FrontEndResult): Entry[] {
  const registry = collectRegistry(fe.summaries, fe.hasCallers);
  // A handler made by a factory is analysed with what the factory was given (js/program.ts): what it registers
  // with an injected library (a multipart parser's callbacks) shows only in that analysis.
  const known = new Set(registry.routes.map((r) => `${r.handler.id}|${r.site.file}:${r.site.line}:${r.site.column}`));
  const made = registry.routes.filter((r) => r.handler.env).map((r) => fe.provider.summary(r.handler));
  for (const r of collectRegistry(made, () => true).routes) {
    const k = `${r.handler.id}|${r.site.file}:${r.site.line}:${r.site.column}`;
    if (!known.has(k)) (known.add(k), registry.routes.push(r));
  }
  expandEventRegistrations(registry, fe.provider, fe.params);
  const prefixesOf = prefixFinder(registry);
  const entries: Entry[] = [];
  const registered = new Set<string>();
  let server = false;
  for (const r of registry.routes) {
    const model = r.model;
    if (!model || !model.methods.includes(r.method)) continue;
    const params = fe.params(r.handler);
    const sig = handlerSignature(model, params.length, model.events ? r.path : undefined);
    if (!sig) continue; // an event whose handler receives nothing from the client (close, error)
    registered.add(r.handler.id);
    // Demo servers in examples/ or tests do not make a library an application.
    if (r.owner && !looksLikeTest(r.site.file)) server = true;
    const prefixes = prefixesOf(r.owner);
    entries.push({ handler: r.handler, roles: sig.roles, params, route: routeString(r.method, prefixes[0], r.path, model), reachable: prefixes.length > 0 });
  }
  // File-system routing: the framework serves every such file, so its handlers are reachable by convention.
  for (const r of fileRoutes(fe)) {
    server = true;
    registered.add(r.handler.id);
    entries.push({ handler: r.handler, roles: r.roles, params: r.params, route: r.route, reachable: true });
  }
  // The library threat model: a package that exports code and serves nothing is called by untrusted code,
  // so every parameter of its exported functions is input. An application's exports are not.
  const library = new Set<string>();
  const entryFiles = server ? undefined : fe.packageEntryFiles();
  for (const file of entryFiles ?? []) {
    for (const { name, fn } of fe.exportsOf(file)) {
      if (library.has(fn.id)) continue;
      library.add(fn.id);
      const params = fe.params(fn);
      const shown = name !== 'default' ? name : /^(anonymous function|default export)$/.test(fn.name) ? 'default export' : fn.name;
      const roles = params.map(() => LIBRARY_API_ROLE);
      entries.push({ handler: fn, roles, params, reachable: false, libraryExport: shown, dependsOn: ['package.json'] });
      // An exported constructor function that sets its methods on `this` (`function C(o) { this.run = function (…) {…} }`):
      // callers reach those methods through `new C(o).run(…)`, so they are entries too, run on the instance.
      const self = thisAfter(fe.provider, fn, roleValues(roles, params), { site: { file: fn.file, line: 1, column: 1 }, argText: () => undefined, depth: 0 });
      for (const [key, member] of self?.props ?? []) {
        for (const method of member.fns ?? []) {
          if (key === '*' || library.has(method.id)) continue;
          library.add(method.id);
          const mParams = fe.params(method);
          entries.push({ handler: method, roles: mParams.map(() => LIBRARY_API_ROLE), params: mParams, reachable: false, libraryExport: `${shown}#${key}`, dependsOn: ['package.json'], thisValue: self });
        }
      }
    }
  }
  for (const { fn: handler, held, model } of fe.unregisteredHandlers(registered)) {
    if (library.has(handler.id)) continue;
    const params = fe.params(handler);
    // A resolver map's members are field resolvers (parent, args, …); other handlers by shape follow the untyped model.
    const sig = model === GRAPHQL_ROUTE_MODEL
      ? handlerSignature(ROUTE_MODELS.find((m) => m.id === model)!, params.length, GRAPHQL_FIELD_RESOLVER)
      : handlerSignature(routeModelOf(undefined)!, params.length);
    entries.push({ handler, roles: sig?.roles ?? [], params, reachable: false, unresolvedHandler: held });
  }
  return entries;
}

export interface BuiltinEngineOptions {
  /** How much of earlier analyses the instance keeps for re-analysis (cache.ts; VIGIL_ENGINE_CACHE_*). */
  cache?: CacheLimits;
}

export interface BuiltinEngine extends ReasoningEngine {
  /** Reuse figures of the last analysis kept for a cache key (EngineInput.cacheKey; '' when none was given). */
  cacheStats(key?: string): CacheStats | undefined;
  /** Forget every kept analysis (the next ones run cold). */
  clearCache(): void;
}

/**
 * An engine instance. The state kept between analyses (syntax trees, summaries, observations) belongs to the
 * instance, per cache key: analyses running at once on one instance share nothing (cache.ts).
 */
export function createBuiltinEngine(opts: BuiltinEngineOptions = {}): BuiltinEngine {
  const frontEnds = FRONT_ENDS.map((make) => make(opts.cache ?? DEFAULT_CACHE_LIMITS));
  return {
    name: ENGINE_NAME,
    version: ENGINE_VERSION,
    cacheStats(key = '') {
      const all = frontEnds.map((fe) => fe.cacheStats(key)).filter((s): s is CacheStats => !!s);
      return all.length ? { reused: all.reduce((n, s) => n + s.reused, 0), files: all.reduce((n, s) => n + s.files, 0) } : undefined;
    },
    clearCache() {
      for (const fe of frontEnds) fe.clearCache();
    },
    async analyse(input: EngineInput): Promise<EngineOutput> {
      input.signal?.throwIfAborted();
      const all = input.files.paths();
      const candidates = [];
      const parsed: string[] = [];
      const dependencies: Record<string, string[]> = {};
      for (const fe of frontEnds) {
        const result = await fe.analyse(input, all.filter(fe.accepts).sort());
        let ok = false;
        try {
          input.signal?.throwIfAborted();
          const entries = entryPoints(result);
          candidates.push(...buildCandidates({ provider: result.provider, files: input.files, engine: ENGINE_NAME, patchFor: result.patchFor, acceptHit: result.acceptHit, scope: input.scope }, entries));
          candidates.push(...accessControlCandidates(result, input.files, ENGINE_NAME));
          candidates.push(...(result.checks?.(ENGINE_NAME) ?? []));
          input.onProgress?.({ phase: 'candidates', done: entries.length, total: entries.length });
          parsed.push(...result.files);
          Object.assign(dependencies, result.dependencies);
          ok = true;
        } finally {
          result.finish(ok);
        }
      }
      const scope = input.scope;
      parsed.sort();
      return {
        candidates: scope ? candidates.filter((c) => scope.has(c.origin)) : candidates,
        analysedFiles: scope ? parsed.filter((p) => scope.has(p)) : parsed,
        dependencies,
      };
    },
  };
}
