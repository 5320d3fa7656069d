// The JavaScript/TypeScript front end: parse with the TypeScript compiler API (syntax only), resolve
// modules, summarise every function, and build patches.
import ts from 'typescript';
import type { FrontEnd, FrontEndResult } from '../frontend.js';
import { createAnalysisCache, type CacheLimits } from '../cache.js';
import { howHeld, inResolverMap, looksLikeHandler } from './handler-shape.js';
import { GRAPHQL_ROUTE_MODEL } from '../models/frameworks.js';
import type { FnRef, Value } from '../values.js';
import type { EngineInput } from '../../../model.js';
import { createResolver, readModule, type ModuleInfo } from './modules.js';
import { createParser, isAnalysable, looksMinified } from './parse.js';
import { ARGUMENT_SLOTS, readsArguments } from './functions.js';
import { buildPatch } from './patches/index.js';
import { createChecks, type ObservationsMemo } from './checks/index.js';
import { createProgram, pacer } from './program.js';
import type { ProgramMemo } from './context.js';
import { readManifests } from './manifests.js';
import { setManifests, versionDependencies, versionKey } from './sink-conditions.js';
import { createAccessFacts } from './access-facts.js';
import { createAccessFiles, type AccessMemo } from './access-memo.js';
import { withRequestFacts } from './request-facts.js';
import { acceptWebHit } from './web-sinks.js';
import { createTemplateIndex, mayRenderViews, setTemplates } from './templates.js';

/** How deep exported objects and classes are searched for functions (`api.users.find`, `php.strings.trim`). */
const EXPORT_DEPTH = 3;

/**
 * What one analysis of a repository leaves for the next: its syntax trees, the program's results by file, the
 * checks' observations and the access-control facts, made together (each is valid only with the very trees of the others).
 */
interface JsMemo {
  trees: ReadonlyMap<string, ts.SourceFile>;
  program: ProgramMemo;
  observations: ObservationsMemo;
  access: AccessMemo;
}

/** The JavaScript/TypeScript front end of one engine instance, with its own cache of earlier analyses. */
export function createJavascriptFrontEnd(limits: CacheLimits): FrontEnd {
  const cache = createAnalysisCache<JsMemo>(limits);
  return {
    language: 'javascript',
    accepts: isAnalysable,
    cacheStats: (key) => cache.stats(key),
    clearCache: () => cache.clear(),
    async analyse(input, paths) {
      const key = input.cacheKey ?? '';
      const base = cache.take(key);
      try {
        const result = await analyseJs(input, paths, base?.value);
        return {
          ...result.result,
          finish(ok) {
            if (ok && result.memo()) cache.put(key, { value: result.memo()!, weight: result.weight, stats: result.stats });
            else if (base) cache.giveBack(key, base);
          },
        };
      } catch (e) {
        if (base) cache.giveBack(key, base);
        throw e;
      }
    },
  };
}

