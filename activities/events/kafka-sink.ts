// The Kafka-specific half of the publisher: connect (SASL, TLS), make sure the topic exists, produce a batch
// of CloudEvents with an idempotent producer, and turn the client's errors into a few typed ones the relay
// loop acts on. The loop itself (outbox cursor, retries, dead letters) knows nothing of Kafka.
//
// Each event becomes one record: key = the scan id (CloudEvents `subject`), so one scan's events land on one
// partition in order; value = the event in CloudEvents' structured JSON mode, with the content-type header
// `application/cloudevents+json` (the CloudEvents Kafka binding).
import type { CloudEvent } from './cloud-event.js';
import { Admin, ProduceAcks, Producer, type MessageToProduce } from './kafka-client.js';
import type { KafkaPublisherConfig } from './kafka-config.js';

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';
/** Record-batch framing and per-record overhead Kafka adds around key, value and headers (generous). */
const RECORD_OVERHEAD_BYTES = 128;

/** An event that can never be delivered (bigger than the producer's limit). The relay dead-letters it instead of retrying. */
export class KafkaEventTooLargeError extends Error {
  override name = 'KafkaEventTooLargeError';
  readonly undeliverable = true;
  constructor(
    readonly eventId: string | undefined,
    readonly bytes: number | undefined,
    readonly limit: number,
    detail?: string,
  ) {
    super(
      eventId
        ? `Event ${eventId} is ${bytes} bytes as a Kafka record, over the ${limit}-byte limit (VIGIL_KAFKA_MAX_MESSAGE_BYTES); it is not sent and not truncated.`
        : `The broker refused a batch as too large${detail ? ` (${detail})` : ''}; its message.max.bytes is below VIGIL_KAFKA_MAX_MESSAGE_BYTES (${limit}). Lower the setting or raise the topic's max.message.bytes.`,
    );
  }
}

/** The topic does not exist and this client may not (or cannot) create it. Events wait until it exists. */
export class KafkaTopicUnavailableError extends Error {
  override name = 'KafkaTopicUnavailableError';
  constructor(readonly topic: string, reason: string) {
    super(`Kafka topic "${topic}" does not exist and could not be created (${reason}). Create it (or grant this user CREATE on it), or set VIGIL_KAFKA_TOPIC to one that exists; events wait in the outbox meanwhile.`);
  }
}

/** The broker refused the credentials or the user's rights. Events wait until the settings are fixed. */
export class KafkaAuthError extends Error {
  override name = 'KafkaAuthError';
  constructor(reason: string) {
    super(`Kafka refused this client (${reason}). Check VIGIL_KAFKA_SASL_MECHANISM, VIGIL_KAFKA_USERNAME, VIGIL_KAFKA_PASSWORD and the user's ACLs (WRITE and DESCRIBE on the topic).`);
  }
}

/** No broker answered (down, unreachable, wrong address or TLS mismatch). Retried with backoff. */
export class KafkaUnreachableError extends Error {
  override name = 'KafkaUnreachableError';
  constructor(brokers: string[], reason: string) {
    super(`Kafka at ${brokers.join(',')} is unreachable (${reason}); events wait in the outbox and are sent when it answers.`);
  }
}

