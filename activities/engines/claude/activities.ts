// The Claude engine's activities. Each pass is its own activity and stores its output under its own
// artifact key before returning, so a retried or replayed pass that already completed costs nothing.
// History gets ids and counts only; prompts, code and findings stay in the store.
import { createHash } from 'node:crypto';
import type { Candidate, EngineOutput, Patch, SourceFiles, Verdict } from '../../model.js';
import type { Store } from '../../store/store.js';
import { claudeArtifact, type ScopeArtifact } from '../../artifacts.js';
import { startHeartbeat } from '../../heartbeat.js';
import { mergeState, planIncremental } from '../../incremental.js';
import { loadSourceFiles } from '../../source-files.js';
import { nonRetryable } from '../../errors.js';
import { applyUnifiedDiff, parseUnifiedDiff } from '../../patches/apply-diff.js';
import { requireSnapshot, type ScanIds } from '../../stages/shared.js';
import { createBuiltinEngine } from '../builtin/index.js';
import {
  addUsage,
  budgetTokens,
  CATEGORY_TITLES,
  EFFORT_PROFILES,
  estimateCostUsd,
  resolveSettings,
  ZERO_USAGE,
  type ClaudeScanOptions,
  type TokenUsage,
  type VerifierLens,
} from './config.js';
import type { ClaudeDeps } from './client.js';
import type {
  ComponentPlan,
  CoverageEntry,
  PanelArtifact,
  PassArtifact,
  PatchArtifact,
  ThreatModelArtifact,
  UsageLedger,
} from './artifacts.js';
import { runToolLoop, type Meter } from './loop.js';
import { mergeDuplicates, tallyVotes, type Tally, type Vote } from './panel.js';
import { dataBlock, LENS_INSTRUCTIONS, researchTask } from './prompts.js';
import {
  findingLocationsProblem,
  patchReviewSchema,
  patchSchema,
  reportFindingsSchema,
  threatModelSchema,
  validateWith,
  voteSchema,
  type ModelFinding,
  type ModelThreatModel,
} from './schemas.js';
import { createReadTools, lineExists, type CodeSearch } from './tools.js';

export const CLAUDE_ENGINE = 'claude';
export const CLAUDE_ENGINE_VERSION = '1';

interface Deps {
  store: Store;
  claude?: ClaudeDeps;
}

export type { ClaudeDeps } from './client.js';

export interface ThreatModelSummary {
  passIds: string[];
  budgetTokens: number;
  concurrency: number;
  panelSize: number;
  components: number;
  directoriesCovered: number;
  directoriesSkipped: number;
  tokens: number;
}

const K = claudeArtifact;

function requireClaude(deps: Deps): ClaudeDeps {
  if (!deps.claude) {
    throw nonRetryable(
      'EngineConfigError',
      'The claude engine is not configured on this worker: set ANTHROPIC_API_KEY (or ANTHROPIC_BASE_URL) in the worker environment.',
    );
  }
  return deps.claude;
}

/** Tokens spent by every attempt of one pass, kept in the store so a retry continues the count. */
async function openMeter(store: Store, ids: ScanIds, key: string, allowance: number): Promise<Meter & { usage(): TokenUsage }> {
  let usage = (await store.getArtifact(ids.tenant, ids.scanId, K.meter(key))) ?? { ...ZERO_USAGE };
  return {
    allowance,
    spent: () => budgetTokens(usage),
    usage: () => usage,
    async charge(u) {
      usage = addUsage(usage, u);
      await store.putArtifact(ids.tenant, ids.scanId, K.meter(key), usage);
    },
  };
}

