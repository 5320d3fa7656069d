// Relays the event outbox to Kafka, at least once: read the events after the sink cursor `kafka`, produce
// them, and only then advance the cursor. A crash between the two sends the batch again on restart (the
// consumer dedupes by event id, which is unique per event); a broker that is away is retried with backoff
// while scans go on and events wait in the outbox. The Kafka part (connect, produce, classify errors) is
// kafka-sink.ts; this file is the loop.
//
// An event that can never be delivered (over the record size limit) is dead-lettered, never truncated and
// never retried forever: the cursor moves past it, an error naming its id, type and size is logged, and the
// count of such events is kept under the sink name `kafka:dead-lettered` (read it with getSinkCursor). The
// event itself stays in the outbox, readable through the events API.
import type { EventOutbox, OutboxRecord } from './cloud-event.js';
import { describeKafkaConfig, type KafkaPublisherConfig } from './kafka-config.js';
import { createKafkaSink, KafkaUnreachableError, type KafkaSink } from './kafka-sink.js';

export const KAFKA_SINK = 'kafka';
/** Not a position but a count: how many events were dead-lettered (skipped as undeliverable). */
export const KAFKA_DEAD_LETTER_COUNT = 'kafka:dead-lettered';

export interface RelayLog {
  (level: 'info' | 'warn' | 'error', message: string): void;
}

export interface KafkaPublisherOptions {
  outbox: EventOutbox;
  sink: Pick<KafkaSink, 'refuse' | 'send' | 'close'>;
  /** Where delivery is logged; default stderr. Messages never hold credentials. */
  log?: RelayLog;
  /** Events per produce request (default 500). */
  batchSize?: number;
  /** How often the outbox is polled when idle (default 200 ms); wake() skips the wait. */
  pollIntervalMs?: number;
  /** Backoff while the broker is away: doubles from initial to max (default 200 ms .. 5 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Called after the broker acknowledged a batch and before the cursor moves (observation only). */
  afterProduce?: (records: OutboxRecord[]) => void | Promise<void>;
}

export interface KafkaPublisherStats {
  /** Events the broker acknowledged since start (a re-sent batch counts again). */
  published: number;
  /** Events dead-lettered since start. */
  deadLettered: number;
  /** Failed attempts since start. */
  failures: number;
  /** The error of the latest failed attempt, until an attempt succeeds. */
  lastError?: Error;
}

const defaultLog: RelayLog = (level, message) => process.stderr.write(`vigil kafka-publisher ${level}: ${message}\n`);

export class KafkaPublisher {
  readonly #outbox: EventOutbox;
  readonly #sink: KafkaPublisherOptions['sink'];
  readonly #log: RelayLog;
  readonly #batchSize: number;
  readonly #pollMs: number;
  readonly #retryInitialMs: number;
  readonly #retryMaxMs: number;
  readonly #afterProduce?: KafkaPublisherOptions['afterProduce'];
  readonly #stats: KafkaPublisherStats = { published: 0, deadLettered: 0, failures: 0 };
  /** Batch size after the broker refused a batch as too large: one at a time finds the culprit. */
  #narrowUntil = 0;
  #running?: Promise<void>;
  #stopping = false;
  #wake?: () => void;
  #lastLogged?: string;

  constructor(opts: KafkaPublisherOptions) {
    this.#outbox = opts.outbox;
    this.#sink = opts.sink;
    this.#log = opts.log ?? defaultLog;
    this.#batchSize = opts.batchSize ?? 500;
    this.#pollMs = opts.pollIntervalMs ?? 200;
    this.#retryInitialMs = opts.retryInitialMs ?? 200;
    this.#retryMaxMs = opts.retryMaxMs ?? 5_000;
    this.#afterProduce = opts.afterProduce;
  }

