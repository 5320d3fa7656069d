// Every request and response shape of the API, as zod schemas. The routes validate with them and
// openapi.ts documents them, so the two cannot drift.
import { z } from 'zod';
import type { ScanStage } from '../../workflows/definitions.js';
import type { StageProgress } from '../stage-progress.js';
import { CHUNK_ID_PATTERN } from '../../activities/retrieval/guidance-ids.js';

export const SCAN_STAGES = [
  'queued',
  'snapshot',
  'merkle_sync',
  'reasoning',
  'verification',
  'scoring',
  'awaiting_decisions',
  'applying',
  'reporting',
  'completed',
  'failed',
] as const satisfies readonly ScanStage[];
// Compile-time check that the list above names every stage: a missing one makes this line fail to compile.
type MissingStage = Exclude<ScanStage, (typeof SCAN_STAGES)[number]>;
const allStagesListed: [MissingStage] extends [never] ? true : MissingStage = true;

// ---------- path, query and body inputs ----------

export const scanIdSchema = z
  .string()
  .regex(/^scn_[A-Za-z0-9_-]{1,64}$/, 'scan ids look like scn_ followed by letters and digits');
export const findingIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'finding ids are 1-128 letters, digits, "_", ".", ":" or "-"');

export const scanParamsSchema = z.object({ id: scanIdSchema });
export const findingParamsSchema = z.object({ id: scanIdSchema, findingId: findingIdSchema });

const localSourceSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .max(4096)
      .regex(/^\//, 'must be an absolute path (starting with "/")')
      .describe('Absolute path of a directory on the API server.'),
  })
  .strict();
const gitSourceSchema = z
  .object({
    url: z.string().min(1).max(2048).describe('Git URL (https, ssh, git@host:path).'),
    ref: z.string().min(1).max(255).optional().describe('Branch, tag or commit; defaults to HEAD.'),
  })
  .strict();

export const claudeSettingsSchema = z
  .object({
    model: z.string().regex(/^[A-Za-z0-9._:@-]{1,100}$/, 'must be a model id such as claude-sonnet-5-5').optional(),
    effort: z.enum(['low', 'medium', 'high']).optional(),
    budgetTokens: z.number().int().min(1_000).max(100_000_000).optional(),
    maxCostUsd: z
      .number()
      .positive()
      .max(1_000_000)
      .optional()
      .describe('US dollars the scan may spend (priced from token counts with the published price table); it stops, marked incomplete, when reached.'),
  })
  .strict();

export const createScanBodySchema = z.object({
  source: z.union([localSourceSchema, gitSourceSchema], {
    error: 'source must be {"path": "<absolute path of a directory>"} or {"url": "<git url>", "ref"?: "<ref>"}',
  }),
  engine: z.enum(['builtin', 'claude']).default('builtin'),
  claude: claudeSettingsSchema.optional().describe('Per-scan settings of the Claude engine; the worker’s env gives the defaults.'),
  estimate: z
    .boolean()
    .default(false)
    .describe('Claude engine only: plan the passes and answer with their token estimate and cost range per model, without running research (the threat-model pass runs, and its cost is reported).'),
});
export type CreateScanBody = z.infer<typeof createScanBodySchema>;

