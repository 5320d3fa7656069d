// A long-running scan worker process: `vigil worker`, deployments, and the crash tests run this.
// It connects to TEMPORAL_ADDRESS (or the dev server of the data directory) and serves the scan task queue.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { SCAN_ROOTS_ENV } from '../activities/scan-roots.js';
import { openConfiguredStore } from '../activities/store/open-store.js';
import { loadKeyRegistry } from '../api/auth/registry.js';
import { describePathPolicy, pathPolicyFromEnv } from '../api/auth/scan-roots-config.js';
import { vigilDataDir } from '../infra/data-dir.js';
import { usePrivateUmask } from '../infra/private-files.js';
import { connectTemporal } from '../infra/temporal-connection.js';
import { TASK_QUEUE } from '../workflows/definitions.js';
import { payloadEncryptionFromEnv } from './codec/data-converter.js';
import { createJsonLogging, logFormatFromEnv } from './json-log.js';
import { createDataDirWorker } from './data-dir-worker.js';
import { startConfiguredKafkaPublisher } from './kafka-relay.js';
import { maskingLogger } from './masking-logger.js';
import type { ScanWorkerOptions } from './worker.js';

export async function runWorkerProcess(extra: Partial<ScanWorkerOptions> = {}): Promise<void> {
  usePrivateUmask();
  const level = (process.env.VIGIL_LOG_LEVEL ?? 'INFO').toUpperCase() as 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  // VIGIL_LOG_FORMAT=json: JSON lines on stderr, each line about a scan carrying its scanId.
  const jsonLogs = logFormatFromEnv() === 'json' ? createJsonLogging({ level }) : undefined;
  Runtime.install({ logger: jsonLogs?.logger ?? maskingLogger(new DefaultLogger(level)) });
  const onExecute = combine(jsonLogs?.onExecute, extra.onExecute);
  const dataDir = vigilDataDir();
  const temporal = await connectTemporal({ dataDir });
  const store = openConfiguredStore(dataDir);
  // Relays the event outbox to Kafka when VIGIL_KAFKA_BROKERS is set; a bad setting stops us here.
  const publisher = startConfiguredKafkaPublisher(store);
  // With VIGIL_SCAN_ROOTS set (as for the deployment's `vigil serve`), this worker also refuses to read or
  // write local directories outside each tenant's roots, behind the API's own check.
  let paths: ScanWorkerOptions['paths'];
  if (process.env[SCAN_ROOTS_ENV]) {
    const keys = loadKeyRegistry({ dataDir, onReloadError: (err) => console.error(`vigil worker: keys file not reloaded: ${err.message}`) });
    const policy = pathPolicyFromEnv({ env: process.env, dataDir, keysFile: keys.keysFile });
    paths = { policy, tenantRoots: (tenant) => keys.tenantRoots(tenant) };
    console.error(`vigil worker: ${describePathPolicy(policy)}`);
  }
  const { worker, close } = await createDataDirWorker({
    address: temporal.address,
    dataDir,
    namespace: temporal.namespace,
    taskQueue: process.env.VIGIL_TASK_QUEUE ?? TASK_QUEUE,
    store,
    dataConverter: payloadEncryptionFromEnv(dataDir)?.dataConverter,
    ...(paths ? { paths } : {}),
    ...extra,
    onExecute,
  });
  const stop = () => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.error(`vigil worker: serving task queue ${process.env.VIGIL_TASK_QUEUE ?? TASK_QUEUE} on ${temporal.address}`);
  try {
    await worker.run();
  } finally {
    await close();
    await publisher?.stop();
    await store.close();
    await temporal.close();
  }
}

function combine(
  ...hooks: (ScanWorkerOptions['onExecute'] | undefined)[]
): ScanWorkerOptions['onExecute'] | undefined {
  const present = hooks.filter((h): h is NonNullable<typeof h> => Boolean(h));
  return present.length ? (activity, scanId) => present.forEach((h) => h(activity, scanId)) : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runWorkerProcess().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
