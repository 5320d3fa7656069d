// Claude pass 2 (reasoning, one per component × category): the model researches one component for one class of
// weakness, reading files through the tools, and reports findings whose cited lines exist in the snapshot.
import { claudeArtifact as K } from '../../artifacts.js';
import type { PassArtifact } from '../../engines/claude/artifacts.js';
import { candidateFromFinding, filesCitedBy } from '../../engines/claude/candidates.js';
import { budgetTokens, CATEGORY_TITLES } from '../../engines/claude/config.js';
import { runToolLoop } from '../../engines/claude/loop.js';
import { dataBlock, researchTask } from '../../engines/claude/prompts.js';
import { findingLocationsProblem, reportFindingsSchema, validateWith } from '../../engines/claude/schemas.js';
import { createReadTools } from '../../engines/claude/tools.js';
import { nonRetryable } from '../../errors.js';
import { codeSearch, memoisedPass, openMeter, requireClaude, requireThreatModel, snapshotReader, type ClaudeStageDeps, type PassInput } from './pass.js';

const summary = (a: PassArtifact) => ({
  findings: a.candidates.length,
  malformed: a.malformed,
  dropped: a.dropped ? 1 : 0,
  turns: a.turns,
  budgetStopped: a.budgetStopped,
  tokens: budgetTokens(a.usage),
});

export async function claudeResearchStage(deps: ClaudeStageDeps, input: PassInput & { passId: string; allowance: number }) {
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
    const meter = await openMeter(store, input, `pass:${input.passId}`, input.allowance);
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
        const shaped = validateWith(reportFindingsSchema, v);
        if (!shaped.ok) return shaped;
        // Every cited line must exist: read the files the findings cite (one batch), then check.
        await files.load(filesCitedBy(shaped.value.findings));
        const problem = findingLocationsProblem(files, shaped.value);
        return problem ? { ok: false, error: problem } : shaped;
      },
      tools: createReadTools(files, { leads: () => componentLeads, search: codeSearch(store, input) }),
      meter,
      stream: true,
      signal: hb.signal,
      secrets: claude.secrets,
      onTurn: (turn) => hb.progress({ stage: 'claude-research', pass: input.passId, turn }),
    });
    return {
      passId: input.passId,
      candidates: (r.value?.findings ?? []).map(candidateFromFinding),
      malformed: r.malformed,
      dropped: r.dropped,
      turns: r.turns,
      budgetStopped: r.budgetStopped,
      usage: meter.usage(),
    };
  });
}
