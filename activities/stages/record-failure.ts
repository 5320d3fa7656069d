// The workflow cannot write events (its code must stay deterministic): when it catches a failure it calls this
// activity, which records stage.failed (for a stage that failed) and scan.failed. Ids depend on the scan and
// stage only, so a retry adds nothing.
import type { ScanStage } from '../../workflows/definitions.js';
import { scanEvent } from '../events/make-event.js';
import { stageFailed } from '../events/scan-events.js';
import { EVENT_STAGES, type EventStage } from '../events/types.js';
import type { ActivityDeps, ScanIds } from './shared.js';

export interface RecordFailureInput extends ScanIds {
  /** The stage the scan was in when it failed. */
  stage: ScanStage;
  /** The failure's type (ApplicationFailure type, e.g. SnapshotLimitError); never its message. */
  errorType: string;
}

export async function recordFailureStage(deps: ActivityDeps, input: RecordFailureInput): Promise<void> {
  const errorType = input.errorType.slice(0, 200);
  const isStage = (EVENT_STAGES as readonly string[]).includes(input.stage);
  const stage = input.stage === 'completed' || input.stage === 'failed' ? 'queued' : input.stage;
  await deps.store.appendEvents([
    ...(isStage ? [stageFailed(input, input.stage as EventStage, errorType)] : []),
    scanEvent(input.tenant, input.scanId, 'dev.vigil.scan.failed.v1', { scanId: input.scanId, stage, errorType }),
  ]);
}
