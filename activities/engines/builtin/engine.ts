// The built-in engine: each front end parses and summarises its files; then entry points are found
// (registered route handlers, and handler-shaped functions nothing registers), their summaries are
// instantiated with a request object, and the flows that reach sinks become candidates.
import type { EngineInput, EngineOutput, ReasoningEngine } from '../../model.js';
import { buildCandidates, type Entry } from './candidates.js';
import type { FrontEnd, FrontEndResult } from './frontend.js';
import { javascriptFrontEnd } from './js/frontend.js';
import { collectRegistry, routeString, servedPrefixes } from './routes.js';

export const ENGINE_NAME = 'builtin';
export const ENGINE_VERSION = '1.0.0';

/** Languages the engine understands; a new language adds a front end here. */
const FRONT_ENDS: FrontEnd[] = [javascriptFrontEnd];

function entryPoints(fe: FrontEndResult): Entry[] {
  const registry = collectRegistry(fe.summaries, fe.hasCallers);
  const entries: Entry[] = [];
  const registered = new Set<string>();
  for (const r of registry.routes) {
    registered.add(r.handler.id);
    const prefixes = servedPrefixes(registry, r.owner);
    entries.push({ handler: r.handler, arity: fe.arity(r.handler), route: routeString(r.method, prefixes[0], r.path), reachable: prefixes.length > 0 });
  }
  for (const handler of fe.unregisteredHandlers(registered)) entries.push({ handler, arity: fe.arity(handler), reachable: false });
  return entries;
}

export function createBuiltinEngine(): ReasoningEngine {
  return {
    name: ENGINE_NAME,
    version: ENGINE_VERSION,
    async analyse(input: EngineInput): Promise<EngineOutput> {
      input.signal?.throwIfAborted();
      const all = input.files.paths();
      const candidates = [];
      const parsed: string[] = [];
      const dependencies: Record<string, string[]> = {};
      for (const fe of FRONT_ENDS) {
        const result = await fe.analyse(input, all.filter(fe.accepts).sort());
        input.signal?.throwIfAborted();
        const entries = entryPoints(result);
        candidates.push(...buildCandidates({ provider: result.provider, files: input.files, engine: ENGINE_NAME, patchFor: result.patchFor }, entries));
        input.onProgress?.({ phase: 'candidates', done: entries.length, total: entries.length });
        parsed.push(...result.files);
        Object.assign(dependencies, result.dependencies);
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
