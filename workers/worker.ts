// A scan worker: the scan workflow plus its activities, built from explicit dependencies.
import type { DataConverter } from '@temporalio/common';
import { Worker, type Logger, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import type { Store } from '../activities/store/store.js';
import { snapshotLimitsFromEnv, type SnapshotLimits } from '../activities/snapshot/limits.js';
import { TASK_QUEUE } from '../workflows/definitions.js';
import { claudeFromEnv, defaultEngines } from './engines.js';
import { activityTimings } from './activity-timings.js';
import { executionCounter, type OnExecute } from './execution-count.js';
import { TIMINGS_ENV, mark } from '../infra/timings.js';
import { workflowBundle } from './workflow-bundle.js';

export interface ScanWorkerOptions {
  /** The caller's native connection (the caller closes it; see data-dir-worker.ts). */
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  store: Store;
  workDir: string;
  statCacheFile?: string;
  /** The operator's git settings (GIT_ALLOW_PROTOCOL, VIGIL_GIT_ALLOW_HOSTS) for clones; default process.env. */
  gitEnv?: ActivityDeps['gitEnv'];
  engines?: ActivityDeps['engines'];
  verifiers?: ActivityDeps['verifiers'];
  /** The Claude engine; omitted, it is configured from ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL when set. */
  claude?: ActivityDeps['claude'] | null;
  /** Called at the start of every activity execution (an interceptor); lets operators and tests count executions. */
  onExecute?: OnExecute;
  /** Snapshot limits; omitted, read from VIGIL_MAX_SNAPSHOT_FILES / _BYTES / _ENTRIES and VIGIL_MAX_FILE_BYTES. */
  snapshotLimits?: SnapshotLimits;
  /** Where apply may write branches (see ActivityDeps.paths). */
  paths?: ActivityDeps['paths'];
  /** Per-tenant event settings (decision comments in events); omitted: defaults. */
  tenantSettings?: ActivityDeps['tenantSettings'];
  logger?: Logger;
  /** Payload codecs (encryption): must match the clients' (workers/codec/data-converter.ts). */
  dataConverter?: DataConverter;
}

export async function createScanWorker(opts: ScanWorkerOptions): Promise<Worker> {
  const { connection } = opts;
  const defaults = defaultEngines();
  const activities = createActivities({
    store: opts.store,
    workDir: opts.workDir,
    statCacheFile: opts.statCacheFile,
    // Read once here, so a bad value stops the worker at start rather than failing every scan.
    snapshotLimits: opts.snapshotLimits ?? snapshotLimitsFromEnv(),
    gitEnv: opts.gitEnv,
    engines: opts.engines ?? defaults.engines,
    verifiers: opts.verifiers ?? defaults.verifiers,
    ...(opts.paths ? { paths: opts.paths } : {}),
    ...(opts.tenantSettings ? { tenantSettings: opts.tenantSettings } : {}),
    claude: opts.claude === null ? undefined : (opts.claude ?? claudeFromEnv()),
  });
  const bundle = await workflowBundle();
  mark('worker.bundle');
  return Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowBundle: bundle,
    activities,
    interceptors: {
      activity: [
        ...(opts.onExecute ? [executionCounter(opts.onExecute)] : []),
        ...(process.env[TIMINGS_ENV] ? [activityTimings()] : []),
      ],
    },
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    // Reasoning is CPU-bound: one at a time per core keeps heartbeats flowing.
    maxConcurrentActivityTaskExecutions: 2,
    // Heartbeats are how an activity learns it was cancelled, or that its workflow was terminated (the
    // server no longer knows it). The default throttle (0.8 x heartbeatTimeout, 24 s) would let a walk run
    // on that long; 1 s makes a cancelled or terminated scan stop within a couple of seconds.
    maxHeartbeatThrottleInterval: '1s',
  });
}
