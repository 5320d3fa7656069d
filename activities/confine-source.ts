// Defence in depth behind the API: a worker given a path policy reads a local source (or a file-protocol git
// URL) only inside the tenant's roots, whoever started the workflow.
import { nonRetryable } from './errors.js';
import type { ActivityDeps } from './stages/shared.js';
import { checkPath, effectiveRoots, fileUrlPath, refusalMessage } from './scan-roots.js';
import type { ScanSource } from '../workflows/definitions.js';

/** Throws PathNotAllowedError when `source` reads the disk outside the tenant's roots; no policy, no check. */
export async function confineSource(paths: ActivityDeps['paths'], tenant: string, source: ScanSource): Promise<void> {
  if (!paths) return;
  const local = source.kind === 'local' ? source.path : fileUrlPath(source.url);
  if (local === undefined) return; // a remote git URL: cloned into the work area, never written back
  const narrowing = paths.tenantRoots(tenant);
  const shown = local ?? (source.kind === 'git' ? source.url : '');
  const checked = local === null ? { ok: false as const, refusal: 'outside' as const } : await checkPath(paths.policy, narrowing, local);
  // A missing path inside the roots is the snapshot's own error to report.
  if (checked.ok || checked.refusal === 'missing') return;
  throw nonRetryable('PathNotAllowedError', refusalMessage(checked.refusal, shown, effectiveRoots(paths.policy, narrowing)));
}
