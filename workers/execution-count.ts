// Counts activity executions in one place (an activity interceptor) rather than in a wrapper per activity:
// operators' JSON logs learn each execution's scan id from it, and durability tests count how often a stage ran.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** Called at the start of every activity execution, retries included. */
export type OnExecute = (activity: string, scanId: string) => void;

/**
 * The label is the activity type; an input that carries a `passId` (one of several passes of the same activity
 * in a scan) adds it, so a test can tell which pass ran again after a crash.
 */
export function executionCounter(onExecute: OnExecute): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const arg = (input.args[0] ?? {}) as { scanId?: unknown; passId?: unknown };
        const scanId = typeof arg.scanId === 'string' ? arg.scanId : '';
        const label = typeof arg.passId === 'string' ? `${ctx.info.activityType}:${arg.passId}` : ctx.info.activityType;
        onExecute(label, scanId);
        return next(input);
      },
    },
  });
}
