// Where guidance joins the pipeline: at scoring, each finding is linked to the passage of its class's guidance
// that best answers it. A failure degrades guidance only (a warning); the scan is scored all the same.
import type { Finding, GuidanceLink } from '../model.js';
import type { GuidanceLibrary } from './guidance-docs.js';
import type { GuidanceIndex, GuidanceQuery } from './guidance-index.js';
import { headingMatchesStack } from './repository-stack.js';

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

/**
 * The guidance classes a finding belongs to: its own rule when we have guidance for it, else the classes reporting
 * its CWE. The Claude engine names its findings by CWE (`claude-cwe-89`), so this is how they find their guidance;
 * a CWE two classes share (CWE-200) searches both.
 */
export function guidanceClassesOf(f: Pick<Finding, 'ruleId' | 'cwe'>, library: GuidanceLibrary): string[] {
  const own = library.chunks.some((c) => c.ruleId === f.ruleId);
  if (own) return [f.ruleId];
  const cwe = f.cwe.trim().toUpperCase();
  return [...new Set(library.chunks.filter((c) => c.cwe.toUpperCase() === cwe).map((c) => c.ruleId))];
}

/** How many of a class's fix passages are ranked for a finding (more than any class has). */
const RANKED_PASSAGES = 64;

/**
 * Findings with `guidance` set where their class has a passage; unchanged when retrieval fails. `stacks` maps a
 * file to the libraries its manifest names (repository-stack.ts): among the passages, one for the finding's own
 * framework or driver is preferred to a closer-worded one for another.
 */
export async function withGuidance(
  index: GuidanceIndex | undefined,
  scanId: string,
  findings: Finding[],
  stacks: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): Promise<Finding[]> {
  if (!index || findings.length === 0) return findings;
  try {
    const classesOf = new Map(findings.map((f) => [f.id, guidanceClassesOf(f, index.library)]));
    const linked = findings
      .filter((f) => classesOf.get(f.id)!.length > 0)
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])
      .slice(0, MAX_WITH_GUIDANCE);
    // Findings that say the same thing (one class, one explanation) share one search.
    const keyOf = (f: Finding) => `${classesOf.get(f.id)!.join(',')}\0${guidanceQueryText(f)}`;
    const queries = new Map<string, GuidanceQuery>();
    for (const f of linked) queries.set(keyOf(f), { text: guidanceQueryText(f), ruleIds: classesOf.get(f.id)!, section: LINKED_SECTION });
    const keys = [...queries.keys()];
    const hits = await index.searchMany([...queries.values()], RANKED_PASSAGES);
    const ranked = new Map(keys.map((k, i) => [k, hits[i] ?? []]));
    const links = new Map<string, GuidanceLink>();
    for (const f of linked) {
      const all = ranked.get(keyOf(f)) ?? [];
      const stack = stacks.get(f.location.file) ?? new Set<string>();
      const top = all.find((h) => headingMatchesStack(h.chunk.heading, stack)) ?? all[0];
      if (top) links.set(f.id, { id: top.chunk.id, title: top.chunk.title, heading: top.chunk.heading, similarity: Math.round(top.similarity * 1000) / 1000 });
    }
    return findings.map((f) => {
      const link = links.get(f.id);
      return link ? { ...f, guidance: link } : f;
    });
  } catch (err) {
    index.warn(`guidance: no passages linked for scan ${scanId}: ${(err as Error).message}`);
    return findings;
  }
}
