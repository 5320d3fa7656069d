// `vigil scan --engine claude --estimate`: what a scan of this snapshot would cost, without running research. The
// only model call is the threat-model pass (the passes follow from it); its tokens are what the estimate itself
// costs, and are reported. The Merkle diff is computed without moving the repository's tree, so a scan afterwards
// sees the repository exactly as it would have without the estimate.
import { claudeArtifact as K } from '../../artifacts.js';
import { estimateScan, type ScanEstimate } from '../../engines/claude/estimate.js';
import type { ClaudeScanOptions } from '../../engines/claude/config.js';
import { stablePrefix } from '../../engines/claude/loop.js';
import { syncMerkle } from '../../merkle/sync.js';
import { requireSnapshot } from '../shared.js';
import type { ClaudeStageDeps, PassInput } from './pass.js';
import { requireThreatModel } from './pass.js';
import { claudeThreatModelStage } from './threat-model.js';
import { leadCategory } from './research.js';

/** Counts only, for workflow history; the estimate itself is the `claude:estimate` artefact. */
export interface EstimateSummary {
  passes: number;
  tokens: { low: number; expected: number; high: number };
  spentTokens: number;
}

const summarise = (e: ScanEstimate): EstimateSummary => ({
  passes: e.passes.length,
  tokens: { low: e.total.low.tokens, expected: e.total.expected.tokens, high: e.total.high.tokens },
  spentTokens: e.threatModel.tokens,
});

export async function claudeEstimateStage(deps: ClaudeStageDeps, input: PassInput & { options?: ClaudeScanOptions }): Promise<EstimateSummary> {
  const { store } = deps;
  const kept = await store.getArtifact(input.tenant, input.scanId, K.estimate);
  if (kept) return summarise(kept);
  if (!(await store.getArtifact(input.tenant, input.scanId, 'merkle-diff'))) {
    const r = await syncMerkle(store, { tenant: input.tenant, repoKey: input.repoKey, snapshotId: input.snapshotId }, { record: false });
    await store.putArtifact(input.tenant, input.scanId, 'merkle-diff', {
      rootHash: r.rootHash,
      previousRoot: r.previousRoot,
      added: r.addedPaths,
      changed: r.changedPaths,
      removed: r.removedPaths,
      unchanged: r.unchanged,
    });
  }
  await claudeThreatModelStage(deps, input);
  const tm = await requireThreatModel(store, input);
  const snapshot = await requireSnapshot(store, input.tenant, input.snapshotId);
  const leads = (await store.getArtifact(input.tenant, input.scanId, K.leads))?.leads ?? [];
  const scope = new Set(tm.filesInScope);
  const prefix = (role: Parameters<typeof stablePrefix>[0]) => JSON.stringify(stablePrefix(role)).length;
  const estimate = estimateScan({
    tm,
    sizes: new Map(snapshot.files.map((f) => [f.path, f.size])),
    // Leads of the categories this effort researches: the candidates research is expected to report.
    leadFiles: leads.filter((l) => scope.has(l.location.file) && tm.profile.categories.includes(leadCategory(l))).map((l) => l.location.file),
    prefixChars: { research: prefix('research'), verifier: prefix('verifier'), patch: prefix('patch'), patchReview: prefix('patchReview') },
  });
  await store.putArtifact(input.tenant, input.scanId, K.estimate, estimate);
  return summarise(estimate);
}
