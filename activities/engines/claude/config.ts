import { costUsd } from './prices.js';

// Claude engine configuration. Secrets (the API key) stay in the worker: they are read from the
// environment here and handed only to the SDK client. What travels in workflow input and history is the
// secret-free part: model, effort and token budget, overridable per scan.
export type ClaudeEffort = 'low' | 'medium' | 'high';

export interface ClaudeConnection {
  apiKey?: string;
  baseURL?: string;
  /** Per-request timeout in milliseconds (a timeout is retried through Temporal). */
  timeoutMs?: number;
}

/** Per-scan overrides, carried in ScanInput. No secrets. */
export interface ClaudeScanOptions {
  model?: string;
  effort?: ClaudeEffort;
  budgetTokens?: number;
  /** USD the whole scan may spend (priced from prices.ts); absent: no cost limit, the token budget alone. */
  maxCostUsd?: number;
}

export interface ClaudeSettings {
  model: string;
  effort: ClaudeEffort;
  /** Input + output tokens the whole scan may spend. */
  budgetTokens: number;
  /** USD the whole scan may spend; absent: no cost limit. */
  maxCostUsd?: number;
}

export interface EffortProfile {
  categories: ResearchCategory[];
  /** Verifier lenses on the panel; the panel size is their number. */
  lenses: VerifierLens[];
  researchTurns: number;
  verifierTurns: number;
  maxTokens: number;
  /** Passes in flight at once. */
  concurrency: number;
}

export type ResearchCategory = 'injection' | 'authz' | 'crypto' | 'logic' | 'cross-component';
export type VerifierLens = 'reachability' | 'impact' | 'defences' | 'exploitability' | 'root-cause';

export const CATEGORY_TITLES: Record<ResearchCategory, string> = {
  injection: 'injection and input handling (SQL, command, code, path, SSRF, XSS, deserialisation)',
  authz: 'authentication, authorisation and IDOR',
  crypto: 'cryptography and secrets',
  logic: 'business logic',
  'cross-component': 'issues between components (trust assumptions one component makes about another)',
};

export const EFFORT_PROFILES: Record<ClaudeEffort, EffortProfile> = {
  low: { categories: ['injection', 'authz'], lenses: ['reachability', 'impact', 'defences'], researchTurns: 6, verifierTurns: 4, maxTokens: 2048, concurrency: 2 },
  medium: {
    categories: ['injection', 'authz', 'crypto', 'logic'],
    lenses: ['reachability', 'impact', 'defences'],
    researchTurns: 12,
    verifierTurns: 6,
    maxTokens: 4096,
    concurrency: 3,
  },
  high: {
    categories: ['injection', 'authz', 'crypto', 'logic', 'cross-component'],
    lenses: ['reachability', 'impact', 'defences', 'exploitability', 'root-cause'],
    researchTurns: 20,
    verifierTurns: 8,
    maxTokens: 8192,
    concurrency: 3,
  },
};

/**
 * The default model: the current Sonnet in the SDK's model list (@anthropic-ai/sdk 1.17.0). A test fails when it
 * appears in the SDK's deprecated list (test/claude/models.test.ts): upgrade the SDK, then move this on.
 */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

export const DEFAULT_SETTINGS: ClaudeSettings = { model: DEFAULT_MODEL, effort: 'medium', budgetTokens: 2_000_000 };

const EFFORTS: ClaudeEffort[] = ['low', 'medium', 'high'];

/** The connection, or undefined when neither ANTHROPIC_API_KEY nor ANTHROPIC_BASE_URL is set. */
export function claudeConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): ClaudeConnection | undefined {
  const apiKey = env.ANTHROPIC_API_KEY || undefined;
  const baseURL = env.ANTHROPIC_BASE_URL || undefined;
  if (!apiKey && !baseURL) return undefined;
  const timeoutMs = env.VIGIL_CLAUDE_TIMEOUT_MS ? Number(env.VIGIL_CLAUDE_TIMEOUT_MS) : undefined;
  return { apiKey, baseURL, timeoutMs };
}

/** Worker-wide defaults from VIGIL_CLAUDE_MODEL, VIGIL_CLAUDE_EFFORT and VIGIL_CLAUDE_TOKEN_BUDGET. */
export function claudeSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ClaudeSettings {
  const effort = env.VIGIL_CLAUDE_EFFORT as ClaudeEffort | undefined;
  if (effort && !EFFORTS.includes(effort)) {
    throw new Error(`VIGIL_CLAUDE_EFFORT must be low, medium or high (got "${effort}").`);
  }
  const budget = env.VIGIL_CLAUDE_TOKEN_BUDGET ? Number(env.VIGIL_CLAUDE_TOKEN_BUDGET) : undefined;
  if (budget !== undefined && !(Number.isInteger(budget) && budget > 0)) {
    throw new Error(`VIGIL_CLAUDE_TOKEN_BUDGET must be a positive integer (got "${env.VIGIL_CLAUDE_TOKEN_BUDGET}").`);
  }
  const maxCost = env.VIGIL_CLAUDE_MAX_COST_USD ? Number(env.VIGIL_CLAUDE_MAX_COST_USD) : undefined;
  if (maxCost !== undefined && !validMaxCost(maxCost)) {
    throw new Error(`VIGIL_CLAUDE_MAX_COST_USD must be a positive number of US dollars (got "${env.VIGIL_CLAUDE_MAX_COST_USD}").`);
  }
  return {
    model: env.VIGIL_CLAUDE_MODEL || DEFAULT_SETTINGS.model,
    effort: effort ?? DEFAULT_SETTINGS.effort,
    budgetTokens: budget ?? DEFAULT_SETTINGS.budgetTokens,
    ...(maxCost !== undefined ? { maxCostUsd: maxCost } : {}),
  };
}

export function resolveSettings(defaults: ClaudeSettings, overrides: ClaudeScanOptions | undefined): ClaudeSettings {
  return {
    model: overrides?.model ?? defaults.model,
    effort: overrides?.effort && EFFORTS.includes(overrides.effort) ? overrides.effort : defaults.effort,
    budgetTokens: overrides?.budgetTokens && overrides.budgetTokens > 0 ? Math.floor(overrides.budgetTokens) : defaults.budgetTokens,
    ...(overrides?.maxCostUsd !== undefined && validMaxCost(overrides.maxCostUsd)
      ? { maxCostUsd: overrides.maxCostUsd }
      : defaults.maxCostUsd !== undefined
        ? { maxCostUsd: defaults.maxCostUsd }
        : {}),
  };
}

export interface TokenUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

export const ZERO_USAGE: TokenUsage = { calls: 0, inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    calls: a.calls + b.calls,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
  };
}

/** Tokens counted against the budget: everything the model read (cached or not) and wrote. */
export function budgetTokens(u: TokenUsage): number {
  return u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens + u.outputTokens;
}

/** A cost limit is a finite positive number of dollars, at most a million (the API refuses anything else). */
export function validMaxCost(usd: number): boolean {
  return typeof usd === 'number' && Number.isFinite(usd) && usd > 0 && usd <= 1_000_000;
}

/** USD for `usage` on `model`, from the published price table (prices.ts). */
export function estimateCostUsd(model: string, u: TokenUsage): number {
  return costUsd(model, u);
}
