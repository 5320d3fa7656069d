// Stage 1: an immutable, content-addressed snapshot of the source. Also registers the scan in the
// store, so a scan started by any client (API, CLI, Temporal UI) is known to the API.
import type { ScanSource } from '../../workflows/definitions.js';
import type { ActivityDeps } from './shared.js';
import { startHeartbeat } from '../heartbeat.js';
import { takeSnapshot } from '../snapshot/take-snapshot.js';
import { repoHash, scanEvent } from '../events/make-event.js';
import { stageCompleted, stageStarted } from '../events/scan-events.js';

export interface SnapshotStageInput {
  scanId: string;
  tenant: string;
  repoKey: string;
  source: ScanSource;
  workflowId: string;
  runId: string;
  requestedBy: string;
}

export async function snapshotStage(deps: ActivityDeps, input: SnapshotStageInput) {
  const { store } = deps;
  await store.upsertScan({
    scanId: input.scanId,
    tenant: input.tenant,
    workflowId: input.workflowId,
    runId: input.runId,
    repoKey: input.repoKey,
    source: input.source,
    requestedBy: input.requestedBy,
    createdAt: new Date().toISOString(),
  });
  await store.appendEvents([
    // The starter (API, CLI) writes scan.requested after starting the workflow; if this stage runs first, the
    // same event (same id) is written here, so it always precedes scan.started.
    scanEvent(input.tenant, input.scanId, 'dev.vigil.scan.requested.v1', {
      scanId: input.scanId,
      workflowId: input.workflowId,
      requestedBy: input.requestedBy,
      sourceKind: input.source.kind,
      repoHash: repoHash(input.repoKey),
    }),
    scanEvent(input.tenant, input.scanId, 'dev.vigil.scan.started.v1', { scanId: input.scanId, workflowId: input.workflowId, runId: input.runId }),
    stageStarted(input, 'snapshot'),
  ]);
  const hb = startHeartbeat();
  try {
    const snap = await takeSnapshot(store, {
      tenant: input.tenant,
      repoKey: input.repoKey,
      source: input.source,
      workDir: deps.workDir,
      statCacheFile: deps.statCacheFile,
      limits: deps.snapshotLimits,
      gitEnv: deps.gitEnv,
      onProgress: (p) => hb.progress({ stage: 'snapshot', ...p }),
      signal: hb.signal,
    });
    await store.appendEvents([stageCompleted(input, 'snapshot', { files: snap.files, bytes: snap.bytes, skipped: snap.skipped })]);
    // Counts and hashes only: this value is recorded in workflow history.
    return {
      snapshotId: snap.snapshotId,
      files: snap.files,
      bytes: snap.bytes,
      skipped: snap.skipped,
      commit: snap.commit,
    };
  } finally {
    hb.stop();
  }
}
