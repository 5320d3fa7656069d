// Stage 5: severity, confidence and fingerprints; decisions from earlier scans of the repo carry over.
import { packFindings, type FindingTable } from '../../workflows/finding-table.js';
import type { ActivityDeps, ScanIds } from './shared.js';
import { scoreCandidates } from '../scoring.js';
import { filesNamedBy, openSourceFiles } from '../source-files.js';
import { fillTraceSnippets } from '../trace-snippets.js';
import { lookUpSimilarDecisions, reportedUnavailability, RETRIEVAL_FAILED } from '../retrieval/decision-memory-stage.js';
import { withGuidance } from '../retrieval/guidance-stage.js';
import { stacksOf } from '../retrieval/repository-stack.js';
import { requireArtifact, requireSnapshot } from './shared.js';
import { findingCreated, stageCompleted, stageStarted } from '../events/scan-events.js';

export async function scoreStage(
  deps: ActivityDeps,
  input: ScanIds & { snapshotId: string },
): Promise<{ findings: FindingTable }> {
  const { store } = deps;
  await store.appendEvents([stageStarted(input, 'scoring')]);
  const candidates = await requireArtifact(store, input.tenant, input.scanId, 'candidates', 'reasoning');
  const verdicts = await requireArtifact(store, input.tenant, input.scanId, 'verdicts', 'verification');
  const snapshot = await requireSnapshot(store, input.tenant, input.snapshotId);
  const files = await openSourceFiles(store, snapshot).load(filesNamedBy(candidates));
  const ledger = await store.getLedger(input.tenant, input.repoKey);
  // Steps the engine did not quote get their line now, once: readers of the findings never read blobs.
  const scored = fillTraceSnippets(scoreCandidates({ candidates, verdicts, files, ledger }).findings, files);
  const { findings: withPrecedents, failed } = await lookUpSimilarDecisions(deps.retrieval, input.tenant, input.scanId, scored);
  // The libraries each finding's code depends on pick the guidance passage for its framework or driver.
  const stacks = deps.guidance ? await stacksOf(files, new Set(withPrecedents.map((f) => f.location.file))) : undefined;
  const findings = await withGuidance(deps.guidance, input.scanId, withPrecedents, stacks);
  // Decision memory off or failing: the scan goes on without precedents, and its reports say why.
  const unavailable = failed ? RETRIEVAL_FAILED : !deps.retrieval && deps.retrievalUnavailable ? reportedUnavailability(deps.retrievalUnavailable) : undefined;
  if (unavailable) await store.putArtifact(input.tenant, input.scanId, 'retrieval-status', { reason: unavailable });
  // A retry that got through: what a failed attempt noted no longer holds.
  else if (await store.getArtifact(input.tenant, input.scanId, 'retrieval-status')) await store.putArtifact(input.tenant, input.scanId, 'retrieval-status', {});
  await store.putArtifact(input.tenant, input.scanId, 'findings', findings);
  await store.appendEvents([...findings.map((f) => findingCreated(input, f)), stageCompleted(input, 'scoring', { findings: findings.length })]);
  // Packed: a scan of thousands of findings returns them all into history in one payload.
  return {
    findings: packFindings(
      findings.map((f) => ({
        id: f.id,
        fingerprint: f.fingerprint,
        severity: f.severity,
        status: f.status,
        hasPatch: Boolean(f.patch),
        ruleId: f.ruleId,
        cwe: f.cwe,
        file: f.location.file,
        ...(f.decision?.actor !== undefined ? { decidedBy: f.decision.actor } : {}),
        ...(f.decisionCarriedOver ? { carriedOver: true } : {}),
      })),
    ),
  };
}
