// Stage 4: every candidate is challenged. The verdict is the verifier's, counted here in code.
import { nonRetryable } from '../errors.js';
import { startHeartbeat } from '../heartbeat.js';
import type { Verdict } from '../model.js';
import type { ActivityDeps, ScanIds } from './shared.js';
import { filesNamedBy, loadSourceFiles } from '../source-files.js';
import { requireArtifact, requireSnapshot } from './shared.js';

export async function verifyStage(deps: ActivityDeps, input: ScanIds & { snapshotId: string; engine: string }) {
  const { store } = deps;
  const verifier = deps.verifiers[input.engine];
  if (!verifier) throw nonRetryable('EngineConfigError', `No verifier configured for engine "${input.engine}".`);
  const candidates = await requireArtifact(store, input.tenant, input.scanId, 'candidates', 'reasoning');
  const snapshot = await requireSnapshot(store, input.tenant, input.snapshotId);
  const hb = startHeartbeat();
  try {
    const files = await loadSourceFiles(store, snapshot, filesNamedBy(candidates));
    const verdicts: Verdict[] = await verifier.verify({ files, candidates, signal: hb.signal });
    const answered = new Set(verdicts.map((v) => v.candidateId));
    const missing = candidates.filter((c) => !answered.has(c.id));
    if (missing.length) throw new Error(`Verifier ${verifier.name} left ${missing.length} candidate(s) without a verdict.`);
    await store.putArtifact(input.tenant, input.scanId, 'verdicts', verdicts);
    const count = (k: Verdict['verdict']) => verdicts.filter((v) => v.verdict === k).length;
    return { confirmed: count('confirmed'), rejected: count('rejected'), uncertain: count('uncertain') };
  } finally {
    hb.stop();
  }
}
