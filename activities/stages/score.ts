// Stage 5: severity, confidence and fingerprints; decisions from earlier scans of the repo carry over.
import type { FindingState } from '../../workflows/definitions.js';
import type { Candidate, Verdict } from '../model.js';
import type { ActivityDeps, ScanIds } from './shared.js';
import { scoreCandidates } from '../scoring.js';
import { filesNamedBy, loadSourceFiles } from '../source-files.js';
import { requireArtifact, requireSnapshot } from './shared.js';

export async function scoreStage(
  deps: ActivityDeps,
  input: ScanIds & { snapshotId: string },
): Promise<{ findings: FindingState[] }> {
  const { store } = deps;
  const candidates = await requireArtifact<Candidate[]>(store, input.tenant, input.scanId, 'candidates', 'reasoning');
  const verdicts = await requireArtifact<Verdict[]>(store, input.tenant, input.scanId, 'verdicts', 'verification');
  const snapshot = await requireSnapshot(store, input.tenant, input.snapshotId);
  const files = await loadSourceFiles(store, snapshot, filesNamedBy(candidates));
  const ledger = await store.getLedger(input.tenant, input.repoKey);
  const { findings } = scoreCandidates({ candidates, verdicts, files, ledger });
  await store.putArtifact(input.tenant, input.scanId, 'findings', findings);
  return {
    findings: findings.map((f) => ({
      id: f.id,
      fingerprint: f.fingerprint,
      severity: f.severity,
      status: f.status,
      hasPatch: Boolean(f.patch),
      decidedBy: f.decision?.actor,
      carriedOver: f.decisionCarriedOver,
    })),
  };
}
