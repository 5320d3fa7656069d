// The Kafka publisher's settings (VIGIL_KAFKA_*): what turns it on, what is refused and how, and that the
// password never appears in a message; and the worker's wiring of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_KAFKA_TOPIC, describeKafkaConfig, KafkaConfigError, kafkaConfigFromEnv } from '../../activities/events/kafka-config.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import { startConfiguredKafkaPublisher } from '../../workers/kafka-relay.js';

const SECRET = 'pa55-w0rd-that-must-not-leak';

test('no VIGIL_KAFKA_BROKERS: no publisher', () => {
  assert.equal(kafkaConfigFromEnv({}), undefined);
  assert.equal(kafkaConfigFromEnv({ VIGIL_KAFKA_BROKERS: '  ' }), undefined);
});

test('brokers alone: the default topic, no SASL, no TLS', () => {
  const c = kafkaConfigFromEnv({ VIGIL_KAFKA_BROKERS: 'kafka-1:9092, kafka-2.internal:9093' })!;
  assert.deepEqual(c.brokers, ['kafka-1:9092', 'kafka-2.internal:9093']);
  assert.equal(c.topic, DEFAULT_KAFKA_TOPIC);
  assert.equal(c.topic, 'vigil.scan-events');
  assert.equal(c.tls, false);
  assert.equal(c.sasl, undefined);
});

test("WarpStream's shape: SASL/PLAIN over TLS; the description names the user, never the password", () => {
  const c = kafkaConfigFromEnv({
    VIGIL_KAFKA_BROKERS: 'warpstream-agents.internal:9092',
    VIGIL_KAFKA_SASL_MECHANISM: 'plain',
    VIGIL_KAFKA_USERNAME: 'vigil-publisher',
    VIGIL_KAFKA_PASSWORD: SECRET,
    VIGIL_KAFKA_TLS: 'true',
    VIGIL_KAFKA_TOPIC: 'security.events',
  })!;
  assert.deepEqual(c.sasl, { mechanism: 'PLAIN', username: 'vigil-publisher', password: SECRET });
  assert.equal(c.tls, true);
  assert.equal(c.topic, 'security.events');
  const described = describeKafkaConfig(c);
  assert.match(described, /SASL\/PLAIN as vigil-publisher, TLS/);
  assert.ok(!described.includes(SECRET));
});

test('bad settings are refused with every problem named, and the password never echoed', () => {
  const bad: [NodeJS.ProcessEnv, RegExp][] = [
    [{ VIGIL_KAFKA_BROKERS: 'kafka-1' }, /VIGIL_KAFKA_BROKERS each broker must be host:port/],
    [{ VIGIL_KAFKA_BROKERS: 'kafka-1:99999' }, /port must be at most 65535/],
    [{ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_TOPIC: 'has space' }, /VIGIL_KAFKA_TOPIC a topic name is 1-249/],
    [{ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_SASL_MECHANISM: 'GSSAPI', VIGIL_KAFKA_USERNAME: 'u', VIGIL_KAFKA_PASSWORD: SECRET }, /VIGIL_KAFKA_SASL_MECHANISM use one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/],
    [{ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_SASL_MECHANISM: 'PLAIN', VIGIL_KAFKA_USERNAME: 'u' }, /VIGIL_KAFKA_PASSWORD is required with VIGIL_KAFKA_SASL_MECHANISM=PLAIN/],
    [{ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_USERNAME: 'u', VIGIL_KAFKA_PASSWORD: SECRET }, /VIGIL_KAFKA_SASL_MECHANISM is required when/],
    [{ VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_KAFKA_TLS: 'maybe' }, /VIGIL_KAFKA_TLS/],
    [{ VIGIL_KAFKA_TOPIC: 'x', VIGIL_KAFKA_PASSWORD: SECRET }, /VIGIL_KAFKA_TOPIC, VIGIL_KAFKA_PASSWORD are set but VIGIL_KAFKA_BROKERS is not/],
  ];
  for (const [env, message] of bad) {
    assert.throws(() => kafkaConfigFromEnv(env), (err: Error) => {
      assert.ok(err instanceof KafkaConfigError, `${err}`);
      assert.match(err.message, message);
      assert.ok(!err.message.includes(SECRET));
      return true;
    });
  }
});

test('the worker starts no publisher without settings, refuses bad ones, and says so when its store keeps no outbox', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-kafka-relay-'));
  const store = openSqliteStore(path.join(dir, 'vigil.db'));
  try {
    const lines: string[] = [];
    assert.equal(startConfiguredKafkaPublisher(store, (l) => lines.push(l), {}), undefined);
    assert.equal(lines.length, 0);
    assert.throws(() => startConfiguredKafkaPublisher(store, (l) => lines.push(l), { VIGIL_KAFKA_BROKERS: 'nope' }), KafkaConfigError);
    const publisher = startConfiguredKafkaPublisher(store, (l) => lines.push(l), { VIGIL_KAFKA_BROKERS: '127.0.0.1:9' });
    if ('appendEvents' in store) {
      // Once the store keeps the outbox, the publisher runs.
      assert.ok(publisher);
      await publisher.stop();
    } else {
      assert.equal(publisher, undefined);
      assert.match(lines.join('\n'), /the sqlite store keeps no event outbox yet/);
    }
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
