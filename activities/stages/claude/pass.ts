// What every Claude pass is built from. A pass is one activity that stores its output under its own artefact
// kind before returning, so a retried or replayed pass that already completed costs nothing (memoisedPass); it
// reads the snapshot through one lazy reader, charges its tokens to a meter kept in the store, and reports counts.
import type { ArtifactKind, ArtifactOf } from '../../artifacts.js';
import { claudeArtifact } from '../../artifacts.js';
import { addUsage, budgetTokens, ZERO_USAGE, type TokenUsage } from '../../engines/claude/config.js';
import type { ClaudeDeps } from '../../engines/claude/client.js';
import { costUsd } from '../../engines/claude/prices.js';
import type { ThreatModelArtifact } from '../../engines/claude/artifacts.js';
import type { Meter } from '../../engines/claude/loop.js';
import type { CodeSearch } from '../../engines/claude/tools.js';
import { nonRetryable } from '../../errors.js';
import { startHeartbeat, type HeartbeatHandle } from '../../heartbeat.js';
import type { Candidate, SourceReader } from '../../model.js';
import { openSourceFiles } from '../../source-files.js';
import type { GuidanceIndex } from '../../retrieval/guidance-index.js';
import type { Store } from '../../store/store.js';
import type { DecisionMemory } from '../../retrieval/decision-memory.js';
import { requireSnapshot, type ScanIds } from '../shared.js';

export interface ClaudeStageDeps {
  store: Store;
  claude?: ClaudeDeps;
  /** Our security guidance, searched by the passes that read code (search_guidance). */
  guidance?: GuidanceIndex;
  /** Decision memory: the team's similar past decisions shown to the verification panel. */
  retrieval?: DecisionMemory;
}

/** Every Claude pass names its scan and snapshot. */
export type PassInput = ScanIds & { snapshotId: string };

/** What a spending pass may spend: tokens, and dollars when the scan has a cost limit (the workflow's ledger decides both). */
export interface PassAllowance {
  allowance: number;
  allowanceUsd?: number;
}

/**
 * The pass skeleton: the stored output if an earlier attempt finished, else `run` under a heartbeat, its output
 * stored before the counts are returned. History gets `summary(output)` only.
 */
export async function memoisedPass<K extends ArtifactKind, S>(
  store: Store,
  ids: ScanIds,
  kind: K,
  summary: (output: ArtifactOf<K>) => S,
  run: (hb: HeartbeatHandle) => Promise<ArtifactOf<K>>,
): Promise<S> {
  const done = await store.getArtifact(ids.tenant, ids.scanId, kind);
  if (done !== undefined) return summary(done);
  const hb = startHeartbeat();
  try {
    const output = await run(hb);
    await store.putArtifact(ids.tenant, ids.scanId, kind, output);
    return summary(output);
  } finally {
    hb.stop();
  }
}

export function requireClaude(deps: ClaudeStageDeps): ClaudeDeps {
  if (!deps.claude) {
    throw nonRetryable(
      'EngineConfigError',
      'The claude engine is not configured on this worker: set ANTHROPIC_API_KEY (or ANTHROPIC_BASE_URL) in the worker environment.',
    );
  }
  return deps.claude;
}

/** The snapshot's files for this pass: read lazily, in batches, each blob once. */
export async function snapshotReader(store: Store, input: PassInput): Promise<SourceReader> {
  return openSourceFiles(store, await requireSnapshot(store, input.tenant, input.snapshotId));
}

export async function requireThreatModel(store: Store, ids: ScanIds): Promise<ThreatModelArtifact> {
  const tm = await store.getArtifact(ids.tenant, ids.scanId, claudeArtifact.threatModel);
  if (!tm) throw nonRetryable('ScanStateError', `Scan ${ids.scanId} has no threat model; the threat-model pass must run first.`);
  return tm;
}

export async function requireCandidate(store: Store, ids: ScanIds, candidateId: string): Promise<Candidate> {
  const candidate = (await store.getArtifact(ids.tenant, ids.scanId, 'candidates'))?.find((c) => c.id === candidateId);
  if (!candidate) throw nonRetryable('ScanStateError', `Scan ${ids.scanId} has no candidate ${candidateId}.`);
  return candidate;
}

/**
 * Tokens spent by every attempt of one pass, kept in the store so a retry continues the count. `cost`: the dollars
 * the pass may spend under a cost limit, priced for its model.
 */
export async function openMeter(
  store: Store,
  ids: ScanIds,
  key: string,
  allowance: number,
  cost?: { usd: number | undefined; model: string },
): Promise<Meter & { usage(): TokenUsage }> {
  let usage = (await store.getArtifact(ids.tenant, ids.scanId, claudeArtifact.meter(key))) ?? { ...ZERO_USAGE };
  const usdAllowance = cost?.usd;
  return {
    allowance,
    spent: () => budgetTokens(usage),
    ...(usdAllowance !== undefined && cost ? { usdLeft: () => usdAllowance - costUsd(cost.model, usage) } : {}),
    usage: () => usage,
    async charge(u) {
      usage = addUsage(usage, u);
      await store.putArtifact(ids.tenant, ids.scanId, claudeArtifact.meter(key), usage);
    },
  };
}

/** The store's code search, scoped to the scan's snapshot; absent if the store has none. */
export function codeSearch(store: Store, input: PassInput): CodeSearch | undefined {
  if (typeof store.searchCode !== 'function') return undefined;
  return (query, limit) => store.searchCode(input.tenant, input.repoKey, input.snapshotId, query, limit);
}
