// Stage 5: severity, confidence and fingerprints; decisions from earlier scans of the repo carry over.
import type { FindingState } from '../../workflows/definitions.js';
import type { ActivityDeps, ScanIds } from './shared.js';
import { scoreCandidates } from '../scoring.js';
import { filesNamedBy, openSourceFiles } from '../source-files.js';
import { fillTraceSnippets } from '../trace-snippets.js';
import { requireArtifact, requireSnapshot } from './shared.js';

export async function scoreStage(
  deps: ActivityDeps,
  input: ScanIds & { snapshotId: string },
): Promise<{ findings: FindingState[] }> {
  const { store } = deps;
  const candidates = await requireArtifact(store, input.tenant, input.scanId, 'candidates', 'reasoning');
  const verdicts = await requireArtifact(store, input.tenant, input.scanId, 'verdicts', 'verification');
  const snapshot = await requireSnapshot(store, input.tenant, input.snapshotId);
  const files = await openSourceFiles(store, snapshot).load(filesNamedBy(candidates));
  const ledger = await store.getLedger(input.tenant, input.repoKey);
  // Steps the engine did not quote get their line now, once: readers of the findings never read blobs.
  const findings = fillTraceSnippets(scoreCandidates({ candidates, verdicts, files, ledger }).findings, files);
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
