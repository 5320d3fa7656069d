// /v1/scans/:id/findings: what the scan found, and people's decisions on it (sent to the workflow as updates).
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { Hono } from 'hono';
import { checkWriteTarget } from '../../activities/apply/write-target.js';
import { findingsView } from '../../activities/findings-view.js';
import { effectiveRoots, refusalMessage } from '../../activities/scan-roots.js';
import {
  DECISION_REFUSALS,
  decideManyUpdate,
  decideUpdate,
  type BulkDecisionInput,
  type BulkDecisionResult,
  type DecisionInput,
  type ScanSource,
} from '../../workflows/definitions.js';
import { decisionOutcome, selectFindings } from '../../workflows/finding-selection.js';
import { updateAcrossRuns } from '../scan-run.js';
import type { ScanRecord } from '../../activities/store/store.js';
import type { AppEnv, Services } from '../env.js';
import type { Principal } from '../auth/registry.js';
import { requireRole } from '../auth/middleware.js';
import { ApiError, RETRY_AFTER_SECONDS } from '../http-errors.js';
import { loadScan, queryLiveStatus, scanChainHandle, scanHandle } from './scan-access.js';
import { bulkDecisionBodySchema, decisionBodySchema, findingParamsSchema, findingsQuerySchema, scanParamsSchema } from './schemas.js';
import { requireJson, validate } from './validate.js';

function decisionError(err: unknown, scanId: string, timeoutMs: number): unknown {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    switch (failure.type) {
      case DECISION_REFUSALS.findingNotFound:
        return new ApiError(404, 'not_found', `${failure.message} List them with GET /v1/scans/${scanId}/findings.`);
      case DECISION_REFUSALS.alreadyDecided:
        return new ApiError(409, 'already_decided', `${failure.message} A decision cannot be reversed within a scan.`, {
          existing: failure.details?.[0],
        });
      case DECISION_REFUSALS.forbidden:
        return new ApiError(403, 'forbidden', failure.message);
      case DECISION_REFUSALS.noMatch:
        return new ApiError(422, 'no_match', `${failure.message} List the findings with GET /v1/scans/${scanId}/findings.`);
      case DECISION_REFUSALS.badSelection:
        return new ApiError(400, 'invalid_request', failure.message);
      case DECISION_REFUSALS.continuingAsNew:
        return new ApiError(503, 'worker_unavailable', `${failure.message} (repeating a decision is safe).`, undefined, {
          'Retry-After': String(RETRY_AFTER_SECONDS),
        });
      case DECISION_REFUSALS.notAwaitingDecisions:
        return new ApiError(
          409,
          'not_awaiting_decisions',
          `${failure.message} Check the stage with GET /v1/scans/${scanId} and decide once it is awaiting_decisions.`,
        );
    }
  }
  if (err instanceof WorkflowNotFoundError) {
    return new ApiError(
      409,
      'scan_not_running',
      `Scan ${scanId} is no longer running, so its findings can no longer be decided; start a new scan to review again.`,
    );
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new ApiError(
      503,
      'worker_unavailable',
      `The scan did not take the decision within ${timeoutMs / 1000}s; check that a Vigil worker is running, then retry (repeating a decision is safe).`,
      undefined,
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
  }
  return err;
}

/** The directory of a recorded local source (git sources are never written back). */
function localSourcePath(source: unknown): string | undefined {
  const s = source as Partial<ScanSource> | null;
  return s?.kind === 'local' && typeof s.path === 'string' ? s.path : undefined;
}

/**
 * An approval ends in a branch written into the scanned repository: the deciding key must be allowed to write
 * there (a rejection writes nothing).
 */
async function assertMayApply(s: Services, principal: Principal, record: ScanRecord, decision: 'approve' | 'reject'): Promise<void> {
  const localPath = localSourcePath(record.source);
  if (decision !== 'approve' || localPath === undefined) return;
  const target = await checkWriteTarget(s.paths, principal.roots, localPath);
  if (!target.ok) {
    const roots = effectiveRoots(s.paths, principal.roots);
    throw new ApiError(403, 'path_not_allowed', refusalMessage(target.refusal, target.where, roots, 'write'));
  }
}

/**
 * Sends a decision Update through the scan's run chain (a run handing over to the next refuses for a moment,
 * then the next one decides) within the configured deadline; refusals and timeouts become typed API errors.
 */
async function sendDecision<T>(s: Services, record: ScanRecord, update: () => Promise<T>): Promise<T> {
  const timeoutMs = s.config.updateTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  try {
    return await updateAcrossRuns(() => s.temporal.withDeadline(deadline, update), { deadline });
  } catch (err) {
    throw decisionError(err, record.scanId, timeoutMs);
  }
}

