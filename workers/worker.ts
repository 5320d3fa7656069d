// A scan worker: the scan workflow plus its activities, built from explicit dependencies.
import os from 'node:os';
import type { DataConverter, Duration } from '@temporalio/common';
import { Worker, type Logger, type NativeConnection, type State, type WorkerStatus } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import type { Store } from '../activities/store/store.js';
import { snapshotLimitsFromEnv, type SnapshotLimits } from '../activities/snapshot/limits.js';
import { ANALYSIS_ACTIVITIES, TASK_QUEUE, analysisTaskQueue } from '../workflows/definitions.js';
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
  /** Decision memory (similar past decisions); omitted, findings carry none (the caller closes it). */
  retrieval?: ActivityDeps['retrieval'];
  /** Security guidance (passages on findings, the Claude engine's search_guidance); omitted, none (the caller closes it). */
  guidance?: ActivityDeps['guidance'];
  /** Why decision memory is off, when the caller found it so (reports say it). */
  retrievalUnavailable?: string;
  logger?: Logger;
  /** Payload codecs (encryption): must match the clients' (workers/codec/data-converter.ts). */
  dataConverter?: DataConverter;
  /** How many analysis activities run at once; default VIGIL_ANALYSIS_CONCURRENCY, else the machine's cores. */
  analysisConcurrency?: number;
  /**
   * After shutdown(), how long running activities may go on to finish; past it they are cancelled, their
   * attempt fails and Temporal retries it on another worker. Default 0 (cancel at once), as the SDK's.
   */
  shutdownGraceTime?: Duration;
  /** After shutdown(), the longest the worker waits for activities that ignore cancellation (then run() throws). */
  shutdownForceTime?: Duration;
}

/**
 * A scan worker: one SDK Worker on the scan task queue (the workflow and the I/O-bound activities) and one on
 * its analysis task queue (ANALYSIS_ACTIVITIES), sharing a connection, run and shut down together.
 */
export interface ScanWorker {
  scans: Worker;
  analysis: Worker;
  /** Runs both until shutdown() or until one fails (then the other is shut down too, and the error thrown). */
  run(): Promise<void>;
  /** Runs both while `fnOrPromise` runs, then shuts them down (as Worker.runUntil). */
  runUntil<R>(fnOrPromise: Promise<R> | (() => Promise<R>)): Promise<R>;
  /** Stops polling on both; running activities get shutdownGraceTime to finish. Safe to call in any state. */
  shutdown(): void;
  /** The scan worker's state, or FAILED when either failed. */
  getState(): State;
  /** The scan worker's status, with the in-flight counts of both. */
  getStatus(): WorkerStatus;
}

/** VIGIL_ANALYSIS_CONCURRENCY, else one analysis per core (os.availableParallelism()). */
export function analysisConcurrencyFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VIGIL_ANALYSIS_CONCURRENCY;
  if (raw === undefined || raw === '') return os.availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1024) {
    throw new Error(`VIGIL_ANALYSIS_CONCURRENCY must be a whole number from 1 to 1024 (got "${raw}"); unset it to use one per core.`);
  }
  return n;
}

export async function createScanWorker(opts: ScanWorkerOptions): Promise<ScanWorker> {
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
    ...(opts.retrieval ? { retrieval: opts.retrieval } : {}),
    ...(opts.guidance ? { guidance: opts.guidance } : {}),
    ...(opts.retrievalUnavailable ? { retrievalUnavailable: opts.retrievalUnavailable } : {}),
    claude: opts.claude === null ? undefined : (opts.claude ?? claudeFromEnv()),
  });
  const analysisConcurrency = opts.analysisConcurrency ?? analysisConcurrencyFromEnv();
  const bundle = await workflowBundle();
  mark('worker.bundle');
  const taskQueue = opts.taskQueue ?? TASK_QUEUE;
  const common = {
    connection,
    namespace: opts.namespace,
    interceptors: {
      activity: [
        ...(opts.onExecute ? [executionCounter(opts.onExecute)] : []),
        ...(process.env[TIMINGS_ENV] ? [activityTimings()] : []),
      ],
    },
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...(opts.shutdownGraceTime !== undefined ? { shutdownGraceTime: opts.shutdownGraceTime } : {}),
    ...(opts.shutdownForceTime !== undefined ? { shutdownForceTime: opts.shutdownForceTime } : {}),
    // Heartbeats are how an activity learns it was cancelled, or that its workflow was terminated (the
    // server no longer knows it). The default throttle (0.8 x heartbeatTimeout, 24 s) would let a walk run
    // on that long; 1 s makes a cancelled or terminated scan stop within a couple of seconds.
    maxHeartbeatThrottleInterval: '1s',
  };
  const isAnalysis = (name: string) => (ANALYSIS_ACTIVITIES as readonly string[]).includes(name);
  const scans = await Worker.create({
    ...common,
    taskQueue,
    workflowBundle: bundle,
    // The analysis activities stay registered here too: scans started before they moved to the analysis
    // queue replay with them on this one.
    activities,
    // The analysis runs on its own queue now; two at a time keeps snapshots, clones and Claude's passes moving.
    maxConcurrentActivityTaskExecutions: 2,
  });
  const analysis = await Worker.create({
    ...common,
    taskQueue: analysisTaskQueue(taskQueue),
    activities: Object.fromEntries(Object.entries(activities).filter(([name]) => isAnalysis(name))),
    maxConcurrentActivityTaskExecutions: analysisConcurrency,
  });
  return combineWorkers(scans, analysis);
}

function combineWorkers(scans: Worker, analysis: Worker): ScanWorker {
  const both = [scans, analysis];
  const shutdown = () => {
    for (const w of both) if (w.getState() === 'RUNNING') w.shutdown();
  };
  const run = async () => {
    const results = await Promise.allSettled(
      both.map((w) =>
        w.run().catch((err: unknown) => {
          shutdown();
          throw err;
        }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return {
    scans,
    analysis,
    run,
    shutdown,
    getState: () => (analysis.getState() === 'FAILED' ? 'FAILED' : scans.getState()),
    getStatus() {
      const [s, a] = [scans.getStatus(), analysis.getStatus()];
      return {
        ...s,
        runState: analysis.getState() === 'FAILED' ? 'FAILED' : s.runState,
        numInFlightActivities: s.numInFlightActivities + a.numInFlightActivities,
        numInFlightNonLocalActivities: s.numInFlightNonLocalActivities + a.numInFlightNonLocalActivities,
        numInFlightLocalActivities: s.numInFlightLocalActivities + a.numInFlightLocalActivities,
      };
    },
    async runUntil(fnOrPromise) {
      const running = run();
      try {
        const work = typeof fnOrPromise === 'function' ? fnOrPromise() : fnOrPromise;
        return await Promise.race([
          work,
          running.then(() => {
            throw new Error('The scan worker stopped before the work it ran for finished.');
          }),
        ]);
      } finally {
        shutdown();
        await running;
      }
    },
  };
}
