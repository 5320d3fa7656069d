// `vigil history` over a scan that continued as new: event ids restart per run, so events are told apart by run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHistory } from '../api/cli/history-format.js';
import type { HistoryEvent } from '../api/cli/backend.js';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

test('a chain of two runs: activities matched within their run, one outcome, the runs counted', () => {
  const first: HistoryEvent[] = [
    { eventId: '1', time: t(0), type: 'WorkflowExecutionStarted', workflowType: 'scan', taskQueue: 'q' },
    { eventId: '5', time: t(1), type: 'ActivityTaskScheduled', activityType: 'score' },
    { eventId: '6', time: t(2), type: 'ActivityTaskStarted', scheduledEventId: 5, attempt: 1 },
    { eventId: '7', time: t(3), type: 'ActivityTaskCompleted', scheduledEventId: 5 },
    { eventId: '8', time: t(4), type: 'WorkflowExecutionContinuedAsNew' },
  ].map((e) => ({ ...e, runId: 'run-1' }));
  const second: HistoryEvent[] = [
    { eventId: '1', time: t(5), type: 'WorkflowExecutionStarted', workflowType: 'scan', taskQueue: 'q' },
    { eventId: '5', time: t(6), type: 'ActivityTaskScheduled', activityType: 'apply' },
    { eventId: '6', time: t(7), type: 'ActivityTaskStarted', scheduledEventId: 5, attempt: 1 },
    { eventId: '7', time: t(9), type: 'ActivityTaskCompleted', scheduledEventId: 5 },
    { eventId: '8', time: t(10), type: 'WorkflowExecutionCompleted' },
  ].map((e) => ({ ...e, runId: 'run-2' }));
  const text = formatHistory([...first, ...second]);
  assert.match(text, /2 runs: it continued as new 1 time/);
  assert.match(text, /^score\s+1\s+1\s+2\.00s\s+completed/m);
  assert.match(text, /^apply\s+1\s+1\s+3\.00s\s+completed/m);
  assert.match(text, /Workflow completed after 10\.00s\./);
});
