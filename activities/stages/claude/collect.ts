// Claude reasoning, last step: the completed passes' findings (and results carried from the previous scan),
// duplicates merged, recorded as the scan's candidates, scope and kept state by the code the built-in path uses.
import { claudeArtifact as K } from '../../artifacts.js';
import { CLAUDE_ENGINE } from '../../engines/claude/candidates.js';
import { mergeDuplicates } from '../../engines/claude/panel.js';
import type { Candidate } from '../../model.js';
import { nonRetryable } from '../../errors.js';
import { recordReasoning } from '../engine-results.js';
import { stageStarted } from '../../events/scan-events.js';
import { requireSnapshot } from '../shared.js';
import { requireThreatModel, type ClaudeStageDeps, type PassInput } from './pass.js';

export async function claudeCollectStage(deps: ClaudeStageDeps, input: PassInput & { passIds: string[] }) {
  const { store } = deps;
  const tm = await requireThreatModel(store, input);
  const leads = (await store.getArtifact(input.tenant, input.scanId, K.leads)) ?? { leads: [], dependencies: {} };
  const diff = await store.getArtifact(input.tenant, input.scanId, 'merkle-diff');
  if (!diff) throw nonRetryable('ScanStateError', `Scan ${input.scanId} has no Merkle diff; the sync stage must run first.`);
  const fresh: Candidate[] = [];
  let completed = 0;
  for (const id of input.passIds) {
    const a = await store.getArtifact(input.tenant, input.scanId, K.pass(id));
    if (!a) continue;
    if (!a.budgetStopped) completed++;
    fresh.push(...a.candidates);
  }
  // The snapshot record lists its files: no blob is read here.
  const snapshot = await requireSnapshot(store, input.tenant, input.snapshotId);
  const counts = await recordReasoning(store, input, {
    engine: CLAUDE_ENGINE,
    plan: { diff, mode: tm.mode, filesInScope: tm.filesInScope },
    paths: snapshot.files.map((f) => f.path),
    candidates: mergeDuplicates([...tm.carried, ...fresh]),
    carriedOver: tm.carried.length,
    analysedFiles: [...new Set(tm.components.flatMap((c) => c.files))].sort(),
    // The leads' import graph covers the whole snapshot: nothing of the previous state needs keeping.
    dependencies: leads.dependencies,
    // Only a scan whose every pass ran may be the base of an incremental one.
    keepState: completed === tm.passes.length,
  });
  // The panels (Claude's verification) follow the collected reasoning.
  await store.appendEvents([stageStarted(input, 'verification')]);
  return counts;
}
