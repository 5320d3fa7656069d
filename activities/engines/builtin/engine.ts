// The built-in engine: parse, summarise, find entry points, instantiate, report. Deterministic and offline.
import type { EngineInput, EngineOutput, ReasoningEngine } from '../../model.js';
import { buildCandidates, type Entry } from './candidates.js';
import { HANDLER_LIKE_PARAMS } from './models/frameworks.js';
import { collectRegistry, routeString, servedPrefixes } from './routes.js';
import { readModule, type ModuleInfo } from './js/modules.js';
import { isAnalysable, looksMinified, parse } from './js/parse.js';
import { createProgram, type JsProgram } from './js/program.js';
import { buildPatch } from './js/patches/index.js';
import ts from 'typescript';

export const ENGINE_NAME = 'builtin';
export const ENGINE_VERSION = '1.0.0';

function loadModules(input: EngineInput): Map<string, ModuleInfo> {
  const paths = input.files.paths().filter(isAnalysable).sort();
  const texts = new Map<string, string>();
  for (const p of paths) {
    const t = input.files.read(p);
    if (t !== undefined && !looksMinified(t)) texts.set(p, t);
  }
  const modules = new Map<string, ModuleInfo>();
  const exists = (p: string) => texts.has(p);
  let done = 0;
  for (const [p, text] of texts) {
    input.signal?.throwIfAborted();
    modules.set(p, readModule(p, parse(p, text), exists));
    if (++done % 50 === 0 || done === texts.size) input.onProgress?.({ phase: 'parse', done, total: texts.size });
  }
  return modules;
}

function entryPoints(prog: JsProgram): Entry[] {
  const registry = collectRegistry(prog.summaries.values(), prog.hasCallers);
  const entries: Entry[] = [];
  const registered = new Set<string>();
  for (const r of registry.routes) {
    const info = prog.infoOf(r.handler);
    if (!info) continue;
    registered.add(info.id);
    const prefixes = servedPrefixes(registry, r.owner);
    entries.push({
      handler: r.handler,
      arity: info.params.length,
      route: routeString(r.method, prefixes[0], r.path),
      reachable: prefixes.length > 0,
    });
  }
  // Handlers defined but never registered (nor called): reported as unreachable, for the verifier to weigh.
  for (const info of prog.functions.values()) {
    if (info.isModule || registered.has(info.id) || prog.called.has(info.id)) continue;
    const [req, res] = info.params;
    if (!req || !res || !ts.isIdentifier(req.name) || !ts.isIdentifier(res.name)) continue;
    if (!HANDLER_LIKE_PARAMS.request.test(req.name.text) || !HANDLER_LIKE_PARAMS.response.test(res.name.text)) continue;
    entries.push({ handler: prog.fnRef(info.node as never), arity: info.params.length, reachable: false });
  }
  return entries;
}

export function createBuiltinEngine(): ReasoningEngine {
  return {
    name: ENGINE_NAME,
    version: ENGINE_VERSION,
    async analyse(input: EngineInput): Promise<EngineOutput> {
      input.signal?.throwIfAborted();
      const modules = loadModules(input);
      const prog = createProgram(modules);
      prog.solve(input.signal, (done, total) => input.onProgress?.({ phase: 'summaries', done, total }));
      prog.freeze();
      input.signal?.throwIfAborted();
      const entries = entryPoints(prog);
      const all = buildCandidates(
        { provider: prog.provider, files: input.files, engine: ENGINE_NAME, patchFor: (hit) => buildPatch(prog, hit) },
        entries,
      );
      input.onProgress?.({ phase: 'candidates', done: entries.length, total: entries.length });
      const scope = input.scope;
      const candidates = scope ? all.filter((c) => scope.has(c.origin)) : all;
      const parsed = [...modules.keys()].sort();
      const dependencies: Record<string, string[]> = {};
      for (const p of parsed) dependencies[p] = modules.get(p)!.deps;
      return {
        candidates,
        analysedFiles: scope ? parsed.filter((p) => scope.has(p)) : parsed,
        dependencies,
      };
    },
  };
}
