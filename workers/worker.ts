// A scan worker: the scan workflow plus its activities, built from explicit dependencies.
import type { DataConverter } from '@temporalio/common';
import { Worker, type Logger, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import type { Store } from '../activities/store/store.js';
import { TASK_QUEUE } from '../workflows/definitions.js';
import { claudeFromEnv, defaultEngines } from './engines.js';
import { workflowBundle } from './workflow-bundle.js';

export interface ScanWorkerOptions {
  /** The caller's native connection (the caller closes it; see data-dir-worker.ts). */
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  store: Store;
  workDir: string;
  statCacheFile?: string;
  engines?: ActivityDeps['engines'];
  verifiers?: ActivityDeps['verifiers'];
  /** The Claude engine; omitted, it is configured from ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL when set. */
  claude?: ActivityDeps['claude'] | null;
  onExecute?: ActivityDeps['onExecute'];
  /** Where apply may write branches (see ActivityDeps.paths). */
  paths?: ActivityDeps['paths'];
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
    engines: opts.engines ?? defaults.engines,
    verifiers: opts.verifiers ?? defaults.verifiers,
    onExecute: opts.onExecute,
    ...(opts.paths ? { paths: opts.paths } : {}),
    claude: opts.claude === null ? undefined : (opts.claude ?? claudeFromEnv()),
  });
  return Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    // Reasoning is CPU-bound: one at a time per core keeps heartbeats flowing.
    maxConcurrentActivityTaskExecutions: 2,
  });
}