export interface KafkaSink {
  readonly topic: string;
  /** The error to dead-letter this event with when it can never be sent; undefined when it can. */
  refuse(event: CloudEvent): KafkaEventTooLargeError | undefined;
  /** Produces the events in order (acks=all, idempotent); resolves once the broker has them. Throws a typed error. */
  send(events: CloudEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** The record for an event: key scan id, value the structured-mode CloudEvent. */
export function eventRecord(topic: string, event: CloudEvent): MessageToProduce<Buffer, Buffer, Buffer, Buffer> {
  return {
    topic,
    key: Buffer.from(event.subject),
    value: Buffer.from(JSON.stringify(event)),
    headers: new Map([[Buffer.from('content-type'), Buffer.from(CLOUDEVENTS_CONTENT_TYPE)]]),
  };
}

function recordBytes(r: MessageToProduce<Buffer, Buffer, Buffer, Buffer>): number {
  let bytes = RECORD_OVERHEAD_BYTES + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const [k, v] of r.headers as Map<Buffer, Buffer>) bytes += k.length + v.length;
  return bytes;
}

export function createKafkaSink(config: KafkaPublisherConfig): KafkaSink {
  const connection = {
    clientId: config.clientId,
    bootstrapBrokers: config.brokers,
    connectTimeout: 5_000,
    timeout: 15_000,
    ...(config.sasl ? { sasl: { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } } : {}),
    ...(config.tls ? { tls: {} } : {}),
  };
  let producer: Producer<Buffer, Buffer, Buffer, Buffer> | undefined;
  let topicReady = false;

  const ensureTopic = async (): Promise<void> => {
    if (topicReady) return;
    const admin = new Admin({ ...connection, retries: 1, retryDelay: 250 });
    try {
      try {
        await admin.metadata({ topics: [config.topic], autocreateTopics: false });
        topicReady = true;
        return;
      } catch (err) {
        if (!isUnknownTopic(err)) throw err;
      }
      try {
        // Partitions and replication from the broker's defaults: the operator's choice, not ours.
        await admin.createTopics({ topics: [config.topic], partitions: -1, replicas: -1 });
      } catch (err) {
        const ids = protocolErrorIds(err);
        if (!ids.has('TOPIC_ALREADY_EXISTS')) {
          if (ids.size) throw new KafkaTopicUnavailableError(config.topic, [...ids].join(', '));
          throw err;
        }
      }
      topicReady = true;
    } catch (err) {
      throw classifyKafkaError(err, config);
    } finally {
      await admin.close().catch(() => {});
    }
  };

  const reset = async (): Promise<void> => {
    const p = producer;
    producer = undefined;
    await p?.close(true).catch(() => {});
  };

  return {
    topic: config.topic,
    refuse(event) {
      const bytes = recordBytes(eventRecord(config.topic, event));
      return bytes > config.maxMessageBytes ? new KafkaEventTooLargeError(event.id, bytes, config.maxMessageBytes) : undefined;
    },
    async send(events) {
      if (!events.length) return;
      await ensureTopic();
      producer ??= new Producer<Buffer, Buffer, Buffer, Buffer>({
        ...connection,
        idempotent: true,
        acks: ProduceAcks.ALL,
        autocreateTopics: false,
        retries: 2,
        retryDelay: 250,
      });
      try {
        await producer.send({ messages: events.map((e) => eventRecord(config.topic, e)) });
      } catch (err) {
        // A fresh producer (new producer id, fresh metadata and connections) for the next attempt: after an
        // outage the old one's state is stale, and the relay re-sends the whole batch anyway.
        await reset();
        const typed = classifyKafkaError(err, config);
        if (typed instanceof KafkaTopicUnavailableError) topicReady = false;
        throw typed;
      }
    },
    async close() {
      await reset();
    },
  };
}

/** The client's error as one of the typed errors above; anything else is returned as it is (and retried). */
export function classifyKafkaError(err: unknown, config: KafkaPublisherConfig): Error {
  if (err instanceof KafkaTopicUnavailableError || err instanceof KafkaAuthError || err instanceof KafkaEventTooLargeError || err instanceof KafkaUnreachableError) return err;
  const ids = protocolErrorIds(err);
  if (ids.has('MESSAGE_TOO_LARGE') || ids.has('RECORD_LIST_TOO_LARGE')) return new KafkaEventTooLargeError(undefined, undefined, config.maxMessageBytes, [...ids].join(', '));
  if (ids.has('TOPIC_AUTHORIZATION_FAILED') || isUnknownTopic(err)) {
    return new KafkaTopicUnavailableError(config.topic, ids.has('TOPIC_AUTHORIZATION_FAILED') ? 'not authorized for this topic' : 'unknown topic');
  }
  if (ids.has('SASL_AUTHENTICATION_FAILED') || ids.has('CLUSTER_AUTHORIZATION_FAILED') || ids.has('UNSUPPORTED_SASL_MECHANISM') || hasCode(err, 'PLT_KFK_AUTHENTICATION')) {
    return new KafkaAuthError([...ids].join(', ') || 'authentication failed');
  }
  if (hasCode(err, 'PLT_KFK_NETWORK') || hasCode(err, 'PLT_KFK_TIMEOUT')) return new KafkaUnreachableError(config.brokers, firstMessage(err));
  return err instanceof Error ? err : new Error(String(err));
}

/** The broker does not know the topic (the client reports that as a plain "Unknown topic" error). */
export function isUnknownTopic(err: unknown): boolean {
  if (protocolErrorIds(err).has('UNKNOWN_TOPIC_OR_PARTITION')) return true;
  return hasCode(err, 'PLT_KFK_USER') && /^Unknown topic /.test((err as Error).message ?? '');
}

/** Kafka protocol error names (e.g. MESSAGE_TOO_LARGE) anywhere in an error, its `errors` and its causes. */
function protocolErrorIds(err: unknown, seen = new Set<unknown>(), ids = new Set<string>()): Set<string> {
  if (!err || typeof err !== 'object' || seen.has(err)) return ids;
  seen.add(err);
  const e = err as { apiId?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.apiId === 'string') ids.add(e.apiId);
  if (Array.isArray(e.errors)) for (const inner of e.errors) protocolErrorIds(inner, seen, ids);
  protocolErrorIds(e.cause, seen, ids);
  return ids;
}

function hasCode(err: unknown, code: string, seen = new Set<unknown>()): boolean {
  if (!err || typeof err !== 'object' || seen.has(err)) return false;
  seen.add(err);
  const e = err as { code?: unknown; errors?: unknown; cause?: unknown };
  if (e.code === code) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => hasCode(inner, code, seen))) return true;
  return hasCode(e.cause, code, seen);
}

/** The innermost useful message (the client wraps network errors several levels deep). */
function firstMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown; errors?: unknown[] } | undefined;
  let message = e?.message ?? String(err);
  for (let depth = 0; e && depth < 6; depth++) {
    const next = (e.cause ?? e.errors?.[0]) as typeof e;
    if (next?.message) message = next.message;
    e = next;
  }
  return message;
}
