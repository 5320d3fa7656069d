// The Kafka publisher over SASL/PLAIN (as WarpStream's agents take it, minus TLS) against a real broker with
// Kafka's StandardAuthorizer: the publisher's user may write to the topic an operator created, may not
// create topics, and a wrong password is refused — each a typed, clearly logged error, never the password.
//
// The outbox is the real SQLite store's (test/helpers/sqlite-outbox.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AclOperations, AclPermissionTypes, Admin, ResourcePatternTypes, ResourceTypes } from '../../activities/events/kafka-client.js';
import { kafkaConfigFromEnv } from '../../activities/events/kafka-config.js';
import { createKafkaPublisher, KAFKA_SINK, type KafkaPublisher } from '../../activities/events/kafka-publisher.js';
import { KafkaAuthError, KafkaTopicUnavailableError } from '../../activities/events/kafka-sink.js';
import { startKafka, type KafkaBroker } from '../../infra/kafka.js';
import { checkDelivery, collectEvents, scanEvent } from '../helpers/kafka-events.js';
import { openSqliteOutbox } from '../helpers/sqlite-outbox.js';

const TOPIC = 'vigil.scan-events';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-kafka-sasl-test-'));
let broker: KafkaBroker;

before(async () => {
  broker = await startKafka({ dir: path.join(tmp, 'broker'), sasl: true, authorizer: true });
  const { admin, user } = broker.sasl!;
  const client = new Admin({ clientId: 'vigil-test-admin', bootstrapBrokers: [broker.bootstrap], sasl: { mechanism: 'PLAIN', ...admin } });
  try {
    await client.createTopics({ topics: [TOPIC], partitions: 3, replicas: 1 });
    const allow = (resourceType: number, resourceName: string, operation: number) => ({
      resourceType: resourceType as 2,
      resourceName,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: `User:${user.username}`,
      host: '*',
      operation: operation as 4,
      permissionType: AclPermissionTypes.ALLOW,
    });
    // What an operator grants the publisher: write to (and describe) its topic, nothing else.
    await client.createAcls({
      creations: [allow(ResourceTypes.TOPIC, TOPIC, AclOperations.WRITE), allow(ResourceTypes.TOPIC, TOPIC, AclOperations.DESCRIBE)],
    });
  } finally {
    await client.close();
  }
});
after(async () => {
  await broker?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function saslEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { user } = broker.sasl!;
  return {
    VIGIL_KAFKA_BROKERS: broker.bootstrap,
    VIGIL_KAFKA_SASL_MECHANISM: 'plain',
    VIGIL_KAFKA_USERNAME: user.username,
    VIGIL_KAFKA_PASSWORD: user.password,
    ...overrides,
  };
}

async function untilError(publisher: KafkaPublisher, timeoutMs: number): Promise<Error | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (!publisher.stats().lastError && Date.now() < deadline) await sleep(100);
  return publisher.stats().lastError;
}

test('relays over SASL/PLAIN to the default topic, as a user that may only write to it', { timeout: 120_000 }, async () => {
  const outbox = openSqliteOutbox(path.join(tmp, 'relay.db'));
  const events = [0, 1, 2, 3, 4].flatMap((n) => [scanEvent('scan-x', n), scanEvent('scan-y', n)]);
  await outbox.appendEvents(events);
  const config = kafkaConfigFromEnv(saslEnv())!;
  assert.equal(config.topic, TOPIC);
  const lines: string[] = [];
  const publisher = createKafkaPublisher(outbox, config, { log: (level, message) => lines.push(`${level}: ${message}`) });
  publisher.start();
  const { admin } = broker.sasl!;
  const consumer = await collectEvents({ bootstrap: broker.bootstrap, topic: TOPIC, sasl: admin });
  try {
    await consumer.waitFor(events.map((e) => e.id), 30_000);
    assert.deepEqual(checkDelivery(events, consumer.received), { lost: 0, duplicated: 0, outOfOrder: [], wrongKey: 0 });
    assert.ok(lines.some((l) => l.includes('SASL/PLAIN as vigil')));
    assert.ok(!lines.join('\n').includes(broker.sasl!.user.password), 'the password is never logged');
  } finally {
    await consumer.close();
    await publisher.stop();
    outbox.close();
  }
});

test('a topic that does not exist and that this user may not create: a typed error, events wait', { timeout: 120_000 }, async () => {
  const outbox = openSqliteOutbox(path.join(tmp, 'missing-topic.db'));
  await outbox.appendEvents([scanEvent('scan-m', 0)]);
  const lines: string[] = [];
  const publisher = createKafkaPublisher(outbox, kafkaConfigFromEnv(saslEnv({ VIGIL_KAFKA_TOPIC: 'vigil.not-created' }))!, {
    log: (level, message) => lines.push(`${level}: ${message}`),
  });
  publisher.start();
  try {
    const error = await untilError(publisher, 20_000);
    assert.ok(error instanceof KafkaTopicUnavailableError, `got ${error?.name}: ${error?.message}`);
    assert.equal(error.topic, 'vigil.not-created');
    assert.match(error.message, /does not exist and could not be created/);
    assert.ok(lines.some((l) => l.startsWith('error: Kafka topic "vigil.not-created" does not exist')), lines.join('\n'));
    assert.equal(await outbox.getSinkCursor(KAFKA_SINK), 0);
  } finally {
    await publisher.stop();
    outbox.close();
  }
});

test('a wrong password: a typed authentication error that does not echo the password', { timeout: 120_000 }, async () => {
  const outbox = openSqliteOutbox(path.join(tmp, 'bad-password.db'));
  await outbox.appendEvents([scanEvent('scan-p', 0)]);
  const wrong = 'not-the-password-' + Date.now();
  const lines: string[] = [];
  const publisher = createKafkaPublisher(outbox, kafkaConfigFromEnv(saslEnv({ VIGIL_KAFKA_PASSWORD: wrong }))!, {
    log: (level, message) => lines.push(`${level}: ${message}`),
  });
  publisher.start();
  try {
    const error = await untilError(publisher, 20_000);
    assert.ok(error instanceof KafkaAuthError, `got ${error?.name}: ${error?.message}`);
    assert.ok(!lines.join('\n').includes(wrong) && !error.message.includes(wrong));
    assert.equal(await outbox.getSinkCursor(KAFKA_SINK), 0);
  } finally {
    await publisher.stop();
    outbox.close();
  }
});
