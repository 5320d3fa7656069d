// npm run bench:events — the Kafka publisher against a real Apache Kafka 4.4 broker (infra/kafka.ts, KRaft,
// loopback): events per second relayed from a SQLite outbox, end-to-end latency from append to a real
// consumer group (p50/p99) at a steady append rate, and the same with the broker stopped for 10 s in the
// middle, then a count of lost and duplicated events (by id). The publisher polls the outbox every 200 ms
// (its default; appends in other processes cannot wake it), which bounds the latency from below.
// BENCH_EVENTS scales the throughput run (default 20000); BENCH_RATE the steady rate (default 500/s).
//
// The outbox is the test scaffolding in test/helpers/sqlite-outbox.ts until the stores implement EventOutbox.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudEvent } from '../../activities/events/cloud-event.js';
import { kafkaConfigFromEnv } from '../../activities/events/kafka-config.js';
import { createKafkaPublisher, KAFKA_SINK } from '../../activities/events/kafka-publisher.js';
import { startKafka, type KafkaBroker } from '../../infra/kafka.js';
import { checkDelivery, collectEvents, scanEvent } from '../helpers/kafka-events.js';
import { openSqliteOutbox, type SqliteOutbox } from '../helpers/sqlite-outbox.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'vigil-events-bench-'));
const silent = () => {};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function untilCursor(outbox: SqliteOutbox, seq: number): Promise<void> {
  while ((await outbox.getSinkCursor(KAFKA_SINK)) < seq) await sleep(5);
}

async function throughput(broker: KafkaBroker): Promise<void> {
  const outbox = openSqliteOutbox(join(dir, 'throughput.db'));
  const events: CloudEvent[] = [];
  for (let n = 0; events.length < EVENTS; n++) for (let s = 0; s < 200 && events.length < EVENTS; s++) events.push(scanEvent(`scan-${s}`, n));
  await outbox.appendEvents(events);
  const last = (await outbox.readEvents({ after: EVENTS - 1, limit: 1 }))[0]?.seq ?? EVENTS;
  const topic = 'bench.throughput';
  const publisher = createKafkaPublisher(outbox, kafkaConfigFromEnv({ VIGIL_KAFKA_BROKERS: broker.bootstrap, VIGIL_KAFKA_TOPIC: topic })!, { log: silent });
  const started = performance.now();
  publisher.start();
  await untilCursor(outbox, last);
  const seconds = (performance.now() - started) / 1000;
  await publisher.stop();
  const consumer = await collectEvents({ bootstrap: broker.bootstrap, topic });
  await consumer.waitFor(events.map((e) => e.id), 120_000);
  await sleep(500);
  const r = checkDelivery(events, consumer.received);
  await consumer.close();
  outbox.close();
  console.log(`throughput: ${EVENTS} events (200 scans) relayed in ${seconds.toFixed(2)} s = ${Math.round(EVENTS / seconds)} events/s (includes topic creation and producer start); lost ${r.lost}, duplicated ${r.duplicated}, out of order ${r.outOfOrder.length}`);
}

/** Appends at RATE events/s for `seconds`, measuring append -> consumer latency; `during` runs alongside. */
async function latency(label: string, broker: () => KafkaBroker, seconds: number, during?: () => Promise<void>): Promise<void> {
  const outbox = openSqliteOutbox(join(dir, `${label}.db`));
  const topic = `bench.${label}`;
  const bootstrap = broker().bootstrap;
  const publisher = createKafkaPublisher(outbox, kafkaConfigFromEnv({ VIGIL_KAFKA_BROKERS: bootstrap, VIGIL_KAFKA_TOPIC: topic })!, { log: silent, retryMaxMs: 1_000 });
  publisher.start();
  // Create the topic and warm the consumer group before measuring.
  await outbox.appendEvents([scanEvent('warm-up', 0)]);
  const consumer = await collectEvents({ bootstrap, topic });
  await consumer.waitFor(['warm-up:0'], 60_000);
  const events: CloudEvent[] = [];
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
  const ticks = Math.round((seconds * 1000) / tickMs);
  const side = during?.();
  const t0 = performance.now();
  for (let t = 0; t < ticks; t++) {
    const batch = Array.from({ length: perTick }, (_, i) => {
      const n = t * perTick + i;
      const e = scanEvent(`scan-${n % 50}`, n);
      (e.data as Record<string, unknown>).appendedAt = performance.timeOrigin + performance.now();
      return e;
    });
    await outbox.appendEvents(batch);
    events.push(...batch);
    const wait = t0 + (t + 1) * tickMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await side;
  await consumer.waitFor(events.map((e) => e.id), 120_000);
  await sleep(1_000);
  const measured = consumer.received.filter((e) => e.subject !== 'warm-up');
  const firstSeen = new Map<string, number>();
  for (const e of measured) if (!firstSeen.has(e.id)) firstSeen.set(e.id, performance.timeOrigin + e.receivedAt - (e.data.appendedAt as number));
  const lat = [...firstSeen.values()].sort((a, b) => a - b);
  const r = checkDelivery(events, measured);
  await consumer.close();
  await publisher.stop();
  outbox.close();
  console.log(
    `${label}: ${events.length} events at ${RATE}/s over ${seconds} s: latency append->consumer p50 ${percentile(lat, 50).toFixed(0)} ms, p99 ${percentile(lat, 99).toFixed(0)} ms, max ${lat.at(-1)!.toFixed(0)} ms; lost ${r.lost}, duplicated ${r.duplicated}`,
  );
}

async function main(): Promise<void> {
  let started = performance.now();
  let broker = await startKafka({ dir: join(dir, 'broker') });
  console.log(`broker: Kafka ready on ${broker.bootstrap} in ${Math.round(performance.now() - started)} ms`);
  try {
    await throughput(broker);
    await latency('steady', () => broker, 10);
    await latency('broker-outage', () => broker, 25, async () => {
      await sleep(5_000);
      started = performance.now();
      await broker.stop();
      const stopMs = performance.now() - started;
      await sleep(10_000);
      const restart = performance.now();
      broker = await startKafka({ dir: broker.dir, port: broker.port });
      console.log(`broker-outage: broker stopped in ${Math.round(stopMs)} ms, kept down 10 s, restarted in ${Math.round(performance.now() - restart)} ms`);
    });
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
