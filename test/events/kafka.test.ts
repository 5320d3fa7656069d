// The Kafka publisher against a real Apache Kafka 4.4 broker (KRaft, started by infra/kafka.ts; one per
// file): relaying the outbox of a real SQLite file to a real consumer group, each event once and in order per
// scan; the broker stopped for ten seconds mid-stream; the publishing process SIGKILLed between produce and
// cursor advance; an unreachable broker; oversize events.
//
// The outbox is the real SQLite store's (test/helpers/sqlite-outbox.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { CloudEvent } from '../../activities/events/cloud-event.js';
import { Admin } from '../../activities/events/kafka-client.js';
import { kafkaConfigFromEnv, type KafkaPublisherConfig } from '../../activities/events/kafka-config.js';
import { createKafkaPublisher, KAFKA_DEAD_LETTER_COUNT, KAFKA_SINK, type KafkaPublisher } from '../../activities/events/kafka-publisher.js';
import { CLOUDEVENTS_CONTENT_TYPE, KafkaEventTooLargeError, KafkaUnreachableError } from '../../activities/events/kafka-sink.js';
import { freePorts } from '../../infra/dev-server.js';
import { startKafka, type KafkaBroker } from '../../infra/kafka.js';
import { checkDelivery, collectEvents, scanEvent } from '../helpers/kafka-events.js';
import { openSqliteOutbox, type SqliteOutbox } from '../helpers/sqlite-outbox.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-kafka-test-'));
let broker: KafkaBroker;
const logs: string[] = [];
const log = (level: string, message: string) => logs.push(`${level}: ${message}`);

