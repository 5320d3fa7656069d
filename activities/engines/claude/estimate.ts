// Cost before spending: the passes a Claude scan would run (from its threat model), each pass's tokens from the
// snapshot's sizes, and a cost range per model from the published price table. Pure: the estimate stage gathers
// the inputs (threat model, file sizes, the built-in engine's leads) and calls this; nothing here calls a model.
//
// How a pass is counted: a tool-use loop of T turns sends, each turn, the stable prefix (tools + system; cached after
// its first use per role), the task, and everything said so far (the model's turns and the tools' answers). So a pass
// of T turns reads P·T prefix tokens and Q·T + (o + r)·T(T−1)/2 other input tokens, and writes o·T. The three
// scenarios differ only in the assumptions listed in ASSUMPTIONS (turns, output per turn, what is read, candidates,
// cache hits); the range is their low and high.
import type { ThreatModelArtifact } from './artifacts.js';
import type { TokenUsage } from './config.js';
import { costUsd, ESTIMATE_MODELS, priceOf, PRICES_AS_OF, PRICES_SOURCE } from './prices.js';

/** Characters per token: the same rule the tool-use loop uses before each call. */
export const CHARS_PER_TOKEN = 4;
/** read_file answers at most 400 lines; at about 40 characters a line that is 4,000 tokens. */
const READ_CAP_TOKENS = 4_000;

type Scenario = 'low' | 'expected' | 'high';
const SCENARIOS: Scenario[] = ['low', 'expected', 'high'];

/** The assumptions behind each scenario (printed with the estimate). */
export const ASSUMPTIONS = {
  outputPerTurn: { low: 100, expected: 400, high: 1_000 },
  /** Research turns: read once and report (low), half the turn cap (expected), the cap plus the one correction retry (high). */
  researchTurns: (cap: number) => ({ low: 2, expected: Math.max(2, Math.ceil(cap / 2)), high: cap + 1 }),
  verifierTurns: (cap: number) => ({ low: 2, expected: Math.max(2, Math.ceil(cap / 2)), high: cap + 1 }),
  /** Candidates verified, per built-in lead in scope: half of them (low), one each (expected), one each plus one per research pass (high). */
  candidatesPerLead: { low: 0.5, expected: 1, high: 1 },
  /** Confirmed candidates that get a patch and a review. */
  confirmedShare: { low: 0.25, expected: 0.5, high: 1 },
  /** Prefix cache: hit after the first call of each role (low, expected); missed on every call (high, priced as cache writes). */
  cacheHits: { low: true, expected: true, high: false },
  text: [
    `tokens are characters / ${CHARS_PER_TOKEN} (the rule the engine itself applies before each call)`,
    'output per model turn: 100 / 400 / 1,000 tokens (low / expected / high)',
    'research turns per pass: 2 / half the effort’s turn cap / the cap + 1 correction retry; each turn after the first reads one component file (at most 400 lines)',
    'candidates to verify: ½ / 1 / 1 per built-in lead in scope, + 1 per research pass in the high case; each verified by the effort’s panel',
    'confirmed findings patched (proposal + review over the whole file): ¼ / ½ / all of the candidates',
    'prompt cache: the tools + system prefix read from cache after its first use per role (low, expected); never (high)',
  ],
};

export interface PassEstimate {
  id: string;
  component: string;
  category: string;
  files: number;
  bytes: number;
  tokens: Record<Scenario, number>;
}

export interface ModelCost {
  model: string;
  usd: Record<Scenario, number>;
  /** The price table's note when a figure may be off. */
  unsure?: string;
}

export interface ScanEstimate {
  model: string;
  effort: string;
  budgetTokens: number;
  maxCostUsd?: number;
  mode: 'full' | 'incremental';
  filesInScope: number;
  bytesInScope: number;
  components: number;
  /** What the estimate itself spent: the threat-model pass (the only model call it makes). */
  threatModel: { tokens: number; usage: TokenUsage; costUsd: number; fallback: boolean };
  passes: PassEstimate[];
  verification: { candidates: Record<Scenario, number>; panelSize: number; tokens: Record<Scenario, number> };
  patches: { count: Record<Scenario, number>; tokens: Record<Scenario, number> };
  /** The whole scan, threat model included, per scenario. */
  total: Record<Scenario, TokenUsage & { tokens: number }>;
  costs: ModelCost[];
  /** Whether the budget and the cost limit would let the scan finish, as sentences. */
  limits: string[];
  assumptions: string[];
  prices: { asOf: string; source: string };
}

