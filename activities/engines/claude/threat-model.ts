// From the model's threat model to the scan's plan: components with their files, each top-level directory
// accounted for (covered, or skipped with a reason), and the research passes (component × category). Pure.
import type { ComponentPlan, CoverageEntry } from './artifacts.js';
import type { EffortProfile, ResearchCategory } from './config.js';
import type { ModelThreatModel } from './schemas.js';

export function topDirectory(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

function underAny(file: string, paths: string[]): boolean {
  return paths.some((p) => {
    const q = p.replace(/^\.\/?/, '').replace(/\/+$/, '');
    return q === '' || file === q || file.startsWith(`${q}/`);
  });
}

/** One component per top-level directory, when the model gave no usable threat model. */
export function fallbackThreatModel(files: string[]): ModelThreatModel {
  const dirs = [...new Set(files.map(topDirectory))].sort();
  return {
    components: dirs.map((d) => ({
      name: d === '.' ? 'repository root' : d,
      description: 'one component per top-level directory (the model gave no usable threat model)',
      paths: d === '.' ? files.filter((f) => !f.includes('/')) : [d],
      entry_points: [],
      trust_boundaries: [],
      sinks: [],
    })),
    assumptions: [],
    files_worth_reading: [],
    skipped: [],
  };
}

export interface ResearchPlan {
  /** Components with files in scope. */
  components: ComponentPlan[];
  coverage: CoverageEntry[];
  passes: { id: string; component: number; category: ResearchCategory }[];
}

/** `paths`: every snapshot file; `scope`: the files to research (the incremental scope, or every file). */
export function planResearch(model: ModelThreatModel, paths: string[], scope: string[], profile: EffortProfile): ResearchPlan {
  const dirs = [...new Set(paths.map(topDirectory))].sort();
  const inScope = new Set(scope);
  const components: ComponentPlan[] = model.components.map((c) => ({
    name: c.name,
    description: c.description,
    paths: c.paths,
    entryPoints: c.entry_points,
    trustBoundaries: c.trust_boundaries,
    sinks: c.sinks,
    files: paths.filter((f) => underAny(f, c.paths)),
  }));
  // Coverage accounting: each top-level directory is covered, or skipped with the model's reason;
  // one the model left out is researched as its own component, so nothing goes unaccounted.
  const coverage: CoverageEntry[] = [];
  for (const d of dirs) {
    const dirFiles = paths.filter((f) => topDirectory(f) === d);
    const covering = components.filter((c) => c.files.some((f) => topDirectory(f) === d)).map((c) => c.name);
    const skip = model.skipped.find((s) => s.path.replace(/^\.\/?/, '').replace(/\/+$/, '') === (d === '.' ? '' : d) || s.path === d);
    if (covering.length) coverage.push({ directory: d, status: 'covered', components: covering });
    else if (skip) coverage.push({ directory: d, status: 'skipped', reason: skip.reason, components: [] });
    else {
      const name = d === '.' ? 'repository root' : d;
      components.push({ name, description: 'not addressed by the threat model', paths: [d], entryPoints: [], trustBoundaries: [], sinks: [], files: dirFiles });
      coverage.push({ directory: d, status: 'covered', reason: 'added: the threat model left it out', components: [name] });
    }
  }
  const planned = components.map((c) => ({ ...c, files: c.files.filter((f) => inScope.has(f)) })).filter((c) => c.files.length > 0);
  const passes = planned.flatMap((_, i) => profile.categories.map((category) => ({ id: `c${i}-${category}`, component: i, category })));
  return { components: planned, coverage, passes };
}
