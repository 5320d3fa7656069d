// The estimate workflow (`vigil scan --engine claude --estimate`): the snapshot, then the Claude engine's
// threat model and the planned passes' tokens and cost range (one activity), without research. Its own workflow
// type and ids, so it never joins or blocks a scan of the same revision.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { NON_RETRYABLE_ERRORS, type EstimateResult, type ScanInput } from './definitions.js';

type Activities = ReturnType<typeof createActivities>;

export async function scanEstimate(input: ScanInput): Promise<EstimateResult> {
  const heartbeatTimeout = `${input.tuning?.heartbeatTimeoutSeconds ?? 30}s`;
  // Rate limits and overload of the threat-model call are retried here; 4xx and bad sources are not.
  const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 12, nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS] };
  const acts = proxyActivities<Activities>({ startToCloseTimeout: '1h', heartbeatTimeout, retry });
  const ids = { scanId: input.scanId, tenant: input.tenant, repoKey: input.repoKey };
  const { workflowId, runId } = workflowInfo();
  const snap = await acts.snapshot({ ...ids, source: input.source, workflowId, runId, requestedBy: input.requestedBy });
  const e = await acts.claudeEstimate({ ...ids, snapshotId: snap.snapshotId, options: input.claude });
  return { snapshotId: snap.snapshotId, files: snap.files, bytes: snap.bytes, ...e };
}
