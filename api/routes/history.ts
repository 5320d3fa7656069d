// /v1/scans/:id/history: the run's Temporal event history, reduced to what an operator reads (types,
// times, activity names, attempts, failures). The history holds ids, hashes and counts by design.
import type { WorkflowHandle } from '@temporalio/client';
import { Hono } from 'hono';
import type { AppEnv, Services } from '../env.js';
import { requireRole } from '../auth/middleware.js';
import { ApiError } from '../http-errors.js';
import { chainHistories } from '../scan-run.js';
import { describeRun, loadScan, scanHandle } from './scan-access.js';
import { scanParamsSchema } from './schemas.js';
import { validate } from './validate.js';
import { maskDeep } from '../../activities/secrets/mask.js';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

// Protobuf-decoded messages: loose shapes we read defensively.
type Loose = { [key: string]: any };

function timestamp(t: Loose | null | undefined): string | null {
  if (!t || t.seconds == null) return null;
  return new Date(Number(t.seconds) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6)).toISOString();
}

function duration(d: Loose | null | undefined): string | undefined {
  if (!d || d.seconds == null) return undefined;
  return `${Number(d.seconds) + Number(d.nanos ?? 0) / 1e9}s`;
}

function decodeSearchAttributes(indexed: Loose | null | undefined): Record<string, unknown> | undefined {
  if (!indexed) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, payload] of Object.entries(indexed)) {
    try {
      out[key] = JSON.parse(Buffer.from((payload as Loose).data ?? []).toString('utf8'));
    } catch {
      out[key] = '(undecodable)';
    }
  }
  return out;
}

/** The attributes worth showing, by field name; everything else (payloads, identities) is left out. */
function pickAttributes(a: Loose): Record<string, unknown> {
  const out: Record<string, unknown> = {
    workflowType: a.workflowType?.name,
    taskQueue: a.taskQueue?.name,
    activityType: a.activityType?.name,
    activityId: a.activityId || undefined,
    attempt: a.attempt || undefined,
    scheduledEventId: a.scheduledEventId != null && Number(a.scheduledEventId) ? Number(a.scheduledEventId) : undefined,
    timerId: a.timerId || undefined,
    startToFireTimeout: duration(a.startToFireTimeout),
    signalName: a.signalName || undefined,
    updateName: a.acceptedRequest?.input?.name,
    updateId: a.protocolInstanceId || a.meta?.updateId || undefined,
    outcome: a.outcome ? (a.outcome.failure ? 'failure' : 'success') : undefined,
    failure: a.failure?.message ?? a.outcome?.failure?.message,
    failureType: a.failure?.applicationFailureInfo?.type || undefined,
    failureCause: a.failure?.cause?.message,
    lastFailure: a.lastFailure?.message,
    reason: a.reason || undefined,
    searchAttributes: decodeSearchAttributes(a.searchAttributes?.indexedFields),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

/** One event as {eventId, time, type, ...attributes}: the shape the CLI prints, local or remote. */
export function summariseEvent(event: HistoryEvent): Record<string, unknown> & { eventId: string; type: string } {
  const e = event as Loose;
  // The set `...EventAttributes` field names the event type (no need for the proto enum table).
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && e[k]);
  const type = key ? key[0].toUpperCase() + key.slice(1, -'EventAttributes'.length) : 'Unknown';
  const time = timestamp(e.eventTime);
  return {
    eventId: String(e.eventId),
    ...(time ? { time } : {}),
    type,
    ...(key ? pickAttributes(e[key]) : {}),
  };
}

/** The events as shown to people (API and `vigil history`): failure messages and the like masked. */
export function historyEvents(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>) {
  return (history.events ?? []).map((e) => maskDeep(summariseEvent(e)));
}

/**
 * The events of every run of a scan's chain, oldest first. A scan that continued as new has several runs whose
 * event ids each start at 1: then every event carries its `runId`, so (runId, eventId) names it.
 */
export function chainEvents(runs: { runId: string; history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> }[]) {
  if (runs.length === 1) return historyEvents(runs[0].history);
  return runs.flatMap(({ runId, history }) => historyEvents(history).map((e) => ({ ...e, runId })));
}

export function historyRouter(s: Services) {
  return new Hono<AppEnv>().get('/:id/history', requireRole('operator'), validate('param', scanParamsSchema), async (c) => {
    const record = await loadScan(s, c.get('principal').tenant, c.req.valid('param').id);
    const handle = await scanHandle(s, record);
    if (!(await describeRun(handle))) {
      throw new ApiError(
        404,
        'history_unavailable',
        `Temporal no longer has the history of scan ${record.scanId} (past the namespace's retention); its report is still at GET /v1/scans/${record.scanId}/report.`,
      );
    }
    const runs = await chainHistories(s.temporal, record);
    return c.json({
      scanId: record.scanId,
      workflowId: record.workflowId,
      runId: record.runId,
      // The run chain, first to last: more than one when the scan continued as new near Temporal's limits.
      runs: runs.map((r) => r.runId),
      events: chainEvents(runs),
    });
  });
}