// Visibility queries are strings we build; values with quotes or backslashes cannot be matched reliably,
// so they are refused instead of escaped (single quotes are doubled, which the server does honour).
const visibilityValue = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[^"\\\x00-\x1f\x7f]+$/, 'must not contain double quotes, backslashes or control characters');

export const listScansQuerySchema = z.object({
  repo: visibilityValue.optional().describe('Only scans of this repository key (absolute path or URL).'),
  status: z.enum(SCAN_STAGES).optional().describe('Only scans currently in this stage.'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const findingsQuerySchema = z.object({
  status: z.enum(['pending', 'approved', 'rejected']).optional(),
});

export const decisionBodySchema = z.object({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().max(2000).optional(),
});

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

export const findingFilterSchema = z
  .object({
    ruleId: z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, 'rule ids are 1-128 letters, digits, "_", ".", ":", "/" or "-"').optional(),
    cwe: z.string().regex(/^CWE-[0-9]{1,6}$/, 'a vulnerability class is a CWE id such as CWE-89').optional(),
    pathPrefix: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[^\x00-\x1f\x7f]+$/, 'must not contain control characters')
      .refine((p) => !p.split('/').includes('..'), 'must not contain ".." segments')
      .optional()
      .describe('A directory or file path relative to the repository root, matched segment-wise ("test/" selects test/a.js, not tests/a.js).'),
    severity: z.array(z.enum(SEVERITIES)).min(1).max(4).optional(),
  })
  .strict();

export const bulkDecisionBodySchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(2000).optional(),
    findingIds: z.array(findingIdSchema).min(1).max(10_000).optional().describe('The findings to decide, by id; or give a filter.'),
    filter: findingFilterSchema.optional().describe('The findings to decide, by metadata; criteria combine (all must hold).'),
    dryRun: z.boolean().default(false).describe('Only count and list what the decision would change; nothing is recorded.'),
  })
  .strict()
  .refine((b) => (b.findingIds === undefined) !== (b.filter === undefined), {
    message: 'name the findings either by "findingIds" or by a "filter" (exactly one of the two)',
  })
  .refine((b) => !b.filter || Object.values(b.filter).some((v) => v !== undefined), {
    message: 'the filter needs at least one criterion: ruleId, cwe, pathPrefix or severity',
    path: ['filter'],
  });

export const reportQuerySchema = z.object({
  format: z.enum(['json', 'sarif', 'markdown']).default('json'),
});

// ---------- responses ----------

export const errorResponseSchema = z.object({
  error: z.string().describe('Stable snake_case code.'),
  message: z.string().describe('What went wrong and what to do.'),
  details: z.unknown().optional(),
});

const scanLinksSchema = z.object({
  self: z.string(),
  findings: z.string(),
  report: z.string(),
  history: z.string(),
});

export const scanAcceptedSchema = z.object({
  scanId: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  status: z.string().describe('The scan stage when accepted.'),
  deduplicated: z.boolean().describe('True when the same repository and revision was already being scanned.'),
  links: scanLinksSchema,
});

const isoTime = z.string().describe('ISO 8601 time.');

const scenarioSchema = z.object({ low: z.number(), expected: z.number(), high: z.number() });

export const scanEstimateSchema = z.object({
  estimateId: z.string(),
  workflowId: z.string(),
  snapshot: z.object({ files: z.number(), bytes: z.number() }),
  estimate: z.looseObject({
    model: z.string(),
    effort: z.string(),
    budgetTokens: z.number(),
    maxCostUsd: z.number().optional(),
    mode: z.enum(['full', 'incremental']),
    filesInScope: z.number(),
    threatModel: z.looseObject({ tokens: z.number(), costUsd: z.number() }).describe('What the estimate itself spent: the threat-model pass.'),
    passes: z.array(z.looseObject({ id: z.string(), component: z.string(), category: z.string(), tokens: scenarioSchema })),
    total: z.object({ low: z.looseObject({ tokens: z.number() }), expected: z.looseObject({ tokens: z.number() }), high: z.looseObject({ tokens: z.number() }) }),
    costs: z.array(z.object({ model: z.string(), usd: scenarioSchema, unsure: z.string().optional() })).describe('USD per model, low to high; the first is the configured model.'),
    limits: z.array(z.string()),
    assumptions: z.array(z.string()),
    prices: z.object({ asOf: z.string(), source: z.string() }),
  }),
});

export const scanSummarySchema = z.object({
  scanId: z.string().nullable(),
  workflowId: z.string(),
  runId: z.string(),
  repoKey: z.string().nullable(),
  stage: z.string().nullable().describe('VigilStatus search attribute.'),
  executionStatus: z.string().describe('Temporal execution status, e.g. RUNNING, COMPLETED, FAILED.'),
  startTime: isoTime,
  closeTime: isoTime.nullable(),
});

export const scanListSchema = z.object({
  scans: z.array(scanSummarySchema),
  note: z.string(),
});

