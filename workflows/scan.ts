// The scan workflow: snapshot -> Merkle sync -> reasoning -> verification -> scoring -> (wait for people)
// -> apply -> report. Deterministic code only; every side effect is an activity. History carries ids,
// hashes and counts: code and findings' text stay in the store.
import {
  ActivityCancellationType,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  rootCause,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import {
  DECISION_REFUSALS,
  NON_RETRYABLE_ERRORS,
  SEARCH_ATTRIBUTES,
  analysisTaskQueue,
  decideUpdate,
  statusQuery,
  type DecisionInput,
  type DecisionResult,
  type FindingState,
  type ScanInput,
  type ScanStage,
  type ScanStatus,
} from './definitions.js';
import { scanEngine } from './engines.js';

type Activities = ReturnType<typeof createActivities>;

const ANALYSIS_QUEUE_PATCH = 'analysis-task-queue';

const retry = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS],
};

function activities(input: ScanInput) {
  // Crash detection for long stages rides on heartbeats; the starter may shorten it (tests do).
  const heartbeatTimeout = `${input.tuning?.heartbeatTimeoutSeconds ?? 30}s`;
  const long = proxyActivities<Activities>({
    startToCloseTimeout: '2h',
    heartbeatTimeout,
    retry: { ...retry, maximumAttempts: 10 },
  });
  // The snapshot walk stops on cancellation (it checks its abort signal between files and inside big
  // ones); a cancelled scan waits for that, so "cancelled" means the walk has stopped, not just been asked to.
  const walk = proxyActivities<Activities>({
    startToCloseTimeout: '2h',
    heartbeatTimeout,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { ...retry, maximumAttempts: 10 },
  });
  const short = proxyActivities<Activities>({ startToCloseTimeout: '5m', retry: { ...retry, maximumAttempts: 10 } });
  // CPU-heavy analysis on its own task queue, where each worker limits concurrency to its cores. Scans that
  // scheduled it on the scan queue before this change replay as they ran (the patch marker is absent there).
  const analysis = patched(ANALYSIS_QUEUE_PATCH)
    ? proxyActivities<Activities>({
        taskQueue: analysisTaskQueue(workflowInfo().taskQueue),
        startToCloseTimeout: '2h',
        heartbeatTimeout,
        retry: { ...retry, maximumAttempts: 10 },
      })
    : long;
  // proxyActivities returns a Proxy, so each stage is named explicitly rather than spread.
  return {
    snapshot: walk.snapshot,
    merkleSync: short.merkleSync,
    reason: analysis.reason,
    verify: analysis.verify,
    score: short.score,
    recordDecision: short.recordDecision,
    apply: long.apply,
    report: short.report,
  };
}

