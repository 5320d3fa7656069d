// The CLI without a running `vigil serve`: it uses the data directory's Temporal dev server (starting it
// when needed, stopping it afterwards if it started it) and runs a scan worker in this process while
// the command lasts. Scan state is durable in the dev server's DB file, so `vigil decide` later resumes it.
// Start-up order: the dev server is spawned first; the worker's modules (the SDK's worker, every stage and
// engine) load while it boots, since a cold server takes about as long to answer as they take to load.
import type { Client } from '@temporalio/client';
import { userInfo } from 'node:os';
import { findingsView } from '../../activities/findings-view.js';
import { vigilDataDir } from '../../infra/data-dir.js';
import { mark } from '../../infra/timings.js';
import { connectTemporal, temporalUiWorkflowUrl } from '../../infra/temporal-connection.js';
import { payloadEncryptionFromEnv } from '../../workers/codec/data-converter.js';
import { TASK_QUEUE, decideManyUpdate, decideUpdate, statusQuery, type ScanStatus } from '../../workflows/definitions.js';
import { decisionOutcome, selectFindings } from '../../workflows/finding-selection.js';
import { chainHandle, chainHistories, currentRun, updateAcrossRuns } from '../scan-run.js';
import type { JsonLogging } from '../../workers/json-log.js';
import type { Backend } from './backend.js';
import { CliError } from './cli-error.js';

/** The modules a local backend needs beyond its connection: loaded while the dev server boots. */
async function loadModules() {
  const [client, worker, jsonLog, masking, dataDirWorker, scanRequests, progress, openStore] = await Promise.all([
    import('@temporalio/client'),
    import('@temporalio/worker'),
    import('../../workers/json-log.js'),
    import('../../workers/masking-logger.js'),
    import('../../workers/data-dir-worker.js'),
    import('../scan-requests.js'),
    import('../stage-progress.js'),
    import('../../activities/store/open-store.js'), // brings the Turbopuffer SDK, whichever store is configured
  ]);
  mark('cli.worker-modules-loaded');
  return {
    Client: client.Client,
    ApplicationFailure: client.ApplicationFailure,
    WorkflowUpdateFailedError: client.WorkflowUpdateFailedError,
    DefaultLogger: worker.DefaultLogger,
    Runtime: worker.Runtime,
    createJsonLogging: jsonLog.createJsonLogging,
    logFormatFromEnv: jsonLog.logFormatFromEnv,
    maskingLogger: masking.maskingLogger,
    createDataDirWorker: dataDirWorker.createDataDirWorker,
    resolveSource: scanRequests.resolveSource,
    startScan: scanRequests.startScan,
    stageProgress: progress.stageProgress,
    openConfiguredStore: openStore.openConfiguredStore,
  };
}

let runtimeQuieted = false;
let jsonLogs: JsonLogging | undefined;

