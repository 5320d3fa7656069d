// The scan's activities, built from their dependencies (store, engines, directories) so tests and
// workers choose them. Every activity is idempotent: it may run more than once for the same scan.
import type { ReasoningEngine, Verifier } from './model.js';
import type { Narrowing, PathPolicy } from './scan-roots.js';
import type { Store } from './store/store.js';
import type { SnapshotLimits } from './snapshot/limits.js';
import { snapshotStage, type SnapshotStageInput } from './stages/snapshot.js';
import { merkleSyncStage } from './stages/merkle-sync.js';
import { reasonStage } from './stages/reason.js';
import { verifyStage } from './stages/verify.js';
import { scoreStage } from './stages/score.js';
import { recordDecisionStage, type RecordDecisionInput } from './stages/record-decision.js';
import { applyStage, type ApplyStageInput } from './stages/apply.js';
import { reportStage } from './stages/report.js';
import { createClaudeActivities, type ClaudeDeps } from './engines/claude/activities.js';
import { confineSource } from './confine-source.js';

export interface ActivityDeps {
  store: Store;
  /** Where temporary clones and work files go. */
  workDir: string;
  /** Stat cache file for local snapshots (git-index-like); omit to always re-hash. */
  statCacheFile?: string;
  /** Snapshot limits (files, bytes, entries walked, bytes per file); omitted: read from VIGIL_MAX_* at scan time. */
  snapshotLimits?: SnapshotLimits;
  /** The operator's git settings (GIT_ALLOW_PROTOCOL, VIGIL_GIT_ALLOW_HOSTS) for clones; default process.env. */
  gitEnv?: NodeJS.ProcessEnv;
  engines: Record<string, ReasoningEngine>;
  verifiers: Record<string, Verifier>;
  /** The Claude engine's client and defaults, when the worker is configured for it. */
  claude?: ClaudeDeps;
  /**
   * Where apply may write branches: the server's path policy and each tenant's roots (from the keys file).
   * Omitted (the local CLI, tests): no check beyond the API's.
   */
  paths?: { policy: PathPolicy; tenantRoots(tenant: string): Narrowing };
  /** Called once per activity execution; lets operators and tests count executions. */
  onExecute?: (activity: string, scanId: string) => void;
}

export interface ScanIds {
  scanId: string;
  tenant: string;
  repoKey: string;
}

export function createActivities(deps: ActivityDeps) {
  const count = (name: string, scanId: string) => deps.onExecute?.(name, scanId);
  const claude = createClaudeActivities(deps);
  return {
    async claudeThreatModel(input: Parameters<typeof claude.claudeThreatModel>[0]) {
      count('claudeThreatModel', input.scanId);
      return claude.claudeThreatModel(input);
    },
    async claudeResearch(input: Parameters<typeof claude.claudeResearch>[0]) {
      count(`claudeResearch:${input.passId}`, input.scanId);
      return claude.claudeResearch(input);
    },
    async claudeCollect(input: Parameters<typeof claude.claudeCollect>[0]) {
      count('claudeCollect', input.scanId);
      return claude.claudeCollect(input);
    },
    async claudePanel(input: Parameters<typeof claude.claudePanel>[0]) {
      count('claudePanel', input.scanId);
      return claude.claudePanel(input);
    },
    async claudePatch(input: Parameters<typeof claude.claudePatch>[0]) {
      count('claudePatch', input.scanId);
      return claude.claudePatch(input);
    },
    async claudeConclude(input: Parameters<typeof claude.claudeConclude>[0]) {
      count('claudeConclude', input.scanId);
      return claude.claudeConclude(input);
    },
    async snapshot(input: SnapshotStageInput) {
      count('snapshot', input.scanId);
      await confineSource(deps.paths, input.tenant, input.source);
      return snapshotStage(deps, input);
    },
    async merkleSync(input: ScanIds & { snapshotId: string }) {
      count('merkleSync', input.scanId);
      return merkleSyncStage(deps, input);
    },
    async reason(input: ScanIds & { snapshotId: string; engine: string }) {
      count('reason', input.scanId);
      return reasonStage(deps, input);
    },
    async verify(input: ScanIds & { snapshotId: string; engine: string }) {
      count('verify', input.scanId);
      return verifyStage(deps, input);
    },
    async score(input: ScanIds & { snapshotId: string }) {
      count('score', input.scanId);
      return scoreStage(deps, input);
    },
    async recordDecision(input: RecordDecisionInput) {
      count('recordDecision', input.scanId);
      return recordDecisionStage(deps, input);
    },
    async apply(input: ApplyStageInput) {
      count('apply', input.scanId);
      return applyStage(deps, input);
    },
    async report(input: ScanIds & { snapshotId: string }) {
      count('report', input.scanId);
      return reportStage(deps, input);
    },
  };
}
