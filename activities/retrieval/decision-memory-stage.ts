// The two places decision memory joins the pipeline, kept out of the shared stage files: remembering
// decisions as they are recorded, and attaching precedents to findings at scoring. Either failing degrades
// retrieval only (a warning); the decision is recorded and the scan scored all the same.
import type { Finding } from '../model.js';
import type { Store } from '../store/store.js';
import { rememberDecisions, similarDecisions, type DecisionMemory } from './decision-memory.js';

// The local model embeds about 25-40 texts a second on one thread, and both activities run under a 5-minute
// timeout: bound the work so a scan or a bulk decision of thousands of findings never times out over it.
/** Findings of one bulk decision remembered (they share one comment; a few hundred precedents say it). */
export const MAX_REMEMBERED = 300;
/** Pending findings of a scan given precedents, most severe first. */
export const MAX_WITH_PRECEDENTS = 1000;
const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;

export async function rememberRecordedDecisions(
  memory: DecisionMemory | undefined,
  store: Pick<Store, 'getArtifact'>,
  input: { tenant: string; scanId: string; repoKey?: string; findingIds: string[]; decision: 'approve' | 'reject'; comment?: string; decidedAt: string },
): Promise<void> {
  if (!memory) return;
  try {
    const findings = (await store.getArtifact(input.tenant, input.scanId, 'findings')) ?? [];
    const wanted = new Set(input.findingIds.slice(0, MAX_REMEMBERED));
    const decided = findings
      .filter((f) => wanted.has(f.id))
      .map((finding) => ({ finding, scanId: input.scanId, repository: input.repoKey, decision: input.decision, comment: input.comment, decidedAt: input.decidedAt }));
    await rememberDecisions(memory, input.tenant, decided);
  } catch (err) {
    memory.warn(`decision memory: could not remember the decision(s) of scan ${input.scanId}: ${(err as Error).message}`);
  }
}

/** Findings with `similarDecisions` set where the tenant has precedents; unchanged when retrieval fails. */
export async function withSimilarDecisions(memory: DecisionMemory | undefined, tenant: string, scanId: string, findings: Finding[]): Promise<Finding[]> {
  if (!memory) return findings;
  try {
    // Findings already decided (carried over) need no precedent.
    const pending = findings
      .filter((f) => f.status === 'pending')
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])
      .slice(0, MAX_WITH_PRECEDENTS);
    const similar = await similarDecisions(memory, tenant, scanId, pending);
    return findings.map((f) => (similar.has(f.id) ? { ...f, similarDecisions: similar.get(f.id)! } : f));
  } catch (err) {
    memory.warn(`decision memory: no similar past decisions for scan ${scanId}: ${(err as Error).message}`);
    return findings;
  }
}