export async function createLocalBackend(opts: { log: (line: string) => void }): Promise<Backend> {
  const dataDir = vigilDataDir();
  let loading: ReturnType<typeof loadModules> | undefined;
  const startLoading = () => {
    loading ??= loadModules();
    loading.catch(() => {}); // awaited below; a failure is reported there, not as an unhandled rejection
    return loading;
  };
  const temporal = await connectTemporal({ dataDir, log: opts.log, onServerSpawned: startLoading });
  mark('temporal.connected');
  let m: Awaited<ReturnType<typeof loadModules>>;
  try {
    m = await startLoading();
  } catch (err) {
    await temporal.close();
    throw err;
  }
  const { Client, DefaultLogger, Runtime, createJsonLogging, logFormatFromEnv, maskingLogger, createDataDirWorker } = m;
  const { resolveSource, startScan, stageProgress, openConfiguredStore, ApplicationFailure, WorkflowUpdateFailedError } = m;
  if (!runtimeQuieted) {
    // The worker's own logs would drown the CLI's output; warnings and errors still show.
    // VIGIL_LOG_FORMAT=json: the in-process worker logs JSON lines (with scanId) like `vigil worker` does.
    jsonLogs = logFormatFromEnv() === 'json' ? createJsonLogging({ level: process.env.VIGIL_DEBUG ? 'DEBUG' : 'INFO' }) : undefined;
    Runtime.install({ logger: jsonLogs?.logger ?? maskingLogger(new DefaultLogger(process.env.VIGIL_DEBUG ? 'DEBUG' : 'WARN')) });
    runtimeQuieted = true;
  }
  const tenant = process.env.VIGIL_TENANT ?? 'default';
  const actor = `cli:${userInfo().username}`;
  const dataConverter = payloadEncryptionFromEnv(dataDir)?.dataConverter;
  const client: Client = new Client({ connection: temporal.connection, namespace: temporal.namespace, dataConverter });
  const store = openConfiguredStore(dataDir);
  // The worker starts on first need: reading history or findings does not need one.
  let worker: { running: Promise<void>; close(): Promise<void> } | undefined;
  async function ensureWorker() {
    if (worker) return;
    const w = await createDataDirWorker({
      ...(jsonLogs ? { onExecute: jsonLogs.onExecute } : {}),
      address: temporal.address,
      dataDir,
      namespace: temporal.namespace,
      store,
      dataConverter,
    });
    const running = w.worker.run();
    mark('worker.running');
    worker = { running, close: () => w.close(running) };
  }

  async function scanFor(scanId: string) {
    const scan = await store.getScan(tenant, scanId);
    if (!scan) throw new CliError(`No scan ${scanId} for tenant ${tenant}; use the id \`vigil scan\` printed, or list scans with GET /v1/scans.`);
    return scan;
  }
  // The run that holds the scan now (it continues as new before Temporal's limits).
  async function handleFor(scanId: string) {
    return currentRun(client, await scanFor(scanId));
  }
  /** A workflow's refusal (e.g. a finding decided the other way) as the CLI's error. */
  function refusal(err: unknown): unknown {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return new CliError(err.cause.message);
    return err;
  }

  return {
    mode: 'local',
    async startScan(source, engine, claude) {
      const resolved = await resolveSource(source); // a bad source fails here, before any worker starts
      await ensureWorker();
      const r = await startScan({ client, store, taskQueue: TASK_QUEUE }, { tenant, name: actor }, resolved, engine, claude);
      mark('scan.started');
      return { scanId: r.scanId, deduplicated: r.deduplicated, workflowId: r.workflowId };
    },
    async estimate(source, claude) {
      const resolved = await resolveSource(source);
      // Loaded only here: it brings the API's error type (Hono), which a scan never needs.
      const { runEstimate } = await import('../estimate-requests.js');
      await ensureWorker();
      try {
        return await runEstimate({ client, store, taskQueue: TASK_QUEUE }, { tenant, name: actor }, resolved, claude);
      } catch (err) {
        // The API's typed refusals (engine not configured, estimate failed) are the CLI's errors here.
        const e = err as { code?: string; message?: string };
        if (e?.code && e.message) throw new CliError(e.message, e.code);
        throw err;
      }
    },
    async status(scanId): Promise<ScanStatus | undefined> {
      try {
        await ensureWorker(); // queries are answered by a worker
        return await (await handleFor(scanId)).query(statusQuery);
      } catch (err) {
        if (err instanceof CliError) throw err;
        return undefined;
      }
    },
    async findings(scanId) {
      // The same view as the API's (decisions of this scan overlaid), from the store alone.
      return (await findingsView(store, { tenant, scanId })) ?? [];
    },
    async decide(scanId, findingId, decision, comment) {
      const handle = chainHandle(client, await scanFor(scanId));
      await ensureWorker();
      return updateAcrossRuns(() =>
        handle.executeUpdate(decideUpdate, {
          args: [{ findingId, decision, comment, actor, tenant, roles: ['scanner', 'approver', 'operator'] }],
        }),
      );
    },
    async decideMany(scanId, selection, decision, opts) {
      const scan = await scanFor(scanId);
      await ensureWorker();
      if (opts.dryRun) {
        // The same view and selection as the API's dry run: stored findings with the live statuses on top.
        const view = await findingsView(store, scan, async () => (await (await handleFor(scanId)).query(statusQuery)).findings);
        if (!view) throw new CliError(`Scan ${scanId} has no findings yet: they exist once it has been scored.`);
        const chosen = selectFindings(view.map((f) => ({ ...f, file: f.location.file })), selection);
        if (!chosen.ok) throw new CliError(chosen.message);
        if (chosen.findings.length === 0) throw new CliError('No finding of this scan matches the filter.');
        return { ...decisionOutcome(chosen.findings, decision), dryRun: true };
      }
      const handle = chainHandle(client, scan);
      const input = { ...selection, decision, actor, tenant, roles: ['scanner', 'approver', 'operator'] as const, ...(opts.comment !== undefined ? { comment: opts.comment } : {}) };
      try {
        const r = await updateAcrossRuns(() => handle.executeUpdate(decideManyUpdate, { args: [{ ...input, roles: [...input.roles] }] }));
        return { ...r, dryRun: false };
      } catch (err) {
        throw refusal(err);
      }
    },
    async progress(scanId) {
      return stageProgress(client, await handleFor(scanId)).catch(() => []);
    },
    async history(scanId) {
      const { chainEvents } = await import('../routes/history.js'); // an API router (Hono): only `vigil history` needs it
      return chainEvents(await chainHistories(client, await scanFor(scanId)));
    },
    async links(scanId): Promise<Record<string, string>> {
      const scan = await store.getScan(tenant, scanId);
      if (!scan || !temporal.uiUrl) return {};
      return { temporalUi: temporalUiWorkflowUrl(temporal.uiUrl, temporal.namespace, scan.workflowId, scan.runId) };
    },
    async deleteTenant({ confirm, cancelRunning }) {
      if (confirm !== tenant) {
        throw new CliError(`--confirm must name the tenant whose data is deleted, "${tenant}" (VIGIL_TENANT); nothing was deleted.`);
      }
      // Loaded only here: tenant deletion is rare, and its modules bring the vector store.
      const [{ deleteTenantData, TenantHasOpenScansError }, { openConfiguredVectorStore }] = await Promise.all([
        import('../tenant-deletion.js'),
        import('../../activities/retrieval/open-vector-store.js'),
      ]);
      if (cancelRunning) await ensureWorker(); // a worker runs the cancelled workflows to their end
      const vectors = openConfiguredVectorStore(dataDir);
      try {
        return await deleteTenantData({ temporal: client, store, vectors }, { tenant, requestedBy: actor, cancelRunning });
      } catch (err) {
        if (err instanceof TenantHasOpenScansError) throw new CliError(err.message, 'scans_open');
        throw err;
      } finally {
        await vectors.close();
      }
    },
    async close() {
      await worker?.close();
      mark('worker.stopped');
      await store.close();
      await temporal.close();
      mark('temporal.closed');
    },
  };
}