function topDirectory(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

function underAny(file: string, paths: string[]): boolean {
  return paths.some((p) => {
    const q = p.replace(/^\.\/?/, '').replace(/\/+$/, '');
    return q === '' || file === q || file.startsWith(`${q}/`);
  });
}

function fallbackThreatModel(files: string[]): ModelThreatModel {
  const dirs = [...new Set(files.map(topDirectory))].sort();
  return {
    components: dirs.map((d) => ({
      name: d === '.' ? 'repository root' : d,
      description: 'one component per top-level directory (the model gave no usable threat model)',
      paths: d === '.' ? files.filter((f) => !f.includes('/')) : [d],
      entry_points: [],
      trust_boundaries: [],
      sinks: [],
    })),
    assumptions: [],
    files_worth_reading: [],
    skipped: [],
  };
}

function candidateFromFinding(f: ModelFinding): Candidate {
  const source = f.trace.find((s) => s.kind === 'source') ?? f.trace[0];
  const id = `cl_${createHash('sha256')
    .update([f.cwe, f.file, f.start_line, f.end_line, source.file, source.line].join('\u0000'))
    .digest('hex')
    .slice(0, 16)}`;
  return {
    id,
    engine: CLAUDE_ENGINE,
    ruleId: `claude-${f.cwe.toLowerCase()}`,
    cwe: f.cwe,
    title: f.title,
    location: { file: f.file, startLine: f.start_line, endLine: f.end_line },
    origin: source.file,
    trace: f.trace.map((s) => ({ kind: s.kind, file: s.file, line: s.line, label: s.label })),
    explanation: f.explanation,
    dependsOn: [...new Set([f.file, ...f.trace.map((s) => s.file)])].sort(),
    evidence: {},
  };
}

function describeCandidate(c: Candidate): string {
  return dataBlock(
    'reported finding',
    [
      `${c.cwe}: ${c.title}`,
      `at ${c.location.file}:${c.location.startLine}-${c.location.endLine}`,
      'trace:',
      ...c.trace.map((s) => `  ${s.kind} ${s.file}:${s.line} ${s.label}`),
      `explanation: ${c.explanation}`,
    ].join('\n'),
  );
}

export function createClaudeActivities(deps: Deps) {
  const { store } = deps;

  async function context(ids: ScanIds, snapshotId: string) {
    const snapshot = await requireSnapshot(store, ids.tenant, snapshotId);
    const files = await loadSourceFiles(store, snapshot);
    return { files };
  }

  /** The store's code search, scoped to the scan's snapshot; absent if the store has none. */
  function codeSearch(ids: ScanIds, snapshotId: string): CodeSearch | undefined {
    if (typeof store.searchCode !== 'function') return undefined;
    return (query, limit) => store.searchCode(ids.tenant, ids.repoKey, snapshotId, query, limit);
  }

  async function threatModelArtifact(ids: ScanIds): Promise<ThreatModelArtifact> {
    const tm = await store.getArtifact(ids.tenant, ids.scanId, K.threatModel);
    if (!tm) throw nonRetryable('ScanStateError', `Scan ${ids.scanId} has no threat model; the threat-model pass must run first.`);
    return tm;
  }

  function summarise(tm: ThreatModelArtifact, tokens: number): ThreatModelSummary {
    return {
      passIds: tm.passes.map((p) => p.id),
      budgetTokens: tm.settings.budgetTokens,
      concurrency: tm.profile.concurrency,
      panelSize: tm.profile.lenses.length,
      components: tm.components.length,
      directoriesCovered: tm.coverage.filter((c) => c.status === 'covered').length,
      directoriesSkipped: tm.coverage.filter((c) => c.status === 'skipped').length,
      tokens,
    };
  }

  return {
    async claudeThreatModel(input: ScanIds & { snapshotId: string; options?: ClaudeScanOptions }): Promise<ThreatModelSummary> {
      const done = await store.getArtifact(input.tenant, input.scanId, K.threatModel);
      if (done) return summarise(done, budgetTokens(done.usage));
      const claude = requireClaude(deps);
      const settings = resolveSettings(claude.defaults, input.options);
      const profile = EFFORT_PROFILES[settings.effort];
      const { files } = await context(input, input.snapshotId);
      const paths = files.paths();
      const hb = startHeartbeat();
      try {
        // The built-in engine's results are leads and the import graph (for incremental scope), not the limit.
        let leads = await store.getArtifact(input.tenant, input.scanId, K.leads);
        if (!leads) {
          let out: EngineOutput = { candidates: [], analysedFiles: [], dependencies: {} };
          try {
            out = await createBuiltinEngine().analyse({ files, scope: null, signal: hb.signal });
          } catch (err) {
            if (hb.signal?.aborted) throw err;
            // No leads is a weaker scan, not a failed one.
          }
          leads = { leads: out.candidates, dependencies: out.dependencies };
          await store.putArtifact(input.tenant, input.scanId, K.leads, leads);
        }

        const diff = await store.getArtifact(input.tenant, input.scanId, 'merkle-diff');
        const previous = diff?.previousRoot
          ? await store.getAnalysisState(input.tenant, input.repoKey, diff.previousRoot, CLAUDE_ENGINE)
          : undefined;
        const usable = previous && previous.engineVersion === CLAUDE_ENGINE_VERSION ? previous : undefined;
        const plan = usable && diff ? planIncremental({ ...usable, dependencies: leads.dependencies }, diff, new Set(paths)) : undefined;
        const scope = plan ? [...plan.scope].sort() : paths;

        const meter = await openMeter(store, input, 'threat-model', settings.budgetTokens);
        const dirs = [...new Set(paths.map(topDirectory))].sort();
        const prompt = [
          'Build the threat model of this repository.',
          'Top-level directories (every one must be covered by a component or skipped with a reason; "." is the root):',
          dataBlock('top-level directories', dirs.join('\n')),
          'Files:',
          dataBlock('file list', paths.slice(0, 3000).join('\n') + (paths.length > 3000 ? `\n(${paths.length - 3000} more)` : '')),
          plan ? `This is an incremental scan; these files changed or depend on changed files:\n${dataBlock('files in scope', scope.join('\n'))}` : '',
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
        const inScope = new Set(scope);
        const components: ComponentPlan[] = model.components.map((c) => ({
          name: c.name,
          description: c.description,
          paths: c.paths,
          entryPoints: c.entry_points,
          trustBoundaries: c.trust_boundaries,
          sinks: c.sinks,
          files: paths.filter((f) => underAny(f, c.paths)),
        }));
        // Coverage accounting: each top-level directory is covered, or skipped with the model's reason;
        // one the model left out is researched as its own component, so nothing goes unaccounted.
        const coverage: CoverageEntry[] = [];
        for (const d of dirs) {
          const dirFiles = paths.filter((f) => topDirectory(f) === d);
          const covering = components.filter((c) => c.files.some((f) => topDirectory(f) === d)).map((c) => c.name);
          const skip = model.skipped.find((s) => s.path.replace(/^\.\/?/, '').replace(/\/+$/, '') === (d === '.' ? '' : d) || s.path === d);
          if (covering.length) coverage.push({ directory: d, status: 'covered', components: covering });
          else if (skip) coverage.push({ directory: d, status: 'skipped', reason: skip.reason, components: [] });
          else {
            const name = d === '.' ? 'repository root' : d;
            components.push({ name, description: 'not addressed by the threat model', paths: [d], entryPoints: [], trustBoundaries: [], sinks: [], files: dirFiles });
            coverage.push({ directory: d, status: 'covered', reason: 'added: the threat model left it out', components: [name] });
          }
        }
        const planned = components
          .map((c) => ({ ...c, files: c.files.filter((f) => inScope.has(f)) }))
          .filter((c) => c.files.length > 0);
        const passes = planned.flatMap((_, i) => profile.categories.map((category) => ({ id: `c${i}-${category}`, component: i, category })));
        const artifact: ThreatModelArtifact = {
          settings,
          profile,
          mode: plan ? 'incremental' : 'full',
          filesInScope: scope,
          carried: plan?.carried ?? [],
          components: planned,
          assumptions: model.assumptions,
          filesWorthReading: model.files_worth_reading.filter((f) => files.read(f) !== undefined),
          coverage,
          passes,
          fallback: !r.value,
          malformed: r.malformed,
          usage: meter.usage(),
        };
        await store.putArtifact(input.tenant, input.scanId, K.threatModel, artifact);
        return summarise(artifact, meter.spent());
      } finally {
        hb.stop();
      }
    },

    async claudeResearch(input: ScanIds & { snapshotId: string; passId: string; allowance: number }) {
      const summary = (a: PassArtifact) => ({
        findings: a.candidates.length,
        malformed: a.malformed,
        dropped: a.dropped ? 1 : 0,
        turns: a.turns,
        budgetStopped: a.budgetStopped,
        tokens: budgetTokens(a.usage),
      });
      const done = await store.getArtifact(input.tenant, input.scanId, K.pass(input.passId));
      if (done) return summary(done);
      const claude = requireClaude(deps);
      const tm = await threatModelArtifact(input);
      const pass = tm.passes.find((p) => p.id === input.passId);
      if (!pass) throw nonRetryable('ScanStateError', `Scan ${input.scanId} has no research pass ${input.passId}.`);
      const component = tm.components[pass.component];
      const { files } = await context(input, input.snapshotId);
      const leads = (await store.getArtifact(input.tenant, input.scanId, K.leads))?.leads ?? [];
      const mine = new Set(component.files);
      const componentLeads = leads.filter((c) => mine.has(c.origin) || mine.has(c.location.file));
      const meter = await openMeter(store, input, `pass:${input.passId}`, input.allowance);
      const hb = startHeartbeat();
      try {
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
          validate: (v) => validateWith(reportFindingsSchema, v, (rep) => findingLocationsProblem(files, rep)),
          tools: createReadTools(files, { leads: () => componentLeads, search: codeSearch(input, input.snapshotId) }),
          meter,
          stream: true,
          signal: hb.signal,
          secrets: claude.secrets,
          onTurn: (turn) => hb.progress({ stage: 'claude-research', pass: input.passId, turn }),
        });
        const artifact: PassArtifact = {
          passId: input.passId,
          candidates: (r.value?.findings ?? []).map(candidateFromFinding),
          malformed: r.malformed,
          dropped: r.dropped,
          turns: r.turns,
          budgetStopped: r.budgetStopped,
          usage: meter.usage(),
        };
        await store.putArtifact(input.tenant, input.scanId, K.pass(input.passId), artifact);
        return summary(artifact);
      } finally {
        hb.stop();
      }
    },

    /** Merges the completed passes' findings (and results carried from the previous scan) into the candidates. */
    async claudeCollect(input: ScanIds & { snapshotId: string; passIds: string[] }) {
      const tm = await threatModelArtifact(input);
      const leads = (await store.getArtifact(input.tenant, input.scanId, K.leads)) ?? { leads: [], dependencies: {} };
      const fresh: Candidate[] = [];
      let completed = 0;
      for (const id of input.passIds) {
        const a = await store.getArtifact(input.tenant, input.scanId, K.pass(id));
        if (!a) continue;
        if (!a.budgetStopped) completed++;
        fresh.push(...a.candidates);
      }
      const candidates = mergeDuplicates([...tm.carried, ...fresh]);
      await store.putArtifact(input.tenant, input.scanId, 'candidates', candidates);
      const analysed = [...new Set(tm.components.flatMap((c) => c.files))].sort();
      const scope: ScopeArtifact = { mode: tm.mode, filesInScope: tm.filesInScope, analysedFiles: analysed, carriedOver: tm.carried.length };
      await store.putArtifact(input.tenant, input.scanId, 'scope', scope);
      // Only a scan whose every pass ran may be the base of an incremental one.
      const diff = await store.getArtifact(input.tenant, input.scanId, 'merkle-diff');
      if (diff && completed === tm.passes.length) {
        const snapshotFiles = new Set((await context(input, input.snapshotId)).files.paths());
        const state = mergeState(
          undefined,
          { engine: CLAUDE_ENGINE, engineVersion: CLAUDE_ENGINE_VERSION, dependencies: leads.dependencies, candidates },
          snapshotFiles,
        );
        await store.putAnalysisState(input.tenant, input.repoKey, diff.rootHash, state);
      }
      return {
        filesInScope: tm.filesInScope.length,
        filesAnalysed: analysed.length,
        candidates: candidates.length,
        carriedOver: tm.carried.length,
        candidateIds: candidates.map((c) => c.id),
      };
    },

    async claudePanel(input: ScanIds & { snapshotId: string; candidateId: string; allowance: number }) {
      const summary = (a: PanelArtifact) => ({ verdict: a.tally.verdict, missing: a.tally.missing, budgetStopped: a.budgetStopped, tokens: budgetTokens(a.usage) });
      const done = await store.getArtifact(input.tenant, input.scanId, K.panel(input.candidateId));
      if (done) return summary(done);
      const claude = requireClaude(deps);
      const tm = await threatModelArtifact(input);
      const candidate = (await store.getArtifact(input.tenant, input.scanId, 'candidates'))?.find((c) => c.id === input.candidateId);
      if (!candidate) throw nonRetryable('ScanStateError', `Scan ${input.scanId} has no candidate ${input.candidateId}.`);
      const { files } = await context(input, input.snapshotId);
      const meter = await openMeter(store, input, `panel:${input.candidateId}`, input.allowance);
      const hb = startHeartbeat();
      const votes: Vote[] = [];
      let budgetStopped = false;
      try {
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
            tools: createReadTools(files, { search: codeSearch(input, input.snapshotId) }),
            meter,
            signal: hb.signal,
            secrets: claude.secrets,
            onTurn: (turn) => hb.progress({ stage: 'claude-panel', candidate: candidate.id, lens, turn }),
          });
          budgetStopped ||= r.budgetStopped;
          const vote = toVote(lens, r.value, files);
          // A missing vote from a budget stop is not stored: a later attempt with budget may still cast it.
          if (vote.verdict) await store.putArtifact(input.tenant, input.scanId, K.vote(candidate.id, lens), vote);
          votes.push(vote);
        }
        const artifact: PanelArtifact = { candidateId: candidate.id, votes, tally: tallyVotes(votes, tm.profile.lenses.length), budgetStopped, usage: meter.usage() };
        await store.putArtifact(input.tenant, input.scanId, K.panel(candidate.id), artifact);
        return summary(artifact);
      } finally {
        hb.stop();
      }
    },

    async claudePatch(input: ScanIds & { snapshotId: string; candidateId: string; allowance: number }) {
      const summary = (a: PatchArtifact) => ({ patched: a.accepted, budgetStopped: a.budgetStopped, tokens: budgetTokens(a.usage) });
      const done = await store.getArtifact(input.tenant, input.scanId, K.patch(input.candidateId));
      if (done) return summary(done);
      const claude = requireClaude(deps);
      const tm = await threatModelArtifact(input);
      const candidate = (await store.getArtifact(input.tenant, input.scanId, 'candidates'))?.find((c) => c.id === input.candidateId);
      if (!candidate) throw nonRetryable('ScanStateError', `Scan ${input.scanId} has no candidate ${input.candidateId}.`);
      const { files } = await context(input, input.snapshotId);
      const file = candidate.location.file;
      const text = files.read(file) ?? '';
      const meter = await openMeter(store, input, `patch:${candidate.id}`, input.allowance);
      const hb = startHeartbeat();
      try {
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
          validate: (v) =>
            validateWith(patchSchema, v, (p) => {
              try {
                const parsed = parseUnifiedDiff(p.diff);
                const target = parsed.newPath ?? parsed.oldPath;
                if (target && target !== file) return `the diff must change ${file} only (it names ${target})`;
              } catch (err) {
                return `the diff does not parse: ${(err as Error).message}`;
              }
              const applied = applyUnifiedDiff(text, p.diff);
              return applied.ok ? undefined : `the diff does not apply to ${file}: ${applied.reason}`;
            }),
        });
        let artifact: PatchArtifact;
        if (!proposal.value) {
          artifact = {
            candidateId: candidate.id,
            accepted: false,
            reason: proposal.budgetStopped ? 'token budget exhausted' : proposal.dropped ? 'the proposed diff did not apply twice' : 'no patch proposed',
            budgetStopped: proposal.budgetStopped,
            usage: meter.usage(),
          };
        } else {
          const patch: Patch = { file, diff: proposal.value.diff, description: proposal.value.description };
          const review = await runToolLoop({
            ...common,
            role: 'patchReview',
            prompt: ['The finding:', describeCandidate(candidate), `The file ${file} before the patch:`, dataBlock(file, text), 'The patch:', dataBlock('patch', patch.diff)].join(
              '\n\n',
            ),
            finalTool: 'review_patch',
            validate: (v) => validateWith(patchReviewSchema, v),
          });
          const rv = review.value;
          const accepted = Boolean(rv && rv.fixes_finding && rv.keeps_behaviour && !rv.introduces_issues);
          artifact = {
            candidateId: candidate.id,
            patch,
            review: rv,
            accepted,
            reason: accepted ? 'applies; the reviewer confirmed it fixes only this finding' : rv ? `the reviewer refused it: ${rv.reasoning}` : 'no review',
            budgetStopped: review.budgetStopped,
            usage: meter.usage(),
          };
        }
        await store.putArtifact(input.tenant, input.scanId, K.patch(candidate.id), artifact);
        return summary(artifact);
      } finally {
        hb.stop();
      }
    },

    /** Verdicts from the panels, patches that passed review, and the usage ledger with estimated cost. */
    async claudeConclude(input: ScanIds & { snapshotId: string; passIds: string[]; budgetExhausted: boolean; skippedPasses: number }) {
      const tm = await threatModelArtifact(input);
      const candidates = (await store.getArtifact(input.tenant, input.scanId, 'candidates')) ?? [];
      const verdicts: Verdict[] = [];
      const stages = new Map<string, TokenUsage>([['threat-model', tm.usage]]);
      const add = (stage: string, u: TokenUsage | undefined) => u && stages.set(stage, addUsage(stages.get(stage) ?? ZERO_USAGE, u));
      for (const id of input.passIds) {
        add('research', (await store.getArtifact(input.tenant, input.scanId, K.meter(`pass:${id}`))) ?? undefined);
      }
      const updated: Candidate[] = [];
      for (const c of candidates) {
        const panel = await store.getArtifact(input.tenant, input.scanId, K.panel(c.id));
        add('verification', (await store.getArtifact(input.tenant, input.scanId, K.meter(`panel:${c.id}`))) ?? undefined);
        add('patch', (await store.getArtifact(input.tenant, input.scanId, K.meter(`patch:${c.id}`))) ?? undefined);
        if (!panel) {
          verdicts.push({ candidateId: c.id, verdict: 'uncertain', reasons: ['not verified: the scan token budget was exhausted'], verifier: 'claude-panel' });
          updated.push(c);
          continue;
        }
        verdicts.push({ candidateId: c.id, verdict: panel.tally.verdict, reasons: panel.tally.reasons, verifier: 'claude-panel' });
        const patch = await store.getArtifact(input.tenant, input.scanId, K.patch(c.id));
        // Confidence follows the vote: scoring reads it from the evidence the panel established.
        const conf = panel.tally.confidence;
        const evidence =
          conf === 'high'
            ? { ...c.evidence, sourceIsRequestInput: true, reachableFromMountedRoute: true }
            : conf === 'medium'
              ? { ...c.evidence, sourceIsRequestInput: true, reachableFromMountedRoute: undefined }
              : c.evidence;
        updated.push({ ...c, evidence, patch: patch?.accepted ? patch.patch : undefined });
      }
      await store.putArtifact(input.tenant, input.scanId, 'candidates', updated);
      await store.putArtifact(input.tenant, input.scanId, 'verdicts', verdicts);
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
      };
      await store.putArtifact(input.tenant, input.scanId, K.usage, ledger);
      const count = (k: Verdict['verdict']) => verdicts.filter((v) => v.verdict === k).length;
      return { confirmed: count('confirmed'), rejected: count('rejected'), uncertain: count('uncertain') };
    },
  };
}

function toVote(lens: VerifierLens, v: { verdict: 'true_positive' | 'false_positive'; evidence: { file: string; line: number; note: string }[]; reasoning: string } | undefined, files: SourceFiles): Vote {
  if (!v) return { lens, evidence: [] };
  const evidence = v.evidence.filter((e) => lineExists(files, e.file, e.line));
  // Every verifier starts from "false positive": a true-positive claim without real file:line evidence does not overturn it.
  if (v.verdict === 'true_positive' && evidence.length === 0) {
    return { lens, verdict: 'false_positive', evidence, reasoning: v.reasoning, downgraded: true };
  }
  return { lens, verdict: v.verdict, evidence, reasoning: v.reasoning };
}

export type ClaudeActivities = ReturnType<typeof createClaudeActivities>;
