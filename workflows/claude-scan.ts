// The Claude engine as the workflow runs it (a ScanEngine, like the built-in one): a threat-model pass, research
// passes (component × category) with bounded concurrency, then a verification panel per candidate and a checked
// patch per confirmed finding, each pass its own activity (activities/stages/claude/). The workflow keeps the
// scan's token ledger (counts only): each pass gets an allowance from what is left, and once the budget is spent
// the scan goes on with what it has.
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { ScanEngine } from '../activities/model.js';
import { NON_RETRYABLE_ERRORS, type ScanInput, type StageCounts } from './definitions.js';

type Activities = ReturnType<typeof createActivities>;

function claudeActivities(input: ScanInput) {
  const heartbeatTimeout = `${input.tuning?.heartbeatTimeoutSeconds ?? 30}s`;
  // Rate limits and overload are retried here, honouring retry-after (nextRetryDelay); 4xx are not.
  const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 12, nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS] };
  const pass = proxyActivities<Activities>({ startToCloseTimeout: '1h', heartbeatTimeout, retry });
  const short = proxyActivities<Activities>({ startToCloseTimeout: '5m', retry });
  return {
    threatModel: pass.claudeThreatModel,
    research: pass.claudeResearch,
    panel: pass.claudePanel,
    patch: pass.claudePatch,
    collect: short.claudeCollect,
    conclude: short.claudeConclude,
  };
}

/** Runs `run` over `items` with at most `limit` in flight, in order of start. */
async function bounded<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await run(items[next++]);
  });
  await Promise.all(lanes);
}

export type ClaudeCounts = NonNullable<StageCounts['claude']>;

/**
 * The Claude engine plugged into the scan. Reasoning: the threat model, research passes with bounded concurrency,
 * then collect; verification: a panel per candidate, a checked patch per confirmed finding, then conclude. The
 * token ledger (counts only) spans both: `onCounts` sees it change (the same object, updated in place).
 */
export function claudeEngine(input: ScanInput, snapshotId: string, onCounts: (claude: ClaudeCounts) => void): ScanEngine {
  const acts = claudeActivities(input);
  const ids = { scanId: input.scanId, tenant: input.tenant, repoKey: input.repoKey };
  let budget = 0;
  let spent = 0;
  let exhausted = false;
  let concurrency = 1;
  let passIds: string[] = [];
  let candidateIds: string[] = [];
  const claude: ClaudeCounts = {
    components: 0,
    passes: 0,
    passesRun: 0,
    passesSkipped: 0,
    malformedDropped: 0,
    panels: 0,
    patches: 0,
    budgetTokens: 0,
    spentTokens: 0,
    budgetExhausted: false,
    rejected: {},
  };
  const countRejected = (r: Record<string, number | undefined>) => {
    for (const [check, n] of Object.entries(r)) if (n) claude.rejected![check] = (claude.rejected![check] ?? 0) + n;
  };
  // Each pass may spend its share of what is left, so passes in flight together cannot overrun the budget.
  const allowance = (lanes: number) => Math.floor(Math.max(0, budget - spent) / Math.max(1, lanes));
  const settle = (tokens: number, budgetStopped: boolean) => {
    spent += tokens;
    claude.spentTokens = spent;
    if (budgetStopped || spent >= budget) exhausted = true;
    claude.budgetExhausted = exhausted;
  };

  return {
    name: 'claude',
    async reason() {
      const tm = await acts.threatModel({ ...ids, snapshotId, options: input.claude });
      budget = tm.budgetTokens;
      spent = tm.tokens;
      concurrency = tm.concurrency;
      passIds = tm.passIds;
      Object.assign(claude, { components: tm.components, passes: passIds.length, budgetTokens: budget, spentTokens: spent });
      if (spent >= budget) settle(0, true);
      onCounts(claude);

      await bounded(passIds, concurrency, async (passId) => {
        if (exhausted) {
          claude.passesSkipped++;
          return;
        }
        const r = await acts.research({ ...ids, snapshotId, passId, allowance: allowance(Math.min(concurrency, passIds.length)) });
        claude.passesRun++;
        claude.malformedDropped += r.dropped;
        countRejected(r.rejected);
        settle(r.tokens, r.budgetStopped);
      });
      const collected = await acts.collect({ ...ids, snapshotId, passIds });
      candidateIds = collected.candidateIds;
      return {
        filesInScope: collected.filesInScope,
        filesAnalysed: collected.filesAnalysed,
        candidates: collected.candidates,
        carriedOver: collected.carriedOver,
      };
    },
    async verify() {
      const confirmed: string[] = [];
      await bounded(candidateIds, concurrency, async (candidateId) => {
        if (exhausted) return;
        const r = await acts.panel({ ...ids, snapshotId, candidateId, allowance: allowance(concurrency) });
        claude.panels++;
        countRejected(r.rejected);
        settle(r.tokens, r.budgetStopped);
        if (r.verdict === 'confirmed') confirmed.push(candidateId);
      });
      await bounded(confirmed.sort(), concurrency, async (candidateId) => {
        if (exhausted) return;
        const r = await acts.patch({ ...ids, snapshotId, candidateId, allowance: allowance(concurrency) });
        if (r.patched) claude.patches++;
        countRejected(r.rejected);
        settle(r.tokens, r.budgetStopped);
      });
      return acts.conclude({ ...ids, snapshotId, passIds, budgetExhausted: exhausted, skippedPasses: claude.passesSkipped });
    },
  };
}
