// Where guidance joins the pipeline: at scoring, each finding is linked to the passage of its class's guidance
// that best answers it. A failure degrades guidance only (a warning); the scan is scored all the same.
import type { Finding, GuidanceLink } from '../model.js';
import type { GuidanceIndex, GuidanceQuery } from './guidance-index.js';

/** Findings of a scan linked to guidance, most severe first (the local model embeds 25-40 texts a second). */
export const MAX_WITH_GUIDANCE = 1000;
const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;
/**
 * A finding already says what the weakness is and how it is exploited; what its reader needs next is the fix for
 * the framework or library it uses, so the link is the best passage of the class's fix section.
 */
export const LINKED_SECTION = 'How to fix it';

/** What a finding is searched by: what it says it is (its class narrows the passages; its location says nothing). */
export function guidanceQueryText(f: Pick<Finding, 'title' | 'explanation'>): string {
  return `${f.title}.\n${f.explanation}`;
}

/** Findings with `guidance` set where their class has a passage; unchanged when retrieval fails. */
export async function withGuidance(index: GuidanceIndex | undefined, scanId: string, findings: Finding[]): Promise<Finding[]> {
  if (!index || findings.length === 0) return findings;
  try {
    const classes = new Set(index.library.chunks.map((c) => c.ruleId));
    const linked = findings
      .filter((f) => classes.has(f.ruleId))
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])
      .slice(0, MAX_WITH_GUIDANCE);
    // Findings that say the same thing (one class, one explanation) share one search.
    const keyOf = (f: Finding) => `${f.ruleId}\0${guidanceQueryText(f)}`;
    const queries = new Map<string, GuidanceQuery>();
    for (const f of linked) queries.set(keyOf(f), { text: guidanceQueryText(f), ruleId: f.ruleId, section: LINKED_SECTION });
    const keys = [...queries.keys()];
    const hits = await index.searchMany([...queries.values()], 1);
    const best = new Map<string, GuidanceLink>();
    keys.forEach((k, i) => {
      const top = hits[i]?.[0];
      if (top) best.set(k, { id: top.chunk.id, title: top.chunk.title, heading: top.chunk.heading, similarity: Math.round(top.similarity * 1000) / 1000 });
    });
    return findings.map((f) => {
      const link = classes.has(f.ruleId) ? best.get(keyOf(f)) : undefined;
      return link ? { ...f, guidance: link } : f;
    });
  } catch (err) {
    index.warn(`guidance: no passages linked for scan ${scanId}: ${(err as Error).message}`);
    return findings;
  }
}
