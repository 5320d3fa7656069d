// The scan's activities, built from their dependencies (store, engines, directories) so tests and
// workers choose them. Every activity is idempotent: it may run more than once for the same scan.
import { snapshotStage, type SnapshotStageInput } from './stages/snapshot.js';
import { merkleSyncStage } from './stages/merkle-sync.js';
import { reasonStage } from './stages/reason.js';
import { verifyStage } from './stages/verify.js';
import { scoreStage } from './stages/score.js';
import {
  recordDecisionStage,
  recordDecisionsStage,
  type RecordDecisionInput,
  type RecordDecisionsInput,
} from './stages/record-decision.js';
import { applyStage, type ApplyStageInput } from './stages/apply.js';
import { reportStage } from './stages/report.js';
import { recordFailureStage, type RecordFailureInput } from './stages/record-failure.js';
import { claudeThreatModelStage } from './stages/claude/threat-model.js';
import { claudeResearchStage } from './stages/claude/research.js';
import { claudeCollectStage } from './stages/claude/collect.js';
import { claudePanelStage } from './stages/claude/panel.js';
import { claudePatchStage } from './stages/claude/patch.js';
import { claudeEstimateStage } from './stages/claude/estimate.js';
import { claudeConcludeStage, type ConcludeInput } from './stages/claude/conclude.js';
import type { PassAllowance, PassInput } from './stages/claude/pass.js';
import type { ClaudeScanOptions } from './engines/claude/config.js';
import type { ActivityDeps, ScanIds } from './stages/shared.js';

export type { ActivityDeps, ScanIds } from './stages/shared.js';
import { confineSource } from './confine-source.js';

export function createActivities(deps: ActivityDeps) {
  return {
    // The Claude engine's passes (activities/stages/claude/): the workflow fans them out within the token budget.
    async claudeThreatModel(input: PassInput & { options?: ClaudeScanOptions }) {
      return claudeThreatModelStage(deps, input);
    },
    async claudeResearch(input: PassInput & PassAllowance & { passId: string }) {
      return claudeResearchStage(deps, input);
    },
    async claudeCollect(input: PassInput & { passIds: string[] }) {
      return claudeCollectStage(deps, input);
    },
    async claudePanel(input: PassInput & PassAllowance & { candidateId: string }) {
      return claudePanelStage(deps, input);
    },
    async claudePatch(input: PassInput & PassAllowance & { candidateId: string }) {
      return claudePatchStage(deps, input);
    },
    async claudeConclude(input: PassInput & ConcludeInput) {
      return claudeConcludeStage(deps, input);
    },
    // `--estimate`: the threat-model pass and the planned passes' token and cost range, no research.
    async claudeEstimate(input: PassInput & { options?: ClaudeScanOptions }) {
      return claudeEstimateStage(deps, input);
    },
    async snapshot(input: SnapshotStageInput) {
      await confineSource(deps.paths, input.tenant, input.source);
      return snapshotStage(deps, input);
    },
    async merkleSync(input: ScanIds & { snapshotId: string }) {
      return merkleSyncStage(deps, input);
    },
    async reason(input: ScanIds & { snapshotId: string; engine: string }) {
      return reasonStage(deps, input);
    },
    async verify(input: ScanIds & { snapshotId: string; engine: string }) {
      return verifyStage(deps, input);
    },
    async score(input: ScanIds & { snapshotId: string }) {
      return scoreStage(deps, input);
    },
    async recordDecision(input: RecordDecisionInput) {
      return recordDecisionStage(deps, input);
    },
    async recordDecisions(input: RecordDecisionsInput) {
      return recordDecisionsStage(deps, input);
    },
    async apply(input: ApplyStageInput) {
      return applyStage(deps, input);
    },
    async report(input: ScanIds & { snapshotId: string }) {
      return reportStage(deps, input);
    },
    /** Called by the workflow when it catches a failure: records stage.failed and scan.failed events. */
    async recordFailure(input: RecordFailureInput) {
      return recordFailureStage(deps, input);
    },
  };
}
