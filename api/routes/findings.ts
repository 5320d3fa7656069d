// /v1/scans/:id/findings: what the scan found, and people's decisions on it (sent to the workflow as updates).
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { Hono } from 'hono';
import { checkWriteTarget } from '../../activities/apply/write-target.js';
import type { Finding } from '../../activities/model.js';
import { effectiveRoots, refusalMessage } from '../../activities/scan-roots.js';
import type { LedgerEntry } from '../../activities/store/store.js';
import { DECISION_REFUSALS, decideUpdate, type DecisionInput, type FindingState, type ScanSource } from '../../workflows/definitions.js';
import { fillTraceSnippets } from '../dashboard/snippets.js';
import type { AppEnv, Services } from '../env.js';
import { requireRole } from '../auth/middleware.js';
import { ApiError, RETRY_AFTER_SECONDS } from '../http-errors.js';
import { loadScan, queryLiveStatus, scanHandle } from './scan-access.js';
import { decisionBodySchema, findingParamsSchema, findingsQuerySchema, scanParamsSchema } from './schemas.js';
import { requireJson, validate } from './validate.js';

export type FindingView = Finding & { decidedBy?: string };

/**
 * The scored findings predate any decision: overlay the decisions recorded in the store, then the live
 * workflow state (which knows about a decision a moment before the store does).
 */
export function overlayDecisions(
  findings: Finding[],
  recorded: Map<string, LedgerEntry>,
  live: FindingState[] | undefined,
): FindingView[] {
  const liveById = new Map((live ?? []).map((f) => [f.id, f]));
  return findings.map((finding) => {
    const view: FindingView = { ...finding };
    const entry = recorded.get(finding.id);
    if (entry) {
      const { fingerprint: _fingerprint, ...decision } = entry;
      view.decision = decision;
      view.status = entry.decision === 'approve' ? 'approved' : 'rejected';
    }
    const state = liveById.get(finding.id);
    if (state) {
      view.status = state.status;
      if (state.decidedBy) view.decidedBy = state.decidedBy;
    }
    return view;
  });
}

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

export function findingsRouter(s: Services) {
  return new Hono<AppEnv>()
    .get('/:id/findings', validate('param', scanParamsSchema), validate('query', findingsQuerySchema), async (c) => {
      const tenant = c.get('principal').tenant;
      const record = await loadScan(s, tenant, c.req.valid('param').id);
      const stored = await s.store.getArtifact<Finding[]>(tenant, record.scanId, 'findings');
      if (!stored) {
        throw new ApiError(
          409,
          'not_ready',
          `Scan ${record.scanId} has no findings yet: they exist once it has been scored. Check its stage with GET /v1/scans/${record.scanId} and retry.`,
        );
      }
      const [recorded, live] = await Promise.all([
        s.store.getScanDecisions(tenant, record.scanId),
        queryLiveStatus(s, scanHandle(s, record)),
      ]);
      const { status } = c.req.valid('query');
      const overlaid = overlayDecisions(stored, recorded, live.ok ? live.status.findings : undefined).filter(
        (f) => !status || f.status === status,
      );
      // Steps without a code excerpt get their line from the snapshot (when the workflow says which one).
      const findings = await fillTraceSnippets(s.store, tenant, live.ok ? live.status.counts.snapshot?.snapshotId : undefined, overlaid);
      return c.json({ scanId: record.scanId, live: live.ok, findings });
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
        // An approval ends in a branch written into the scanned repository: this key must be allowed to write there.
        const localPath = localSourcePath(record.source);
        if (body.decision === 'approve' && localPath !== undefined) {
          const target = await checkWriteTarget(s.paths, principal.roots, localPath);
          if (!target.ok) {
            const roots = effectiveRoots(s.paths, principal.roots);
            throw new ApiError(403, 'path_not_allowed', refusalMessage(target.refusal, target.where, roots, 'write'));
          }
        }
        const input: DecisionInput = {
          findingId,
          decision: body.decision,
          actor: principal.name,
          tenant: principal.tenant,
          roles: principal.roles,
          ...(body.comment !== undefined ? { comment: body.comment } : {}),
        };
        const timeoutMs = s.config.updateTimeoutMs;
        try {
          const result = await s.temporal.withDeadline(Date.now() + timeoutMs, () =>
            scanHandle(s, record).executeUpdate(decideUpdate, { args: [input] }),
          );
          return c.json(result, 200);
        } catch (err) {
          throw decisionError(err, record.scanId, timeoutMs);
        }
      },
    );
}
