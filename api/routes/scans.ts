// /v1/scans: start a scan, list the tenant's scans, show one scan.
import { Hono } from 'hono';
import type { Finding } from '../../activities/model.js';
import { SEARCH_ATTRIBUTES, scanWorkflowType } from '../../workflows/definitions.js';
import type { AppEnv, Services } from '../env.js';
import { requireRole } from '../auth/middleware.js';
import { resolveSource, startScanRequest } from '../scan-requests.js';
import { runEstimate } from '../estimate-requests.js';
import { ApiError } from '../http-errors.js';
import { RUN_GONE, describeRun, loadScan, queryLiveStatus, scanHandle, scanLinks } from './scan-access.js';
import { createScanBodySchema, listScansQuerySchema, scanParamsSchema } from './schemas.js';
import { requireJson, validate } from './validate.js';
import { temporalUiWorkflowUrl } from '../../infra/temporal-connection.js';
import { progressOf } from '../stage-progress.js';

function countBySeverity(findings: Finding[]) {
  const counts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** A visibility-query string literal. Values are pre-validated to contain no '"', '\\' or control characters. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function scansRouter(s: Services) {
  return new Hono<AppEnv>()
    .post('/', requireRole('scanner'), requireJson, validate('json', createScanBodySchema), async (c) => {
      const body = c.req.valid('json');
      const principal = c.get('principal');
      if (body.estimate) {
        if (body.engine !== 'claude') {
          throw new ApiError(400, 'invalid_request', 'An estimate is of a Claude scan: send "engine": "claude" with "estimate": true (the built-in engine costs no tokens).');
        }
        const resolved = await resolveSource(body.source, { access: { policy: s.paths, narrowing: principal.roots }, gitEnv: s.config.gitEnv });
        const answer = await runEstimate(
          { client: s.temporal, store: s.store, taskQueue: s.config.taskQueue },
          { tenant: principal.tenant, name: principal.name },
          resolved,
          body.claude,
        );
        // Sent as a plain JSON body, not c.json: the typed client's answer for this route stays the scan's shape
        // (AppType unchanged); the CLI reads an estimate as EstimateAnswer (api/estimate-requests.ts), the OpenAPI
        // document describes both.
        return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } }) as never;
      }
      const started = await startScanRequest(
        { client: s.temporal, store: s.store, taskQueue: s.config.taskQueue, gitEnv: s.config.gitEnv },
        { tenant: principal.tenant, name: principal.name },
        { source: body.source, engine: body.engine, claude: body.claude },
        { policy: s.paths, narrowing: principal.roots },
      );
      const response = {
        scanId: started.scanId,
        workflowId: started.workflowId,
        runId: started.runId,
        status: started.stage,
        deduplicated: started.deduplicated,
        links: scanLinks(started.scanId),
      };
      return c.json(response, started.deduplicated ? 200 : 201);
    })

    .get('/', validate('query', listScansQuerySchema), async (c) => {
      const { repo, status, limit } = c.req.valid('query');
      const clauses = [
        `WorkflowType = ${literal(scanWorkflowType)}`,
        `${SEARCH_ATTRIBUTES.tenant.name} = ${literal(c.get('principal').tenant)}`,
        // A scan that continued as new is one chain of runs: list its current run only.
        `ExecutionStatus != 'ContinuedAsNew'`,
      ];
      if (repo) clauses.push(`${SEARCH_ATTRIBUTES.repo.name} = ${literal(repo)}`);
      if (status) clauses.push(`${SEARCH_ATTRIBUTES.status.name} = ${literal(status)}`);
      const scans = [];
      for await (const run of s.temporal.workflow.list({ query: clauses.join(' AND '), pageSize: limit })) {
        const memo = run.memo ?? {};
        scans.push({
          scanId: typeof memo.scanId === 'string' ? memo.scanId : null,
          workflowId: run.workflowId,
          runId: run.runId,
          repoKey: typeof memo.repoKey === 'string' ? memo.repoKey : (run.typedSearchAttributes.get(SEARCH_ATTRIBUTES.repo) ?? null),
          stage: run.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status) ?? null,
          executionStatus: run.status.name,
          startTime: run.startTime.toISOString(),
          closeTime: run.closeTime?.toISOString() ?? null,
        });
        if (scans.length >= limit) break;
      }
      return c.json({
        scans,
        note: 'Listed from Temporal visibility, which lags a second or so behind the workflows themselves.',
      });
    })

    .get('/:id', validate('param', scanParamsSchema), async (c) => {
      const record = await loadScan(s, c.get('principal').tenant, c.req.valid('param').id);
      const handle = await scanHandle(s, record);
      const description = await describeRun(handle);
      const live = description ? await queryLiveStatus(s, handle) : RUN_GONE;
      const visibleStage = description?.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status) ?? null;
      const tenant = record.tenant;
      const [findings, scope, retrieval] = await Promise.all([
        s.store.getArtifact(tenant, record.scanId, 'findings'),
        s.store.getArtifact(tenant, record.scanId, 'scope'),
        s.store.getArtifact(tenant, record.scanId, 'retrieval-status'),
      ]);
      const snapshotCounts = live.ok ? live.status.counts.snapshot : undefined;
      const temporalUi = s.config.temporalUiUrl
        ? temporalUiWorkflowUrl(s.config.temporalUiUrl, s.temporal.options.namespace, record.workflowId, record.runId)
        : undefined;
      return c.json({
        scanId: record.scanId,
        workflowId: record.workflowId,
        runId: record.runId,
        repoKey: record.repoKey,
        source: record.source,
        requestedBy: record.requestedBy,
        createdAt: record.createdAt,
        execution: description
          ? {
              status: description.status.name,
              startTime: description.startTime.toISOString(),
              closeTime: description.closeTime?.toISOString() ?? null,
              historyLength: description.historyLength,
            }
          : null,
        stage: live.ok ? live.status.stage : visibleStage,
        live: live.ok,
        // The workflow's own view; absent (not null) when it cannot be queried, with the reason beside it.
        ...(live.ok ? { status: live.status } : { liveUnavailableReason: live.reason }),
        // Inside the running stage: the pending activity's last heartbeat (counts only) and its attempt.
        progress: description && description.status.name === 'RUNNING' ? await progressOf(s.temporal, description) : [],
        findingCounts: findings ? countBySeverity(findings) : null,
        coverage: {
          snapshot: snapshotCounts
            ? { files: snapshotCounts.files, bytes: snapshotCounts.bytes, skipped: snapshotCounts.skipped, commit: snapshotCounts.commit ?? null }
            : null,
          scope: scope
            ? { mode: scope.mode, filesInScope: scope.filesInScope, analysedFiles: scope.analysedFiles, carriedOver: scope.carriedOver }
            : null,
        },
        ...(retrieval?.reason ? { retrievalUnavailable: retrieval.reason } : {}),
        links: { ...scanLinks(record.scanId), ...(temporalUi ? { temporalUi } : {}) },
      });
    });
}
