// Helpers for the Kafka publisher's tests and benchmark: scan events to append, a real consumer group that
// collects what reaches the topic, and the delivery check (every event, each once by id, in order per scan).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_SOURCE, EVENT_SPEC_VERSION, type CloudEvent } from '../../activities/events/cloud-event.js';
import { Consumer, MessagesStreamModes } from '../../activities/events/kafka-client.js';
import { isUnknownTopic } from '../../activities/events/kafka-sink.js';

/** The n-th event of a scan (ids unique per scan and n); `pad` bytes of filler make big events. */
export function scanEvent(scanId: string, n: number, opts: { tenant?: string; pad?: number; type?: string } = {}): CloudEvent {
  return {
    specversion: EVENT_SPEC_VERSION,
    id: `${scanId}:${n}`,
    source: EVENT_SOURCE,
    type: opts.type ?? 'dev.vigil.stage.completed.v1',
    subject: scanId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    tenant: opts.tenant ?? 'acme',
    data: { n, ...(opts.pad ? { filler: 'x'.repeat(opts.pad) } : {}) },
  };
}

export interface ReceivedEvent {
  id: string;
  key: string;
  subject: string;
  n: number;
  /** The event's data, as sent. */
  data: Record<string, unknown>;
  partition: number;
  offset: bigint;
  contentType: string | undefined;
  receivedAt: number;
}

export interface EventCollector {
  received: ReceivedEvent[];
  /** Resolves once every id has arrived (at least once); rejects after the timeout naming how many are missing. */
  waitFor(ids: Iterable<string>, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function collectEvents(opts: {
  bootstrap: string;
  topic: string;
  groupId?: string;
  sasl?: { username: string; password: string };
  onEvent?: (e: ReceivedEvent) => void;
}): Promise<EventCollector> {
  const baseGroup = opts.groupId ?? `vigil-test-${randomUUID()}`;
  const received: ReceivedEvent[] = [];
  let closed = false;
  let consumer: Consumer | undefined;
  let stream: Awaited<ReturnType<Consumer['consume']>> | undefined;

  // The publisher creates the topic; until it has, subscribing fails. When a broker restart ends the client's
  // stream (with an error), a new member reads the topic again from the beginning in a fresh group (the old
  // member, which could not leave, would hold the group's partitions until its session timed out): records
  // are read twice at the same offsets, which checkDelivery does not count as duplicate publications.
  let generation = 0;
  const subscribe = async (): Promise<void> => {
    const deadline = Date.now() + 60_000;
    const groupId = generation++ === 0 ? baseGroup : `${baseGroup}-${generation}`;
    for (;;) {
      consumer = new Consumer({
        clientId: 'vigil-test-consumer',
        groupId,
        bootstrapBrokers: [opts.bootstrap],
        maxWaitTime: 100,
        ...(opts.sasl ? { sasl: { mechanism: 'PLAIN' as const, username: opts.sasl.username, password: opts.sasl.password } } : {}),
      });
      try {
        stream = await consumer.consume({
          topics: [opts.topic],
          mode: MessagesStreamModes.EARLIEST,
          autocommit: true,
        });
        break;
      } catch (err) {
        await consumer.close(true).catch(() => {});
        if (closed || Date.now() > deadline || (generation === 1 && !isUnknownTopic(err))) throw err;
        await sleep(200);
      }
    }
    stream.on('data', (m) => {
      const event = JSON.parse(m.value.toString()) as CloudEvent<{ n: number }>;
      const e: ReceivedEvent = {
        id: event.id,
        key: m.key.toString(),
        subject: event.subject,
        n: event.data.n,
        data: event.data as Record<string, unknown>,
        partition: m.partition,
        offset: m.offset,
        contentType: headerValue(m.headers, 'content-type'),
        receivedAt: performance.now(),
      };
      received.push(e);
      opts.onEvent?.(e);
    });
    stream.once('error', () => {
      if (closed) return;
      const old = consumer;
      void old?.close(true).catch(() => {});
      void subscribe().catch(() => {});
    });
  };
  await subscribe();
  return {
    received,
    async waitFor(ids, timeoutMs) {
      const want = new Set(ids);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const e of received) want.delete(e.id);
        if (!want.size) return;
        if (Date.now() > deadline) throw new Error(`${want.size} event(s) never reached the consumer, e.g. ${[...want].slice(0, 3).join(', ')}`);
        await sleep(50);
      }
    },
    async close() {
      closed = true;
      await stream?.close().catch(() => {});
      await consumer?.close(true).catch(() => {});
    },
  };
}

function headerValue(headers: Map<Buffer, Buffer>, name: string): string | undefined {
  for (const [k, v] of headers) if (k.toString() === name) return v.toString();
  return undefined;
}

export interface DeliveryReport {
  lost: number;
  /** Records beyond the first of an id (a record read twice at the same offset is not one). */
  duplicated: number;
  /** Scans whose events (deduplicated by id, first reception) arrived out of order. */
  outOfOrder: string[];
  /** Events whose record key is not their scan id. */
  wrongKey: number;
}

export function checkDelivery(expected: CloudEvent[], received: ReceivedEvent[]): DeliveryReport {
  const seen = new Set<string>();
  let duplicated = 0;
  const firstPerScan = new Map<string, number[]>();
  let wrongKey = 0;
  const offsets = new Set<string>();
  for (const e of received) {
    const at = `${e.partition}:${e.offset}`;
    if (offsets.has(at)) continue; // the consumer read the same record again (after a rebalance): not a duplicate publication
    offsets.add(at);
    if (e.key !== e.subject) wrongKey++;
    if (seen.has(e.id)) {
      duplicated++;
      continue;
    }
    seen.add(e.id);
    const list = firstPerScan.get(e.subject) ?? [];
    list.push(e.n);
    firstPerScan.set(e.subject, list);
  }
  const lost = expected.filter((e) => !seen.has(e.id)).length;
  const outOfOrder = [...firstPerScan].filter(([, ns]) => ns.some((n, i) => i > 0 && n < ns[i - 1]!)).map(([scan]) => scan);
  return { lost, duplicated, outOfOrder, wrongKey };
}
