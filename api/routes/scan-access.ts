// Looking up one of the caller's scans: the store record (tenant-scoped), its workflow, and its live status.
import {
  WorkflowNotFoundError,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import type { ScanRecord } from '../../activities/store/store.js';
import { statusQuery, type ScanStatus } from '../../workflows/definitions.js';
import type { Services } from '../env.js';
import { ApiError } from '../http-errors.js';
import { isTemporalUnavailable } from '../temporal-health.js';
import { chainHandle, currentRun } from '../scan-run.js';

/** The tenant's scan, or 404 whether it is absent or another tenant's: existence is never revealed. */
export async function loadScan(s: Services, tenant: string, scanId: string): Promise<ScanRecord> {
  const record = await s.store.getScan(tenant, scanId);
  if (!record || record.tenant !== tenant) {
    throw new ApiError(404, 'not_found', `No scan ${scanId} for this key's tenant; list scans with GET /v1/scans.`);
  }
  return record;
}

/**
 * The scan's current run (its workflow continues as new near Temporal's limits; the record names the first run).
 * Finding it costs one describe, bounded like a query so a stalled server cannot hold the request.
 */
export async function scanHandle(s: Services, record: ScanRecord): Promise<WorkflowHandle> {
  return s.temporal.withDeadline(Date.now() + s.config.queryTimeoutMs, () => currentRun(s.temporal, record));
}

/** The scan's chain of runs, for updates: the server delivers them to the run that is current. */
export function scanChainHandle(s: Services, record: ScanRecord): WorkflowHandle {
  return chainHandle(s.temporal, record);
}

export function scanLinks(scanId: string) {
  const self = `/v1/scans/${scanId}`;
  return { self, findings: `${self}/findings`, report: `${self}/report`, history: `${self}/history` };
}

/** The run's description, or undefined when Temporal no longer has it (e.g. past retention). */
export async function describeRun(handle: WorkflowHandle): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Our deadline passed. grpc-js reports that as DEADLINE_EXCEEDED or, racing its timer, as CANCELLED. */
function isDeadline(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  return [err, cause].some((e) => isGrpcDeadlineError(e) || isGrpcCancelledError(e));
}

export type LiveStatus = { ok: true; status: ScanStatus } | { ok: false; reason: string };

export const RUN_GONE: LiveStatus = {
  ok: false,
  reason: 'Temporal no longer has this run (past the namespace retention?); showing stored data.',
};

/**
 * The workflow's own view (stage, counts, finding states). A query needs a worker; with none polling it
 * would wait indefinitely, so it gets a short deadline and callers fall back to stored data.
 */
export async function queryLiveStatus(s: Services, handle: WorkflowHandle): Promise<LiveStatus> {
  const timeout = s.config.queryTimeoutMs;
  try {
    const status = await s.temporal.withDeadline(Date.now() + timeout, () => handle.query(statusQuery));
    return { ok: true, status };
  } catch (err) {
    if (isDeadline(err)) {
      return {
        ok: false,
        reason: `No worker answered the status query within ${timeout / 1000}s; is a Vigil worker polling task queue '${s.config.taskQueue}'? Showing stored data.`,
      };
    }
    if (err instanceof WorkflowNotFoundError) return RUN_GONE;
    // Temporal itself is unreachable: that is a 503 for the whole request, not a missing worker.
    if (isTemporalUnavailable(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `The status query failed (${message}); showing stored data.` };
  }
}
