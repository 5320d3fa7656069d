// Long activities heartbeat on a timer as well as on progress, so a slow phase with no progress
// events still proves the worker is alive, and a dead worker is noticed within the heartbeat timeout.
import { Context } from '@temporalio/activity';

export interface HeartbeatHandle {
  progress(detail: Record<string, unknown>): void;
  signal: AbortSignal | undefined;
  stop(): void;
}

export function startHeartbeat(everyMs = 2000): HeartbeatHandle {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    ctx = undefined; // called outside an activity (direct use in tests or the CLI): nothing to beat
  }
  let last: Record<string, unknown> = {};
  const beat = () => ctx?.heartbeat(last);
  const timer = ctx ? setInterval(beat, everyMs) : undefined;
  timer?.unref();
  beat();
  return {
    progress(detail) {
      last = detail;
      beat();
    },
    signal: ctx?.cancellationSignal,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
