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
import { applyUnifiedDiff, parseUnifiedDiff } from '../../patches/apply-diff.js';
import { memoisedPass, openMeter, requireCandidate, requireClaude, requireThreatModel, snapshotReader, type ClaudeStageDeps, type PassInput } from './pass.js';

const summary = (a: PatchArtifact) => ({ patched: a.accepted, budgetStopped: a.budgetStopped, tokens: budgetTokens(a.usage) });

/** Why a proposed diff is not acceptable for `file` as it is, or undefined. */
function diffProblem(file: string, text: string, diff: string): string | undefined {
  try {
    const parsed = parseUnifiedDiff(diff);
    const target = parsed.newPath ?? parsed.oldPath;
    if (target && target !== file) return `the diff must change ${file} only (it names ${target})`;
  } catch (err) {
    return `the diff does not parse: ${(err as Error).message}`;
  }
  const applied = applyUnifiedDiff(text, diff);
  return applied.ok ? undefined : `the diff does not apply to ${file}: ${applied.reason}`;
}

export async function claudePatchStage(deps: ClaudeStageDeps, input: PassInput & { candidateId: string; allowance: number }) {
  const { store } = deps;
  return memoisedPass(store, input, K.patch(input.candidateId), summary, async (hb): Promise<PatchArtifact> => {
    const claude = requireClaude(deps);
    const tm = await requireThreatModel(store, input);
    const candidate = await requireCandidate(store, input, input.candidateId);
    const file = candidate.location.file;
    const files = await (await snapshotReader(store, input)).load([file]);
    const text = files.read(file) ?? '';
    const meter = await openMeter(store, input, `patch:${candidate.id}`, input.allowance);
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
    const proposal = await runToolLoop({
      ...common,
      role: 'patch',
      prompt: ['The confirmed finding:', describeCandidate(candidate), `The file ${file} as it is:`, dataBlock(file, text)].join('\n\n'),
      finalTool: 'propose_patch',
      validate: (v) => validateWith(patchSchema, v, (p) => diffProblem(file, text, p.diff)),
    });
    if (!proposal.value) {
      return {
        candidateId: candidate.id,
        accepted: false,
        reason: proposal.budgetStopped ? 'token budget exhausted' : proposal.dropped ? 'the proposed diff did not apply twice' : 'no patch proposed',
        budgetStopped: proposal.budgetStopped,
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
    return {
      candidateId: candidate.id,
      patch,
      review: rv,
      accepted,
      reason: accepted ? 'applies; the reviewer confirmed it fixes only this finding' : rv ? `the reviewer refused it: ${rv.reasoning}` : 'no review',
      budgetStopped: review.budgetStopped,
      usage: meter.usage(),
    };
  });
}
