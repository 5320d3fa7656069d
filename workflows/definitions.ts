// Names and message definitions shared by the workflow, the worker and every caller (API, CLI).
// This module must stay deterministic: no I/O, no Node built-ins, only @temporalio/workflow-safe imports.
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export const TASK_QUEUE = 'vigil-scans';

/**
 * The CPU-heavy activities (the built-in engine's analysis and verification), which the workflow schedules on
 * the analysis task queue beside its own, so each worker serves them with a concurrency set from its cores.
 */
export const ANALYSIS_ACTIVITIES = ['reason', 'verify'] as const;

/** The analysis task queue that goes with a scan task queue (`vigil-scans` -> `vigil-scans-analysis`). */
export function analysisTaskQueue(scanTaskQueue: string): string {
  return `${scanTaskQueue}-analysis`;
}

/** Search attributes Vigil registers on the namespace and upserts from the workflow. */
export const SEARCH_ATTRIBUTES = {
  tenant: defineSearchAttributeKey('VigilTenant', 'KEYWORD'),
  repo: defineSearchAttributeKey('VigilRepo', 'KEYWORD'),
  status: defineSearchAttributeKey('VigilStatus', 'KEYWORD'),
} as const;

/** Name -> Temporal type, for the operator service (infra registers these). */
export const SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword'> = {
  VigilTenant: 'Keyword',
  VigilRepo: 'Keyword',
  VigilStatus: 'Keyword',
};

/** Domain error types. Activities throw ApplicationFailure with one of these types; the workflow's
 * retry policies list them as non-retryable so retry config and throw sites cannot drift. */
export const NON_RETRYABLE_ERRORS = [
  'InvalidSourceError',
  'DisallowedSourceError',
  /** A git host that is, or resolves to, a loopback/private/link-local/metadata address, or that redirects. */
  'GitHostRefusedError',
  /** A git host that does not resolve or answer (after a couple of quick attempts inside the activity). */
  'GitUnreachableError',
  /** The repository needs credentials the worker does not have. */
  'GitAuthRequiredError',
  /** No repository at that URL. */
  'GitNotFoundError',
  'SnapshotNotFoundError',
  'ScanStateError',
  'PatchConflictError',
  'EngineConfigError',
  /** A local source outside the tenant's scan roots (the worker's own check behind the API's). */
  'PathNotAllowedError',
  /** The Anthropic API refused a request (400/401/403/404): retrying cannot help. */
  'ModelRequestError',
  /** The configured model does not exist or is retired: the setting named in the message must change. */
  'ModelNotAvailableError',
  /** The source tree is larger than the worker's snapshot limits (files, bytes, entries walked). */
  'SnapshotLimitError',
] as const;
export type NonRetryableErrorType = (typeof NON_RETRYABLE_ERRORS)[number];

/** Why the scan workflow's update validator refuses a decision; the API maps each to its HTTP status. */
export const DECISION_REFUSALS = {
  forbidden: 'Forbidden',
  findingNotFound: 'FindingNotFound',
  alreadyDecided: 'FindingAlreadyDecided',
  notAwaitingDecisions: 'ScanNotAwaitingDecisions',
  /** A bulk decision whose ids or filter select no finding of the scan. */
  noMatch: 'NoFindingsMatch',
  /** A bulk decision with neither ids nor a filter criterion, or with both. */
  badSelection: 'InvalidFindingSelection',
  /** The run is handing over to a new run (continue-as-new): nothing was recorded, retry in a moment. */
  continuingAsNew: 'ScanContinuingAsNew',
} as const;
export type DecisionRefusal = (typeof DECISION_REFUSALS)[keyof typeof DECISION_REFUSALS];

/** `admin` (deleting the tenant's data) is never granted by default: a key gets it only when listed for it. */
export type Role = 'scanner' | 'approver' | 'operator' | 'admin';

export type ScanSource =
  | { kind: 'local'; path: string }
  | { kind: 'git'; url: string; ref?: string };

export interface ScanInput {
  scanId: string;
  tenant: string;
  /** Stable identity of the repository (absolute path or normalised URL). */
  repoKey: string;
  source: ScanSource;
  engine: 'builtin' | 'claude';
  requestedBy: string;
  /** Operational knobs set by the starter, e.g. a shorter heartbeat timeout in tests. */
  tuning?: { heartbeatTimeoutSeconds?: number };
  /** Claude engine overrides for this scan (no secrets: the API key stays in the worker). */
  claude?: { model?: string; effort?: 'low' | 'medium' | 'high'; budgetTokens?: number; maxCostUsd?: number };
}

export type ScanStage =
  | 'queued'
  | 'snapshot'
  | 'merkle_sync'
  | 'reasoning'
  | 'verification'
  | 'scoring'
  | 'awaiting_decisions'
  | 'applying'
  | 'reporting'
  | 'completed'
  | 'failed';

