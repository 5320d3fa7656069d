// Claude verification, last step: each candidate's verdict from its panel (with the panel's confidence, which
// scoring caps by), the patches the review accepted, and the usage ledger with estimated cost.
import { claudeArtifact as K } from '../../artifacts.js';
import type { UsageLedger } from '../../engines/claude/artifacts.js';
import { addUsage, budgetTokens, estimateCostUsd, ZERO_USAGE, type TokenUsage } from '../../engines/claude/config.js';
import { countDrops, describeCounts, type ClaimDrop } from '../../engines/claude/grounding.js';
import type { Candidate, Verdict } from '../../model.js';
import { recordVerdicts } from '../engine-results.js';
import { withPrecedentEvidence } from '../../retrieval/decision-memory-stage.js';
import { requireThreatModel, type ClaudeStageDeps, type PassInput } from './pass.js';

export const PANEL_VERIFIER = 'claude-panel';

export interface ConcludeInput {
  passIds: string[];
  budgetExhausted: boolean;
  skippedPasses: number;
  /** The limit that stopped the scan, when one did (the workflow's ledger knows). */
  stoppedBy?: 'tokens' | 'cost';
  maxCostUsd?: number;
  /** The workflow's judgement: a limit left planned work undone. */
  incomplete?: boolean;
}

/** What a limit left undone, as sentences for the report's coverage. */
function notDoneSentences(
  tm: { passes: { id: string; component: number; category: string }[]; components: { name: string }[]; budgetStopped?: boolean },
  passes: Map<string, { budgetStopped: boolean } | undefined>,
  unverified: number,
  unpatched: number,
): string[] {
  const label = (p: { component: number; category: string }) => `${tm.components[p.component]?.name ?? `component ${p.component}`} × ${p.category}`;
  const list = (ps: { component: number; category: string }[]) => ps.slice(0, 10).map(label).join(', ') + (ps.length > 10 ? `, and ${ps.length - 10} more` : '');
  const notRun = tm.passes.filter((p) => !passes.get(p.id));
  const cut = tm.passes.filter((p) => passes.get(p.id)?.budgetStopped);
  const out: string[] = [];
  if (tm.budgetStopped) out.push('the threat model was not built (one component per top-level directory stood in)');
  if (notRun.length) out.push(`${notRun.length} of ${tm.passes.length} research passes not run: ${list(notRun)}`);
  if (cut.length) out.push(`${cut.length} research pass(es) cut short: ${list(cut)}`);
  if (unverified) out.push(`${unverified} candidate(s) not verified (left uncertain)`);
  if (unpatched) out.push(`${unpatched} confirmed finding(s) without a patch attempt`);
  return out;
}

export async function claudeConcludeStage(deps: ClaudeStageDeps, input: PassInput & ConcludeInput) {
  const { store } = deps;
  const get = <K extends Parameters<typeof store.getArtifact>[2]>(kind: K) => store.getArtifact(input.tenant, input.scanId, kind);
  const tm = await requireThreatModel(store, input);
  const candidates = (await get('candidates')) ?? [];
  const verdicts: Verdict[] = [];
  const stages = new Map<string, TokenUsage>([['threat-model', tm.usage]]);
  const add = (stage: string, u: TokenUsage | undefined) => u && stages.set(stage, addUsage(stages.get(stage) ?? ZERO_USAGE, u));
  // Every claim a check rejected, pass by pass: counted in the ledger and the report.
  const drops: ClaimDrop[] = [];
  const passes = new Map<string, { budgetStopped: boolean } | undefined>();
  for (const id of input.passIds) {
    add('research', await get(K.meter(`pass:${id}`)));
    const pass = await get(K.pass(id));
    passes.set(id, pass);
    drops.push(...(pass?.drops ?? []));
  }
  let unverified = 0;
  let unpatched = 0;
  const updated: Candidate[] = [];
  for (const c of candidates) {
    const panel = await get(K.panel(c.id));
    drops.push(...(panel?.drops ?? []), ...((await get(K.patch(c.id)))?.drops ?? []));
    add('verification', await get(K.meter(`panel:${c.id}`)));
    add('patch', await get(K.meter(`patch:${c.id}`)));
    if (!panel || (panel.budgetStopped && panel.tally.verdict !== 'confirmed')) unverified++;
    if (!panel) {
      const limit = input.stoppedBy === 'cost' ? `the scan cost limit ($${input.maxCostUsd}) was reached` : 'the scan token budget was exhausted';
      verdicts.push({ candidateId: c.id, verdict: 'uncertain', reasons: [`not verified: ${limit}`], verifier: PANEL_VERIFIER, confidence: 'low' });
      updated.push(c);
      continue;
    }
    // The verdict carries the vote's confidence (unanimous: high; a majority: medium); scoring caps by it.
    const counted: Verdict = { candidateId: c.id, verdict: panel.tally.verdict, reasons: panel.tally.reasons, verifier: PANEL_VERIFIER, confidence: panel.tally.confidence };
    // The precedents the panel was shown go with the verdict as evidence; the vote alone made it.
    verdicts.push(...withPrecedentEvidence([counted], panel.precedents ? new Map([[c.id, panel.precedents]]) : undefined));
    const patch = await get(K.patch(c.id));
    if (panel.tally.verdict === 'confirmed' && (!patch || (patch.budgetStopped && !patch.accepted))) unpatched++;
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
    ...(input.maxCostUsd !== undefined ? { maxCostUsd: input.maxCostUsd } : {}),
    incomplete: Boolean(input.incomplete),
    ...(input.stoppedBy ? { stoppedBy: input.stoppedBy } : {}),
    ...(input.incomplete ? { notDone: notDoneSentences(tm, passes, unverified, unpatched) } : {}),
  };
  await store.putArtifact(input.tenant, input.scanId, K.usage, ledger);
  return counts;
}
