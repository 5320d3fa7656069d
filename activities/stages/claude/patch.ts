// Claude pass 4 (verification, one per confirmed finding): a proposed patch that must apply to the file as
// scanned, then a second conversation that reviews it; only a patch the reviewer accepts is kept.
import { claudeArtifact as K } from '../../artifacts.js';
import type { PatchArtifact } from '../../engines/claude/artifacts.js';
import { describeCandidate } from '../../engines/claude/candidates.js';
import { budgetTokens } from '../../engines/claude/config.js';
import { runToolLoop } from '../../engines/claude/loop.js';
import { dataBlock } from '../../engines/claude/prompts.js';
import { patchReviewSchema, patchSchema, validateWith } from '../../engines/claude/schemas.js';
import { createReadTools } from '../../engines/claude/tools.js';
import type { Patch } from '../../model.js';
import { countDrops, nearLocation, type ClaimCheck, type ClaimDrop } from '../../engines/claude/grounding.js';
import { applyParsedDiff, parseUnifiedDiff, type ParsedDiff } from '../../patches/apply-diff.js';
import { memoisedPass, openMeter, requireCandidate, requireClaude, requireThreatModel, snapshotReader, type ClaudeStageDeps, type PassAllowance, type PassInput } from './pass.js';

const summary = (a: PatchArtifact) => ({
  patched: a.accepted,
  budgetStopped: a.budgetStopped,
  ...(a.stoppedBy ? { stoppedBy: a.stoppedBy } : {}),
  tokens: budgetTokens(a.usage),
  usage: a.usage,
  rejected: countDrops(a.drops ?? []),
});

/** Old-file lines (1-based) a diff removes, or inserts before, given where its hunks landed. */
function changedLines(parsed: ParsedDiff, placements: { oldIndex: number }[]): number[] {
  const out: number[] = [];
  parsed.hunks.forEach((h, i) => {
    let line = (placements[i]?.oldIndex ?? Math.max(0, h.oldStart - 1)) + 1;
    for (const l of h.lines) {
      if (l.op === ' ') line++;
      else if (l.op === '-') out.push(line++);
      else out.push(line);
    }
  });
  return out;
}

/**
 * Why a proposed diff is not acceptable for the finding as the file is, with the check that says so, or undefined:
 * it must parse and apply (patch-apply), and change the reported lines (patch-scope) — a reviewer's approval
 * cannot stand in for either.
 */
function diffProblem(location: { file: string; startLine: number; endLine: number }, text: string, diff: string): { check: ClaimCheck; reason: string } | undefined {
  const file = location.file;
  let parsed: ParsedDiff;
  try {
    parsed = parseUnifiedDiff(diff);
  } catch (err) {
    return { check: 'patch-apply', reason: `the diff does not parse: ${(err as Error).message}` };
  }
  const target = parsed.newPath ?? parsed.oldPath;
  if (target && target !== file) return { check: 'patch-apply', reason: `the diff must change ${file} only (it names ${target})` };
  const applied = applyParsedDiff(text, parsed);
  if (!applied.ok) return { check: 'patch-apply', reason: `the diff does not apply to ${file}: ${applied.reason}` };
  if (!changedLines(parsed, applied.placements).some((l) => nearLocation(location, file, l))) {
    return { check: 'patch-scope', reason: `the diff does not change the reported lines ${file}:${location.startLine}-${location.endLine}` };
  }
  return undefined;
}

export async function claudePatchStage(deps: ClaudeStageDeps, input: PassInput & PassAllowance & { candidateId: string }) {
  const { store } = deps;
  return memoisedPass(store, input, K.patch(input.candidateId), summary, async (hb): Promise<PatchArtifact> => {
    const claude = requireClaude(deps);
    const tm = await requireThreatModel(store, input);
    const candidate = await requireCandidate(store, input, input.candidateId);
    const file = candidate.location.file;
    const files = await (await snapshotReader(store, input)).load([file]);
    const text = files.read(file) ?? '';
    const meter = await openMeter(store, input, `patch:${candidate.id}`, input.allowance, { usd: input.allowanceUsd, model: tm.settings.model });
    const common = {
      client: claude.client,
      model: tm.settings.model,
      maxTurns: 3,
      maxTokens: tm.profile.maxTokens,
      tools: createReadTools(files),
      meter,
      signal: hb.signal,
      secrets: claude.secrets,
    };
    // Every refused proposal is a rejected claim, with the check that refused it.
    const drops: ClaimDrop[] = [];
    let lastProblem: { check: ClaimCheck; reason: string } | undefined;
    const proposal = await runToolLoop({
      ...common,
      role: 'patch',
      prompt: ['The confirmed finding:', describeCandidate(candidate), `The file ${file} as it is:`, dataBlock(file, text)].join('\n\n'),
      finalTool: 'propose_patch',
      validate: (v) =>
        validateWith(patchSchema, v, (p) => {
          lastProblem = diffProblem(candidate.location, text, p.diff);
          if (lastProblem) drops.push({ ...lastProblem, file, line: candidate.location.startLine });
          return lastProblem?.reason;
        }),
    });
    for (let i = 0; i < proposal.toolInputRejected; i++) drops.push({ check: 'tool-input', reason: 'a tool input was over-long or not a JSON object' });
    if (!proposal.value) {
      return {
        drops,
        candidateId: candidate.id,
        accepted: false,
        reason: proposal.budgetStopped
          ? proposal.stoppedBy === 'cost'
            ? 'cost limit reached'
            : 'token budget exhausted'
          : proposal.dropped
            ? `the proposed diff was refused twice (${lastProblem?.check ?? 'malformed'})`
            : 'no patch proposed',
        budgetStopped: proposal.budgetStopped,
        ...(proposal.stoppedBy ? { stoppedBy: proposal.stoppedBy } : {}),
        usage: meter.usage(),
      };
    }
    const patch: Patch = { file, diff: proposal.value.diff, description: proposal.value.description };
    const review = await runToolLoop({
      ...common,
      role: 'patchReview',
      prompt: ['The finding:', describeCandidate(candidate), `The file ${file} before the patch:`, dataBlock(file, text), 'The patch:', dataBlock('patch', patch.diff)].join('\n\n'),
      finalTool: 'review_patch',
      validate: (v) => validateWith(patchReviewSchema, v),
    });
    const rv = review.value;
    const accepted = Boolean(rv && rv.fixes_finding && rv.keeps_behaviour && !rv.introduces_issues);
    for (let i = 0; i < review.toolInputRejected; i++) drops.push({ check: 'tool-input', reason: 'a tool input was over-long or not a JSON object' });
    return {
      drops,
      candidateId: candidate.id,
      patch,
      review: rv,
      accepted,
      reason: accepted ? 'applies; the reviewer confirmed it fixes only this finding' : rv ? `the reviewer refused it: ${rv.reasoning}` : 'no review',
      budgetStopped: review.budgetStopped,
      ...(review.stoppedBy ? { stoppedBy: review.stoppedBy } : {}),
      usage: meter.usage(),
    };
  });
}
