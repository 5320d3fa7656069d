// Which findings a bulk decision names: by ids, or by a filter on their metadata. Pure and deterministic:
// the workflow's validator, the API's dry run and the CLI's preview all choose with this one function.
import type { BulkDecisionInput, BulkDecisionResult, FindingFilter, FindingState } from './definitions.js';

/** The path prefix as a directory or file path: no leading "./" or "/", no trailing "/". */
function normalisePrefix(prefix: string): string {
  return prefix.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}

/** True when the filter names at least one criterion (an empty filter would select everything by accident). */
export function hasCriteria(filter: FindingFilter | undefined): filter is FindingFilter {
  if (!filter) return false;
  return Boolean(
    filter.ruleId || filter.cwe || (filter.pathPrefix && normalisePrefix(filter.pathPrefix)) || filter.severity?.length,
  );
}

export function matchesFilter(f: Pick<FindingState, 'ruleId' | 'cwe' | 'file' | 'severity'>, filter: FindingFilter): boolean {
  if (filter.ruleId && f.ruleId !== filter.ruleId) return false;
  if (filter.cwe && f.cwe.toUpperCase() !== filter.cwe.toUpperCase()) return false;
  if (filter.severity?.length && !filter.severity.includes(f.severity)) return false;
  if (filter.pathPrefix) {
    const prefix = normalisePrefix(filter.pathPrefix);
    // Segment-wise: "test" selects test/a.js and test, never tests/a.js.
    if (prefix && f.file !== prefix && !f.file.startsWith(`${prefix}/`)) return false;
  }
  return true;
}

type T = Pick<FindingState, 'id' | 'ruleId' | 'cwe' | 'file' | 'severity'>;

/** The findings a bulk decision names, in the scan's order; a problem when the selection itself is wrong. */
export function selectFindings<F extends T>(findings: F[], input: Pick<BulkDecisionInput, 'findingIds' | 'filter'>):
  | { ok: true; findings: F[] }
  | { ok: false; problem: 'bad_selection' | 'unknown_ids'; message: string; unknownIds?: string[] } {
  const byIds = input.findingIds !== undefined;
  const byFilter = input.filter !== undefined;
  if (byIds === byFilter) {
    return { ok: false, problem: 'bad_selection', message: 'Name the findings either by ids or by a filter (exactly one of the two).' };
  }
  if (byIds) {
    const wanted = new Set(input.findingIds);
    if (wanted.size === 0) return { ok: false, problem: 'bad_selection', message: 'The list of finding ids is empty.' };
    const chosen = findings.filter((f) => wanted.has(f.id));
    if (chosen.length < wanted.size) {
      const known = new Set(chosen.map((f) => f.id));
      const unknownIds = [...wanted].filter((id) => !known.has(id));
      return {
        ok: false,
        problem: 'unknown_ids',
        message: `No finding ${unknownIds.slice(0, 5).join(', ')}${unknownIds.length > 5 ? ` (and ${unknownIds.length - 5} more)` : ''} in this scan.`,
        unknownIds: unknownIds.slice(0, 100),
      };
    }
    return { ok: true, findings: chosen };
  }
  if (!hasCriteria(input.filter)) {
    return {
      ok: false,
      problem: 'bad_selection',
      message: 'The filter names no criterion; give a rule, a class (CWE), a path prefix or severities.',
    };
  }
  const filter = input.filter;
  return { ok: true, findings: findings.filter((f) => matchesFilter(f, filter)) };
}

/**
 * What deciding the selected findings does: pending ones change; ones decided the same way are unchanged; ones
 * decided the other way are conflicts and keep their decision.
 */
export function decisionOutcome(
  selected: Pick<FindingState, 'id' | 'status' | 'decidedBy'>[],
  decision: 'approve' | 'reject',
): BulkDecisionResult {
  const status = decision === 'approve' ? 'approved' : 'rejected';
  const conflicts: BulkDecisionResult['conflicts'] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const f of selected) {
    if (f.status === 'pending') changed.push(f.id);
    else if (f.status === status) unchanged++;
    else conflicts.push({ findingId: f.id, status: f.status, ...(f.decidedBy ? { decidedBy: f.decidedBy } : {}) });
  }
  return { status, matched: selected.length, changed, unchanged, conflicts };
}