const findingStateSchema = z.object({
  id: z.string(),
  fingerprint: z.string(),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  status: z.enum(['pending', 'approved', 'rejected']),
  hasPatch: z.boolean(),
  ruleId: z.string().optional(),
  cwe: z.string().optional(),
  file: z.string().optional().describe('The file of the sink, relative to the repository root.'),
  decidedBy: z.string().optional(),
  carriedOver: z.boolean().optional(),
});

const scanStatusSchema = z.object({
  scanId: z.string(),
  tenant: z.string(),
  repoKey: z.string(),
  stage: z.enum(SCAN_STAGES),
  counts: z.record(z.string(), z.unknown()).describe('Per-stage counts: files, Merkle changes, candidates, verdicts...'),
  findings: z.array(findingStateSchema),
  error: z.string().optional(),
  continuedAsNew: z.number().int().optional().describe('Runs of the workflow before the current one (it continues as new before Temporal’s limits).'),
});

const stageProgressSchema = z.object({
  activity: z.string().describe('The running activity, e.g. takeSnapshot.'),
  attempt: z.number().int(),
  detail: z
    .object({
      phase: z.string().optional(),
      done: z.number().optional(),
      total: z.number().optional(),
      files: z.number().optional(),
      bytes: z.number().optional(),
    })
    .optional()
    .describe("The activity's last heartbeat: counts and phase names only."),
});

// Compile-time check that what progressOf() returns fits the schema (which forbids extra properties).
const progressFits: StageProgress extends z.infer<typeof stageProgressSchema> ? true : never = true;

export const scanDetailSchema = z.object({
  scanId: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  repoKey: z.string(),
  source: z.unknown(),
  requestedBy: z.string(),
  createdAt: isoTime,
  execution: z
    .object({ status: z.string(), startTime: isoTime, closeTime: isoTime.nullable(), historyLength: z.number() })
    .nullable()
    .describe('Null when Temporal no longer knows the run (e.g. past retention).'),
  stage: z.string().nullable().describe('From the workflow when live, else from visibility.'),
  live: z.boolean().describe('False when the workflow could not be queried (e.g. no worker running).'),
  status: scanStatusSchema.optional().describe("The workflow's status query result; absent when not live."),
  liveUnavailableReason: z.string().optional(),
  progress: z.array(stageProgressSchema).describe('Inside the running stage: pending activities and their progress; empty once closed.'),
  findingCounts: z
    .object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() })
    .nullable()
    .optional()
    .describe('Findings by severity, once the scan has been scored.'),
  coverage: z
    .object({
      snapshot: z
        .object({ files: z.number(), bytes: z.number(), skipped: z.record(z.string(), z.number()), commit: z.string().nullable() })
        .nullable()
        .describe('Files snapshotted and files skipped, by reason (binary, tooLarge, symlinkOutside, ignored...).'),
      scope: z
        .object({ mode: z.enum(['full', 'incremental']), filesInScope: z.array(z.string()), analysedFiles: z.array(z.string()), carriedOver: z.number() })
        .nullable()
        .describe('What the reasoning stage looked at.'),
    })
    .optional(),
  retrievalUnavailable: z
    .string()
    .optional()
    .describe('Present when the scan ran without decision memory (no similar past decisions shown): why, in one sentence.'),
  links: scanLinksSchema.extend({ temporalUi: z.string().optional().describe("The workflow in the Temporal Web UI, when configured.") }),
});

const decisionSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  actor: z.string(),
  comment: z.string().optional(),
  decidedAt: isoTime,
  scanId: z.string(),
});

const similarDecisionSchema = z.object({
  findingId: z.string(),
  scanId: z.string(),
  decision: z.enum(['approve', 'reject']),
  comment: z.string().optional(),
  similarity: z.number().describe('Cosine similarity of the two findings (with the comment), -1 to 1.'),
});

export const guidanceParamsSchema = z.object({
  id: z
    .string()
    .max(200)
    .regex(CHUNK_ID_PATTERN, 'a guidance passage id is <rule-id>#<slug>, e.g. sql-injection#how-to-fix-it--express ("#" sent as %23)')
    .describe("A finding's guidance.id, e.g. sql-injection#how-to-fix-it--express (\"#\" sent as %23)."),
});