async function analyseJs(
  input: EngineInput,
  paths: string[],
  previous: JsMemo | undefined,
): Promise<{ result: Omit<FrontEndResult, 'finish'>; memo: () => JsMemo | undefined; weight: number; stats: { reused: number; files: number } }> {
  const pause = pacer(input.signal);
  const texts = new Map<string, string>();
  for (const p of paths) {
    const t = input.files.read(p);
    if (t !== undefined && !looksMinified(t)) texts.set(p, t);
  }
  // Manifests and compiler configurations (package.json, tsconfig.json) come from the snapshot too.
  const resolver = createResolver(input.files.paths(), (p) => input.files.read(p), (x) => texts.has(x));
  const modules = new Map<string, ModuleInfo>();
  const parser = createParser(previous?.trees);
  let done = 0;
  let weight = 0;
  for (const [p, text] of texts) {
    await pause();
    weight += text.length;
    modules.set(p, readModule(p, parser.parse(p, text), resolver));
    if (++done % 50 === 0 || done === texts.size) input.onProgress?.({ phase: 'parse', done, total: texts.size });
  }
  // Dependency versions (package.json, lockfile) decide version-dependent sinks: part of each file's memo key.
  const manifests = readManifests(input.files);
  // Views are read from the snapshot as they are (not parsed as code); a file that may render one is judged with them.
  const templates = createTemplateIndex(input.files.paths(), (p) => input.files.read(p), texts.values());
  const renders = new Set([...texts].filter(([, t]) => templates.any && mayRenderViews(t)).map(([p]) => p));
  for (const [p, m] of modules) m.envKey = versionKey(manifests, p) + (renders.has(p) ? `|views:${templates.digest}` : '');
  const prog = createProgram(modules, previous?.program);
  setTemplates(prog, templates);
  const checks = createChecks(prog, input.files, previous?.observations);
  setManifests(prog, manifests);
  await prog.solve(input.signal, (d, total) => input.onProgress?.({ phase: 'summaries', done: d, total }));
  prog.freeze();
  const files = [...modules.keys()].sort();
  const dependencies: Record<string, string[]> = {};
  // A manifest or lockfile edit can change version-dependent findings (sink-conditions.ts): a dependency too.
  for (const f of files) dependencies[f] = [...new Set([...modules.get(f)!.deps, ...versionDependencies(manifests, f), ...(renders.has(f) ? templates.files : [])])].sort();
  // Access-control facts by file, read lazily; a function's facts are kept while its file's import cone is unchanged.
  const access = createAccessFiles(modules, (p) => prog.memo?.get(p)?.key, previous?.access);
  const memo = () => (prog.memo && checks.memo ? { trees: parser.trees, program: prog.memo, observations: checks.memo, access: access.memo() } : undefined);
  const result: Omit<FrontEndResult, 'finish'> = {
    files,
    dependencies,
    provider: prog.provider,
    // Re-iterable: the entry points and access-control/ each read the registrations.
    summaries: { [Symbol.iterator]: () => prog.summaries.values() },
    hasCallers: prog.hasCallers,
    arity: (fn) => prog.infoOf(fn)?.params.length ?? 0,
    params(fn) {
      const info = prog.infoOf(fn);
      const mod = info && modules.get(info.file);
      if (!info || !mod) return [];
      const declared = info.params.map((p) => {
        const at = mod.sf.getLineAndCharacterOfPosition(p.name.getStart(mod.sf));
        const text = p.name.getText(mod.sf).replace(/\s+/g, ' ');
        return { name: text.length > 40 ? `${text.slice(0, 39)}…` : text, site: { file: info.file, line: at.line + 1, column: at.character + 1 } };
      });
      // A function reading `arguments` takes more than it declares (interpreter.ts argumentsValue).
      if (info.isModule || !readsArguments(info.node)) return declared;
      const node = info.node as ts.FunctionLikeDeclaration;
      const at = mod.sf.getLineAndCharacterOfPosition((node.name ?? node).getStart(mod.sf));
      for (let i = declared.length; i < ARGUMENT_SLOTS; i++) declared.push({ name: `arguments[${i}]`, site: { file: info.file, line: at.line + 1, column: at.character + 1 } });
      return declared;
    },
    exportsOf(file) {
      if (!modules.has(file)) return [];
      const out: { name: string; fn: FnRef }[] = [];
      const seen = new Set<string>();
      const visit = (v: Value | undefined, name: string, depth: number) => {
        if (!v) return;
        for (const fn of v.fns ?? []) {
          // One function may be exported under several names (`export { h as GET, h as POST }`).
          if (seen.has(`${name}|${fn.id}`)) continue;
          seen.add(`${name}|${fn.id}`);
          out.push({ name, fn });
        }
        if (depth >= EXPORT_DEPTH) return;
        // Below the first level, array elements are a library's internal tables (a schema's types), not its API.
        for (const [k, p] of v.props ?? []) if (k !== '*' && !(depth > 1 && /^\d+$/.test(k))) visit(p, name ? `${name}.${k}` : k, depth + 1);
      };
      const ns = prog.requireValue(file, `/${file}`);
      // ESM namespace members are the exports; a CommonJS module.exports may itself be the function.
      for (const fn of ns.fns ?? []) out.push({ name: 'default', fn });
      for (const [k, v] of ns.props ?? []) if (k !== '*') visit(v, k, 1);
      return out;
    },
    directives(file) {
      const out: string[] = [];
      for (const st of modules.get(file)?.sf.statements ?? []) {
        if (!ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression)) break;
        out.push(st.expression.text);
      }
      return out;
    },
    packageEntryFiles: () => resolver.packageEntryFiles(''),
    unregisteredHandlers(registered) {
      const out = [];
      for (const info of prog.functions.values()) {
        if (info.isModule || registered.has(info.id) || prog.called.has(info.id)) continue;
        if (inResolverMap(info)) {
          out.push({ fn: prog.fnRef(info.node as never), held: 'a resolver of a GraphQL resolver map', model: GRAPHQL_ROUTE_MODEL });
          continue;
        }
        if (!looksLikeHandler(info)) continue;
        const sf = modules.get(info.file)?.sf;
        out.push({ fn: prog.fnRef(info.node as never), held: sf && howHeld(info, sf) });
      }
      return out;
    },
    patchFor: (hit) => buildPatch(prog, hit),
    acceptHit: (hit) => acceptWebHit(prog, hit),
    checks: (engine) => checks.run(engine),
    access: withRequestFacts(
      createAccessFacts(modules, access, (fn) => prog.infoOf(fn)?.name ?? fn.name, input.files, (from, spec) => prog.requireValue(from, spec)),
      modules,
      access,
      input.files,
    ),
  };
  return { result, memo, weight, stats: prog.cacheStats };
}
