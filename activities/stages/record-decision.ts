// A person's decision, recorded per scan and per repository (by fingerprint) so later scans keep it.
// Upserts: a retry writes the same row again.
import { rememberRecordedDecisions } from '../retrieval/decision-memory-stage.js';
import type { ActivityDeps } from './shared.js';
import { scanEvent } from '../events/make-event.js';
import type { CloudEvent } from '../events/cloud-event.js';

/** decision.recorded: the comment only when the tenant allows comments in events (default: never). */
function decisionEvent(
  deps: ActivityDeps,
  input: { tenant: string; scanId: string; decision: 'approve' | 'reject'; actor: string; comment?: string },
  findingId: string,
  fingerprint: string,
): CloudEvent {
  const withComment = input.comment !== undefined && deps.tenantSettings?.decisionComments(input.tenant) === true;
  return scanEvent(
    input.tenant,
    input.scanId,
    'dev.vigil.decision.recorded.v1',
    {
      scanId: input.scanId,
      findingId,
      fingerprint,
      decision: input.decision,
      actor: input.actor,
      ...(withComment ? { comment: input.comment } : {}),
    },
    // A finding is decided once per scan (the workflow refuses a contradicting decision).
    { key: findingId },
  );
}

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
  const decidedAt = new Date().toISOString();
  await deps.store.recordDecision(input.tenant, input.repoKey, input.findingId, {
    fingerprint: input.fingerprint,
    decision: input.decision,
    actor: input.actor,
    comment: input.comment,
    decidedAt,
    scanId: input.scanId,
  });
  await deps.store.appendEvents([decisionEvent(deps, input, input.findingId, input.fingerprint)]);
  await rememberRecordedDecisions(deps.retrieval, deps.store, { ...input, findingIds: [input.findingId], decidedAt });
}

export interface RecordDecisionsInput {
  scanId: string;
  tenant: string;
  repoKey: string;
  /** [finding id, fingerprint] of each finding decided. */
  findings: [string, string][];
  decision: 'approve' | 'reject';
  actor: string;
  comment?: string;
}

/** A bulk decision: one activity for all its findings, each recorded as its own ledger entry (upserts again on a retry). */
export async function recordDecisionsStage(deps: ActivityDeps, input: RecordDecisionsInput): Promise<{ recorded: number }> {
  const decidedAt = new Date().toISOString();
  for (const [findingId, fingerprint] of input.findings) {
    await deps.store.recordDecision(input.tenant, input.repoKey, findingId, {
      fingerprint,
      decision: input.decision,
      actor: input.actor,
      comment: input.comment,
      decidedAt,
      scanId: input.scanId,
    });
  }
  await deps.store.appendEvents(input.findings.map(([findingId, fingerprint]) => decisionEvent(deps, input, findingId, fingerprint)));
  await rememberRecordedDecisions(deps.retrieval, deps.store, { ...input, findingIds: input.findings.map(([id]) => id), decidedAt });
  return { recorded: input.findings.length };
}
