// Vigil's own report format: everything a scan concluded, as one JSON document for scripts and dashboards.
//
// Stability contract: `schemaVersion` changes only on a breaking change (a field removed, renamed or given a
// different meaning). Within a version, fields may be added. Every field listed below is always present;
// values that do not apply are null (never missing), lists are [] when empty, and lists are sorted as
// documented so that the same scan always serialises to the same bytes.
import type { StageCounts } from '../../workflows/definitions.js';
import type { Confidence, Decision, DecisionKind, EngineUsage, Finding, FindingStatus, GuidanceLink, LedgerEntry, Severity, SimilarDecision, TraceStep, VerdictKind } from '../model.js';
import { VIGIL_VERSION } from '../version.js';
import type { Baseline, BaselineFixed, BaselineState } from './baseline.js';

export const JSON_REPORT_SCHEMA_VERSION = 1;

export interface JsonReportInput {
  scan: {
    scanId: string;
    tenant?: string;
    repoKey: string;
    commit?: string;
    snapshotId?: string;
    engine?: string;
    requestedBy?: string;
    startedAt?: string;
    finishedAt?: string;
  };
  findings: Finding[];
  /** The workflow's per-stage counts. */
  counts?: StageCounts;
  /** Decisions of this scan; defaults to the decisions recorded on the findings. */
  decisions?: (LedgerEntry & { findingId: string })[];
  apply?: {
    branch?: string;
    commit?: string;
    baseCommit?: string;
    applied: string[];
    failed: { findingId: string; reason: string }[];
    rejected?: string[];
    patchSeries?: boolean;
  };
  scope?: { mode: 'full' | 'incremental'; filesInScope: string[]; analysedFiles: string[]; carriedOver: number };
  merkle?: { rootHash: string; previousRoot?: string; added: string[]; changed: string[]; removed: string[]; unchanged: number };
  /** The mbox text, when one was produced; the report records its size, not the text. */
  patchSeries?: string;
  /** This scan against the previous completed scan of the repository (baseline.ts). */
  baseline?: Baseline;
  /** Model usage of an engine that spends tokens (the Claude engine): budget, tokens and cost per stage, coverage. */
  engineUsage?: EngineUsage;
  /** Set when decision memory was unavailable for this scan: why. */
  retrieval?: { reason: string };
}

export interface JsonReport {
  schemaVersion: typeof JSON_REPORT_SCHEMA_VERSION;
  generator: { name: 'Vigil'; version: string };
  scan: {
    scanId: string;
    tenant: string | null;
    repoKey: string;
    commit: string | null;
    snapshotId: string | null;
    engine: string | null;
    requestedBy: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  };
  summary: {
    findings: number;
    bySeverity: Record<Severity, number>;
    byStatus: Record<FindingStatus, number>;
    byVerdict: Record<VerdictKind, number>;
    withPatch: number;
  };
  /** The workflow's per-stage counts, as reported; null when not given. */
  stages: StageCounts | null;
  /** What the reasoning stage looked at. File lists are summarised as counts. */
  scope: { mode: 'full' | 'incremental'; filesInScope: number; analysedFiles: number; carriedOver: number } | null;
  /** How the snapshot differed from the previous scan of the repository. Paths sorted. */
  changes: { rootHash: string; previousRoot: string | null; added: string[]; changed: string[]; removed: string[]; unchanged: number } | null;
  /** Sorted by severity (critical first), then file, line and id. */
  findings: JsonReportFinding[];
  /** Sorted by decidedAt, then findingId. */
  decisions: JsonReportDecision[];
  apply: JsonReportApply | null;
  /** Against the previous completed scan of the repository; null on its first scan. */
  baseline: { previousScanId: string | null; new: number; unchanged: number; fixed: BaselineFixed[] } | null;
  /** Tokens and estimated cost per stage, budget, and directory coverage; null for engines that use no model. */
  engineUsage: EngineUsage | null;
  /** Present when the scan ran without decision memory (no similar past decisions shown): why. */
  retrieval?: { status: 'unavailable'; reason: string };
}