  stats(): KafkaPublisherStats {
    return { ...this.#stats };
  }

  /** Starts relaying in the background; failures are logged and retried, never thrown. */
  start(): void {
    this.#running ??= this.#loop();
  }

  /** Relay now rather than at the next poll (new events were appended in this process). */
  wake(): void {
    this.#wake?.();
  }

  /** Finishes the batch in flight, then stops and closes the producer. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
    await this.#sink.close();
  }

  /**
   * Relays one batch after the cursor: produce, then advance. Returns how many events it moved past
   * (published or dead-lettered); 0 when the outbox holds nothing new. Throws when the sink fails.
   */
  async relayOnce(): Promise<number> {
    const cursor = await this.#outbox.getSinkCursor(KAFKA_SINK);
    const limit = cursor < this.#narrowUntil ? 1 : this.#batchSize;
    const records = await this.#outbox.readEvents({ after: cursor, limit });
    if (!records.length) return 0;
    const refusedAt = records.findIndex((r) => this.#sink.refuse(r.event));
    const sendable = refusedAt < 0 ? records : records.slice(0, refusedAt);
    if (sendable.length) {
      try {
        await this.#sink.send(sendable.map((r) => r.event));
      } catch (err) {
        if (!isUndeliverable(err)) throw err;
        // The broker's own limit is lower than ours: find the culprit one event at a time.
        if (sendable.length > 1) {
          this.#narrowUntil = sendable.at(-1)!.seq;
          throw err;
        }
        await this.#deadLetter(sendable[0]!, err as Error);
        return 1;
      }
      await this.#afterProduce?.(sendable);
      await this.#outbox.setSinkCursor(KAFKA_SINK, sendable.at(-1)!.seq);
      this.#stats.published += sendable.length;
      return sendable.length;
    }
    await this.#deadLetter(records[0]!, this.#sink.refuse(records[0]!.event)!);
    return 1;
  }

  async #deadLetter(record: OutboxRecord, reason: Error): Promise<void> {
    const { event } = record;
    this.#log('error', `dead-lettered event ${event.id} (${event.type}, scan ${event.subject}, outbox seq ${record.seq}): ${reason.message}`);
    const count = await this.#outbox.getSinkCursor(KAFKA_DEAD_LETTER_COUNT);
    await this.#outbox.setSinkCursor(KAFKA_DEAD_LETTER_COUNT, count + 1);
    await this.#outbox.setSinkCursor(KAFKA_SINK, record.seq);
    this.#stats.deadLettered++;
  }

  async #loop(): Promise<void> {
    let delay = this.#retryInitialMs;
    while (!this.#stopping) {
      let moved = 0;
      try {
        moved = await this.relayOnce();
        if (this.#stats.lastError) this.#log('info', `delivering again after ${this.#stats.failures} failed attempt(s).`);
        delete this.#stats.lastError;
        this.#lastLogged = undefined;
        delay = this.#retryInitialMs;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        this.#stats.failures++;
        this.#stats.lastError = error;
        // One line per kind of trouble, not one per retry.
        if (error.message !== this.#lastLogged) {
          this.#log(error instanceof KafkaUnreachableError ? 'warn' : 'error', `${error.message} Retrying with backoff (up to ${this.#retryMaxMs / 1000} s).`);
          this.#lastLogged = error.message;
        }
        await this.#pause(delay);
        delay = Math.min(delay * 2, this.#retryMaxMs);
        continue;
      }
      if (moved === 0) await this.#pause(this.#pollMs);
    }
  }

  #pause(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}

function isUndeliverable(err: unknown): boolean {
  return Boolean(err && typeof err === 'object' && (err as { undeliverable?: unknown }).undeliverable === true);
}

/** The publisher for `config`, relaying `outbox`; call start() to run it. */
export function createKafkaPublisher(
  outbox: EventOutbox,
  config: KafkaPublisherConfig,
  opts: Omit<KafkaPublisherOptions, 'outbox' | 'sink'> = {},
): KafkaPublisher {
  (opts.log ?? defaultLog)('info', `publishing scan events to Kafka: ${describeKafkaConfig(config)}.`);
  return new KafkaPublisher({ ...opts, outbox, sink: createKafkaSink(config) });
}

