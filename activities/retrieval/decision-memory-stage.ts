// The two places decision memory joins the pipeline, kept out of the shared stage files: remembering
// decisions as they are recorded, and attaching precedents to findings at scoring. Either failing degrades
// retrieval only (a warning); the decision is recorded and the scan scored all the same.
import type { Candidate, Finding, SimilarDecision, Verdict } from '../model.js';
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

/** Said in reports when the lookup failed mid-scan; the error itself (it may name hosts or paths) goes to the log only. */
export const RETRIEVAL_FAILED = 'similar past decisions could not be looked up for this scan (the vector store or the embedding model failed; see the worker log)';

/**
 * Why decision memory is off, as a report says it: the worker's start-up message names files and settings of the
 * host (paths, hosts), which stay in its log; the report gets the kind of cause and what to do.
 */
export function reportedUnavailability(message: string): string {
  if (/^retrieval is turned off/.test(message)) return 'retrieval is turned off on the worker (VIGIL_RETRIEVAL=off)';
  if (/embedding model/i.test(message) && /missing/i.test(message)) return 'the embedding model is not provisioned on the worker (run `npm run models:fetch`)';
  if (/embedding model/i.test(message) && /corrupt/i.test(message)) return 'the embedding model on the worker is corrupt (delete it and run `npm run models:fetch`)';
  return 'decision memory is unavailable on the worker (see its log)';
}

/** Findings with `similarDecisions` set where the tenant has precedents; unchanged when retrieval fails. */
export async function withSimilarDecisions(memory: DecisionMemory | undefined, tenant: string, scanId: string, findings: Finding[]): Promise<Finding[]> {
  return (await lookUpSimilarDecisions(memory, tenant, scanId, findings)).findings;
}

/** withSimilarDecisions, saying whether the lookup failed (`failed`: the findings are returned unchanged). */
export async function lookUpSimilarDecisions(
  memory: DecisionMemory | undefined,
  tenant: string,
  scanId: string,
  findings: Finding[],
): Promise<{ findings: Finding[]; failed?: true }> {
  if (!memory) return { findings };
  try {
    // Findings already decided (carried over) need no precedent.
    const pending = findings
      .filter((f) => f.status === 'pending')
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])
      .slice(0, MAX_WITH_PRECEDENTS);
    // Precedents verification already looked up are the same ones (same text, same tenant): not embedded twice.
    const known = new Map(pending.filter((f) => f.verdict.precedents).map((f) => [f.id, f.verdict.precedents!]));
    const similar = await similarDecisions(memory, tenant, scanId, pending.filter((f) => !known.has(f.id)));
    for (const [id, precedents] of known) if (precedents.length > 0) similar.set(id, precedents);
    return { findings: findings.map((f) => (similar.has(f.id) ? { ...f, similarDecisions: similar.get(f.id)! } : f)) };
  } catch (err) {
    memory.warn(`decision memory: no similar past decisions for scan ${scanId}: ${(err as Error).message}`);
    return { findings, failed: true };
  }
}

/** Comment characters quoted in a verdict's evidence line (the whole comment is shown with the finding). */
const EVIDENCE_COMMENT_CHARS = 200;

/** A precedent as a line of a verdict's evidence: decision, similarity, the earlier finding's ids, the comment on one line. */
export function precedentEvidence(p: SimilarDecision): string {
  const comment = p.comment?.replace(/\s+/g, ' ').trim();
  const quoted = comment ? `: ${comment.length > EVIDENCE_COMMENT_CHARS ? `${comment.slice(0, EVIDENCE_COMMENT_CHARS)}…` : comment}` : '';
  return `similar past decision: ${p.decision === 'approve' ? 'approved' : 'rejected'} (${p.similarity.toFixed(2)}; finding ${p.findingId} in scan ${p.scanId})${quoted}`;
}

/** The precedents of each candidate (by candidate id); empty when retrieval is off or fails (a warning). */
export async function candidatePrecedents(
  memory: DecisionMemory | undefined,
  tenant: string,
  scanId: string,
  candidates: Pick<Candidate, 'id' | 'ruleId' | 'cwe' | 'title' | 'explanation' | 'location'>[],
): Promise<Map<string, SimilarDecision[]> | undefined> {
  if (!memory) return undefined;
  try {
    const looked = candidates.slice(0, MAX_WITH_PRECEDENTS);
    const found = await similarDecisions(memory, tenant, scanId, looked);
    // Every candidate looked up has an entry (empty: none similar), so scoring does not look it up again.
    return new Map(looked.map((c) => [c.id, found.get(c.id) ?? []]));
  } catch (err) {
    memory.warn(`decision memory: no similar past decisions for the verification of scan ${scanId}: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * Verdicts with their candidates' precedents recorded as evidence: the `precedents` field and one reason line
 * each. The verdict, its confidence and every other reason are the verifier's, unchanged: a match decides nothing.
 */
export function withPrecedentEvidence(verdicts: Verdict[], precedents: Map<string, SimilarDecision[]> | undefined): Verdict[] {
  if (!precedents) return verdicts;
  return verdicts.map((v) => {
    const found = precedents.get(v.candidateId);
    if (!found) return v;
    return { ...v, reasons: [...v.reasons, ...found.map(precedentEvidence)], precedents: found };
  });
}