export const guidancePassageSchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  title: z.string(),
  cwe: z.string(),
  heading: z.string().describe('The heading path, e.g. "How to fix it > Express".'),
  markdown: z.string().describe('The passage as Markdown: its heading line, then its text.'),
});

export const guidanceLinkSchema = z.object({
  id: z.string().describe('The passage id, `<rule-id>#<slug>`; GET /v1/guidance/{id} (with "#" as %23) serves it.'),
  title: z.string(),
  heading: z.string().describe('The heading path, e.g. "How to fix it > Express".'),
  similarity: z.number().describe("Cosine similarity of the finding's text and the passage, -1 to 1."),
});

export const findingSchema = z.looseObject({
  id: z.string(),
  fingerprint: z.string(),
  ruleId: z.string(),
  cwe: z.string(),
  title: z.string(),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  confidence: z.enum(['high', 'medium', 'low']),
  status: z.enum(['pending', 'approved', 'rejected']),
  decision: decisionSchema.optional(),
  decidedBy: z.string().optional().describe('Who decided, from the live workflow state.'),
  similarDecisions: z
    .array(similarDecisionSchema)
    .optional()
    .describe(
      "The tenant's most similar past decisions, best first (decision memory): precedent for a person, never a decision — the finding stays pending. Absent when there is none or retrieval is off.",
    ),
  guidance: guidanceLinkSchema
    .optional()
    .describe("The passage of Vigil's security guidance that best answers the finding, among its class's. Absent when retrieval is off or the class has none."),
});

export const findingsResponseSchema = z.object({
  scanId: z.string(),
  live: z.boolean().describe('True when statuses were overlaid from the running workflow.'),
  findings: z.array(findingSchema),
});

export const decisionResultSchema = z.object({
  findingId: z.string(),
  status: z.enum(['approved', 'rejected']),
  changed: z.boolean().describe('False when the same decision had already been recorded.'),
});

export const bulkDecisionResultSchema = z.object({
  status: z.enum(['approved', 'rejected']),
  dryRun: z.boolean(),
  matched: z.number().int().describe('Findings the ids or filter selected.'),
  changed: z.array(z.string()).describe('Ids of the findings this decision decided (would decide, on a dry run).'),
  unchanged: z.number().int().describe('Selected findings already decided the same way.'),
  conflicts: z
    .array(z.object({ findingId: z.string(), status: z.enum(['approved', 'rejected']), decidedBy: z.string().optional() }))
    .describe('Selected findings already decided the other way: kept as they are (a decision is never reversed within a scan).'),
});

export const historyEventSchema = z.looseObject({
  eventId: z.string(),
  runId: z.string().optional().describe('The run the event belongs to, when the scan has more than one (event ids restart per run).'),
  time: isoTime.optional(),
  type: z.string().describe('e.g. ActivityTaskScheduled, WorkflowExecutionUpdateAccepted.'),
  activityType: z.string().optional(),
  attempt: z.number().optional(),
  failure: z.string().optional().describe('Failure message, when the event carries one.'),
});

export const historyResponseSchema = z.object({
  scanId: z.string(),
  workflowId: z.string(),
  runId: z.string().describe('The first run of the scan.'),
  runs: z.array(z.string()).describe('Every run of the scan, first to last: a scan continues as new before Temporal’s limits on updates and history events.'),
  events: z.array(historyEventSchema),
});

const dependencyStateSchema = z.object({
  ok: z.boolean(),
  message: z.string().optional().describe('What is wrong and what to check; absent when ok.'),
});

export const healthSchema = z.object({
  ok: z.boolean().describe('True when the API and every dependency answer.'),
  dependencies: z.object({ temporal: dependencyStateSchema, store: dependencyStateSchema }),
});

export const principalResponseSchema = z.object({
  name: z.string().describe("The API key's name."),
  tenant: z.string(),
  roles: z.array(z.enum(['scanner', 'approver', 'operator', 'admin'])),
});
