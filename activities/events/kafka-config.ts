// The Kafka publisher's settings from the environment. VIGIL_KAFKA_BROKERS turns it on; the rest refine it.
// Checked with zod so a mistake stops the worker at start with every problem named — and the password never
// appears in a message.
import { z } from 'zod';

export const DEFAULT_KAFKA_TOPIC = 'vigil.scan-events';
/**
 * The largest record (key + value + headers) the publisher produces. Kafka's default `message.max.bytes` is
 * 1 MiB + 12 bytes per batch; staying a little under keeps one record per batch always acceptable.
 */
export const DEFAULT_KAFKA_MAX_MESSAGE_BYTES = 1_000_000;

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type KafkaSaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaPublisherConfig {
  brokers: string[];
  topic: string;
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  tls: boolean;
  maxMessageBytes: number;
  clientId: string;
}

/** A bad VIGIL_KAFKA_* setting: the worker does not start until it is fixed. */
export class KafkaConfigError extends Error {
  override name = 'KafkaConfigError';
}

const hostPort = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const schema = z
  .object({
    VIGIL_KAFKA_BROKERS: z
      .string()
      .transform((v) => v.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(
        z
          .array(z.string().regex(hostPort, { message: 'each broker must be host:port (e.g. kafka-1.internal:9092)' }).refine((b) => Number(b.slice(b.lastIndexOf(':') + 1)) <= 65535, { message: 'port must be at most 65535' }))
          .min(1, { message: 'name at least one broker as host:port' }),
      ),
    // Kafka's rule for topic names: 1-249 of letters, digits, '.', '_' and '-'.
    VIGIL_KAFKA_TOPIC: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,249}$/, { message: "a topic name is 1-249 of letters, digits, '.', '_' and '-'" })
      .optional(),
    VIGIL_KAFKA_SASL_MECHANISM: z
      .string()
      .transform((v) => v.trim().toUpperCase())
      .pipe(z.enum(SASL_MECHANISMS, { message: `use one of ${SASL_MECHANISMS.join(', ')}` }))
      .optional(),
    VIGIL_KAFKA_USERNAME: z.string().min(1).optional(),
    // Never echoed: the message says only that it is missing.
    VIGIL_KAFKA_PASSWORD: z.string().min(1, { message: 'must not be empty' }).optional(),
    VIGIL_KAFKA_TLS: z.string().transform((v) => v.trim().toLowerCase()).pipe(flag).optional(),
    VIGIL_KAFKA_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1_024).max(100 * 1024 * 1024).optional(),
    VIGIL_KAFKA_CLIENT_ID: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
  })
  .superRefine((v, ctx) => {
    const mechanism = v.VIGIL_KAFKA_SASL_MECHANISM;
    if (mechanism && !v.VIGIL_KAFKA_USERNAME) ctx.addIssue({ code: 'custom', path: ['VIGIL_KAFKA_USERNAME'], message: `is required with VIGIL_KAFKA_SASL_MECHANISM=${mechanism}` });
    if (mechanism && !v.VIGIL_KAFKA_PASSWORD) ctx.addIssue({ code: 'custom', path: ['VIGIL_KAFKA_PASSWORD'], message: `is required with VIGIL_KAFKA_SASL_MECHANISM=${mechanism}` });
    if (!mechanism && (v.VIGIL_KAFKA_USERNAME || v.VIGIL_KAFKA_PASSWORD)) {
      ctx.addIssue({ code: 'custom', path: ['VIGIL_KAFKA_SASL_MECHANISM'], message: 'is required when VIGIL_KAFKA_USERNAME or VIGIL_KAFKA_PASSWORD is set (PLAIN for WarpStream)' });
    }
  });

/** The publisher's settings, or undefined when VIGIL_KAFKA_BROKERS is unset (events stay in the outbox and the events API). */
export function kafkaConfigFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaPublisherConfig | undefined {
  if (!env.VIGIL_KAFKA_BROKERS?.trim()) {
    const stray = Object.keys(env).filter((k) => k.startsWith('VIGIL_KAFKA_') && k !== 'VIGIL_KAFKA_BROKERS' && env[k]);
    if (stray.length) throw new KafkaConfigError(`${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set but VIGIL_KAFKA_BROKERS is not; set it (host:port[,host:port...]) to publish events to Kafka, or unset the others.`);
    return undefined;
  }
  const picked = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('VIGIL_KAFKA_') && v !== undefined));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0] ?? 'VIGIL_KAFKA_*')} ${i.message}`);
    throw new KafkaConfigError(`Kafka settings are invalid: ${problems.join('; ')}.`);
  }
  const v = parsed.data;
  return {
    brokers: v.VIGIL_KAFKA_BROKERS,
    topic: v.VIGIL_KAFKA_TOPIC ?? DEFAULT_KAFKA_TOPIC,
    ...(v.VIGIL_KAFKA_SASL_MECHANISM
      ? { sasl: { mechanism: v.VIGIL_KAFKA_SASL_MECHANISM, username: v.VIGIL_KAFKA_USERNAME!, password: v.VIGIL_KAFKA_PASSWORD! } }
      : {}),
    tls: v.VIGIL_KAFKA_TLS ?? false,
    maxMessageBytes: v.VIGIL_KAFKA_MAX_MESSAGE_BYTES ?? DEFAULT_KAFKA_MAX_MESSAGE_BYTES,
    clientId: v.VIGIL_KAFKA_CLIENT_ID ?? 'vigil-publisher',
  };
}

/** The settings for a log line: brokers, topic, mechanism and user — no password. */
export function describeKafkaConfig(c: KafkaPublisherConfig): string {
  const auth = c.sasl ? `SASL/${c.sasl.mechanism} as ${c.sasl.username}` : 'no SASL';
  return `brokers ${c.brokers.join(',')}, topic ${c.topic}, ${auth}, ${c.tls ? 'TLS' : 'no TLS'}`;
}
