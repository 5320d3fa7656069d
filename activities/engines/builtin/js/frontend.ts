// The JavaScript/TypeScript front end: parse with the TypeScript compiler API (syntax only), resolve
// modules, summarise every function, and build patches.
import ts from 'typescript';
import type { FrontEnd, FrontEndResult } from '../frontend.js';
import { HANDLER_LIKE_PARAMS } from '../models/frameworks.js';
import { readModule, type ModuleInfo } from './modules.js';
import { isAnalysable, looksMinified, parse } from './parse.js';
import { buildPatch } from './patches/index.js';
import { createProgram, pacer } from './program.js';

export const javascriptFrontEnd: FrontEnd = {
  language: 'javascript',
  accepts: isAnalysable,
  async analyse(input, paths): Promise<FrontEndResult> {
    const pause = pacer(input.signal);
    const texts = new Map<string, string>();
    for (const p of paths) {
      const t = input.files.read(p);
      if (t !== undefined && !looksMinified(t)) texts.set(p, t);
    }
    const modules = new Map<string, ModuleInfo>();
    let done = 0;
    for (const [p, text] of texts) {
      await pause();
      modules.set(p, readModule(p, parse(p, text), (x) => texts.has(x)));
      if (++done % 50 === 0 || done === texts.size) input.onProgress?.({ phase: 'parse', done, total: texts.size });
    }
    const prog = createProgram(modules);
    await prog.solve(input.signal, (d, total) => input.onProgress?.({ phase: 'summaries', done: d, total }));
    prog.freeze();
    const files = [...modules.keys()].sort();
    const dependencies: Record<string, string[]> = {};
    for (const f of files) dependencies[f] = modules.get(f)!.deps;
    return {
      files,
      dependencies,
      provider: prog.provider,
      summaries: prog.summaries.values(),
      hasCallers: prog.hasCallers,
      arity: (fn) => prog.infoOf(fn)?.params.length ?? 0,
      unregisteredHandlers(registered) {
        const out = [];
        for (const info of prog.functions.values()) {
          if (info.isModule || registered.has(info.id) || prog.called.has(info.id)) continue;
          const [req, res] = info.params;
          if (!req || !res || !ts.isIdentifier(req.name) || !ts.isIdentifier(res.name)) continue;
          if (!HANDLER_LIKE_PARAMS.request.test(req.name.text) || !HANDLER_LIKE_PARAMS.response.test(res.name.text)) continue;
          out.push(prog.fnRef(info.node as never));
        }
        return out;
      },
      patchFor: (hit) => buildPatch(prog, hit),
    };
  },
};