export async function scan(input: ScanInput): Promise<ScanStatus> {
  const acts = activities(input);
  const state: ScanStatus = {
    scanId: input.scanId,
    tenant: input.tenant,
    repoKey: input.repoKey,
    stage: 'queued',
    counts: {},
    findings: [],
  };
  let decisionsInFlight = 0;

  setHandler(statusQuery, () => state);

  setHandler(
    decideUpdate,
    async (d: DecisionInput): Promise<DecisionResult> => {
      const finding = state.findings.find((f) => f.id === d.findingId)!;
      const status: DecisionResult['status'] = d.decision === 'approve' ? 'approved' : 'rejected';
      if (finding.status === status) return { findingId: finding.id, status, changed: false };
      // Claim the decision before awaiting, so a concurrent contradicting update is refused by the validator.
      finding.status = status;
      finding.decidedBy = d.actor;
      decisionsInFlight++;
      try {
        await acts.recordDecision({
          scanId: input.scanId,
          tenant: input.tenant,
          repoKey: input.repoKey,
          findingId: finding.id,
          fingerprint: finding.fingerprint,
          decision: d.decision,
          actor: d.actor,
          comment: d.comment,
        });
      } catch (err) {
        // Not recorded: release the claim so the finding can be decided again.
        finding.status = 'pending';
        finding.decidedBy = undefined;
        throw err;
      } finally {
        decisionsInFlight--;
      }
      return { findingId: finding.id, status, changed: true };
    },
    { validator: (d: DecisionInput) => validateDecision(state, d) },
  );

  const setStage = (stage: ScanStage) => {
    state.stage = stage;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: stage }]);
  };
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.tenant, value: input.tenant },
    { key: SEARCH_ATTRIBUTES.repo, value: input.repoKey },
  ]);

  const { workflowId, runId } = workflowInfo();
  const ids = { scanId: input.scanId, tenant: input.tenant, repoKey: input.repoKey };
  try {
    setStage('snapshot');
    const snap = await acts.snapshot({ ...ids, source: input.source, workflowId, runId, requestedBy: input.requestedBy });
    state.counts.snapshot = snap;

    setStage('merkle_sync');
    state.counts.merkle = await acts.merkleSync({ ...ids, snapshotId: snap.snapshotId });

    // One shape for every engine: reasoning, then verification (workflows/engines.ts plugs the engine in).
    const engine = scanEngine(acts, input, snap.snapshotId, (claude) => {
      state.counts.claude = claude;
    });
    setStage('reasoning');
    state.counts.reasoning = await engine.reason();

    setStage('verification');
    state.counts.verification = await engine.verify();

    setStage('scoring');
    const scored = await acts.score({ ...ids, snapshotId: snap.snapshotId });
    state.findings = scored.findings;
    state.counts.scoring = { findings: scored.findings.length };

    // People decide; this may take forever, and survives worker and server restarts.
    setStage('awaiting_decisions');
    await condition(() => decisionsInFlight === 0 && state.findings.every((f) => f.status !== 'pending'));

    setStage('applying');
    state.counts.apply = await acts.apply({
      ...ids,
      source: input.source,
      snapshotId: snap.snapshotId,
      approved: state.findings.filter((f) => f.status === 'approved' && f.hasPatch).map((f) => f.id),
    });

    setStage('reporting');
    state.counts.report = await acts.report({ ...ids, snapshotId: snap.snapshotId });

    setStage('completed');
  } catch (err) {
    // The root cause says what went wrong ("path ... does not exist"), not "Activity task failed".
    state.error = rootCause(err) ?? String(err);
    setStage('failed');
    throw err;
  }
  await condition(allHandlersFinished);
  return state;
}

/** Synchronous checks that refuse a bad decision before it reaches history. */
export function validateDecision(state: ScanStatus, d: DecisionInput): void {
  if (d.tenant !== state.tenant) {
    throw ApplicationFailure.create({ type: DECISION_REFUSALS.forbidden, message: 'This scan belongs to another tenant.' });
  }
  if (!d.roles.includes('approver')) {
    throw ApplicationFailure.create({
      type: DECISION_REFUSALS.forbidden,
      message: 'Deciding findings needs the approver role; use an approver key.',
    });
  }
  const finding: FindingState | undefined = state.findings.find((f) => f.id === d.findingId);
  if (!finding) {
    throw ApplicationFailure.create({ type: DECISION_REFUSALS.findingNotFound, message: `No finding ${d.findingId} in this scan.` });
  }
  const status = d.decision === 'approve' ? 'approved' : 'rejected';
  if (finding.status !== 'pending' && finding.status !== status) {
    throw ApplicationFailure.create({
      type: DECISION_REFUSALS.alreadyDecided,
      message: `Finding ${d.findingId} was already ${finding.status} by ${finding.decidedBy ?? 'an earlier scan'}.`,
      details: [{ status: finding.status, decidedBy: finding.decidedBy }],
    });
  }
  if (state.stage !== 'awaiting_decisions' && finding.status === 'pending') {
    throw ApplicationFailure.create({
      type: DECISION_REFUSALS.notAwaitingDecisions,
      message: `The scan is in stage ${state.stage}; decisions are taken while it awaits them.`,
    });
  }
}
