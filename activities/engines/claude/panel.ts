// The panel's vote, counted in code, and duplicate merging. Pure functions.
import type { Candidate, Confidence, SourceFiles, VerdictKind } from '../../model.js';
import type { VerifierLens } from './config.js';
import { CLAIM_CHECKS, nearLocation, quoteProblem, type ClaimCheck } from './grounding.js';
import type { ModelVote } from './schemas.js';
import { lineExists } from './tools.js';

type At = { file: string; line: number };

export interface Vote {
  lens: VerifierLens;
  /** undefined: the verifier did not answer (malformed twice, budget, no output). */
  verdict?: 'true_positive' | 'false_positive';
  /** Evidence the verifier cited that exists in the snapshot. */
  evidence: { file: string; line: number; note: string }[];
  reasoning?: string;
  /** A true_positive without valid file:line evidence stays a false positive. */
  downgraded?: boolean;
  /** The check that turned a true_positive claim into a false positive (its quotes were not the code, or elsewhere). */
  rejectedBy?: ClaimCheck;
  /** What a true_positive vote quoted, each quote found in the snapshot at its line. */
  grounded?: { source: At; sink: At; missingDefence: At; sibling?: At };
}

export interface Tally {
  verdict: VerdictKind;
  truePositives: number;
  falsePositives: number;
  missing: number;
  panelSize: number;
  /** Votes needed to keep a finding: a strict majority of the whole panel. */
  needed: number;
  confidence: Confidence;
  reasons: string[];
}

/**
 * Kept (confirmed) only when a strict majority of the panel says true positive AND every verifier
 * answered. A missing vote never counts as agreement: with one missing the candidate is uncertain,
 * unless the answered votes already make a majority impossible (then it is rejected).
 */
export function tallyVotes(votes: Vote[], panelSize: number): Tally {
  const answered = votes.filter((v) => v.verdict !== undefined);
  const tp = answered.filter((v) => v.verdict === 'true_positive').length;
  const fp = answered.length - tp;
  const missing = panelSize - answered.length;
  const needed = Math.floor(panelSize / 2) + 1;
  let verdict: VerdictKind;
  if (missing > 0) verdict = tp + missing < needed ? 'rejected' : 'uncertain';
  else verdict = tp >= needed ? 'confirmed' : 'rejected';
  const confidence: Confidence = verdict === 'confirmed' ? (tp === panelSize ? 'high' : 'medium') : 'low';
  const reasons = [
    `panel: ${tp} of ${panelSize} true positive, ${fp} false positive${missing ? `, ${missing} did not answer` : ''} (needs ${needed} with every verifier answering)`,
    ...votes.map((v) =>
      v.verdict === undefined
        ? `${v.lens}: no answer`
        : `${v.lens}: ${v.verdict.replace('_', ' ')}${v.rejectedBy ? ` (claimed true positive; ${v.rejectedBy}: ${CLAIM_CHECKS[v.rejectedBy]})` : v.downgraded ? ' (claimed true positive without valid file:line evidence)' : ''}` +
          (v.evidence.length ? ` — ${v.evidence.map((e) => `${e.file}:${e.line}`).join(', ')}` : ''),
    ),
  ];
  return { verdict, truePositives: tp, falsePositives: fp, missing, panelSize, needed, confidence, reasons };
}

/** Merges candidates on (file, overlapping line range, CWE); the first by id survives and absorbs the rest's files. */
export function mergeDuplicates(candidates: Candidate[]): Candidate[] {
  const sorted = [...candidates].sort((a, b) => a.id.localeCompare(b.id));
  const kept: Candidate[] = [];
  for (const c of sorted) {
    const same = kept.find(
      (k) =>
        k.cwe === c.cwe &&
        k.location.file === c.location.file &&
        k.location.startLine <= c.location.endLine &&
        c.location.startLine <= k.location.endLine,
    );
    if (same) same.dependsOn = [...new Set([...same.dependsOn, ...c.dependsOn])].sort();
    else kept.push({ ...c, dependsOn: [...c.dependsOn] });
  }
  return kept;
}

/**
 * A verifier's answer as a vote. A true positive must quote the source, the sink (at the reported location) and the
 * missing defence, each the code the snapshot holds there; otherwise it stays a false positive, with the check that
 * said so. The files the vote cites must have been loaded.
 */
export function toVote(lens: VerifierLens, v: ModelVote | undefined, files: SourceFiles, location?: Candidate['location']): Vote {
  if (!v) return { lens, evidence: [] };
  const cited = v.evidence.filter((e) => lineExists(files, e.file, e.line));
  if (v.verdict === 'false_positive') return { lens, verdict: v.verdict, evidence: cited, reasoning: v.reasoning };
  const downgrade = (rejectedBy?: ClaimCheck): Vote => ({ lens, verdict: 'false_positive', evidence: cited, reasoning: v.reasoning, downgraded: true, ...(rejectedBy ? { rejectedBy } : {}) });
  const quotes = [v.source, v.sink, v.missing_defence, v.sibling_with_defence].filter((q) => q !== undefined);
  // Every verifier starts from "false positive": a true-positive claim whose quotes are not the code does not overturn it.
  if (quotes.some((q) => quoteProblem(files, q.file, q.line, q.code))) return downgrade('verifier-quote');
  if (location && v.sink && !nearLocation(location, v.sink.file, v.sink.line)) return downgrade('verifier-location');
  const at = (q: { file: string; line: number }) => ({ file: q.file, line: q.line });
  const evidence = [
    ...(v.source ? [{ ...at(v.source), note: 'source (quoted)' }] : []),
    ...(v.sink ? [{ ...at(v.sink), note: 'sink (quoted)' }] : []),
    ...(v.missing_defence ? [{ ...at(v.missing_defence), note: 'missing defence (quoted)' }] : []),
    ...(v.sibling_with_defence ? [{ ...at(v.sibling_with_defence), note: 'sibling with the defence (quoted)' }] : []),
    ...cited,
  ];
  if (evidence.length === 0) return downgrade();
  const grounded =
    v.source && v.sink && v.missing_defence
      ? { source: at(v.source), sink: at(v.sink), missingDefence: at(v.missing_defence), ...(v.sibling_with_defence ? { sibling: at(v.sibling_with_defence) } : {}) }
      : undefined;
  return { lens, verdict: v.verdict, evidence, reasoning: v.reasoning, ...(grounded ? { grounded } : {}) };
}
