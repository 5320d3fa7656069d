// The events each stage writes, built from what the stage already knows (ids, counts, finding metadata).
// Stages append them to the store after their own writes, in the same activity: a retry appends the same ids,
// which the outbox ignores.
import type { Finding, Severity } from '../model.js';
import type { CloudEvent } from './cloud-event.js';
import { flatCounts, scanEvent } from './make-event.js';
import type { EventStage } from './types.js';

export interface EventScan {
  tenant: string;
  scanId: string;
}

export function stageStarted(s: EventScan, stage: EventStage): CloudEvent {
  return scanEvent(s.tenant, s.scanId, 'dev.vigil.stage.started.v1', { scanId: s.scanId, stage }, { key: stage });
}

export function stageCompleted(s: EventScan, stage: EventStage, counts: object): CloudEvent {
  return scanEvent(
    s.tenant,
    s.scanId,
    'dev.vigil.stage.completed.v1',
    { scanId: s.scanId, stage, counts: flatCounts(counts as Record<string, unknown>) },
    { key: stage },
  );
}

export function stageFailed(s: EventScan, stage: EventStage, errorType: string): CloudEvent {
  return scanEvent(s.tenant, s.scanId, 'dev.vigil.stage.failed.v1', { scanId: s.scanId, stage, errorType }, { key: stage });
}

/** One per finding: where it is and how bad, never its code, trace or explanation. */
export function findingCreated(s: EventScan, f: Finding): CloudEvent {
  return scanEvent(
    s.tenant,
    s.scanId,
    'dev.vigil.finding.created.v1',
    {
      scanId: s.scanId,
      findingId: f.id,
      fingerprint: f.fingerprint,
      ruleId: f.ruleId,
      cwe: f.cwe,
      severity: f.severity,
      confidence: f.confidence,
      file: f.location.file,
      line: f.location.startLine,
      status: f.status,
    },
    { key: f.id },
  );
}

export function scanCompleted(s: EventScan, findings: Pick<Finding, 'severity' | 'status'>[]): CloudEvent {
  const bySeverity: Partial<Record<Severity, number>> = {};
  for (const f of findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  return scanEvent(s.tenant, s.scanId, 'dev.vigil.scan.completed.v1', {
    scanId: s.scanId,
    findings: findings.length,
    approved: findings.filter((f) => f.status === 'approved').length,
    rejected: findings.filter((f) => f.status === 'rejected').length,
    bySeverity: bySeverity as Record<Severity, number>,
  });
}
