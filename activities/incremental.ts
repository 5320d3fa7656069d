// Incremental reasoning: which files must be re-analysed after a Merkle diff, and which earlier results
// still hold. Engine-agnostic: it needs only each engine's dependency map and each result's `dependsOn`.
import type { AnalysisState, Candidate } from './model.js';

export interface ChangeSet {
  added: string[];
  changed: string[];
  removed: string[];
}

export interface IncrementalPlan {
  /** Files to analyse (origins whose results are recomputed). */
  scope: Set<string>;
  /** Earlier results that still hold, carried into this scan unchanged. */
  carried: Candidate[];
}

/** Files that depend on any of `roots`, transitively (importers of importers ...), plus the roots. */
export function dependentsClosure(dependencies: Record<string, string[]>, roots: Iterable<string>): Set<string> {
  const importers = new Map<string, string[]>();
  for (const [file, deps] of Object.entries(dependencies)) {
    for (const d of deps) {
      const list = importers.get(d);
      if (list) list.push(file);
      else importers.set(d, [file]);
    }
  }
  const seen = new Set<string>(roots);
  const queue = [...seen];
  while (queue.length) {
    const next = queue.pop()!;
    for (const imp of importers.get(next) ?? []) {
      if (!seen.has(imp)) {
        seen.add(imp);
        queue.push(imp);
      }
    }
  }
  return seen;
}

export function planIncremental(previous: AnalysisState, changes: ChangeSet, present: ReadonlySet<string>): IncrementalPlan {
  const touched = new Set([...changes.added, ...changes.changed, ...changes.removed]);
  const scope = dependentsClosure(previous.dependencies, touched);
  // Defensive: any earlier result that read a touched file is recomputed, even if the import graph missed the edge.
  for (const c of previous.candidates) {
    if (c.dependsOn.some((f) => touched.has(f))) scope.add(c.origin);
  }
  for (const f of [...scope]) if (!present.has(f)) scope.delete(f);
  const carried = previous.candidates.filter((c) => !scope.has(c.origin) && present.has(c.origin));
  return { scope, carried };
}

/** The state to keep for the new tree: earlier dependencies, minus removed files, overlaid with fresh ones. */
export function mergeState(
  previous: AnalysisState | undefined,
  fresh: { engine: string; engineVersion: string; dependencies: Record<string, string[]>; candidates: Candidate[] },
  present: ReadonlySet<string>,
): AnalysisState {
  const dependencies: Record<string, string[]> = {};
  for (const [f, deps] of Object.entries(previous?.dependencies ?? {})) if (present.has(f)) dependencies[f] = deps;
  Object.assign(dependencies, fresh.dependencies);
  const candidates = [...fresh.candidates].sort((a, b) => a.id.localeCompare(b.id));
  return { engine: fresh.engine, engineVersion: fresh.engineVersion, dependencies, candidates };
}
