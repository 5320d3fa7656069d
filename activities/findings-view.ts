// A scan's findings as people see them: the scored findings (stored once, at scoring, snippets included),
// the decisions recorded in this scan on top, and the live workflow state on top of that where the caller has
// it (the API: the workflow knows about a decision a moment before the store does). The API, the CLI, apply
// and report all read findings through here, so a finding's status is rebuilt in one place.
import type { FindingState } from '../workflows/definitions.js';
import type { Finding, LedgerEntry } from './model.js';
import type { Store } from './store/store.js';

export type FindingView = Finding & { decidedBy?: string };

/** What the live workflow says of a finding (its status query). */
export type LiveFinding = Pick<FindingState, 'id' | 'status' | 'decidedBy'>;

/**
 * The scored findings predate any decision of this scan: overlay the decisions recorded in the store, then the
 * live workflow state. A decision carried over from an earlier scan is already on the scored finding.
 */
export function overlayDecisions(findings: Finding[], recorded: Map<string, LedgerEntry>, live?: LiveFinding[]): FindingView[] {
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

/**
 * The scan's findings with their decisions, or undefined when the scan has not been scored yet. `live` asks the
 * workflow for its state (only once there are findings to overlay); omitted, the store alone answers.
 */
export async function findingsView(
  store: Pick<Store, 'getArtifact' | 'getScanDecisions'>,
  scan: { tenant: string; scanId: string },
  live?: () => Promise<LiveFinding[] | undefined>,
): Promise<FindingView[] | undefined> {
  const findings = await store.getArtifact(scan.tenant, scan.scanId, 'findings');
  if (!findings) return undefined;
  const [recorded, state] = await Promise.all([store.getScanDecisions(scan.tenant, scan.scanId), live?.()]);
  return overlayDecisions(findings, recorded, state);
}
