// A publishing process for the crash test in kafka.test.ts: relays the outbox at argv[2] to the broker at
// argv[3] (topic argv[4]), and after the broker acknowledges its first batch, says so on stdout and waits
// there — before the cursor moves — for the test to SIGKILL it.
import { createKafkaPublisher } from '../../activities/events/kafka-publisher.js';
import { kafkaConfigFromEnv } from '../../activities/events/kafka-config.js';
import { openSqliteOutbox } from '../helpers/sqlite-outbox.js';

const [file, brokers, topic] = process.argv.slice(2);
const outbox = openSqliteOutbox(file!);
const config = kafkaConfigFromEnv({ VIGIL_KAFKA_BROKERS: brokers, VIGIL_KAFKA_TOPIC: topic })!;
const publisher = createKafkaPublisher(outbox, config, {
  batchSize: 50,
  log: (level, message) => process.stderr.write(`${level}: ${message}\n`),
  afterProduce: async (records) => {
    process.stdout.write(`produced ${records[0]!.seq}-${records.at(-1)!.seq}\n`);
    setInterval(() => {}, 60_000);
    await new Promise(() => {}); // the cursor never moves: the test kills us here
  },
});
publisher.start();
