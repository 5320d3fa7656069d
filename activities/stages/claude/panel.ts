// Claude pass 3 (verification, one per candidate): a panel of independent verifiers, each its own conversation
// through one lens, votes; the vote is counted in code (engines/claude/panel.ts).
import { claudeArtifact as K } from '../../artifacts.js';
import type { PanelArtifact } from '../../engines/claude/artifacts.js';
import { describeForVerifier } from '../../engines/claude/candidates.js';
import { groundTally } from '../../engines/claude/corroboration.js';
import { countDrops, type ClaimDrop } from '../../engines/claude/grounding.js';
import { budgetTokens } from '../../engines/claude/config.js';
import { runToolLoop } from '../../engines/claude/loop.js';
import { tallyVotes, toVote, type Vote } from '../../engines/claude/panel.js';
import { LENS_INSTRUCTIONS, TEAM_NOTES_LENS, teamNotesBlock } from '../../engines/claude/prompts.js';
import { candidatePrecedents } from '../../retrieval/decision-memory-stage.js';
import { validateWith, voteSchema } from '../../engines/claude/schemas.js';
import { createReadTools } from '../../engines/claude/tools.js';
import { codeSearch, memoisedPass, openMeter, requireCandidate, requireClaude, requireThreatModel, snapshotReader, type ClaudeStageDeps, type PassAllowance, type PassInput } from './pass.js';

const summary = (a: PanelArtifact) => ({
  verdict: a.tally.verdict,
  missing: a.tally.missing,
  budgetStopped: a.budgetStopped,
  ...(a.stoppedBy ? { stoppedBy: a.stoppedBy } : {}),
  tokens: budgetTokens(a.usage),
  usage: a.usage,
  rejected: countDrops(a.drops ?? []),
});

export async function claudePanelStage(deps: ClaudeStageDeps, input: PassInput & PassAllowance & { candidateId: string }) {
  const { store } = deps;
  return memoisedPass(store, input, K.panel(input.candidateId), summary, async (hb) => {
    const claude = requireClaude(deps);
    const tm = await requireThreatModel(store, input);
    const candidate = await requireCandidate(store, input, input.candidateId);
    const files = await snapshotReader(store, input);
    const meter = await openMeter(store, input, `panel:${candidate.id}`, input.allowance, { usd: input.allowanceUsd, model: tm.settings.model });
    // The team's similar past decisions, as untrusted context for one verifier (TEAM_NOTES_LENS); never counted.
    const precedents = (await candidatePrecedents(deps.retrieval, input.tenant, input.scanId, [candidate]))?.get(candidate.id);
    const votes: Vote[] = [];
    let budgetStopped = false;
    let stoppedBy: 'tokens' | 'cost' | undefined;
    for (const lens of tm.profile.lenses) {
      // Each verifier is its own conversation; a vote already cast (before a crash) is reused.
      const kept = await store.getArtifact(input.tenant, input.scanId, K.vote(candidate.id, lens));
      if (kept) {
        votes.push(kept);
        continue;
      }
      const r = await runToolLoop({
        client: claude.client,
        model: tm.settings.model,
        role: 'verifier',
        // Independent: the location and the class only, so the verifier finds (and quotes) source, sink and defence itself.
        prompt: [
          LENS_INSTRUCTIONS[lens],
          'The suspected vulnerability under review:',
          describeForVerifier(candidate),
          'Read the code yourself. A true_positive vote quotes the source, the sink (at this location) and the missing defence verbatim.',
          ...(precedents?.length && lens === TEAM_NOTES_LENS ? [teamNotesBlock(precedents)] : []),
        ].join('\n\n'),
        maxTurns: tm.profile.verifierTurns,
        maxTokens: tm.profile.maxTokens,
        finalTool: 'cast_vote',
        validate: (v) => validateWith(voteSchema, v),
        tools: createReadTools(files, { search: codeSearch(store, input), guidance: deps.guidance }),
        meter,
        signal: hb.signal,
        secrets: claude.secrets,
        onTurn: (turn) => hb.progress({ stage: 'claude-panel', candidate: candidate.id, lens, turn }),
      });
      budgetStopped ||= r.budgetStopped;
      stoppedBy ??= r.stoppedBy;
      // The evidence and quotes must be what the snapshot holds: read the files they name first (one batch).
      if (r.value) {
        const v = r.value;
        await files.load([...v.evidence.map((e) => e.file), ...[v.source, v.sink, v.missing_defence, v.sibling_with_defence].flatMap((q) => (q ? [q.file] : []))]);
      }
      const vote = toVote(lens, r.value, files, candidate.location);
      // A missing vote from a budget stop is not stored: a later attempt with budget may still cast it.
      if (vote.verdict) await store.putArtifact(input.tenant, input.scanId, K.vote(candidate.id, lens), vote);
      votes.push(vote);
    }
    const drops: ClaimDrop[] = votes.flatMap((v) =>
      v.rejectedBy ? [{ check: v.rejectedBy, reason: `${v.lens} verifier: ${v.rejectedBy}`, file: candidate.location.file, line: candidate.location.startLine }] : [],
    );
    // The votes, then what the built-in engine says of the sink line: a claim it contradicts is rejected whatever the votes say.
    await files.load([candidate.location.file]);
    const grounded = groundTally(tallyVotes(votes, tm.profile.lenses.length), votes, candidate, files);
    if (grounded.drop) drops.push(grounded.drop);
    return { candidateId: candidate.id, votes, tally: grounded.tally, budgetStopped, ...(stoppedBy ? { stoppedBy } : {}), usage: meter.usage(), drops, ...(precedents ? { precedents } : {}) };
  });
}
