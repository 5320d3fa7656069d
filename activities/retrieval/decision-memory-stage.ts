// The two places decision memory joins the pipeline, kept out of the shared stage files: remembering
// decisions as they are recorded, and attaching precedents to findings at scoring. Either failing degrades
// retrieval only (a warning); the decision is recorded and the scan scored all the same.
import type { Finding } from '../model.js';
import type { Store } from '../store/store.js';
import { rememberDecisions, similarDecisions, type DecisionMemory } from './decision-memory.js';

export async function rememberRecordedDecisions(
  memory: DecisionMemory | undefined,
  store: Pick<Store, 'getArtifact'>,
  input: { tenant: string; scanId: string; findingIds: string[]; decision: 'approve' | 'reject'; comment?: string; decidedAt: string },
): Promise<void> {
  if (!memory) return;
  try {
    const findings = (await store.getArtifact(input.tenant, input.scanId, 'findings')) ?? [];
    const wanted = new Set(input.findingIds);
    const decided = findings
      .filter((f) => wanted.has(f.id))
      .map((finding) => ({ finding, scanId: input.scanId, decision: input.decision, comment: input.comment, decidedAt: input.decidedAt }));
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
    const similar = await similarDecisions(memory, tenant, scanId, findings.filter((f) => f.status === 'pending'));
    return findings.map((f) => (similar.has(f.id) ? { ...f, similarDecisions: similar.get(f.id)! } : f));
  } catch (err) {
    memory.warn(`decision memory: no similar past decisions for scan ${scanId}: ${(err as Error).message}`);
    return findings;
  }
}
