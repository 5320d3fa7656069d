// What the CLI needs from Vigil. Two implementations: over HTTP to a running `vigil serve`, or
// in-process (its own worker, and the data directory's Temporal dev server) when none is running.
import type { Finding } from '../../activities/model.js';
import type { StageProgress } from '../stage-progress.js';
import type { BulkDecisionInput, BulkDecisionResult, DecisionResult, ScanInput, ScanStatus } from '../../workflows/definitions.js';
import type { SourceRequest } from '../scan-requests.js';
import type { EstimateAnswer } from '../estimate-requests.js';
import type { TenantDeletionResult } from '../tenant-deletion.js';

export interface StartedScan {
  scanId: string;
  deduplicated: boolean;
  workflowId?: string;
}

export interface HistoryEvent {
  eventId: string;
  time?: string;
  type: string;
  [attribute: string]: unknown;
}

export interface Backend {
  readonly mode: 'local' | 'remote';
  /** The source as the API takes it: a local directory's absolute path, or a git URL and ref. */
  startScan(source: SourceRequest, engine: 'builtin' | 'claude', claude?: ScanInput['claude']): Promise<StartedScan>;
  /** A Claude scan's estimate (threat model, planned passes, tokens and cost range), without research. */
  estimate(source: SourceRequest, claude?: ScanInput['claude']): Promise<EstimateAnswer>;
  /** Current status; undefined while it cannot be read yet. */
  status(scanId: string): Promise<ScanStatus | undefined>;
  findings(scanId: string): Promise<Finding[]>;
  decide(scanId: string, findingId: string, decision: 'approve' | 'reject', comment?: string): Promise<DecisionResult>;
  /** Many findings by ids or a filter; with dryRun, only what it would change (nothing is recorded). */
  decideMany(
    scanId: string,
    selection: Pick<BulkDecisionInput, 'findingIds' | 'filter'>,
    decision: 'approve' | 'reject',
    opts: { comment?: string; dryRun?: boolean },
  ): Promise<BulkDecisionResult & { dryRun: boolean }>;
  history(scanId: string): Promise<HistoryEvent[]>;
  /** Progress inside the running stage (empty when nothing is running). */
  progress(scanId: string): Promise<StageProgress[]>;
  /** Links for people, e.g. the scan in the Temporal Web UI. */
  links(scanId: string): Promise<Record<string, string>>;
  /**
   * Deletes all of the tenant's data (the key's tenant remotely, VIGIL_TENANT locally); `confirm` must name it.
   * Open scans refuse it unless `cancelRunning`.
   */
  deleteTenant(opts: { confirm: string; cancelRunning: boolean }): Promise<TenantDeletionResult>;
  close(): Promise<void>;
}
