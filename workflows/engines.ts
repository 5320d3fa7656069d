// The engines the scan workflow plugs in. Every engine is a ScanEngine (activities/model.ts): reasoning, then
// verification, each reporting counts. The built-in engine runs each as one activity; Claude as passes
// (workflows/claude-scan.ts).
import type { createActivities } from '../activities/index.js';
import type { ScanEngine } from '../activities/model.js';
import { claudeEngine, type ClaudeCounts } from './claude-scan.js';
import type { ScanInput } from './definitions.js';

type Activities = ReturnType<typeof createActivities>;

/** An in-process engine (the built-in one by default): the `reason` and `verify` activities over its analyser and verifier. */
export function builtinEngine(acts: Pick<Activities, 'reason' | 'verify'>, input: ScanInput, snapshotId: string): ScanEngine {
  const args = { scanId: input.scanId, tenant: input.tenant, repoKey: input.repoKey, snapshotId, engine: input.engine };
  return {
    name: input.engine,
    reason: () => acts.reason(args),
    verify: () => acts.verify(args),
  };
}

/** The scan's engine. `onClaudeCounts`: the Claude engine's token ledger and pass counts as they change. */
export function scanEngine(
  acts: Pick<Activities, 'reason' | 'verify'>,
  input: ScanInput,
  snapshotId: string,
  onClaudeCounts: (claude: ClaudeCounts) => void,
): ScanEngine {
  return input.engine === 'claude' ? claudeEngine(input, snapshotId, onClaudeCounts) : builtinEngine(acts, input, snapshotId);
}
