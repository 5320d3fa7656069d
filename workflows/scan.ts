// The scan workflow: snapshot -> Merkle sync -> reasoning -> verification -> scoring -> (wait for people)
// -> apply -> report. Deterministic code only; every side effect is an activity. History carries ids,
// hashes and counts: code and findings' text stay in the store.
import {
  ActivityCancellationType,
  ApplicationFailure,
  ContinueAsNew,
  TemporalFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
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
  decideManyUpdate,
  decideUpdate,
  statusQuery,
  type BulkDecisionInput,
  type BulkDecisionResult,
  type DecisionInput,
  type DecisionResult,
  type FindingState,
  type ScanInput,
  type ScanStage,
  type ScanStatus,
  type StageCounts,
} from './definitions.js';
import { scanEngine } from './engines.js';
import { decisionOutcome, selectFindings } from './finding-selection.js';
import { packFindings, unpackFindings, type FindingTable } from './finding-table.js';

/**
 * What a run hands to the next when it continues as new: the scan is past scoring and awaits decisions, so the
 * next run starts there and runs no earlier stage again. Ids, counts and finding metadata only.
 */
export interface ScanResume {
  snapshotId: string;
  counts: StageCounts;
  findings: FindingTable;
  /** Runs before this one in the chain. */
  continuedAsNew: number;
}

// Temporal closes a run at 2,000 Updates or 51,200 history events. A run continues as new well before either,
// leaving room for the decisions accepted while it drains its handlers.
export const UPDATES_PER_RUN = 1_500;
export const HISTORY_EVENTS_PER_RUN = 40_000;

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
    recordDecisions: short.recordDecisions,
    apply: long.apply,
    report: short.report,
    // Local: a couple of rows written by the worker that saw the failure, without a task of its own in history.
    recordFailure: proxyLocalActivities<Activities>({ startToCloseTimeout: '1m', retry: { ...retry, maximumAttempts: 5 } }).recordFailure,
  };
}

