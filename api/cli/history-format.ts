// Event history for operators. By default a readable summary: one row per stage (activity type) with runs,
// attempts, time spent and failures, then the people's decisions (updates) and the workflow's outcome.
// `--events` prints every event on its own line; `--json` the raw summarised events.
import type { HistoryEvent } from './backend.js';

interface StageRow {
  activity: string;
  runs: number;
  attempts: number;
  /** Scheduled to closed, summed over runs (includes queueing and retry back-off). */
  ms: number;
  open: number;
  results: Map<string, number>;
  failures: string[];
}

const CLOSED: Record<string, string> = {
  ActivityTaskCompleted: 'completed',
  ActivityTaskFailed: 'failed',
  ActivityTaskTimedOut: 'timed out',
  ActivityTaskCanceled: 'canceled',
};

function ms(e: HistoryEvent | undefined): number | undefined {
  return e?.time ? Date.parse(e.time) : undefined;
}

function fmtMs(value: number): string {
  if (value < 1000) return `${Math.round(value)}ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(2)}s`;
  return `${Math.floor(value / 60_000)}m${Math.round((value % 60_000) / 1000)}s`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** An event's name within a scan: event ids restart in each run of a scan that continued as new. */
function eventKey(e: HistoryEvent, eventId: unknown): string {
  return `${str(e.runId) ?? ''}:${String(eventId)}`;
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

export function formatHistory(events: HistoryEvent[]): string {
  const scheduled = new Map<string, HistoryEvent>();
  const stages = new Map<string, StageRow>();
  const updates: string[][] = [];
  const acceptedUpdates = new Map<string, HistoryEvent>();
  const other: string[] = [];
  const start = events.find((e) => e.type === 'WorkflowExecutionStarted');
  let outcome: HistoryEvent | undefined;

  const rowFor = (activity: string) => {
    let row = stages.get(activity);
    if (!row) {
      row = { activity, runs: 0, attempts: 0, ms: 0, open: 0, results: new Map(), failures: [] };
      stages.set(activity, row);
    }
    return row;
  };

  let runs = 0;
  for (const e of events) {
    if (e.type === 'WorkflowExecutionStarted') {
      // A scan that continued as new: each run starts with its own event; the last run's outcome is the scan's.
      runs++;
      outcome = undefined;
    } else if (e.type === 'ActivityTaskScheduled') {
      scheduled.set(eventKey(e, e.eventId), e);
      const row = rowFor(String(e.activityType ?? 'unknown'));
      row.runs++;
      row.open++;
    } else if (e.type === 'ActivityTaskStarted') {
      const s = scheduled.get(eventKey(e, e.scheduledEventId));
      const row = rowFor(String(s?.activityType ?? 'unknown'));
      row.attempts += Number(e.attempt ?? 1);
      const last = str(e.lastFailure);
      if (last) row.failures.push(`attempt ${Number(e.attempt ?? 2) - 1}: ${last}`);
    } else if (e.type in CLOSED) {
      const s = scheduled.get(eventKey(e, e.scheduledEventId));
      const row = rowFor(String(s?.activityType ?? 'unknown'));
      row.open--;
      const result = CLOSED[e.type];
      row.results.set(result, (row.results.get(result) ?? 0) + 1);
      const t0 = ms(s);
      const t1 = ms(e);
      if (t0 !== undefined && t1 !== undefined) row.ms += t1 - t0;
      const failure = str(e.failure);
      if (failure) row.failures.push(`${result}: ${failure}${str(e.failureType) ? ` [${e.failureType}]` : ''}${str(e.failureCause) ? ` (cause: ${e.failureCause})` : ''}`);
    } else if (e.type === 'WorkflowExecutionUpdateAccepted') {
      acceptedUpdates.set(String(e.updateId ?? e.eventId), e);
    } else if (e.type === 'WorkflowExecutionUpdateCompleted') {
      const accepted = acceptedUpdates.get(String(e.updateId ?? ''));
      updates.push([
        (accepted?.time ?? e.time ?? '').slice(0, 23),
        String(accepted?.updateName ?? 'update'),
        String(e.outcome ?? 'completed'),
        str(e.failure) ?? '',
      ]);
    } else if (/^WorkflowExecution(Completed|Failed|TimedOut|Terminated|Canceled|ContinuedAsNew)$/.test(e.type)) {
      outcome = e;
    } else if (/Failed|TimedOut/.test(e.type)) {
      other.push(`${e.eventId.padStart(4)}  ${(e.time ?? '').slice(0, 23)}  ${e.type}${str(e.failure) ? `: ${e.failure}` : ''}`);
    }
  }

  const out: string[] = [];
  const startedAt = start?.time ?? '?';
  out.push(`Workflow ${String(start?.workflowType ?? 'scan')} on task queue ${String(start?.taskQueue ?? '?')}, started ${startedAt}`);
  if (runs > 1) out.push(`${runs} runs: it continued as new ${runs - 1} time(s) before Temporal's limits on updates and history events.`);
  out.push('');
  const rows = [...stages.values()].map((r) => [
    r.activity,
    String(r.runs),
    String(r.attempts),
    fmtMs(r.ms),
    [...[...r.results].map(([k, n]) => (r.runs > 1 ? `${n} ${k}` : k)), ...(r.open > 0 ? [`${r.open} running`] : [])].join(', ') || 'scheduled',
    r.failures.length ? r.failures.join('; ') : '',
  ]);
  out.push(...(rows.length ? table(['STAGE', 'RUNS', 'ATTEMPTS', 'DURATION', 'RESULT', 'FAILURES'], rows) : ['(no activities yet)']));
  if (updates.length) {
    out.push('', 'Decisions (workflow updates):');
    out.push(...table(['ACCEPTED', 'UPDATE', 'OUTCOME', 'FAILURE'], updates).map((l) => `  ${l}`));
  }
  if (other.length) out.push('', 'Other failures:', ...other.map((l) => `  ${l}`));
  out.push('');
  if (outcome) {
    const total = ms(outcome) !== undefined && ms(start) !== undefined ? ` after ${fmtMs(ms(outcome)! - ms(start)!)}` : '';
    const verb = outcome.type.replace('WorkflowExecution', '').toLowerCase();
    out.push(`Workflow ${verb}${total}${str(outcome.failure) ? `: ${outcome.failure}` : ''}${str(outcome.reason) ? ` (${outcome.reason})` : ''}.`);
  } else {
    out.push(`Workflow still running (${events.length} events so far).`);
  }
  return out.join('\n') + '\n';
}

/** Every event on one line: id, time, type and the attributes an operator looks for. */
export function formatEvents(events: HistoryEvent[]): string {
  const lines = events.map((e) => {
    const parts = [String(e.eventId).padStart(4), (e.time ?? '').slice(0, 23).padEnd(23), String(e.type).padEnd(36)];
    for (const k of ['activityType', 'attempt', 'updateName', 'failure', 'result']) {
      if (e[k] !== undefined && e[k] !== null && e[k] !== '') parts.push(`${k}=${typeof e[k] === 'object' ? JSON.stringify(e[k]) : e[k]}`);
    }
    return parts.join('  ');
  });
  return lines.join('\n') + '\n';
}