export interface JsonReportFinding {
  id: string;
  /** Stable across scans of the same repository; decisions follow it. */
  fingerprint: string;
  ruleId: string;
  cwe: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  status: FindingStatus;
  location: { file: string; startLine: number; endLine: number; startColumn: number | null; endColumn: number | null };
  explanation: string;
  /** From the attacker-controlled source to the sink. */
  trace: { kind: TraceStep['kind']; file: string; line: number; column: number | null; label: string; snippet: string | null }[];
  verdict: { verdict: VerdictKind; verifier: string; reasons: string[] };
  patch: { file: string; description: string; diff: string } | null;
  decision: { decision: DecisionKind; actor: string; comment: string | null; decidedAt: string; scanId: string; carriedOver: boolean } | null;
  /** 'new' or 'unchanged' against the baseline scan; null when there is none. */
  baseline: BaselineState | null;
  /** The tenant's most similar past decisions (decision memory), when there are any. */
  similarDecisions?: SimilarDecision[];
  /** The guidance passage that best answers the finding (GET /v1/guidance/:id), when retrieval is on. */
  guidance?: GuidanceLink;
}

export interface JsonReportDecision {
  findingId: string;
  fingerprint: string;
  decision: DecisionKind;
  actor: string;
  comment: string | null;
  decidedAt: string;
  /** The scan in which the decision was made; differs from this scan when carried over. */
  scanId: string;
  carriedOver: boolean;
}

export interface JsonReportApply {
  /** 'branch': committed to a local repository; 'patch-series': an mbox stored as the scan's patch-series artefact. */
  mode: 'branch' | 'patch-series' | 'none';
  branch: string | null;
  commit: string | null;
  baseCommit: string | null;
  /** Finding ids, in the order they were applied. */
  applied: string[];
  failed: { findingId: string; reason: string }[];
  /** Finding ids rejected in review (their patches were not applied). Sorted. */
  rejected: string[];
  patchSeries: { messages: number; bytes: number } | null;
}

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

export function toJsonReport(input: JsonReportInput): JsonReport {
  const { scan, findings } = input;
  const sorted = [...findings].sort(compareFindings);
  return {
    schemaVersion: JSON_REPORT_SCHEMA_VERSION,
    generator: { name: 'Vigil', version: VIGIL_VERSION },
    scan: {
      scanId: scan.scanId,
      tenant: scan.tenant ?? null,
      repoKey: scan.repoKey,
      commit: scan.commit ?? null,
      snapshotId: scan.snapshotId ?? null,
      engine: scan.engine ?? null,
      requestedBy: scan.requestedBy ?? null,
      startedAt: scan.startedAt ?? null,
      finishedAt: scan.finishedAt ?? null,
    },
    summary: {
      findings: findings.length,
      bySeverity: tally(findings, (f) => f.severity, SEVERITIES),
      byStatus: tally(findings, (f) => f.status, ['pending', 'approved', 'rejected']),
      byVerdict: tally(findings, (f) => f.verdict.verdict, ['confirmed', 'uncertain', 'rejected']),
      withPatch: findings.filter((f) => f.patch).length,
    },
    stages: input.counts ?? null,
    scope: input.scope
      ? {
          mode: input.scope.mode,
          filesInScope: input.scope.filesInScope.length,
          analysedFiles: input.scope.analysedFiles.length,
          carriedOver: input.scope.carriedOver,
        }
      : null,
    changes: input.merkle
      ? {
          rootHash: input.merkle.rootHash,
          previousRoot: input.merkle.previousRoot ?? null,
          added: [...input.merkle.added].sort(),
          changed: [...input.merkle.changed].sort(),
          removed: [...input.merkle.removed].sort(),
          unchanged: input.merkle.unchanged,
        }
      : null,
    findings: sorted.map((f) => reportFinding(f, input.baseline)),
    decisions: decisionsOf(input, findings),
    apply: applyOf(input),
    baseline: input.baseline
      ? { previousScanId: input.baseline.previousScanId, new: input.baseline.new, unchanged: input.baseline.unchanged, fixed: input.baseline.fixed }
      : null,
    engineUsage: input.engineUsage ? usageOf(input.engineUsage) : null,
    ...(input.retrieval ? { retrieval: { status: 'unavailable' as const, reason: input.retrieval.reason } } : {}),
  };
}

function usageOf(u: EngineUsage): EngineUsage {
  return {
    model: u.model,
    effort: u.effort,
    budgetTokens: u.budgetTokens,
    spentTokens: u.spentTokens,
    budgetExhausted: u.budgetExhausted,
    skippedPasses: u.skippedPasses,
    estimatedCostUsd: u.estimatedCostUsd,
    stages: u.stages.map((s) => ({ stage: s.stage, tokens: s.tokens, estimatedCostUsd: s.estimatedCostUsd })),
    coverage: u.coverage.map((c) => ({ directory: c.directory, status: c.status, ...(c.reason ? { reason: c.reason } : {}) })),
    ...(u.claims ? { claims: { rejected: { ...u.claims.rejected }, summary: [...u.claims.summary] } } : {}),
    ...(u.maxCostUsd !== undefined ? { maxCostUsd: u.maxCostUsd } : {}),
    ...(u.incomplete !== undefined ? { incomplete: u.incomplete } : {}),
    ...(u.stoppedBy ? { stoppedBy: u.stoppedBy } : {}),
    ...(u.notDone ? { notDone: [...u.notDone] } : {}),
  };
}