export async function scan(input: ScanInput, resume?: ScanResume): Promise<ScanStatus> {
  const acts = activities(input);
  const state: ScanStatus = {
    scanId: input.scanId,
    tenant: input.tenant,
    repoKey: input.repoKey,
    // A resumed run takes decisions from its first activation on (updates can arrive before main code runs on).
    stage: resume ? 'awaiting_decisions' : 'queued',
    counts: resume?.counts ?? {},
    findings: resume ? unpackFindings(resume.findings) : [],
    ...(resume ? { continuedAsNew: resume.continuedAsNew } : {}),
  };
  const byId = new Map(state.findings.map((f) => [f.id, f]));
  let decisionsInFlight = 0;
  // Updates this run accepted; with the history length, what tells the run to hand over to a new one.
  let updatesThisRun = 0;
  let draining = false;
  const nearLimits = () => {
    const info = workflowInfo();
    return updatesThisRun >= UPDATES_PER_RUN || info.historyLength >= HISTORY_EVENTS_PER_RUN || info.continueAsNewSuggested;
  };

  setHandler(statusQuery, () => state);

  setHandler(
    decideUpdate,
    async (d: DecisionInput): Promise<DecisionResult> => {
      updatesThisRun++;
      const finding = byId.get(d.findingId)!;
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
    {
      validator: (d: DecisionInput) => {
        refuseWhileDraining(draining);
        validateDecision(state, d, byId);
      },
    },
  );

  setHandler(
    decideManyUpdate,
    async (d: BulkDecisionInput): Promise<BulkDecisionResult> => {
      updatesThisRun++;
      const selection = selectFindings(state.findings, d);
      const matched = selection.ok ? selection.findings : [];
      const outcome = decisionOutcome(matched, d.decision);
      const claim = matched.filter((f) => f.status === 'pending');
      if (claim.length === 0) return outcome;
      const status = outcome.status;
      // Claimed before awaiting, as for one decision: a concurrent contradicting update is refused meanwhile.
      for (const f of claim) {
        f.status = status;
        f.decidedBy = d.actor;
      }
      decisionsInFlight++;
      try {
        // One activity records every finding of the bulk decision, each as its own ledger entry.
        await acts.recordDecisions({
          scanId: input.scanId,
          tenant: input.tenant,
          repoKey: input.repoKey,
          findings: claim.map((f) => [f.id, f.fingerprint]),
          decision: d.decision,
          actor: d.actor,
          comment: d.comment,
        });
      } catch (err) {
        for (const f of claim) {
          f.status = 'pending';
          f.decidedBy = undefined;
        }
        throw err;
      } finally {
        decisionsInFlight--;
      }
      return outcome;
    },
    {
      validator: (d: BulkDecisionInput) => {
        refuseWhileDraining(draining);
        validateBulkDecision(state, d);
      },
    },
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

  /** Snapshot to scoring: the first run of a scan does this; a run continued as new resumes after it. */
  async function analyse(): Promise<{ snapshotId: string }> {
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
    state.findings = unpackFindings(scored.findings);
    state.counts.scoring = { findings: state.findings.length };
    for (const f of state.findings) byId.set(f.id, f);
    return snap;
  }

  try {
    const snap = resume ? { snapshotId: resume.snapshotId } : await analyse();

    // People decide; this may take forever, and survives worker and server restarts.
    setStage('awaiting_decisions');
    const allDecided = () => decisionsInFlight === 0 && state.findings.every((f) => f.status !== 'pending');
    await condition(() => allDecided() || nearLimits());
    if (!allDecided()) {
      // Near Temporal's limits: refuse new decisions (callers retry them on the next run), finish the ones
      // accepted, and hand the state to a new run of the same workflow id that resumes here.
      draining = true;
      await condition(allHandlersFinished);
      const next: ScanResume = {
        snapshotId: snap.snapshotId,
        counts: state.counts,
        findings: packFindings(state.findings),
        continuedAsNew: (resume?.continuedAsNew ?? 0) + 1,
      };
      return await continueAsNew<typeof scan>(input, next);
    }

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
    const failedIn = state.stage;
    setStage('failed');
    // The failure as events (stage.failed, scan.failed), written by an activity; it never hides the failure itself.
    if (!isCancellation(err) && !(err instanceof ContinueAsNew)) {
      await acts.recordFailure({ ...ids, stage: failedIn, errorType: failureType(err) }).catch(() => undefined);
    }
    throw err;
  }
  await condition(allHandlersFinished);
  return state;
}

/** The type of the failure's innermost ApplicationFailure (e.g. SnapshotLimitError), else the error's name. */
function failureType(err: unknown): string {
  for (let e: unknown = err; e instanceof TemporalFailure; e = e.cause) {
    if (e instanceof ApplicationFailure && e.type) return e.type;
  }
  return err instanceof Error ? err.name : 'Error';
}

/** Synchronous checks that refuse a bad decision before it reaches history. */
export function validateDecision(state: ScanStatus, d: DecisionInput, byId?: Map<string, FindingState>): void {
  refuseCaller(state, d);
  const finding: FindingState | undefined = byId ? byId.get(d.findingId) : state.findings.find((f) => f.id === d.findingId);
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

/**
 * A bulk decision is refused as a whole when the caller may not decide, the selection is malformed, names an
 * unknown finding or matches nothing, or would decide a pending finding outside awaiting_decisions. Findings
 * decided the other way do not refuse it: the handler reports them as conflicts and leaves them as they are.
 */
export function validateBulkDecision(state: ScanStatus, d: BulkDecisionInput): void {
  refuseCaller(state, d);
  const selection = selectFindings(state.findings, d);
  if (!selection.ok) {
    throw ApplicationFailure.create({
      type: selection.problem === 'unknown_ids' ? DECISION_REFUSALS.findingNotFound : DECISION_REFUSALS.badSelection,
      message: selection.message,
      ...(selection.unknownIds ? { details: [{ unknownIds: selection.unknownIds }] } : {}),
    });
  }
  if (selection.findings.length === 0) {
    throw ApplicationFailure.create({ type: DECISION_REFUSALS.noMatch, message: 'No finding of this scan matches the filter.' });
  }
  if (state.stage !== 'awaiting_decisions' && selection.findings.some((f) => f.status === 'pending')) {
    throw ApplicationFailure.create({
      type: DECISION_REFUSALS.notAwaitingDecisions,
      message: `The scan is in stage ${state.stage}; decisions are taken while it awaits them.`,
    });
  }
}

/** While a run hands over to the next, decisions wait for that one (the caller retries; nothing was recorded). */
function refuseWhileDraining(draining: boolean): void {
  if (draining) {
    throw ApplicationFailure.create({
      type: DECISION_REFUSALS.continuingAsNew,
      message: 'The scan is moving to a new run of its workflow; retry the decision in a moment.',
    });
  }
}

function refuseCaller(state: ScanStatus, d: { tenant: string; roles: DecisionInput['roles'] }): void {
  if (d.tenant !== state.tenant) {
    throw ApplicationFailure.create({ type: DECISION_REFUSALS.forbidden, message: 'This scan belongs to another tenant.' });
  }
  if (!d.roles.includes('approver')) {
    throw ApplicationFailure.create({
      type: DECISION_REFUSALS.forbidden,
      message: 'Deciding findings needs the approver role; use an approver key.',
    });
  }
}
