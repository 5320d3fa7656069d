// What every engine's reasoning and verification share, whichever engine runs them (the built-in `reason` and
// `verify` stages, the Claude passes in stages/claude/): the incremental plan from the Merkle diff and the state
// kept for the previous tree, and the record of what an engine found (candidates, scope, kept state, verdicts).
import type { MerkleDiffArtifact, ScopeArtifact } from '../artifacts.js';
import { mergeState, planIncremental, type IncrementalPlan } from '../incremental.js';
import type { AnalysisState, Candidate, EngineIdentity, ReasoningCounts, Verdict, VerificationCounts } from '../model.js';
import type { Store } from '../store/store.js';
import { nonRetryable } from '../errors.js';
import type { ScanIds } from './shared.js';
import { stageCompleted } from '../events/scan-events.js';

export interface ReasoningPlan {
  diff: MerkleDiffArtifact;
  /** The state this engine version kept for the previous tree, when there is one. */
  previous?: AnalysisState;
  /** Set on an incremental scan: the files to (re)analyse and the earlier results that still hold. */
  incremental?: IncrementalPlan;
  /** Files whose results are (re)computed, sorted: the incremental scope, or every file. */
  filesInScope: string[];
}

/**
 * The plan for this scan's reasoning. `dependencies` is this snapshot's import graph when the engine computed
 * one already (Claude's leads); otherwise the graph kept with the previous state is used.
 */
export async function planReasoning(
  store: Store,
  ids: ScanIds,
  engine: EngineIdentity,
  paths: string[],
  dependencies?: Record<string, string[]>,
): Promise<ReasoningPlan> {
  const diff = await store.getArtifact(ids.tenant, ids.scanId, 'merkle-diff');
  if (!diff) throw nonRetryable('ScanStateError', `Scan ${ids.scanId} has no Merkle diff; the sync stage must run first.`);
  const kept = diff.previousRoot ? await store.getAnalysisState(ids.tenant, ids.repoKey, diff.previousRoot, engine.name) : undefined;
  const previous = kept && kept.engineVersion === engine.version ? kept : undefined;
  const incremental = previous ? planIncremental(dependencies ? { ...previous, dependencies } : previous, diff, new Set(paths)) : undefined;
  return { diff, previous, incremental, filesInScope: incremental ? [...incremental.scope].sort() : paths };
}

export interface ReasoningRecord {
  engine: EngineIdentity;
  plan: Pick<ReasoningPlan, 'diff' | 'filesInScope'> & { mode: ScopeArtifact['mode'] };
  /** Every file of the snapshot (the kept state drops files no longer there). */
  paths: string[];
  /** This scan's candidates: carried over and fresh. */
  candidates: Candidate[];
  carriedOver: number;
  analysedFiles: string[];
  dependencies: Record<string, string[]>;
  /** The kept state the fresh dependencies overlay (none: they are the whole snapshot's graph). */
  base?: AnalysisState;
  /** False when reasoning was cut short: such a scan must not be the base of an incremental one. */
  keepState: boolean;
}

/** Stores the candidates, the scope and (when kept) the state for the next scan; returns the stage's counts. */
export async function recordReasoning(store: Store, ids: ScanIds, r: ReasoningRecord): Promise<ReasoningCounts & { candidateIds: string[] }> {
  const state = mergeState(
    r.base,
    { engine: r.engine.name, engineVersion: r.engine.version, dependencies: r.dependencies, candidates: r.candidates },
    new Set(r.paths),
  );
  await store.putArtifact(ids.tenant, ids.scanId, 'candidates', state.candidates);
  const scope: ScopeArtifact = { mode: r.plan.mode, filesInScope: r.plan.filesInScope, analysedFiles: r.analysedFiles, carriedOver: r.carriedOver };
  await store.putArtifact(ids.tenant, ids.scanId, 'scope', scope);
  if (r.keepState) await store.putAnalysisState(ids.tenant, ids.repoKey, r.plan.diff.rootHash, state);
  const counts = {
    filesInScope: scope.filesInScope.length,
    filesAnalysed: r.analysedFiles.length,
    candidates: state.candidates.length,
    carriedOver: r.carriedOver,
  };
  // Whichever engine reasoned, the stage's completion is an event (written with its results, so a retry repeats both).
  await store.appendEvents([stageCompleted(ids, 'reasoning', counts)]);
  return { ...counts, candidateIds: state.candidates.map((c) => c.id) };
}

/** Stores one verdict per candidate (a verifier that left one out is a bug, retried); returns the stage's counts. */
export async function recordVerdicts(store: Store, ids: ScanIds, verifier: string, candidates: Candidate[], verdicts: Verdict[]): Promise<VerificationCounts> {
  const answered = new Set(verdicts.map((v) => v.candidateId));
  const missing = candidates.filter((c) => !answered.has(c.id));
  if (missing.length) throw new Error(`Verifier ${verifier} left ${missing.length} candidate(s) without a verdict.`);
  await store.putArtifact(ids.tenant, ids.scanId, 'verdicts', verdicts);
  const count = (k: Verdict['verdict']) => verdicts.filter((v) => v.verdict === k).length;
  const counts = { confirmed: count('confirmed'), rejected: count('rejected'), uncertain: count('uncertain') };
  await store.appendEvents([stageCompleted(ids, 'verification', counts)]);
  return counts;
}
