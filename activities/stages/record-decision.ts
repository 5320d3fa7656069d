// A person's decision, recorded per scan and per repository (by fingerprint) so later scans keep it.
// Upserts: a retry writes the same row again.
import type { ActivityDeps } from './shared.js';

export interface RecordDecisionInput {
  scanId: string;
  tenant: string;
  repoKey: string;
  findingId: string;
  fingerprint: string;
  decision: 'approve' | 'reject';
  actor: string;
  comment?: string;
}

export async function recordDecisionStage(deps: ActivityDeps, input: RecordDecisionInput): Promise<void> {
  await deps.store.recordDecision(input.tenant, input.repoKey, input.findingId, {
    fingerprint: input.fingerprint,
    decision: input.decision,
    actor: input.actor,
    comment: input.comment,
    decidedAt: new Date().toISOString(),
    scanId: input.scanId,
  });
}