export function findingsRouter(s: Services) {
  return new Hono<AppEnv>()
    .get('/:id/findings', validate('param', scanParamsSchema), validate('query', findingsQuerySchema), async (c) => {
      const tenant = c.get('principal').tenant;
      const record = await loadScan(s, tenant, c.req.valid('param').id);
      let live = false;
      // The workflow's state has the last word on status (it knows about a decision a moment before the store).
      const view = await findingsView(s.store, record, async () => {
        const q = await queryLiveStatus(s, await scanHandle(s, record));
        live = q.ok;
        return q.ok ? q.status.findings : undefined;
      });
      if (!view) {
        throw new ApiError(
          409,
          'not_ready',
          `Scan ${record.scanId} has no findings yet: they exist once it has been scored. Check its stage with GET /v1/scans/${record.scanId} and retry.`,
        );
      }
      const { status } = c.req.valid('query');
      // Trace snippets were filled in at scoring and stored with the findings: no blob is read here.
      const findings = view.filter((f) => !status || f.status === status);
      return c.json({ scanId: record.scanId, live, findings });
    })

    .post(
      '/:id/findings/:findingId/decision',
      requireRole('approver'),
      validate('param', findingParamsSchema),
      requireJson,
      validate('json', decisionBodySchema),
      async (c) => {
        const principal = c.get('principal');
        const { id, findingId } = c.req.valid('param');
        const body = c.req.valid('json');
        const record = await loadScan(s, principal.tenant, id);
        await assertMayApply(s, principal, record, body.decision);
        const input: DecisionInput = {
          findingId,
          decision: body.decision,
          actor: principal.name,
          tenant: principal.tenant,
          roles: principal.roles,
          ...(body.comment !== undefined ? { comment: body.comment } : {}),
        };
        return c.json(await sendDecision(s, record, () => scanChainHandle(s, record).executeUpdate(decideUpdate, { args: [input] })), 200);
      },
    )

    // Many findings at once, by ids or by a filter: one workflow Update, one ledger write per finding.
    .post(
      '/:id/decisions',
      requireRole('approver'),
      validate('param', scanParamsSchema),
      requireJson,
      validate('json', bulkDecisionBodySchema),
      async (c) => {
        const principal = c.get('principal');
        const { id } = c.req.valid('param');
        const body = c.req.valid('json');
        const record = await loadScan(s, principal.tenant, id);
        await assertMayApply(s, principal, record, body.decision);
        const selection = {
          ...(body.findingIds !== undefined ? { findingIds: body.findingIds } : {}),
          ...(body.filter !== undefined ? { filter: body.filter } : {}),
        };
        if (body.dryRun) return c.json({ ...(await previewBulkDecision(s, record, selection, body.decision)), dryRun: true }, 200);
        const input: BulkDecisionInput = {
          ...selection,
          decision: body.decision,
          actor: principal.name,
          tenant: principal.tenant,
          roles: principal.roles,
          ...(body.comment !== undefined ? { comment: body.comment } : {}),
        };
        const result = await sendDecision(s, record, () => scanChainHandle(s, record).executeUpdate(decideManyUpdate, { args: [input] }));
        return c.json({ ...result, dryRun: false }, 200);
      },
    );
}

/** What a bulk decision would do, from the findings as the API shows them (the same selection as the workflow's). */
async function previewBulkDecision(
  s: Services,
  record: ScanRecord,
  selection: Pick<BulkDecisionInput, 'findingIds' | 'filter'>,
  decision: 'approve' | 'reject',
): Promise<BulkDecisionResult> {
  const view = await findingsView(s.store, record, async () => {
    const q = await queryLiveStatus(s, await scanHandle(s, record));
    return q.ok ? q.status.findings : undefined;
  });
  if (!view) {
    throw new ApiError(409, 'not_ready', `Scan ${record.scanId} has no findings yet: they exist once it has been scored.`);
  }
  const findings = view.map((f) => ({ ...f, file: f.location.file }));
  const chosen = selectFindings(findings, selection);
  if (!chosen.ok) {
    if (chosen.problem === 'unknown_ids') throw new ApiError(404, 'not_found', chosen.message, { unknownIds: chosen.unknownIds });
    throw new ApiError(400, 'invalid_request', chosen.message);
  }
  if (chosen.findings.length === 0) throw new ApiError(422, 'no_match', 'No finding of this scan matches the filter.');
  return decisionOutcome(chosen.findings, decision);
}
