// Decision memory: every approve/reject is embedded with what the finding already says (class, title,
// explanation, location) and its comment; each new finding is shown the most similar past decisions of the
// same tenant. A precedent is evidence for a person, never a decision: the finding stays pending.
import type { Finding, SimilarDecision } from '../model.js';

export type { SimilarDecision } from '../model.js';
import type { Embedder } from './embedder.js';
import { fuseWithLexical } from './hybrid-rank.js';
import type { DecisionRecord, DecisionVectorStore } from './vector-store.js';

export interface DecisionMemory {
  readonly embedder: Embedder;
  readonly vectors: DecisionVectorStore;
  /** Where a retrieval failure is reported: it degrades retrieval, never the scan or the decision. */
  warn(message: string): void;
  close(): Promise<void>;
}

/** The parts of a finding that describe it (never code beyond what the finding already stores). */
export type DescribedFinding = Pick<Finding, 'id' | 'fingerprint' | 'ruleId' | 'cwe' | 'title' | 'explanation' | 'location'>;

/** What a precedent is looked up for: a finding, or a candidate before it is one (no fingerprint needed). */
export type QueriedFinding = Omit<DescribedFinding, 'fingerprint'>;

/** How many precedents a finding shows, and the least similarity worth showing. */
export const SIMILAR_LIMIT = 3;
export const SIMILAR_MIN = 0.5;
/** The embedding's nearest decisions that the lexical side reranks (hybrid ranking, hybrid-rank.ts). */
export const RERANK_POOL = 50;

/** Comment characters embedded: the model reads 256 tokens, and the finding's own description must fit too. */
const EMBEDDED_COMMENT_CHARS = 600;

/** What is embedded for a finding (and its decision's comment, bounded, so a long one cannot push the finding out). */
export function findingText(f: QueriedFinding, comment?: string): string {
  const said = comment?.trim().slice(0, EMBEDDED_COMMENT_CHARS);
  const parts = [`${f.ruleId} (${f.cwe}): ${f.title}.`, f.explanation, `In ${f.location.file}.`, said ? `Decision comment: ${said}` : ''];
  return parts.filter(Boolean).join('\n');
}

export function vectorId(scanId: string, findingId: string): string {
  return `${scanId}:${findingId}`;
}

/** A precedent's comment as shown beside a finding: the full text stays with its own decision. */
const SHOWN_COMMENT_CHARS = 1000;
function shown(comment: string): string {
  return comment.length > SHOWN_COMMENT_CHARS ? `${comment.slice(0, SHOWN_COMMENT_CHARS)}…` : comment;
}

/** Embeds and upserts decisions (idempotent by scan and finding id: a retried activity writes the same rows). */
export async function rememberDecisions(
  memory: DecisionMemory,
  tenant: string,
  decided: { finding: DescribedFinding; scanId: string; repository?: string; decision: 'approve' | 'reject'; comment?: string; decidedAt: string }[],
): Promise<void> {
  if (decided.length === 0) return;
  const texts = decided.map((d) => findingText(d.finding, d.comment));
  const vectors = await memory.embedder.embed(texts);
  await memory.vectors.upsert(
    tenant,
    memory.embedder.model,
    decided.map((d, i) => {
      const record: DecisionRecord = {
        findingId: d.finding.id,
        scanId: d.scanId,
        fingerprint: d.finding.fingerprint,
        decision: d.decision,
        ...(d.comment ? { comment: d.comment } : {}),
        ruleId: d.finding.ruleId,
        title: d.finding.title,
        decidedAt: d.decidedAt,
        ...(d.repository !== undefined ? { repository: d.repository } : {}),
        text: texts[i]!,
      };
      return { id: vectorId(d.scanId, d.finding.id), vector: vectors[i]!, record };
    }),
  );
}

/** The text a stored decision is ranked by lexically (records stored before `text` existed: what they kept). */
function storedText(r: DecisionRecord): string {
  return r.text ?? [`${r.ruleId}: ${r.title}.`, r.comment ? `Decision comment: ${r.comment.slice(0, EMBEDDED_COMMENT_CHARS)}` : ''].filter(Boolean).join('\n');
}

/**
 * For each finding, the tenant's most similar past decisions (other findings' only), best first: the embedding's
 * nearest RERANK_POOL above the least similarity, reranked by fusing with BM25 over their texts (`ranking:
 * 'dense'` keeps the embedding's order). The similarity shown is the embedding's cosine either way.
 */
export async function similarDecisions(
  memory: DecisionMemory,
  tenant: string,
  scanId: string,
  findings: QueriedFinding[],
  opts: { limit?: number; minSimilarity?: number; ranking?: 'hybrid' | 'dense'; pool?: number } = {},
): Promise<Map<string, SimilarDecision[]>> {
  const out = new Map<string, SimilarDecision[]>();
  if (findings.length === 0 || (await memory.vectors.count(tenant)) === 0) return out;
  const limit = opts.limit ?? SIMILAR_LIMIT;
  const min = opts.minSimilarity ?? SIMILAR_MIN;
  const hybrid = (opts.ranking ?? 'hybrid') === 'hybrid';
  const pool = hybrid ? (opts.pool ?? RERANK_POOL) : 0;
  const texts = findings.map((f) => findingText(f));
  const vectors = await memory.embedder.embed(texts);
  for (const [i, f] of findings.entries()) {
    const hits = (await memory.vectors.query(tenant, memory.embedder.model, vectors[i]!, Math.max(limit, pool) + 1)).filter(
      (h) => h.similarity >= min && !(h.record.scanId === scanId && h.record.findingId === f.id),
    );
    // Only the pool is reranked (a longer list asked for keeps the embedding's order after it).
    const reranked = hybrid ? fuseWithLexical(texts[i]!, hits.slice(0, pool).map((h) => storedText(h.record))).map((at) => hits[at]!) : [];
    const ranked = [...reranked, ...hits.slice(reranked.length)];
    const similar = ranked
      .slice(0, limit)
      .map((h) => ({
        findingId: h.record.findingId,
        scanId: h.record.scanId,
        decision: h.record.decision,
        ...(h.record.comment ? { comment: shown(h.record.comment) } : {}),
        similarity: Math.round(h.similarity * 1000) / 1000,
      }));
    if (similar.length > 0) out.set(f.id, similar);
  }
  return out;
}
