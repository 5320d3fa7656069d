// Findings' workflow state in a compact form for payloads that carry all of them (the score stage's result
// and the state a run hands to the next on continue-as-new): repeated strings (files, rules, CWEs, deciders)
// are listed once and rows refer to them by index. Thousands of findings stay well under Temporal's 2 MB
// payload limit. Metadata only: ids, hashes, enums and paths, never code.
import type { FindingState } from './definitions.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const STATUSES = ['pending', 'approved', 'rejected'] as const;

/** [id, fingerprint, severity, status, flags (1 hasPatch, 2 carriedOver), file, rule, cwe, decidedBy (-1: none)] */
type Row = [string, string, number, number, number, number, number, number, number];

export interface FindingTable {
  strings: string[];
  rows: Row[];
}

export function packFindings(findings: FindingState[]): FindingTable {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      index.set(s, i);
    }
    return i;
  };
  const rows = findings.map((f): Row => [
    f.id,
    f.fingerprint,
    SEVERITIES.indexOf(f.severity),
    STATUSES.indexOf(f.status),
    (f.hasPatch ? 1 : 0) | (f.carriedOver ? 2 : 0),
    ref(f.file),
    ref(f.ruleId),
    ref(f.cwe),
    f.decidedBy === undefined ? -1 : ref(f.decidedBy),
  ]);
  return { strings, rows };
}

export function unpackFindings(table: FindingTable): FindingState[] {
  const { strings } = table;
  return table.rows.map(([id, fingerprint, severity, status, flags, file, ruleId, cwe, decidedBy]) => ({
    id,
    fingerprint,
    severity: SEVERITIES[severity],
    status: STATUSES[status],
    hasPatch: (flags & 1) !== 0,
    ruleId: strings[ruleId],
    cwe: strings[cwe],
    file: strings[file],
    ...(decidedBy >= 0 ? { decidedBy: strings[decidedBy] } : {}),
    ...(flags & 2 ? { carriedOver: true } : {}),
  }));
}
