// The event catalogue: one entry per versioned CloudEvents `type`, with the zod schema of its `data`. The JSON
// Schemas published in activities/events/schemas/ are generated from these (activities/events/json-schemas.ts)
// and a test keeps them in step. Data carries ids, counts and metadata only — never code, never secrets.
import { z } from 'zod';

/** Stages as the workflow names them (ScanStage, minus the states that are not stages). */
export const EVENT_STAGES = ['snapshot', 'merkle_sync', 'reasoning', 'verification', 'scoring', 'applying', 'reporting'] as const;
export type EventStage = (typeof EVENT_STAGES)[number];

const scanId = z.string().min(1).max(200).describe('The scan (also the event subject).');
const stage = z.enum(EVENT_STAGES);
/** A stage's counts as numbers only (nested counts flattened as `skipped.binary`). */
const counts = z.record(z.string().max(100), z.number()).describe("The stage's counts.");
/** A failure's type (e.g. SnapshotLimitError), never its message: messages may quote paths or URLs. */
const errorType = z.string().max(200);

export const EVENT_DATA = {
  'dev.vigil.scan.requested.v1': z.object({
    scanId,
    workflowId: z.string(),
    requestedBy: z.string().max(200),
    /** Absent when the worker wrote the event first (the starter's copy, same id, then adds nothing). */
    engine: z.string().max(50).optional(),
    sourceKind: z.enum(['local', 'git']),
    /** sha256 of the repository key (16 hex): consumers group scans of one repository without the event naming it. */
    repoHash: z.string().regex(/^[0-9a-f]{16}$/),
  }),
  'dev.vigil.scan.started.v1': z.object({ scanId, workflowId: z.string(), runId: z.string() }),
  'dev.vigil.stage.started.v1': z.object({ scanId, stage }),
  'dev.vigil.stage.completed.v1': z.object({ scanId, stage, counts }),
  'dev.vigil.stage.failed.v1': z.object({ scanId, stage, errorType }),
  'dev.vigil.finding.created.v1': z.object({
    scanId,
    findingId: z.string(),
    fingerprint: z.string(),
    ruleId: z.string(),
    cwe: z.string(),
    severity: z.enum(['critical', 'high', 'medium', 'low']),
    confidence: z.enum(['high', 'medium', 'low']),
    file: z.string(),
    line: z.number().int(),
    status: z.enum(['pending', 'approved', 'rejected']),
  }),
  'dev.vigil.decision.recorded.v1': z.object({
    scanId,
    findingId: z.string(),
    fingerprint: z.string(),
    decision: z.enum(['approve', 'reject']),
    actor: z.string().max(200),
    /** Present only when the tenant allows comments in events (tenants file: decisionComments). */
    comment: z.string().max(10_000).optional(),
  }),
  'dev.vigil.patch.applied.v1': z.object({
    scanId,
    branch: z.string().optional(),
    commit: z.string().optional(),
    patchSeries: z.boolean(),
    applied: z.number().int(),
    failed: z.number().int(),
  }),
  'dev.vigil.scan.completed.v1': z.object({
    scanId,
    findings: z.number().int(),
    approved: z.number().int(),
    rejected: z.number().int(),
    bySeverity: z.partialRecord(z.enum(['critical', 'high', 'medium', 'low']), z.number().int()),
  }),
  'dev.vigil.scan.failed.v1': z.object({ scanId, stage: z.enum([...EVENT_STAGES, 'queued', 'awaiting_decisions']), errorType }),
  /** The tenant's data was deleted (subject: the tenant). Counts only: nothing of what was deleted is named. */
  'dev.vigil.tenant.deleted.v1': z.object({
    requestedBy: z.string().max(200),
    /** Running scans cancelled first (the request asked for it). */
    cancelledScans: z.number().int().min(0),
    deleted: z.object({
      scans: z.number().int().min(0),
      snapshots: z.number().int().min(0),
      blobs: z.number().int().min(0),
      artifacts: z.number().int().min(0),
      decisions: z.number().int().min(0),
      ledgerEntries: z.number().int().min(0),
      events: z.number().int().min(0),
      other: z.number().int().min(0).describe('Merkle nodes, repository trees and engine state.'),
      vectors: z.number().int().min(0).describe('Remembered decision vectors.'),
      workflows: z.number().int().min(0).describe('Closed scan workflow runs deleted from Temporal.'),
    }),
  }),
} as const;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];
export type EventDataOf<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_DATA, type);
}
