// Structured logs for `vigil serve` (VIGIL_LOG_FORMAT=json): one JSON object per line on stderr, every
// line about a scan's workflow or activities carrying its scanId, so `jq 'select(.scanId=="scn_…")'`
// follows one scan through worker restarts and retries. The SDK knows workflow and activity ids, not scan
// ids: the onExecute hook (called at the start of every activity with its scanId) teaches the logger
// which workflow belongs to which scan.
import { Context } from '@temporalio/activity';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { maskDeep, maskText } from '../activities/secrets/mask.js';

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

export type LogFormat = 'text' | 'json';

export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const value = (env.VIGIL_LOG_FORMAT ?? 'text').toLowerCase();
  if (value !== 'text' && value !== 'json') throw new Error(`VIGIL_LOG_FORMAT must be text or json (got ${env.VIGIL_LOG_FORMAT}).`);
  return value;
}

export interface JsonLogging {
  /** For Runtime.install({ logger }). */
  logger: Logger;
  /** For createScanWorker({ onExecute }). */
  onExecute(activity: string, scanId: string): void;
}

function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const e = error as Error & { type?: string; cause?: Error };
  return { error: e.message, errorName: e.name, ...(e.type ? { errorType: e.type } : {}), ...(e.cause?.message ? { errorCause: e.cause.message } : {}) };
}

export function createJsonLogging(opts: { write?: (line: string) => void; level?: LogLevel; now?: () => Date } = {}): JsonLogging {
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const threshold = LEVELS.indexOf(opts.level ?? 'INFO');
  const now = opts.now ?? (() => new Date());
  const scanByWorkflow = new Map<string, string>();

  const emit = (level: LogLevel, message: string, meta: LogMetadata = {}) => {
    const m = meta as Record<string, unknown>;
    // Activity completions and failures are DEBUG in the SDK; they are the timeline operators want.
    const activityOutcome = m.sdkComponent === 'activity' && /^Activity (completed|failed)/.test(message);
    if (LEVELS.indexOf(level) < threshold && !activityOutcome) return;
    const workflowId = typeof m.workflowId === 'string' ? m.workflowId : undefined;
    const { error, ...rest } = m;
    // Every text of the line goes through the secrets masking (a failure message may quote a file).
    const line: Record<string, unknown> = maskDeep({
      time: now().toISOString(),
      level: level.toLowerCase(),
      msg: message,
      ...(workflowId && scanByWorkflow.has(workflowId) ? { scanId: scanByWorkflow.get(workflowId) } : {}),
      ...rest,
      ...(error !== undefined ? errorFields(error) : {}),
    });
    delete line.taskToken; // opaque bytes, useless in a log
    try {
      write(JSON.stringify(line));
    } catch {
      write(JSON.stringify({ time: line.time, level: line.level, msg: maskText(message), note: 'metadata not serialisable' }));
    }
  };

  const logger: Logger = {
    log: emit,
    trace: (msg, meta) => emit('TRACE', msg, meta),
    debug: (msg, meta) => emit('DEBUG', msg, meta),
    info: (msg, meta) => emit('INFO', msg, meta),
    warn: (msg, meta) => emit('WARN', msg, meta),
    error: (msg, meta) => emit('ERROR', msg, meta),
  };

  return {
    logger,
    onExecute(activity, scanId) {
      let info: Context['info'] | undefined;
      try {
        info = Context.current().info;
      } catch {
        info = undefined; // called outside an activity (e.g. a unit test)
      }
      const wf = info?.workflowExecution;
      if (wf) scanByWorkflow.set(wf.workflowId, scanId);
      if (scanByWorkflow.size > 10_000) scanByWorkflow.delete(scanByWorkflow.keys().next().value!);
      emit('INFO', 'Activity started', {
        sdkComponent: 'activity',
        scanId,
        activityType: activity,
        ...(info
          ? { attempt: info.attempt, activityId: info.activityId, workflowId: wf?.workflowId, workflowRunId: wf?.runId, taskQueue: info.taskQueue }
          : {}),
      });
    },
  };
}
