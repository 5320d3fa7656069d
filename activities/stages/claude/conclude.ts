// Claude verification, last step: each candidate's verdict from its panel (with the panel's confidence, which
// scoring caps by), the patches the review accepted, and the usage ledger with estimated cost.
import { claudeArtifact as K } from '../../artifacts.js';
import type { UsageLedger } from '../../engines/claude/artifacts.js';
import { addUsage, budgetTokens, estimateCostUsd, ZERO_USAGE, type TokenUsage } from '../../engines/claude/config.js';
import { countDrops, describeCounts, type ClaimDrop } from '../../engines/claude/grounding.js';
import type { Candidate, Verdict } from '../../model.js';
import { recordVerdicts } from '../engine-results.js';
import { requireThreatModel, type ClaudeStageDeps, type PassInput } from './pass.js';

export const PANEL_VERIFIER = 'claude-panel';

export async function claudeConcludeStage(deps: ClaudeStageDeps, input: PassInput & { passIds: string[]; budgetExhausted: boolean; skippedPasses: number }) {
  const { store } = deps;
  const get = <K extends Parameters<typeof store.getArtifact>[2]>(kind: K) => store.getArtifact(input.tenant, input.scanId, kind);
  const tm = await requireThreatModel(store, input);
  const candidates = (await get('candidates')) ?? [];
  const verdicts: Verdict[] = [];
  const stages = new Map<string, TokenUsage>([['threat-model', tm.usage]]);
  const add = (stage: string, u: TokenUsage | undefined) => u && stages.set(stage, addUsage(stages.get(stage) ?? ZERO_USAGE, u));
  // Every claim a check rejected, pass by pass: counted in the ledger and the report.
  const drops: ClaimDrop[] = [];
  for (const id of input.passIds) {
    add('research', await get(K.meter(`pass:${id}`)));
    drops.push(...((await get(K.pass(id)))?.drops ?? []));
  }
  const updated: Candidate[] = [];
  for (const c of candidates) {
    const panel = await get(K.panel(c.id));
    drops.push(...(panel?.drops ?? []), ...((await get(K.patch(c.id)))?.drops ?? []));
    add('verification', await get(K.meter(`panel:${c.id}`)));
    add('patch', await get(K.meter(`patch:${c.id}`)));
    if (!panel) {
      verdicts.push({ candidateId: c.id, verdict: 'uncertain', reasons: ['not verified: the scan token budget was exhausted'], verifier: PANEL_VERIFIER, confidence: 'low' });
      updated.push(c);
      continue;
    }
    // The verdict carries the vote's confidence (unanimous: high; a majority: medium); scoring caps by it.
    verdicts.push({ candidateId: c.id, verdict: panel.tally.verdict, reasons: panel.tally.reasons, verifier: PANEL_VERIFIER, confidence: panel.tally.confidence });
    const patch = await get(K.patch(c.id));
    updated.push({ ...c, patch: patch?.accepted ? patch.patch : undefined });
  }
  await store.putArtifact(input.tenant, input.scanId, 'candidates', updated);
  const counts = await recordVerdicts(store, input, PANEL_VERIFIER, candidates, verdicts);
  const model = tm.settings.model;
  const rows = [...stages].map(([stage, usage]) => ({ stage, usage, tokens: budgetTokens(usage), estimatedCostUsd: estimateCostUsd(model, usage) }));
  const ledger: UsageLedger = {
    model,
    effort: tm.settings.effort,
    budgetTokens: tm.settings.budgetTokens,
    spentTokens: rows.reduce((n, r) => n + r.tokens, 0),
    budgetExhausted: input.budgetExhausted,
    skippedPasses: input.skippedPasses,
    stages: rows,
    estimatedCostUsd: Math.round(rows.reduce((n, r) => n + r.estimatedCostUsd, 0) * 1e6) / 1e6,
    coverage: tm.coverage,
    drops,
    rejected: countDrops(drops),
    claims: { rejected: countDrops(drops), summary: describeCounts(countDrops(drops)) },
  };
  await store.putArtifact(input.tenant, input.scanId, K.usage, ledger);
  return counts;
}
