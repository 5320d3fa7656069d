// Published Claude API prices, as data: USD per million tokens for base input, output, 5-minute cache writes (what
// Vigil's `ephemeral` cache_control writes) and cache reads. A plain constant module with no I/O and no imports, so
// the scan workflow may import it to price its token ledger deterministically (--max-cost).
//
// Source: platform.claude.com/docs model overview and pricing pages ("Models & pricing"), read 2026-12-06, for the
// models in @anthropic-ai/sdk 1.17.0's Model list. Where a figure could not be read from Anthropic's own page it
// says so (`unsure`): the estimate prints that note beside the model. Prices change: re-read the page and update
// `PRICES_AS_OF` with the table. Batch, US-only inference (1.1x) and fast-mode prices are not modelled.
export const PRICES_AS_OF = '2026-12-06';
export const PRICES_SOURCE = 'https://platform.claude.com/docs/en/about-claude/pricing (model overview pages)';

export interface ModelPrice {
  /** Model ids (and dated ids starting with them) this price applies to. */
  models: string[];
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  /** Why a figure may be off; absent when every figure was read from Anthropic's page. */
  unsure?: string;
}

export const PRICES: readonly ModelPrice[] = [
  {
    models: ['claude-sonnet-5-5'],
    input: 2,
    output: 10,
    cacheWrite: 2.5,
    cacheRead: 0.2,
    unsure: 'cache reads $0.20 as on the model page; third-party trackers report a cut to $0.10 on 2026-10-07 (the higher figure is kept)',
  },
  { models: ['claude-sonnet-5'], input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
  { models: ['claude-opus-5-5'], input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
  { models: ['claude-opus-5'], input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  {
    models: ['claude-haiku-5-5'],
    input: 0.1,
    output: 0.5,
    cacheWrite: 0.125,
    cacheRead: 0.01,
    unsure: 'the rate for prompts up to 100,000 tokens; longer prompts cost 5x on every token of the request',
  },
  {
    models: ['claude-fable-5-2', 'claude-mythos-5-2'],
    input: 8,
    output: 40,
    cacheWrite: 10,
    cacheRead: 0.2,
    unsure: 'from a third-party price tracker (checked 2026-12-01), not read from Anthropic’s page; cache write assumed 1.25x input',
  },
  { models: ['claude-fable-5-1', 'claude-mythos-5-1'], input: 10, output: 50, cacheWrite: 12.5, cacheRead: 0.25 },
  { models: ['claude-fable-5', 'claude-mythos-5'], input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1 },
  { models: ['claude-opus-4-8', 'claude-opus-4-7', 'claude-opus-4-6', 'claude-opus-4-5'], input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  { models: ['claude-sonnet-4-6'], input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  { models: ['claude-haiku-4-5'], input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
];

/**
 * For a model the table does not name (claude-mythos-preview, a stand-in's test model, a newer id): the most
 * expensive known price, so a cost limit errs on stopping early, never on spending more than it says.
 */
export const UNKNOWN_MODEL_PRICE: ModelPrice = {
  models: [],
  input: 10,
  output: 50,
  cacheWrite: 12.5,
  cacheRead: 1,
  unsure: 'no published price known for this model id: priced as the most expensive model in the table',
};

/** Token counts as the API reports them (the shape of the engine's TokenUsage). */
export interface PricedUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/** The price of `model`: the entry naming the longest id the model equals or starts with followed by "-" (a dated id). */
export function priceOf(model: string): ModelPrice {
  let best: ModelPrice | undefined;
  let bestLength = 0;
  for (const p of PRICES) {
    for (const id of p.models) {
      if ((model === id || model.startsWith(`${id}-`)) && id.length > bestLength) {
        best = p;
        bestLength = id.length;
      }
    }
  }
  return best ?? UNKNOWN_MODEL_PRICE;
}

/** USD for `usage` on `model`, rounded to a millionth of a dollar. */
export function costUsd(model: string, usage: PricedUsage): number {
  const p = priceOf(model);
  const usd =
    (usage.inputTokens * p.input + usage.outputTokens * p.output + usage.cacheCreationInputTokens * p.cacheWrite + usage.cacheReadInputTokens * p.cacheRead) /
    1_000_000;
  return Math.round(usd * 1_000_000) / 1_000_000;
}

/** The models the estimate prices a scan for: the one configured, then the current ones of each family. */
export const ESTIMATE_MODELS = ['claude-haiku-5-5', 'claude-sonnet-5-5', 'claude-opus-5-5', 'claude-fable-5-2'];
