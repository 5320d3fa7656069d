// Compile-time checks of the API as the CLI's typed client (hc<AppType>) sees it: each route's inputs are
// refused when wrong (the `@ts-expect-error` lines; if the route stopped refusing one, that line would fail
// as an unused directive) and its answers fit the types the CLI hands on. Nothing here runs: tsc checks it
// (`npx tsc --noEmit -p .`), and test/api-client-types.test.ts compiles it in the suite.
import { hc } from 'hono/client';
import type { Finding } from '../../activities/model.js';
import type { AppType } from '../../api/app.js';
import type { HistoryEvent } from '../../api/cli/backend.js';
import type { StageProgress } from '../../api/stage-progress.js';
import type { BulkDecisionResult, DecisionResult, ScanStatus } from '../../workflows/definitions.js';

/** True when A and B are the same type (any is only equal to any). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_proof: T): void {}
const fits = <T>(_value: T): void => {};

export async function clientShapes(): Promise<void> {
  const client = hc<AppType>('http://127.0.0.1:8787', { headers: { authorization: 'Bearer k' } });
  const scans = client.v1.scans;
  const id = { id: 'scn_x' };

  // POST /v1/scans: the API's source shape, not the workflow's.
  const started = await (await scans.$post({ json: { source: { path: '/repo' }, engine: 'builtin' } })).json();
  await scans.$post({ json: { source: { url: 'https://example.com/r.git', ref: 'main' }, claude: { effort: 'high' } } });
  // @ts-expect-error the workflow's ScanSource ({kind, path}) is not what the API takes
  await scans.$post({ json: { source: { kind: 'local', path: '/repo' } } });
  // @ts-expect-error no such engine
  await scans.$post({ json: { source: { path: '/repo' }, engine: 'gpt' } });
  // @ts-expect-error a source is required
  await scans.$post({ json: { engine: 'builtin' } });
  expectType<Equal<typeof started.scanId, string>>(true);
  expectType<Equal<typeof started.deduplicated, boolean>>(true);
  expectType<Equal<typeof started.links.findings, string>>(true);

  // GET /v1/scans/:id: the workflow's status when live, progress and links.
  // @ts-expect-error the scan id is a path parameter the route needs
  await scans[':id'].$get({});
  const detail = await (await scans[':id'].$get({ param: id })).json();
  if ('status' in detail) fits<ScanStatus>(detail.status);
  else expectType<Equal<typeof detail.liveUnavailableReason, string>>(true);
  fits<StageProgress[]>(detail.progress);
  fits<Record<string, string>>(detail.links);
  expectType<Equal<typeof detail.live, boolean>>(true);

  // GET /v1/scans: the list, filtered by stage.
  // @ts-expect-error not a stage
  await scans.$get({ query: { status: 'done' } });
  const list = await (await scans.$get({ query: { status: 'awaiting_decisions' } })).json();
  fits<string[]>(list.scans.map((s) => s.executionStatus));

  // GET /v1/scans/:id/findings
  // @ts-expect-error not a finding status
  await scans[':id'].findings.$get({ param: id, query: { status: 'open' } });
  const findings = await (await scans[':id'].findings.$get({ param: id, query: { status: 'pending' } })).json();
  fits<Finding[]>(findings.findings);

  // POST /v1/scans/:id/findings/:findingId/decision
  const decisionParam = { id: 'scn_x', findingId: 'f_1' };
  // @ts-expect-error a decision is approve or reject
  await scans[':id'].findings[':findingId'].decision.$post({ param: decisionParam, json: { decision: 'maybe' } });
  // @ts-expect-error the finding id is a path parameter
  await scans[':id'].findings[':findingId'].decision.$post({ param: id, json: { decision: 'approve' } });
  const decided = await (await scans[':id'].findings[':findingId'].decision.$post({ param: decisionParam, json: { decision: 'reject', comment: 'no' } })).json();
  expectType<Equal<typeof decided, DecisionResult>>(true);

  // POST /v1/scans/:id/decisions (many findings, by ids or a filter)
  // @ts-expect-error dryRun is a boolean
  await scans[':id'].decisions.$post({ param: id, json: { decision: 'reject', findingIds: ['f_1'], dryRun: 'yes' } });
  // @ts-expect-error a severity filter is a list of severities
  await scans[':id'].decisions.$post({ param: id, json: { decision: 'reject', filter: { severity: 'high' } } });
  const many = await (await scans[':id'].decisions.$post({ param: id, json: { decision: 'reject', filter: { ruleId: 'sql-injection', pathPrefix: 'test/' } } })).json();
  fits<BulkDecisionResult & { dryRun: boolean }>(many);
  expectType<Equal<typeof many.changed, string[]>>(true);

  // GET /v1/scans/:id/history
  const history = await (await scans[':id'].history.$get({ param: id })).json();
  fits<HistoryEvent[]>(history.events);
  expectType<Equal<typeof history.runs, string[]>>(true);

  // GET /v1/scans/:id/report (a body in the format asked for)
  // @ts-expect-error no such report format
  await scans[':id'].report.$get({ param: id, query: { format: 'pdf' } });
  await scans[':id'].report.$get({ param: id, query: { format: 'sarif' } });

  // GET /v1/me and the unauthenticated /healthz
  const me = await (await client.v1.me.$get()).json();
  expectType<Equal<typeof me.roles, ('scanner' | 'approver' | 'operator' | 'admin')[]>>(true);
  const health = await (await client.healthz.$get()).json();
  expectType<Equal<typeof health.ok, boolean>>(true);
}
