// A model's finding held against the built-in engine: its sink models say whether a sink of the claimed kind is
// on the line, its flows (the leads) whether data is known to reach it. The panel's verdict is then capped or
// overturned by what that shows, whatever the votes say. Pure functions.
import { lowerConfidence } from '../../confidence.js';
import { classTitleForCwe, isAccessControlCwe, sinkRuleForCwe, sinksOnLines } from '../builtin/sink-query.js';
import type { Candidate, CandidateEvidence, SourceFiles } from '../../model.js';
import { QUOTE_WINDOW, type ClaimDrop } from './grounding.js';
import type { Tally, Vote } from './panel.js';

export type Corroboration = NonNullable<CandidateEvidence['corroboration']>;

/** The finding's sink lines (its location, and its trace's sink step), checked against the models and the leads. */
export function corroborate(files: SourceFiles, c: Candidate, leads: Candidate[]): Corroboration {
  const rule = sinkRuleForCwe(c.cwe);
  const text = files.read(c.location.file);
  if (!rule || text === undefined) return 'not-modelled';
  const { file, startLine, endLine } = c.location;
  const near = (f: string, line: number) => f === file && line >= startLine - QUOTE_WINDOW && line <= endLine + QUOTE_WINDOW;
  const flow = leads.some(
    (l) => l.cwe === c.cwe && (near(l.location.file, l.location.startLine) || l.trace.some((s) => s.kind === 'sink' && near(s.file, s.line))),
  );
  if (flow) return 'corroborated';
  const sinkLines = [startLine, ...c.trace.filter((s) => s.kind === 'sink' && s.file === file).map((s) => s.line)];
  const from = Math.min(...sinkLines);
  const to = Math.max(endLine, ...sinkLines);
  const sinks = sinksOnLines(file, text, from, to);
  if (sinks === undefined) return 'not-modelled';
  return sinks.some((s) => s.rule === rule) ? 'sink-only' : 'no-sink';
}

const className = (cwe: string) => classTitleForCwe(cwe) ?? cwe;

/**
 * The panel's tally under the corroboration rules: corroborated keeps it; sink-only caps it at medium (reasoning
 * only); no-sink rejects it unless a verifier's grounded sink quote shows a sink of the kind (then medium); a class
 * with no sink model is reasoning-only at medium unless a verifier grounds both the missing check and a sibling
 * that has it. A rejection by this check comes back as a drop.
 */
export function groundTally(tally: Tally, votes: Vote[], c: Candidate, files: SourceFiles): { tally: Tally; drop?: ClaimDrop } {
  const status = c.evidence.corroboration;
  if (!status || status === 'corroborated' || tally.verdict === 'rejected') return { tally };
  const capped = (why: string): { tally: Tally } => ({
    tally: { ...tally, confidence: lowerConfidence(tally.confidence, 'medium'), reasons: [...tally.reasons, `reasoning-only: ${why} (confidence at most medium)`] },
  });
  const supporting = votes.filter((v) => v.verdict === 'true_positive' && v.grounded);
  if (status === 'sink-only') return capped(`a ${className(c.cwe)} sink is on the line, but the built-in engine knows no flow to it`);
  if (status === 'no-sink') {
    const rule = sinkRuleForCwe(c.cwe);
    const text = files.read(c.location.file) ?? '';
    const shown = supporting.some((v) => {
      const s = v.grounded!.sink;
      return s.file === c.location.file && (sinksOnLines(s.file, text, s.line, s.line) ?? []).some((x) => x.rule === rule);
    });
    if (shown) return capped(`a verifier's grounded quote shows the ${className(c.cwe)} sink the built-in engine did not place on the line`);
    const where = `${c.location.file}:${c.location.startLine}`;
    return {
      tally: {
        ...tally,
        verdict: 'rejected',
        confidence: 'low',
        reasons: [`corroboration: no ${className(c.cwe)} sink at ${where} — rejected whatever the votes say`, ...tally.reasons],
      },
      drop: { check: 'corroboration', reason: `no ${className(c.cwe)} sink on the line`, file: c.location.file, line: c.location.startLine },
    };
  }
  const siblingShown = supporting.some((v) => v.grounded!.missingDefence && v.grounded!.sibling);
  if (siblingShown) return { tally };
  return capped(
    isAccessControlCwe(c.cwe)
      ? `${className(c.cwe)} has no sink model, and no verifier grounded both the missing check and a sibling that has it`
      : `the built-in engine models no sink for ${className(c.cwe)}`,
  );
}
