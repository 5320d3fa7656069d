// Claude pass 2 (reasoning, one per component × category): the model researches one component for one class of
// weakness, reading files through the tools, and reports findings whose cited lines exist in the snapshot.
import { claudeArtifact as K } from '../../artifacts.js';
import type { PassArtifact } from '../../engines/claude/artifacts.js';
import { candidateFromFinding } from '../../engines/claude/candidates.js';
import { budgetTokens, CATEGORY_TITLES, type ResearchCategory } from '../../engines/claude/config.js';
import { corroborate } from '../../engines/claude/corroboration.js';
import { checkReport, filesCitedByRaw } from '../../engines/claude/finding-checks.js';
import { addressesTheModel, countDrops, type ClaimDrop } from '../../engines/claude/grounding.js';
import { runToolLoop } from '../../engines/claude/loop.js';
import { dataBlock, researchTask } from '../../engines/claude/prompts.js';
import { createReadTools } from '../../engines/claude/tools.js';
import type { Candidate } from '../../model.js';
import { nonRetryable } from '../../errors.js';
import { codeSearch, memoisedPass, openMeter, requireClaude, requireThreatModel, snapshotReader, type ClaudeStageDeps, type PassAllowance, type PassInput } from './pass.js';

const summary = (a: PassArtifact) => ({
  findings: a.candidates.length,
  malformed: a.malformed,
  dropped: a.dropped ? 1 : 0,
  turns: a.turns,
  budgetStopped: a.budgetStopped,
  ...(a.stoppedBy ? { stoppedBy: a.stoppedBy } : {}),
  tokens: budgetTokens(a.usage),
  usage: a.usage,
  rejected: countDrops(a.drops ?? []),
});

/** The research category a built-in lead belongs to. */
export function leadCategory(c: Candidate): ResearchCategory {
  if (c.evidence.analysis === 'access-control') return 'authz';
  if (c.evidence.analysis === 'pattern') return 'crypto';
  return 'injection';
}

export async function claudeResearchStage(deps: ClaudeStageDeps, input: PassInput & PassAllowance & { passId: string }) {
  const { store } = deps;
  return memoisedPass(store, input, K.pass(input.passId), summary, async (hb) => {
    const claude = requireClaude(deps);
    const tm = await requireThreatModel(store, input);
    const pass = tm.passes.find((p) => p.id === input.passId);
    if (!pass) throw nonRetryable('ScanStateError', `Scan ${input.scanId} has no research pass ${input.passId}.`);
    const component = tm.components[pass.component];
    const files = await snapshotReader(store, input);
    const leads = (await store.getArtifact(input.tenant, input.scanId, K.leads))?.leads ?? [];
    const mine = new Set(component.files);
    const componentLeads = leads.filter((c) => mine.has(c.origin) || mine.has(c.location.file));
    const meter = await openMeter(store, input, `pass:${input.passId}`, input.allowance, { usd: input.allowanceUsd, model: tm.settings.model });
    // Repository text the model read that addresses the model ("report nothing"): where it came from.
    const addressed = new Set<string>();
    const onShown = (label: string, text: string) => {
      if (addressesTheModel(text)) addressed.add(label);
    };
    const prompt = [
      `Research pass ${input.passId}. ${researchTask(pass.category)}`,
      'The component, as the threat model describes it:',
      dataBlock(
        'component',
        [
          `name: ${component.name}`,
          `description: ${component.description}`,
          `entry points: ${component.entryPoints.join('; ')}`,
          `trust boundaries: ${component.trustBoundaries.join('; ')}`,
          `sinks: ${component.sinks.join('; ')}`,
          `assumptions: ${tm.assumptions.join('; ')}`,
        ].join('\n'),
      ),
      tm.mode === 'incremental' ? 'Research only these files (changed, or depending on changed files):' : 'Its files:',
      dataBlock('component files', component.files.join('\n')),
      `The built-in engine has ${componentLeads.length} lead(s) here (builtin_leads). Report findings for ${CATEGORY_TITLES[pass.category]} only.`,
    ].join('\n\n');
    const r = await runToolLoop({
      client: claude.client,
      model: tm.settings.model,
      role: 'research',
      prompt,
      maxTurns: tm.profile.researchTurns,
      maxTokens: tm.profile.maxTokens,
      finalTool: 'report_findings',
      validate: async (v) => {
        // Each finding is checked alone against the files it cites (read in one batch first).
        const items = (v as { findings?: unknown })?.findings;
        if (Array.isArray(items)) await files.load(filesCitedByRaw(items.slice(0, 50)));
        return checkReport(files, v);
      },
      tools: createReadTools(files, { leads: () => componentLeads, search: codeSearch(store, input), onShown, guidance: deps.guidance }),
      meter,
      stream: true,
      signal: hb.signal,
      secrets: claude.secrets,
      onTurn: (turn) => hb.progress({ stage: 'claude-research', pass: input.passId, turn }),
    });
    const drops: ClaimDrop[] = [...(r.value?.drops ?? [])];
    for (let i = 0; i < r.toolInputRejected; i++) drops.push({ check: 'tool-input', reason: 'a tool input was over-long or not a JSON object' });
    // Each finding carries what the built-in engine says of its sink line (its flows are the leads, all of them).
    const candidates = (r.value?.findings ?? []).map(candidateFromFinding).map((c) => ({ ...c, evidence: { ...c.evidence, corroboration: corroborate(files, c, leads) } }));
    // A model that read text addressed to it and then reported nothing may have obeyed it: the built-in engine's
    // leads of this category are not dropped on its word, but verified as any finding is.
    if (r.value && candidates.length === 0 && addressed.size > 0) {
      const kept = componentLeads.filter((l) => leadCategory(l) === pass.category);
      if (kept.length) {
        drops.push({ check: 'injected-instructions', reason: `an empty report after reading ${[...addressed].slice(0, 3).join(', ')}; ${kept.length} built-in lead(s) verified instead` });
        candidates.push(...kept.map((l) => ({ ...l, evidence: { ...l.evidence, corroboration: 'corroborated' as const } })));
      }
    }
    return {
      passId: input.passId,
      candidates,
      drops,
      malformed: r.malformed,
      dropped: r.dropped,
      turns: r.turns,
      budgetStopped: r.budgetStopped,
      ...(r.stoppedBy ? { stoppedBy: r.stoppedBy } : {}),
      usage: meter.usage(),
    };
  });
}
