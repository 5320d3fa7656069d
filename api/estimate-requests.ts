// `"estimate": true` / `vigil scan --estimate`: run the estimate workflow (snapshot, threat model, the planned passes'
// tokens and cost) and answer with the estimate. It has its own workflow type and ids, so it neither joins nor blocks
// a scan of the same revision, and it waits for the answer, bounded: a worker that never picks it up is a 503.
import type { Client } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import type { ScanEstimate } from '../activities/engines/claude/estimate.js';
import type { Store } from '../activities/store/store.js';
import { estimateWorkflowType, type EstimateResult, type ScanInput } from '../workflows/definitions.js';
import { ApiError } from './http-errors.js';
import type { Requester, ResolvedSource } from './scan-requests.js';

export interface EstimateStarterDeps {
  client: Client;
  store: Store;
  taskQueue: string;
  /** How long to wait for the estimate (default VIGIL_ESTIMATE_TIMEOUT_MS, else 5 minutes). */
  timeoutMs?: number;
}

export interface EstimateAnswer {
  estimateId: string;
  workflowId: string;
  snapshot: { files: number; bytes: number };
  estimate: ScanEstimate;
}

/** The failure's own type and message, without the SDK's wrapping ("Activity task failed"). */
function rootFailure(err: unknown): { type?: string; message: string } {
  let e = err as { cause?: unknown; type?: string; message?: string } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return { type: e?.type, message: e?.message ?? String(err) };
}

export async function runEstimate(
  deps: EstimateStarterDeps,
  requester: Requester,
  resolved: ResolvedSource,
  claude: ScanInput['claude'],
): Promise<EstimateAnswer> {
  const estimateId = `est_${randomBytes(10).toString('hex')}`;
  const workflowId = `vigil-estimate-${requester.tenant}-${estimateId}`;
  const input: ScanInput = {
    scanId: estimateId,
    tenant: requester.tenant,
    repoKey: resolved.repoKey,
    source: resolved.source,
    engine: 'claude',
    requestedBy: requester.name,
    ...(claude ? { claude } : {}),
  };
  const timeoutMs = deps.timeoutMs ?? (Number(process.env.VIGIL_ESTIMATE_TIMEOUT_MS) || 5 * 60_000);
  const handle = await deps.client.workflow.start(estimateWorkflowType, {
    taskQueue: deps.taskQueue,
    workflowId,
    args: [input],
    // The whole estimate is bounded: nothing keeps running once the caller stopped waiting.
    workflowExecutionTimeout: `${timeoutMs}ms`,
    memo: { estimateId, tenant: requester.tenant, repoKey: resolved.repoKey, requestedBy: requester.name },
  });
  let result: EstimateResult;
  try {
    result = await handle.result();
  } catch (err) {
    const root = rootFailure(err);
    if (root.type === 'EngineConfigError') throw new ApiError(422, 'engine_not_configured', root.message);
    if (/timed out|TIMED_OUT/i.test(String((err as Error)?.message)) || /timeout/i.test(root.message)) {
      throw new ApiError(503, 'estimate_timeout', `No estimate within ${Math.round(timeoutMs / 1000)} s: is a worker with the Claude engine running? Retry later.`, undefined, {
        'Retry-After': '30',
      });
    }
    throw new ApiError(422, 'estimate_failed', `The estimate failed: ${root.message}`, root.type ? { type: root.type } : undefined);
  }
  const estimate = await deps.store.getArtifact(requester.tenant, estimateId, 'claude:estimate');
  if (!estimate) throw new ApiError(422, 'estimate_failed', `Estimate ${estimateId} finished without its result; retry.`);
  return { estimateId, workflowId, snapshot: { files: result.files, bytes: result.bytes }, estimate };
}
