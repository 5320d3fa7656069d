// The panel's vote, counted in code, and duplicate merging. Pure functions.
import type { Candidate, Confidence, VerdictKind } from '../../model.js';
import type { VerifierLens } from './config.js';

export interface Vote {
  lens: VerifierLens;
  /** undefined: the verifier did not answer (malformed twice, budget, no output). */
  verdict?: 'true_positive' | 'false_positive';
  /** Evidence the verifier cited that exists in the snapshot. */
  evidence: { file: string; line: number; note: string }[];
  reasoning?: string;
  /** A true_positive without valid file:line evidence stays a false positive. */
  downgraded?: boolean;
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
        : `${v.lens}: ${v.verdict.replace('_', ' ')}${v.downgraded ? ' (claimed true positive without valid file:line evidence)' : ''}` +
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
