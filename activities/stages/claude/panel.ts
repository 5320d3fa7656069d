// Claude pass 3 (verification, one per candidate): a panel of independent verifiers, each its own conversation
// through one lens, votes; the vote is counted in code (engines/claude/panel.ts).
import { claudeArtifact as K } from '../../artifacts.js';
import type { PanelArtifact } from '../../engines/claude/artifacts.js';
import { describeCandidate } from '../../engines/claude/candidates.js';
import { budgetTokens } from '../../engines/claude/config.js';
import { runToolLoop } from '../../engines/claude/loop.js';
import { tallyVotes, toVote, type Vote } from '../../engines/claude/panel.js';
import { LENS_INSTRUCTIONS } from '../../engines/claude/prompts.js';
import { validateWith, voteSchema } from '../../engines/claude/schemas.js';
import { createReadTools } from '../../engines/claude/tools.js';
import { codeSearch, memoisedPass, openMeter, requireCandidate, requireClaude, requireThreatModel, snapshotReader, type ClaudeStageDeps, type PassInput } from './pass.js';

const summary = (a: PanelArtifact) => ({ verdict: a.tally.verdict, missing: a.tally.missing, budgetStopped: a.budgetStopped, tokens: budgetTokens(a.usage) });

export async function claudePanelStage(deps: ClaudeStageDeps, input: PassInput & { candidateId: string; allowance: number }) {
  const { store } = deps;
  return memoisedPass(store, input, K.panel(input.candidateId), summary, async (hb) => {
    const claude = requireClaude(deps);
    const tm = await requireThreatModel(store, input);
    const candidate = await requireCandidate(store, input, input.candidateId);
    const files = await snapshotReader(store, input);
    const meter = await openMeter(store, input, `panel:${candidate.id}`, input.allowance);
    const votes: Vote[] = [];
    let budgetStopped = false;
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
        prompt: [LENS_INSTRUCTIONS[lens], 'The finding under review:', describeCandidate(candidate)].join('\n\n'),
        maxTurns: tm.profile.verifierTurns,
        maxTokens: tm.profile.maxTokens,
        finalTool: 'cast_vote',
        validate: (v) => validateWith(voteSchema, v),
        tools: createReadTools(files, { search: codeSearch(store, input) }),
        meter,
        signal: hb.signal,
        secrets: claude.secrets,
        onTurn: (turn) => hb.progress({ stage: 'claude-panel', candidate: candidate.id, lens, turn }),
      });
      budgetStopped ||= r.budgetStopped;
      // The evidence must cite lines the snapshot holds: read the files it names first (one batch).
      if (r.value) await files.load(r.value.evidence.map((e) => e.file));
      const vote = toVote(lens, r.value, files);
      // A missing vote from a budget stop is not stored: a later attempt with budget may still cast it.
      if (vote.verdict) await store.putArtifact(input.tenant, input.scanId, K.vote(candidate.id, lens), vote);
      votes.push(vote);
    }
    return { candidateId: candidate.id, votes, tally: tallyVotes(votes, tm.profile.lenses.length), budgetStopped, usage: meter.usage() };
  });
}
