// Access-control facts kept between analyses of one repository (in the front end's per-repository cache, beside
// the syntax trees and the program memo), so a re-analysis after a one-file edit reads again only what changed.
// Facts read from a file's syntax alone are valid while its tree is the same (parse.ts keeps a tree while its
// text is unchanged). A function's facts (access-facts.ts functionFacts) also read the helpers it imports, so they
// are valid only while the file's import cone is unchanged too (the program memo's key, program.ts coneKeys).
import type ts from 'typescript';
import type { CallShape, ClientCall, FnFacts, ModelDef, RequestFacts } from '../access-control/facts.js';
import type { ModuleInfo } from './modules.js';

/** One file's access facts, filled as the rules ask for them. */
export interface AccessFileMemo {
  /** The tree the facts were read from: they hold its nodes, so they are valid only with that very tree. */
  sf: ts.SourceFile;
  /** The file's import-cone key the function facts were read under (undefined: unknown, never reused). */
  cone: string | undefined;
  /** Function facts by function node (depend on the import cone). */
  fnFacts: Map<ts.Node, FnFacts>;
  /** Request facts by function node (syntax only, as every field below). */
  requestFacts: Map<ts.Node, RequestFacts>;
  /** Call shapes by the call's position (callAt). */
  shapes: Map<string, CallShape | undefined>;
  /** Initialisers as written, by variable name (definitionText). */
  definitions: Map<string, string | undefined>;
  /** Calls `<x>.<m>(…)`, in source order (callsOn). */
  propertyCalls?: ts.CallExpression[];
  /** Functions declared at the top of the file, by name (helpers a middleware calls). */
  locals?: Map<string, ts.Node>;
  models?: ModelDef[];
  clientCalls?: ClientCall[];
}

/** Access facts by file; never changed once made (the next analysis copies what it keeps). */
export type AccessMemo = ReadonlyMap<string, AccessFileMemo>;

export interface AccessFiles {
  /** The file's facts for this analysis: what the previous analysis read and is still valid, and what this one adds. */
  of(mod: ModuleInfo): AccessFileMemo;
  /** What to remember for the next analysis, once this one is done (the same map on every call). */
  memo(): AccessMemo;
}

const fresh = (sf: ts.SourceFile, cone: string | undefined): AccessFileMemo => ({
  sf,
  cone,
  fnFacts: new Map(),
  requestFacts: new Map(),
  shapes: new Map(),
  definitions: new Map(),
});

/**
 * The access facts of `modules` for one analysis. `cone` gives a file's import-cone key (known once the program is
 * solved); `previous` is what the last analysis of the repository remembered (only read).
 */
export function createAccessFiles(modules: ReadonlyMap<string, ModuleInfo>, cone: (path: string) => string | undefined, previous?: AccessMemo): AccessFiles {
  const tables = new Map<string, AccessFileMemo>();
  let kept: AccessMemo | undefined;
  /** The previous table of the file if it was read from this very tree; its function facts only if the cone is unchanged. */
  const carried = (mod: ModuleInfo): AccessFileMemo | undefined => {
    const old = previous?.get(mod.path);
    if (!old || old.sf !== mod.sf) return undefined;
    const key = cone(mod.path);
    return key !== undefined && old.cone === key ? old : { ...old, cone: key, fnFacts: new Map() };
  };
  return {
    of(mod) {
      let t = tables.get(mod.path);
      if (!t) {
        const old = carried(mod);
        t = old
          ? { ...old, fnFacts: new Map(old.fnFacts), requestFacts: new Map(old.requestFacts), shapes: new Map(old.shapes), definitions: new Map(old.definitions) }
          : fresh(mod.sf, cone(mod.path));
        tables.set(mod.path, t);
      }
      return t;
    },
    memo() {
      if (kept) return kept;
      const next = new Map<string, AccessFileMemo>();
      for (const mod of modules.values()) {
        const t = tables.get(mod.path) ?? carried(mod);
        if (t) next.set(mod.path, t);
      }
      return (kept = next);
    },
  };
}
