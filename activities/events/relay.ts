// The relay from the outbox to a sink (webhooks here, Kafka beside it): read the events after the sink's cursor,
// deliver them, then move the cursor. At-least-once: the cursor moves only after a delivery succeeded, so a
// crash between the two re-delivers (sinks dedupe by event id); nothing is skipped. While the sink fails, the
// same events are retried with exponential backoff (capped, with jitter) until it answers again or the relay stops.
import type { EventOutbox, OutboxRecord } from './cloud-event.js';

export interface RelaySink {
  /** The cursor's name in the outbox, e.g. `kafka` or `webhook:<tenant>:<id>`. */
  name: string;
  /** Only this tenant's events (webhooks); omitted: every tenant's (Kafka). */
  tenant?: string;
  /** Only these types; omitted: every type. */
  types?: string[];
}

/**
 * Delivers records in seq order. Resolves when all are delivered; throws to have them retried. A sink that got
 * part of the batch through throws a PartialDelivery so the cursor keeps that progress.
 */
export type Deliver = (records: OutboxRecord[]) => Promise<void>;

export class PartialDelivery extends Error {
  constructor(
    /** The seq of the last record delivered. */
    readonly deliveredThrough: number,
    readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'PartialDelivery';
  }
}

export interface RelayOptions {
  /** Stops the relay (it resolves once the delivery in flight has settled). */
  signal?: AbortSignal;
  /** Records per read and delivery (default 100). */
  batchSize?: number;
  /** How often an idle relay looks for new events (default 500 ms). */
  pollMs?: number;
  /** Backoff after a failed delivery: initialMs doubling up to maxMs (defaults 500 ms, 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Each failed delivery, with the retry's attempt number and delay (for logs). */
  onError?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Each delivered batch (tests, metrics). */
  onDelivered?: (records: OutboxRecord[]) => void;
}

export async function relay(outbox: EventOutbox, sink: RelaySink, deliver: Deliver, opts: RelayOptions = {}): Promise<void> {
  const { signal } = opts;
  const batchSize = opts.batchSize ?? 100;
  const pollMs = opts.pollMs ?? 500;
  const initialMs = opts.backoff?.initialMs ?? 500;
  const maxMs = opts.backoff?.maxMs ?? 30_000;
  let failures = 0;
  let cursor: number | undefined;
  while (!signal?.aborted) {
    try {
      cursor ??= await outbox.getSinkCursor(sink.name);
      const records = await outbox.readEvents({ tenant: sink.tenant, types: sink.types, after: cursor, limit: batchSize });
      if (records.length === 0) {
        failures = 0;
        await sleep(pollMs, signal);
        continue;
      }
      let delivered = records[records.length - 1]!.seq;
      let failure: unknown;
      try {
        await deliver(records);
      } catch (err) {
        failure = err;
        delivered = err instanceof PartialDelivery ? err.deliveredThrough : cursor;
      }
      if (delivered > cursor) {
        await outbox.setSinkCursor(sink.name, delivered);
        cursor = delivered;
        opts.onDelivered?.(records.filter((r) => r.seq <= delivered));
      }
      if (failure !== undefined) throw failure instanceof PartialDelivery ? failure.cause : failure;
      failures = 0;
    } catch (err) {
      // The outbox or the sink failed: wait, then try the same events again.
      failures++;
      const base = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
      const delay = Math.round(base / 2 + (Math.random() * base) / 2);
      opts.onError?.(err, failures, delay);
      await sleep(delay, signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
