// Starts the Kafka publisher beside a worker when VIGIL_KAFKA_BROKERS is set (`vigil worker`, `vigil serve`).
// It relays the store's event outbox (every Store keeps one) in the background; a broker that is away is logged and retried, never a
// reason for scans to stop. A bad VIGIL_KAFKA_* setting stops the process at start (KafkaConfigError).
import { kafkaConfigFromEnv } from '../activities/events/kafka-config.js';
import { createKafkaPublisher, type KafkaPublisher } from '../activities/events/kafka-publisher.js';
import type { Store } from '../activities/store/store.js';

export function startConfiguredKafkaPublisher(
  store: Store,
  log: (line: string) => void = (line) => console.error(line),
  env: NodeJS.ProcessEnv = process.env,
): KafkaPublisher | undefined {
  const config = kafkaConfigFromEnv(env);
  if (!config) return undefined;
  const publisher = createKafkaPublisher(store, config, { log: (level, message) => log(`vigil kafka-publisher ${level}: ${message}`) });
  publisher.start();
  return publisher;
}
