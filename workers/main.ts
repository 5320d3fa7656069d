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
import { TASK_QUEUE, analysisTaskQueue } from '../workflows/definitions.js';
import { payloadEncryptionFromEnv } from './codec/data-converter.js';
import { createJsonLogging, logFormatFromEnv } from './json-log.js';
import { createDataDirWorker } from './data-dir-worker.js';
import { startConfiguredKafkaPublisher } from './kafka-relay.js';
import { maskingLogger } from './masking-logger.js';
import { analysisConcurrencyFromEnv, type ScanWorkerOptions } from './worker.js';

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
  const graceSeconds = shutdownGraceFromEnv();
  const analysisConcurrency = extra.analysisConcurrency ?? analysisConcurrencyFromEnv();
  const { worker, close } = await createDataDirWorker({
    address: temporal.address,
    dataDir,
    namespace: temporal.namespace,
    taskQueue: process.env.VIGIL_TASK_QUEUE ?? TASK_QUEUE,
    store,
    dataConverter: payloadEncryptionFromEnv(dataDir)?.dataConverter,
    ...(paths ? { paths } : {}),
    analysisConcurrency,
    shutdownGraceTime: graceSeconds * 1000,
    // An activity that ignores cancellation must not hold the process past the orchestrator's own deadline.
    shutdownForceTime: (graceSeconds + 15) * 1000,
    relayEvents: true,
    ...extra,
    onExecute,
  });
  // SIGTERM (a deployment scaling down or rolling) stops polling at once; running activities get the grace
  // period to finish, then are cancelled: their attempt fails and Temporal retries it on another worker.
  const stop = (signal: NodeJS.Signals) => {
    const running = worker.getStatus().numInFlightActivities;
    console.error(`vigil worker: ${signal}: no new tasks; ${running} running activit${running === 1 ? 'y gets' : 'ies get'} up to ${graceSeconds} s to finish before being handed back`);
    worker.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const queue = process.env.VIGIL_TASK_QUEUE ?? TASK_QUEUE;
  console.error(`vigil worker: serving task queues ${queue} and ${analysisTaskQueue(queue)} (${analysisConcurrency} analyses at once) on ${temporal.address}`);
  try {
    await worker.run();
  } finally {
    await close();
    await publisher?.stop();
    await store.close();
    await temporal.close();
  }
}

/** VIGIL_SHUTDOWN_GRACE_SECONDS (default 30): how long running activities may finish after SIGTERM. */
export function shutdownGraceFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VIGIL_SHUTDOWN_GRACE_SECONDS;
  if (raw === undefined || raw === '') return 30;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 3600) {
    throw new Error(`VIGIL_SHUTDOWN_GRACE_SECONDS must be a number of seconds from 0 to 3600 (got "${raw}"); keep it below the orchestrator's grace period.`);
  }
  return n;
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