/** Per-finding state kept in the workflow: ids and enums only, never code. */
export interface FindingState {
  id: string;
  fingerprint: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  status: 'pending' | 'approved' | 'rejected';
  hasPatch: boolean;
  /** Rule id, CWE and file of the sink: metadata (never code) that bulk decisions filter on. */
  ruleId: string;
  cwe: string;
  file: string;
  decidedBy?: string;
  carriedOver?: boolean;
}

export interface StageCounts {
  snapshot?: { snapshotId: string; files: number; bytes: number; skipped: Record<string, number>; commit?: string };
  merkle?: { rootHash: string; added: number; changed: number; removed: number; unchanged: number };
  reasoning?: { filesInScope: number; filesAnalysed: number; candidates: number; carriedOver: number };
  verification?: { confirmed: number; rejected: number; uncertain: number };
  scoring?: { findings: number };
  apply?: { applied: number; rejected: number; failed: number; branch?: string; commit?: string; patchSeries?: boolean };
  report?: { formats: string[] };
  /** Claude engine: passes run and skipped, panel outcome, tokens spent against the budget. */
  claude?: {
    components: number;
    passes: number;
    passesRun: number;
    passesSkipped: number;
    malformedDropped: number;
    panels: number;
    patches: number;
    budgetTokens: number;
    spentTokens: number;
    budgetExhausted: boolean;
    /** The scan's cost limit in USD, when it has one, and what it spent, priced by the workflow from token counts. */
    maxCostUsd?: number;
    spentUsd?: number;
    /** Which limit stopped the scan: the token budget or the cost limit. */
    stoppedBy?: 'tokens' | 'cost';
    /** Work a limit left undone: research passes cut short, candidates not verified, confirmed findings not patched. */
    passesCutShort?: number;
    panelsSkipped?: number;
    patchesSkipped?: number;
    /** True when a limit left any of the scan's planned work undone: its coverage is incomplete. */
    incomplete?: boolean;
    /** Claims each check rejected (activities/engines/claude/grounding.ts CLAIM_CHECKS): counts only. */
    rejected?: Record<string, number>;
  };
}

export interface ScanStatus {
  scanId: string;
  tenant: string;
  repoKey: string;
  stage: ScanStage;
  counts: StageCounts;
  findings: FindingState[];
  error?: string;
  /** How many runs of the workflow came before this one (it continues as new before Temporal's limits). */
  continuedAsNew?: number;
}

export interface DecisionInput {
  findingId: string;
  decision: 'approve' | 'reject';
  actor: string;
  /** The caller's tenant and roles, checked again by the validator (defence in depth behind the API). */
  tenant: string;
  roles: Role[];
  comment?: string;
}

export interface DecisionResult {
  findingId: string;
  status: 'approved' | 'rejected';
  /** False when the same decision had already been recorded (a repeated decision is idempotent). */
  changed: boolean;
}

/** Findings chosen by their metadata; every criterion given must hold (they combine with AND). */
export interface FindingFilter {
  ruleId?: string;
  /** The vulnerability class, as its CWE id (e.g. CWE-89). */
  cwe?: string;
  /** A path prefix matched segment-wise on the sink's file: "test/" and "test" both mean the test directory. */
  pathPrefix?: string;
  severity?: FindingState['severity'][];
}

/** Many findings decided at once: by ids, or by a filter (exactly one of the two). */
export interface BulkDecisionInput {
  findingIds?: string[];
  filter?: FindingFilter;
  decision: 'approve' | 'reject';
  actor: string;
  tenant: string;
  roles: Role[];
  comment?: string;
}

/**
 * What a bulk decision did. Findings already decided the same way are `unchanged`; findings already decided the
 * other way are `conflicts` and keep their decision (a decision is never reversed within a scan, in bulk or not).
 */
export interface BulkDecisionResult {
  status: 'approved' | 'rejected';
  matched: number;
  changed: string[];
  unchanged: number;
  conflicts: { findingId: string; status: 'approved' | 'rejected'; decidedBy?: string }[];
}

export const statusQuery = defineQuery<ScanStatus>('status');
export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decide');
export const decideManyUpdate = defineUpdate<BulkDecisionResult, [BulkDecisionInput]>('decideMany');

export const scanWorkflowType = 'scan';
/** `vigil scan --estimate` / `"estimate": true`: snapshot and threat model, then the planned passes' cost; no research. */
export const estimateWorkflowType = 'scanEstimate';

/** What the estimate workflow returns (counts only; the estimate is the `claude:estimate` artefact). */
export interface EstimateResult {
  snapshotId: string;
  files: number;
  bytes: number;
  passes: number;
  tokens: { low: number; expected: number; high: number };
  /** Tokens the estimate itself spent (the threat-model pass). */
  spentTokens: number;
}
