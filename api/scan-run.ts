// A scan is one workflow id, but its workflow may be a chain of runs: a run continues as new before Temporal's
// limits on updates and history events. The store records the first run's id; these helpers find the run that
// is current (for queries), address the chain (for updates) and list its runs in order (for history).
import type { Client, WorkflowHandle } from '@temporalio/client';
import { DECISION_REFUSALS } from '../workflows/definitions.js';

export interface ScanRunRef {
  workflowId: string;
  /** The first run of the chain, as recorded when the scan started. */
  runId: string;
}

/**
 * A handle on the chain's latest run: updates sent through it reach the run that is current, and never a later
 * scan that reuses the workflow id (the server checks the chain's first run id).
 */
export function chainHandle(client: Client, scan: ScanRunRef): WorkflowHandle {
  return client.workflow.getHandle(scan.workflowId, undefined, { firstExecutionRunId: scan.runId });
}

/** The run currently holding the scan's state: the workflow id's latest run when it belongs to this chain. */
export async function currentRun(client: Client, scan: ScanRunRef): Promise<WorkflowHandle> {
  try {
    const latest = await client.workflow.getHandle(scan.workflowId).describe();
    if (latest.runId === scan.runId || latest.raw.workflowExecutionInfo?.firstRunId === scan.runId) {
      return client.workflow.getHandle(scan.workflowId, latest.runId);
    }
  } catch {
    // Not found or unreachable: the recorded run answers (or fails) the caller's own request.
  }
  return client.workflow.getHandle(scan.workflowId, scan.runId);
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** Every run of the scan's chain with its history, first to last (each run's last event names the next). */
export async function chainHistories(client: Client, scan: ScanRunRef, maxRuns = 100): Promise<{ runId: string; history: History }[]> {
  const runs: { runId: string; history: History }[] = [];
  let runId: string | undefined = scan.runId;
  while (runId && runs.length < maxRuns) {
    const history = await client.workflow.getHandle(scan.workflowId, runId).fetchHistory();
    runs.push({ runId, history });
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** True when the update was refused only because the run is handing over to the next (nothing recorded). */
export function isHandover(err: unknown): boolean {
  // Matched by name, not instanceof: the CLI loads @temporalio/client lazily (start-up), and this module must not pull it in.
  const e = err as { name?: string; cause?: { name?: string; type?: string } } | undefined;
  return e?.name === 'WorkflowUpdateFailedError' && e.cause?.name === 'ApplicationFailure' && e.cause.type === DECISION_REFUSALS.continuingAsNew;
}

/**
 * Runs an update against the chain, retrying while a run hands over to the next (a second or so); any other
 * outcome, refusal or failure is the caller's. Decisions are idempotent, so repeating one is safe.
 */
export async function updateAcrossRuns<T>(send: () => Promise<T>, opts: { deadline?: number; pauseMs?: number } = {}): Promise<T> {
  const deadline = opts.deadline ?? Date.now() + 30_000;
  for (;;) {
    try {
      return await send();
    } catch (err) {
      if (!isHandover(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, opts.pauseMs ?? 100));
    }
  }
}
