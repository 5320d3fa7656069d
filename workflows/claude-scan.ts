// The Claude engine as the workflow runs it (a ScanEngine, like the built-in one): a threat-model pass, research
// passes (component × category) with bounded concurrency, then a verification panel per candidate and a checked
// patch per confirmed finding, each pass its own activity (activities/stages/claude/). The workflow keeps the
// scan's ledger (token counts, and their price from the published table when the scan has a cost limit): each pass
// gets an allowance of tokens and dollars from what is left, and once either limit is reached the scan goes on with
// what it has, its coverage marked incomplete with what was not done.
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { ScanEngine } from '../activities/model.js';
import { costUsd, type PricedUsage } from '../activities/engines/claude/prices.js';
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
  let model = '';
  let maxCost: number | undefined;
  let spentUsd = 0;
  let stoppedBy: 'tokens' | 'cost' | undefined;
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
  // Each pass may spend its share of what is left, so passes in flight together cannot overrun either limit.
  const allowance = (lanes: number) => {
    const n = Math.max(1, lanes);
    const tokens = Math.floor(Math.max(0, budget - spent) / n);
    return maxCost === undefined ? { allowance: tokens } : { allowance: tokens, allowanceUsd: Math.max(0, maxCost - spentUsd) / n };
  };
  const stop = (by: 'tokens' | 'cost') => {
    exhausted = true;
    stoppedBy ??= by;
    claude.budgetExhausted = true;
    claude.stoppedBy = stoppedBy;
  };
  // Cost is priced here from the pass's token counts (prices.ts is data): deterministic on replay.
  const settle = (r: { tokens: number; usage?: PricedUsage; budgetStopped: boolean; stoppedBy?: 'tokens' | 'cost' }) => {
    spent += r.tokens;
    claude.spentTokens = spent;
    if (r.usage) spentUsd = Math.round((spentUsd + costUsd(model, r.usage)) * 1e6) / 1e6;
    if (maxCost !== undefined) claude.spentUsd = spentUsd;
    if (r.budgetStopped) stop(r.stoppedBy ?? 'tokens');
    if (spent >= budget) stop('tokens');
    if (maxCost !== undefined && spentUsd >= maxCost) stop('cost');
  };
  let planCutShort = false;
  const markIncomplete = () => {
    claude.incomplete =
      planCutShort ||
      claude.passesSkipped > 0 || (claude.passesCutShort ?? 0) > 0 || (claude.panelsSkipped ?? 0) > 0 || (claude.patchesSkipped ?? 0) > 0;
  };

  return {
    name: 'claude',
    async reason() {
      const tm = await acts.threatModel({ ...ids, snapshotId, options: input.claude });
      budget = tm.budgetTokens;
      concurrency = tm.concurrency;
      passIds = tm.passIds;
      model = tm.model ?? input.claude?.model ?? ''; // a result recorded before the ledger priced anything has no model
      maxCost = tm.maxCostUsd;
      Object.assign(claude, { components: tm.components, passes: passIds.length, budgetTokens: budget, passesCutShort: 0, panelsSkipped: 0, patchesSkipped: 0 });
      if (maxCost !== undefined) claude.maxCostUsd = maxCost;
      settle({ tokens: tm.tokens, usage: tm.usage, budgetStopped: tm.budgetStopped, stoppedBy: tm.stoppedBy });
      planCutShort = tm.budgetStopped;
      onCounts(claude);

      await bounded(passIds, concurrency, async (passId) => {
        if (exhausted) {
          claude.passesSkipped++;
          return;
        }
        const r = await acts.research({ ...ids, snapshotId, passId, ...allowance(Math.min(concurrency, passIds.length)) });
        claude.passesRun++;
        if (r.budgetStopped) claude.passesCutShort = (claude.passesCutShort ?? 0) + 1;
        claude.malformedDropped += r.dropped;
        countRejected(r.rejected);
        settle(r);
      });
      markIncomplete();
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
        if (exhausted) {
          claude.panelsSkipped = (claude.panelsSkipped ?? 0) + 1;
          return;
        }
        const r = await acts.panel({ ...ids, snapshotId, candidateId, ...allowance(concurrency) });
        claude.panels++;
        if (r.budgetStopped) claude.panelsSkipped = (claude.panelsSkipped ?? 0) + 1;
        countRejected(r.rejected);
        settle(r);
        if (r.verdict === 'confirmed') confirmed.push(candidateId);
      });
      await bounded(confirmed.sort(), concurrency, async (candidateId) => {
        if (exhausted) {
          claude.patchesSkipped = (claude.patchesSkipped ?? 0) + 1;
          return;
        }
        const r = await acts.patch({ ...ids, snapshotId, candidateId, ...allowance(concurrency) });
        if (r.patched) claude.patches++;
        if (r.budgetStopped) claude.patchesSkipped = (claude.patchesSkipped ?? 0) + 1;
        countRejected(r.rejected);
        settle(r);
      });
      markIncomplete();
      return acts.conclude({
        ...ids,
        snapshotId,
        passIds,
        budgetExhausted: exhausted,
        skippedPasses: claude.passesSkipped,
        ...(stoppedBy ? { stoppedBy } : {}),
        ...(maxCost !== undefined ? { maxCostUsd: maxCost } : {}),
        incomplete: claude.incomplete ?? false,
      });
    },
  };
}
