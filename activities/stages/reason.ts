// Stage 3: run the configured engine on the files in scope. With the state kept for the previous tree,
// only changed files and their dependents are analysed; earlier results for the rest carry over.
import { nonRetryable } from '../errors.js';
import { startHeartbeat } from '../heartbeat.js';
import { mergeState, planIncremental } from '../incremental.js';
import type { ActivityDeps, ScanIds } from './shared.js';
import { loadSourceFiles } from '../source-files.js';
import type { ScopeArtifact } from '../artifacts.js';
import { requireSnapshot } from './shared.js';

export async function reasonStage(deps: ActivityDeps, input: ScanIds & { snapshotId: string; engine: string }) {
  const { store } = deps;
  const engine = deps.engines[input.engine];
  if (!engine) {
    throw nonRetryable(
      'EngineConfigError',
      `Reasoning engine "${input.engine}" is not configured on this worker (available: ${Object.keys(deps.engines).join(', ')}).`,
    );
  }
  const snapshot = await requireSnapshot(store, input.tenant, input.snapshotId);
  const diff = await store.getArtifact(input.tenant, input.scanId, 'merkle-diff');
  if (!diff) throw nonRetryable('ScanStateError', `Scan ${input.scanId} has no Merkle diff; the sync stage must run first.`);

  const files = await loadSourceFiles(store, snapshot);
  const present = new Set(files.paths());
  const previous = diff.previousRoot
    ? await store.getAnalysisState(input.tenant, input.repoKey, diff.previousRoot, engine.name)
    : undefined;
  const usable = previous && previous.engineVersion === engine.version ? previous : undefined;
  const plan = usable ? planIncremental(usable, diff, present) : undefined;

  const hb = startHeartbeat();
  try {
    const output =
      plan && plan.scope.size === 0
        ? { candidates: [], analysedFiles: [], dependencies: {} }
        : await engine.analyse({
            files,
            scope: plan ? plan.scope : null,
            onProgress: (p) => hb.progress({ stage: 'reasoning', ...p }),
            signal: hb.signal,
            // Tenant and repository: the engine's kept state is per repository and never crosses tenants.
            cacheKey: JSON.stringify([input.tenant, input.repoKey]),
          });
    const carried = plan?.carried ?? [];
    const state = mergeState(
      usable,
      {
        engine: engine.name,
        engineVersion: engine.version,
        dependencies: output.dependencies,
        candidates: [...carried, ...output.candidates],
      },
      present,
    );
    await store.putArtifact(input.tenant, input.scanId, 'candidates', state.candidates);
    const scope: ScopeArtifact = {
      mode: plan ? 'incremental' : 'full',
      filesInScope: plan ? [...plan.scope].sort() : files.paths(),
      analysedFiles: output.analysedFiles,
      carriedOver: carried.length,
    };
    await store.putArtifact(input.tenant, input.scanId, 'scope', scope);
    await store.putAnalysisState(input.tenant, input.repoKey, diff.rootHash, state);
    return {
      filesInScope: scope.filesInScope.length,
      filesAnalysed: output.analysedFiles.length,
      candidates: state.candidates.length,
      carriedOver: carried.length,
    };
  } finally {
    hb.stop();
  }
}