function reportFinding(f: Finding, baseline: Baseline | undefined): JsonReportFinding {
  return {
    id: f.id,
    fingerprint: f.fingerprint,
    ruleId: f.ruleId,
    cwe: f.cwe,
    title: f.title,
    severity: f.severity,
    confidence: f.confidence,
    status: f.status,
    location: {
      file: f.location.file,
      startLine: f.location.startLine,
      endLine: f.location.endLine,
      startColumn: f.location.startColumn ?? null,
      endColumn: f.location.endColumn ?? null,
    },
    explanation: f.explanation,
    trace: f.trace.map((s) => ({ kind: s.kind, file: s.file, line: s.line, column: s.column ?? null, label: s.label, snippet: s.snippet ?? null })),
    verdict: { verdict: f.verdict.verdict, verifier: f.verdict.verifier, reasons: [...f.verdict.reasons] },
    patch: f.patch ? { file: f.patch.file, description: f.patch.description, diff: f.patch.diff } : null,
    decision: f.decision ? decisionBody(f.decision, f.decisionCarriedOver ?? false) : null,
    baseline: baseline?.states[f.id] ?? null,
    ...(f.similarDecisions?.length ? { similarDecisions: f.similarDecisions.map((s) => ({ ...s })) } : {}),
    ...(f.guidance ? { guidance: { ...f.guidance } } : {}),
  };
}

function decisionBody(d: Decision, carriedOver: boolean) {
  return { decision: d.decision, actor: d.actor, comment: d.comment ?? null, decidedAt: d.decidedAt, scanId: d.scanId, carriedOver };
}

function decisionsOf(input: JsonReportInput, findings: Finding[]): JsonReportDecision[] {
  const byId = new Map(findings.map((f) => [f.id, f]));
  const rows: JsonReportDecision[] = input.decisions
    ? input.decisions.map((d) => ({
        findingId: d.findingId,
        fingerprint: d.fingerprint,
        ...decisionBody(d, d.scanId !== input.scan.scanId),
      }))
    : findings
        .filter((f) => f.decision)
        .map((f) => ({ findingId: f.id, fingerprint: f.fingerprint, ...decisionBody(f.decision!, f.decisionCarriedOver ?? false) }));
  // Keep key order identical whichever way the rows were built.
  const ordered = rows.map((r) => ({
    findingId: r.findingId,
    fingerprint: r.fingerprint || byId.get(r.findingId)?.fingerprint || '',
    decision: r.decision,
    actor: r.actor,
    comment: r.comment,
    decidedAt: r.decidedAt,
    scanId: r.scanId,
    carriedOver: r.carriedOver,
  }));
  return ordered.sort((a, b) => cmp(a.decidedAt, b.decidedAt) || cmp(a.findingId, b.findingId));
}

function applyOf(input: JsonReportInput): JsonReportApply | null {
  const a = input.apply;
  if (!a) return null;
  const series = input.patchSeries;
  return {
    mode: a.branch && a.commit ? 'branch' : a.patchSeries ? 'patch-series' : 'none',
    branch: a.branch ?? null,
    commit: a.commit ?? null,
    baseCommit: a.baseCommit ?? null,
    applied: [...a.applied],
    failed: a.failed.map((f) => ({ findingId: f.findingId, reason: f.reason })),
    rejected: [...(a.rejected ?? [])].sort(),
    patchSeries: series ? { messages: (series.match(/^From [0-9a-f]{40} /gm) ?? []).length, bytes: Buffer.byteLength(series, 'utf8') } : null,
  };
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    cmp(a.location.file, b.location.file) ||
    a.location.startLine - b.location.startLine ||
    cmp(a.id, b.id)
  );
}

function tally<K extends string>(findings: Finding[], key: (f: Finding) => K, keys: K[]): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const f of findings) out[key(f)] = (out[key(f)] ?? 0) + 1;
  return out;
}

/** Code-point order, so sorting does not depend on the machine's locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
