// Stage 3 (built-in engine): run the configured analyser on the files in scope. With the state kept for the
// previous tree, only changed files and their dependents are analysed; earlier results for the rest carry over.
import { nonRetryable } from '../errors.js';
import { startHeartbeat } from '../heartbeat.js';
import type { ActivityDeps, ScanIds } from './shared.js';
import { openSourceFiles } from '../source-files.js';
import { planReasoning, recordReasoning } from './engine-results.js';
import { requireSnapshot } from './shared.js';
import { stageStarted } from '../events/scan-events.js';

export async function reasonStage(deps: ActivityDeps, input: ScanIds & { snapshotId: string; engine: string }) {
  const { store } = deps;
  const engine = deps.engines[input.engine];
  if (!engine) {
    throw nonRetryable(
      'EngineConfigError',
      `Reasoning engine "${input.engine}" is not configured on this worker (available: ${Object.keys(deps.engines).join(', ')}).`,
    );
  }
  await store.appendEvents([stageStarted(input, 'reasoning')]);
  const snapshot = await requireSnapshot(store, input.tenant, input.snapshotId);
  const files = openSourceFiles(store, snapshot);
  const plan = await planReasoning(store, input, engine, files.paths());
  const scope = plan.incremental?.scope;

  const hb = startHeartbeat();
  try {
    const output =
      scope && scope.size === 0
        ? { candidates: [], analysedFiles: [], dependencies: {} }
        : await engine.analyse({
            // The analyser follows imports across the whole repository, in scope or not.
            files: await files.loadAll(),
            scope: scope ?? null,
            onProgress: (p) => hb.progress({ stage: 'reasoning', ...p }),
            signal: hb.signal,
            // Tenant and repository: the engine's kept state is per repository and never crosses tenants.
            cacheKey: JSON.stringify([input.tenant, input.repoKey]),
          });
    const carried = plan.incremental?.carried ?? [];
    const { candidateIds: _ids, ...counts } = await recordReasoning(store, input, {
      engine,
      plan: { ...plan, mode: plan.incremental ? 'incremental' : 'full' },
      paths: files.paths(),
      candidates: [...carried, ...output.candidates],
      carriedOver: carried.length,
      analysedFiles: output.analysedFiles,
      dependencies: output.dependencies,
      base: plan.previous,
      keepState: true,
    });
    return counts;
  } finally {
    hb.stop();
  }
}
