// Claude pass 1 (reasoning): the built-in engine's leads and import graph, the incremental plan shared with the
// built-in path, then the model's threat model turned into components, coverage and research passes.
import { claudeArtifact as K } from '../../artifacts.js';
import type { ThreatModelArtifact } from '../../engines/claude/artifacts.js';
import { createBuiltinEngine } from '../../engines/builtin/index.js';
import { CLAUDE_ENGINE } from '../../engines/claude/candidates.js';
import { budgetTokens, EFFORT_PROFILES, resolveSettings, type ClaudeScanOptions, type TokenUsage } from '../../engines/claude/config.js';
import { runToolLoop } from '../../engines/claude/loop.js';
import { dataBlock } from '../../engines/claude/prompts.js';
import { threatModelSchema, validateWith } from '../../engines/claude/schemas.js';
import { fallbackThreatModel, planResearch, topDirectory } from '../../engines/claude/threat-model.js';
import { createReadTools } from '../../engines/claude/tools.js';
import type { HeartbeatHandle } from '../../heartbeat.js';
import type { EngineOutput, SourceReader } from '../../model.js';
import { planReasoning } from '../engine-results.js';
import { stageStarted } from '../../events/scan-events.js';
import type { ScanIds } from '../shared.js';
import { memoisedPass, openMeter, requireClaude, snapshotReader, type ClaudeStageDeps, type PassInput } from './pass.js';

export interface ThreatModelSummary {
  passIds: string[];
  budgetTokens: number;
  concurrency: number;
  panelSize: number;
  components: number;
  directoriesCovered: number;
  directoriesSkipped: number;
  tokens: number;
  /** The model, cost limit and token counts: what the workflow's ledger prices (counts only). */
  model: string;
  maxCostUsd?: number;
  usage: TokenUsage;
  /** A limit stopped the threat-model pass itself (the plan is then the fallback, one component per directory). */
  budgetStopped: boolean;
  stoppedBy?: 'tokens' | 'cost';
}

function summarise(tm: ThreatModelArtifact): ThreatModelSummary {
  return {
    passIds: tm.passes.map((p) => p.id),
    budgetTokens: tm.settings.budgetTokens,
    concurrency: tm.profile.concurrency,
    panelSize: tm.profile.lenses.length,
    components: tm.components.length,
    directoriesCovered: tm.coverage.filter((c) => c.status === 'covered').length,
    directoriesSkipped: tm.coverage.filter((c) => c.status === 'skipped').length,
    tokens: budgetTokens(tm.usage),
    model: tm.settings.model,
    budgetStopped: Boolean(tm.budgetStopped),
    ...(tm.stoppedBy ? { stoppedBy: tm.stoppedBy } : {}),
    ...(tm.settings.maxCostUsd !== undefined ? { maxCostUsd: tm.settings.maxCostUsd } : {}),
    usage: tm.usage,
  };
}

/** The built-in engine's results are leads and the import graph (for incremental scope), not the limit. Stored once. */
async function leadsFor(deps: ClaudeStageDeps, ids: ScanIds, files: SourceReader, hb: HeartbeatHandle) {
  const { store } = deps;
  const kept = await store.getArtifact(ids.tenant, ids.scanId, K.leads);
  if (kept) return kept;
  let out: EngineOutput = { candidates: [], analysedFiles: [], dependencies: {} };
  try {
    out = await createBuiltinEngine().analyse({ files: await files.loadAll(), scope: null, signal: hb.signal });
  } catch (err) {
    if (hb.signal?.aborted) throw err;
    // No leads is a weaker scan, not a failed one.
  }
  const leads = { leads: out.candidates, dependencies: out.dependencies };
  await store.putArtifact(ids.tenant, ids.scanId, K.leads, leads);
  return leads;
}

export async function claudeThreatModelStage(deps: ClaudeStageDeps, input: PassInput & { options?: ClaudeScanOptions }): Promise<ThreatModelSummary> {
  const { store } = deps;
  await store.appendEvents([stageStarted(input, 'reasoning')]);
  return memoisedPass(store, input, K.threatModel, summarise, async (hb) => {
    const claude = requireClaude(deps);
    const settings = resolveSettings(claude.defaults, input.options);
    const profile = EFFORT_PROFILES[settings.effort];
    const files = await snapshotReader(store, input);
    const paths = files.paths();
    const leads = await leadsFor(deps, input, files, hb);
    // This snapshot's import graph (from the leads) decides the incremental scope, as the built-in path does.
    const plan = await planReasoning(store, input, CLAUDE_ENGINE, paths, leads.dependencies);
    const scope = plan.filesInScope;

    const meter = await openMeter(store, input, 'threat-model', settings.budgetTokens, { usd: settings.maxCostUsd, model: settings.model });
    const dirs = [...new Set(paths.map(topDirectory))].sort();
    const prompt = [
      'Build the threat model of this repository.',
      'Top-level directories (every one must be covered by a component or skipped with a reason; "." is the root):',
      dataBlock('top-level directories', dirs.join('\n')),
      'Files:',
      dataBlock('file list', paths.slice(0, 3000).join('\n') + (paths.length > 3000 ? `\n(${paths.length - 3000} more)` : '')),
      plan.incremental ? `This is an incremental scan; these files changed or depend on changed files:\n${dataBlock('files in scope', scope.join('\n'))}` : '',
    ].join('\n\n');
    const r = await runToolLoop({
      client: claude.client,
      model: settings.model,
      role: 'threatModel',
      prompt,
      maxTurns: Math.min(4, profile.researchTurns),
      maxTokens: profile.maxTokens,
      finalTool: 'submit_threat_model',
      validate: (v) => validateWith(threatModelSchema, v),
      tools: createReadTools(files),
      meter,
      signal: hb.signal,
      secrets: claude.secrets,
      onTurn: (turn) => hb.progress({ stage: 'claude-threat-model', turn }),
    });
    const model = r.value ?? fallbackThreatModel(paths);
    const research = planResearch(model, paths, scope, profile);
    return {
      settings,
      profile,
      mode: plan.incremental ? 'incremental' : 'full',
      filesInScope: scope,
      carried: plan.incremental?.carried ?? [],
      components: research.components,
      assumptions: model.assumptions,
      filesWorthReading: model.files_worth_reading.filter((f) => files.has(f)),
      coverage: research.coverage,
      passes: research.passes,
      fallback: !r.value,
      malformed: r.malformed,
      ...(r.budgetStopped ? { budgetStopped: true, ...(r.stoppedBy ? { stoppedBy: r.stoppedBy } : {}) } : {}),
      usage: meter.usage(),
    };
  });
}