export interface EstimateInput {
  tm: Pick<ThreatModelArtifact, 'settings' | 'profile' | 'mode' | 'filesInScope' | 'components' | 'passes' | 'usage' | 'fallback'>;
  /** Bytes per snapshot path. */
  sizes: Map<string, number>;
  /** Files of the built-in engine's leads in scope (one entry per lead). */
  leadFiles: string[];
  /** Characters of each role's stable prefix (tools + system). */
  prefixChars: { research: number; verifier: number; patch: number; patchReview: number };
}

type Usage = TokenUsage;
const zero = (): Usage => ({ calls: 0, inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 });
const tokensOf = (u: Usage) => u.inputTokens + u.outputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens;
const add = (a: Usage, b: Usage): Usage => ({
  calls: a.calls + b.calls,
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
  cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
});
const scale = (u: Usage, k: number): Usage => ({
  calls: Math.round(u.calls * k),
  inputTokens: Math.round(u.inputTokens * k),
  outputTokens: Math.round(u.outputTokens * k),
  cacheCreationInputTokens: Math.round(u.cacheCreationInputTokens * k),
  cacheReadInputTokens: Math.round(u.cacheReadInputTokens * k),
});

/** One tool-use loop: `turns` calls, each reading the prefix, the task and what was said before. */
function loop(prefix: number, prompt: number, turns: number, perTurnRead: number, output: number, cacheHits: boolean): Usage {
  const u = zero();
  for (let t = 0; t < turns; t++) {
    u.calls++;
    u.inputTokens += prompt + t * (output + perTurnRead);
    u.outputTokens += output;
    if (cacheHits) u.cacheReadInputTokens += prefix;
    else u.cacheCreationInputTokens += prefix;
  }
  return u;
}

const tokens = (chars: number) => Math.ceil(chars / CHARS_PER_TOKEN);

