// Stage 4 (built-in engine): every candidate is challenged. The verdict is the verifier's, counted in code,
// and carries its confidence.
import { nonRetryable } from '../errors.js';
import { startHeartbeat } from '../heartbeat.js';
import type { ActivityDeps, ScanIds } from './shared.js';
import { filesNamedBy, openSourceFiles } from '../source-files.js';
import { recordVerdicts } from './engine-results.js';
import { requireArtifact, requireSnapshot } from './shared.js';
import { stageStarted } from '../events/scan-events.js';
import { candidatePrecedents, withPrecedentEvidence } from '../retrieval/decision-memory-stage.js';

export async function verifyStage(deps: ActivityDeps, input: ScanIds & { snapshotId: string; engine: string }) {
  const { store } = deps;
  const verifier = deps.verifiers[input.engine];
  if (!verifier) throw nonRetryable('EngineConfigError', `No verifier configured for engine "${input.engine}".`);
  await store.appendEvents([stageStarted(input, 'verification')]);
  const candidates = await requireArtifact(store, input.tenant, input.scanId, 'candidates', 'reasoning');
  const snapshot = await requireSnapshot(store, input.tenant, input.snapshotId);
  const hb = startHeartbeat();
  try {
    const files = await openSourceFiles(store, snapshot).load(filesNamedBy(candidates));
    const verdicts = await verifier.verify({ files, candidates, signal: hb.signal });
    // The team's similar past decisions go with each verdict as evidence, after the verifier has judged.
    const precedents = await candidatePrecedents(deps.retrieval, input.tenant, input.scanId, candidates);
    return await recordVerdicts(store, input, verifier.name, candidates, withPrecedentEvidence(verdicts, precedents));
  } finally {
    hb.stop();
  }
}
