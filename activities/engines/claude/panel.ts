// The panel's vote, counted in code, and duplicate merging. Pure functions.
import type { Candidate, Confidence, SourceFiles, VerdictKind } from '../../model.js';
import type { VerifierLens } from './config.js';
import { lineExists } from './tools.js';

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

/** A verifier's answer as a vote; its evidence must name lines the snapshot holds (the files read already). */
export function toVote(
  lens: VerifierLens,
  v: { verdict: 'true_positive' | 'false_positive'; evidence: { file: string; line: number; note: string }[]; reasoning: string } | undefined,
  files: SourceFiles,
): Vote {
  if (!v) return { lens, evidence: [] };
  const evidence = v.evidence.filter((e) => lineExists(files, e.file, e.line));
  // Every verifier starts from "false positive": a true-positive claim without real file:line evidence does not overturn it.
  if (v.verdict === 'true_positive' && evidence.length === 0) {
    return { lens, verdict: 'false_positive', evidence, reasoning: v.reasoning, downgraded: true };
  }
  return { lens, verdict: v.verdict, evidence, reasoning: v.reasoning };
}