export function estimateScan(input: EstimateInput): ScanEstimate {
  const { tm, sizes } = input;
  const profile = tm.profile;
  const bytes = (f: string) => sizes.get(f) ?? 0;
  const readTokens = (files: string[]) => (files.length ? Math.min(READ_CAP_TOKENS, tokens(files.reduce((n, f) => n + bytes(f), 0) / files.length)) : 0);
  const P = { research: tokens(input.prefixChars.research), verifier: tokens(input.prefixChars.verifier), patch: tokens(input.prefixChars.patch), review: tokens(input.prefixChars.patchReview) };
  const rTurns = ASSUMPTIONS.researchTurns(profile.researchTurns);
  const vTurns = ASSUMPTIONS.verifierTurns(profile.verifierTurns);
  const out = (s: Scenario) => Math.min(profile.maxTokens, ASSUMPTIONS.outputPerTurn[s]);

  const usage: Record<Scenario, Usage> = { low: { ...tm.usage }, expected: { ...tm.usage }, high: { ...tm.usage } };
  const passes: PassEstimate[] = tm.passes.map((p) => {
    const c = tm.components[p.component];
    // The task: instructions (about 300 tokens), the component's description and its file list.
    const prompt = 300 + tokens([c.name, c.description, ...c.entryPoints, ...c.trustBoundaries, ...c.sinks, ...c.files].join('\n').length);
    const perRead = readTokens(c.files);
    const t = {} as Record<Scenario, number>;
    for (const s of SCENARIOS) {
      // No more reads than the component has files.
      const reads = Math.min(rTurns[s] - 1, c.files.length);
      const turns = rTurns[s];
      const u = loop(P.research, prompt, turns, (perRead * reads) / Math.max(1, turns - 1), out(s), ASSUMPTIONS.cacheHits[s]);
      usage[s] = add(usage[s], u);
      t[s] = tokensOf(u);
    }
    return { id: p.id, component: c.name, category: p.category, files: c.files.length, bytes: c.files.reduce((n, f) => n + bytes(f), 0), tokens: t };
  });

  const leads = input.leadFiles.length;
  const candidates = {
    low: Math.round(leads * ASSUMPTIONS.candidatesPerLead.low),
    expected: Math.round(leads * ASSUMPTIONS.candidatesPerLead.expected),
    high: Math.round(leads * ASSUMPTIONS.candidatesPerLead.high) + tm.passes.length,
  };
  const candidateRead = input.leadFiles.length ? readTokens(input.leadFiles) : readTokens(tm.filesInScope);
  const candidateFile = Math.min(READ_CAP_TOKENS * 4, candidateRead);
  const verification = { candidates, panelSize: profile.lenses.length, tokens: {} as Record<Scenario, number> };
  const patches = { count: {} as Record<Scenario, number>, tokens: {} as Record<Scenario, number> };
  for (const s of SCENARIOS) {
    // One verifier: the lens and the location (about 250 tokens), reading the candidate's file.
    const vote = loop(P.verifier, 250, vTurns[s], candidateRead, out(s), ASSUMPTIONS.cacheHits[s]);
    const panels = scale(vote, candidates[s] * profile.lenses.length);
    usage[s] = add(usage[s], panels);
    verification.tokens[s] = tokensOf(panels);
    // A patch: the finding and the whole file (one turn, two with the correction), then a review of file and diff.
    const count = Math.round(candidates[s] * ASSUMPTIONS.confirmedShare[s]);
    const proposal = loop(P.patch, 200 + candidateFile, s === 'high' ? 2 : 1, 0, out(s), ASSUMPTIONS.cacheHits[s]);
    const review = loop(P.review, 400 + candidateFile, 1, 0, out(s), ASSUMPTIONS.cacheHits[s]);
    const all = scale(add(proposal, review), count);
    usage[s] = add(usage[s], all);
    patches.count[s] = count;
    patches.tokens[s] = tokensOf(all);
  }

  const total = Object.fromEntries(SCENARIOS.map((s) => [s, { ...usage[s], tokens: tokensOf(usage[s]) }])) as ScanEstimate['total'];
  const models = [tm.settings.model, ...ESTIMATE_MODELS.filter((m) => m !== tm.settings.model)];
  const costs: ModelCost[] = models.map((model) => {
    const p = priceOf(model);
    return {
      model,
      usd: { low: costUsd(model, usage.low), expected: costUsd(model, usage.expected), high: costUsd(model, usage.high) },
      ...(p.unsure ? { unsure: p.unsure } : {}),
    };
  });
  const limits: string[] = [];
  const budget = tm.settings.budgetTokens;
  limits.push(
    total.high.tokens <= budget
      ? `the token budget (${budget}) covers even the high estimate`
      : total.expected.tokens <= budget
        ? `the token budget (${budget}) covers the expected estimate but not the high one: the scan may stop early, marked incomplete`
        : `the token budget (${budget}) is below the expected estimate (${total.expected.tokens}): the scan will likely stop early, marked incomplete`,
  );
  const maxCost = tm.settings.maxCostUsd;
  if (maxCost !== undefined) {
    const own = costs[0].usd;
    limits.push(
      own.high <= maxCost
        ? `the cost limit ($${maxCost}) covers even the high estimate on ${tm.settings.model}`
        : own.expected <= maxCost
          ? `the cost limit ($${maxCost}) covers the expected estimate on ${tm.settings.model} but not the high one`
          : `the cost limit ($${maxCost}) is below the expected cost on ${tm.settings.model} ($${own.expected}): the scan will likely stop early, marked incomplete`,
    );
  }
  return {
    model: tm.settings.model,
    effort: tm.settings.effort,
    budgetTokens: budget,
    ...(maxCost !== undefined ? { maxCostUsd: maxCost } : {}),
    mode: tm.mode,
    filesInScope: tm.filesInScope.length,
    bytesInScope: tm.filesInScope.reduce((n, f) => n + bytes(f), 0),
    components: tm.components.length,
    threatModel: { tokens: tokensOf(tm.usage), usage: tm.usage, costUsd: costUsd(tm.settings.model, tm.usage), fallback: tm.fallback },
    passes,
    verification,
    patches,
    total,
    costs,
    limits,
    assumptions: ASSUMPTIONS.text,
    prices: { asOf: PRICES_AS_OF, source: PRICES_SOURCE },
  };
}