before(async () => {
  broker = await startKafka({ dir: path.join(tmp, 'broker') });
});
after(async () => {
  await broker?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

let outboxes = 0;
function newOutbox(): SqliteOutbox {
  return openSqliteOutbox(path.join(tmp, `outbox-${++outboxes}.db`));
}

function config(topic: string, extra: Record<string, string> = {}): KafkaPublisherConfig {
  return kafkaConfigFromEnv({ VIGIL_KAFKA_BROKERS: broker.bootstrap, VIGIL_KAFKA_TOPIC: topic, ...extra })!;
}

/** Interleaved events of several scans, as concurrent scans append them. */
function interleaved(scans: string[], perScan: number): CloudEvent[] {
  const events: CloudEvent[] = [];
  for (let n = 0; n < perScan; n++) for (const s of scans) events.push(scanEvent(s, n));
  return events;
}

async function untilCursor(outbox: SqliteOutbox, seq: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await outbox.getSinkCursor(KAFKA_SINK)) < seq) {
    if (Date.now() > deadline) throw new Error(`the kafka cursor is at ${await outbox.getSinkCursor(KAFKA_SINK)}, not ${seq}, after ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function lastSeq(outbox: SqliteOutbox): Promise<number> {
  return (await outbox.readEvents({ after: 0, limit: 1_000_000 })).at(-1)?.seq ?? 0;
}

test('relays the outbox to the topic (creating it): a consumer group gets every event once, in order per scan, keyed by scan', { timeout: 120_000 }, async () => {
  const outbox = newOutbox();
  const topic = 'vigil.relay';
  const events = interleaved(['scan-a', 'scan-b', 'scan-c', 'scan-d'], 40);
  await outbox.appendEvents(events.slice(0, 100));
  await outbox.appendEvents(events.slice(0, 100)); // a retried activity: adds nothing
  const publisher = createKafkaPublisher(outbox, config(topic), { log, batchSize: 30 });
  publisher.start();
  await outbox.appendEvents(events.slice(100));
  publisher.wake();
  const consumer = await collectEvents({ bootstrap: broker.bootstrap, topic });
  try {
    await consumer.waitFor(events.map((e) => e.id), 30_000);
    await untilCursor(outbox, await lastSeq(outbox), 10_000);
    await sleep(500); // anything extra (a duplicate) would arrive by now
    assert.deepEqual(checkDelivery(events, consumer.received), { lost: 0, duplicated: 0, outOfOrder: [], wrongKey: 0 });
    assert.ok(consumer.received.every((e) => e.contentType === CLOUDEVENTS_CONTENT_TYPE));
    // The topic was created with the broker's defaults (3 partitions here): scans spread over partitions, each scan on one.
    const partitionsOf = new Map<string, Set<number>>();
    for (const e of consumer.received) partitionsOf.set(e.subject, (partitionsOf.get(e.subject) ?? new Set()).add(e.partition));
    assert.ok([...partitionsOf.values()].every((p) => p.size === 1));
    assert.equal(publisher.stats().published, events.length);
    assert.equal(publisher.stats().deadLettered, 0);
  } finally {
    await consumer.close();
    await publisher.stop();
    outbox.close();
  }
});

test('an unreachable broker at start: a clear logged error, appends go on, events wait and are sent once a broker answers', { timeout: 120_000 }, async () => {
  const outbox = newOutbox();
  const topic = 'vigil.unreachable';
  const [deadPort] = await freePorts('127.0.0.1', 1);
  const lines: string[] = [];
  const publisher = createKafkaPublisher(outbox, kafkaConfigFromEnv({ VIGIL_KAFKA_BROKERS: `127.0.0.1:${deadPort}`, VIGIL_KAFKA_TOPIC: topic })!, {
    log: (level, message) => lines.push(`${level}: ${message}`),
    retryMaxMs: 500,
  });
  publisher.start();
  const events = interleaved(['scan-u1', 'scan-u2'], 10);
  try {
    await outbox.appendEvents(events);
    const deadline = Date.now() + 20_000;
    while (!(publisher.stats().lastError instanceof KafkaUnreachableError) && Date.now() < deadline) await sleep(100);
    assert.ok(publisher.stats().lastError instanceof KafkaUnreachableError, `last error: ${publisher.stats().lastError}`);
    await sleep(1_500); // several retries
    assert.ok(publisher.stats().failures >= 2);
    const warnings = lines.filter((l) => l.includes(`127.0.0.1:${deadPort} is unreachable`));
    assert.equal(warnings.length, 1, `one line per outage, not per retry: ${lines.join('\n')}`);
    assert.equal(await outbox.getSinkCursor(KAFKA_SINK), 0);
    await outbox.appendEvents([scanEvent('scan-u1', 10)]); // the scan goes on
  } finally {
    await publisher.stop();
  }
  // A publisher pointed at a broker that answers delivers what waited.
  const good = createKafkaPublisher(outbox, config(topic), { log });
  good.start();
  const consumer = await collectEvents({ bootstrap: broker.bootstrap, topic });
  try {
    const all = [...events, scanEvent('scan-u1', 10)];
    await consumer.waitFor(all.map((e) => e.id), 30_000);
    assert.deepEqual(checkDelivery(all, consumer.received), { lost: 0, duplicated: 0, outOfOrder: [], wrongKey: 0 });
  } finally {
    await consumer.close();
    await good.stop();
    outbox.close();
  }
});

test('an oversize event is refused with a typed error, never truncated, and dead-lettered so the events after it flow', { timeout: 120_000 }, async () => {
  const outbox = newOutbox();
  const topic = 'vigil.oversize';
  const events = [scanEvent('scan-o', 0), scanEvent('scan-o', 1, { pad: 1_100_000 }), scanEvent('scan-o', 2), scanEvent('scan-o', 3)];
  await outbox.appendEvents(events);
  const c = config(topic);
  const sink = (await import('../../activities/events/kafka-sink.js')).createKafkaSink(c);
  const refused = sink.refuse(events[1]!);
  assert.ok(refused instanceof KafkaEventTooLargeError);
  assert.equal(refused.eventId, 'scan-o:1');
  assert.ok(refused.bytes! > 1_100_000 && refused.limit === 1_000_000);
  await sink.close();
  const lines: string[] = [];
  const publisher = createKafkaPublisher(outbox, c, { log: (level, message) => lines.push(`${level}: ${message}`) });
  publisher.start();
  const consumer = await collectEvents({ bootstrap: broker.bootstrap, topic });
  try {
    await consumer.waitFor(['scan-o:0', 'scan-o:2', 'scan-o:3'], 30_000);
    await untilCursor(outbox, await lastSeq(outbox), 10_000);
    await sleep(500);
    assert.deepEqual(consumer.received.map((e) => e.id), ['scan-o:0', 'scan-o:2', 'scan-o:3']);
    assert.equal(publisher.stats().deadLettered, 1);
    assert.equal(await outbox.getSinkCursor(KAFKA_DEAD_LETTER_COUNT), 1);
    assert.ok(lines.some((l) => l.startsWith('error: dead-lettered event scan-o:1 ') && l.includes('not truncated')), lines.join('\n'));
  } finally {
    await consumer.close();
    await publisher.stop();
    outbox.close();
  }
});

test("a topic whose max.message.bytes is below the publisher's limit: the broker's refusal is found event by event and dead-lettered", { timeout: 120_000 }, async () => {
  const outbox = newOutbox();
  const topic = 'vigil.small-messages';
  const admin = new Admin({ clientId: 'vigil-test-admin', bootstrapBrokers: [broker.bootstrap] });
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1, configs: [{ name: 'max.message.bytes', value: '4000' }] });
  await admin.close();
  const events = [0, 1, 2, 3, 4, 5].map((n) => scanEvent('scan-s', n, n === 3 ? { pad: 6_000 } : {}));
  await outbox.appendEvents(events);
  const publisher = createKafkaPublisher(outbox, config(topic), { log, retryMaxMs: 300 });
  publisher.start();
  const consumer = await collectEvents({ bootstrap: broker.bootstrap, topic });
  try {
    await consumer.waitFor(['scan-s:0', 'scan-s:1', 'scan-s:2', 'scan-s:4', 'scan-s:5'], 30_000);
    await untilCursor(outbox, await lastSeq(outbox), 10_000);
    assert.deepEqual(checkDelivery(events.filter((e) => e.id !== 'scan-s:3'), consumer.received), { lost: 0, duplicated: 0, outOfOrder: [], wrongKey: 0 });
    assert.ok(!consumer.received.some((e) => e.id === 'scan-s:3'));
    assert.equal(publisher.stats().deadLettered, 1);
  } finally {
    await consumer.close();
    await publisher.stop();
    outbox.close();
  }
});

test('the broker stopped for ten seconds mid-stream and restarted: lost 0, duplicated 0, in order per scan', { timeout: 120_000 }, async () => {
  const outbox = newOutbox();
  const topic = 'vigil.restart';
  const scans = ['scan-r1', 'scan-r2', 'scan-r3', 'scan-r4', 'scan-r5'];
  const events = interleaved(scans, 60);
  const lines: string[] = [];
  const publisher = createKafkaPublisher(outbox, config(topic), { log: (level, message) => lines.push(`${level}: ${message}`), batchSize: 20, retryMaxMs: 1_000 });
  publisher.start();
  // Scans append steadily (about 20 events a second) while the broker goes away and comes back.
  const appending = (async () => {
    for (let i = 0; i < events.length; i += 5) {
      await outbox.appendEvents(events.slice(i, i + 5));
      publisher.wake();
      await sleep(250);
    }
  })();
  let consumer: Awaited<ReturnType<typeof collectEvents>> | undefined;
  try {
    // The consumer group reads throughout, through the outage.
    consumer = await collectEvents({ bootstrap: broker.bootstrap, topic });
    await sleep(3_000);
    const before = await outbox.getSinkCursor(KAFKA_SINK);
    assert.ok(before > 0, 'some events were published before the outage');
    await broker.stop();
    const down = Date.now();
    await sleep(10_000);
    assert.ok(publisher.stats().lastError, 'the publisher noticed the outage');
    const duringOutage = await outbox.getSinkCursor(KAFKA_SINK);
    broker = await startKafka({ dir: broker.dir, port: broker.port });
    const outage = Date.now() - down;
    await appending;
    await consumer.waitFor(events.map((e) => e.id), 60_000);
    await untilCursor(outbox, await lastSeq(outbox), 10_000);
    await sleep(500);
    assert.deepEqual(checkDelivery(events, consumer.received), { lost: 0, duplicated: 0, outOfOrder: [], wrongKey: 0 });
    assert.ok(duringOutage < (await lastSeq(outbox)), 'events waited during the outage');
    assert.ok(outage >= 10_000);
    assert.ok(lines.some((l) => l.startsWith('info: delivering again')), lines.join('\n'));
  } finally {
    await appending.catch(() => {});
    await consumer?.close();
    await publisher.stop();
    outbox.close();
  }
});

test('the publishing process SIGKILLed between produce and cursor advance: the batch is sent again (at least once); deduplicated by id, nothing is lost or reordered', { timeout: 120_000 }, async () => {
  const file = path.join(tmp, 'outbox-crash.db');
  const outbox = openSqliteOutbox(file);
  const topic = 'vigil.crash';
  const events = interleaved(['scan-k1', 'scan-k2', 'scan-k3'], 40);
  await outbox.appendEvents(events);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'kafka-publisher-child.ts'), file, broker.bootstrap, topic], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const produced = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the child never produced: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /produced (\d+)-(\d+)/.exec(out);
      if (m) (clearTimeout(timer), resolve(m[0]));
    });
    child.once('exit', (code) => reject(new Error(`the child exited (${code}): ${stderr}`)));
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const [, first, last] = /produced (\d+)-(\d+)/.exec(produced)!.map(Number);
  assert.equal(await outbox.getSinkCursor(KAFKA_SINK), 0, 'the cursor did not move: the batch was produced but not recorded');
  // The restarted publisher sends that batch again, then the rest.
  const publisher = createKafkaPublisher(outbox, config(topic), { log, batchSize: 50 });
  publisher.start();
  const consumer = await collectEvents({ bootstrap: broker.bootstrap, topic });
  try {
    await consumer.waitFor(events.map((e) => e.id), 30_000);
    await untilCursor(outbox, await lastSeq(outbox), 10_000);
    await sleep(500);
    const report = checkDelivery(events, consumer.received);
    assert.equal(report.lost, 0);
    assert.equal(report.duplicated, last! - first! + 1, 'exactly the unrecorded batch arrived twice');
    assert.deepEqual(report.outOfOrder, []);
    assert.equal(report.wrongKey, 0);
  } finally {
    await consumer.close();
    await publisher.stop();
    outbox.close();
  }
});
