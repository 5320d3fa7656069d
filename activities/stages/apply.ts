// Stage 7: approved patches land on a new branch built with git plumbing (the user's working tree,
// index and checked-out branch are never touched). Sources without a local repository get a patch series.
import { relative } from 'node:path';
import type { ScanSource } from '../../workflows/definitions.js';
import { commitPatchesOnBranch } from '../apply/git-branch.js';
import { checkRepositoryLocation, repositoryLocation, type RepositoryLocation } from '../apply/write-target.js';
import { effectiveRoots, refusalMessage } from '../scan-roots.js';
import { buildPatchSeries } from '../apply/patch-series.js';
import { filesNamedBy, openSourceFiles } from '../source-files.js';
import type { ActivityDeps, ScanIds } from './shared.js';
import type { ApplyArtifact } from '../artifacts.js';
import { findingsView } from '../findings-view.js';
import type { SnapshotRecord } from '../store/store.js';
import { requireSnapshot } from './shared.js';
import { nonRetryable } from '../errors.js';
import { scanEvent } from '../events/make-event.js';
import { stageCompleted, stageStarted } from '../events/scan-events.js';

export interface ApplyStageInput extends ScanIds {
  source: ScanSource;
  snapshotId: string;
  /** Ids of approved findings that carry a patch. */
  approved: string[];
}

/** Why this tenant may not write into the repository at `location`, or undefined when it may (or no policy is set). */
async function writeRefusal(deps: ActivityDeps, tenant: string, location: RepositoryLocation | undefined): Promise<string | undefined> {
  if (!deps.paths) return undefined;
  const narrowing = deps.paths.tenantRoots(tenant);
  const target = await checkRepositoryLocation(deps.paths.policy, narrowing, location);
  if (target.ok) return undefined;
  return refusalMessage(target.refusal, target.where, effectiveRoots(deps.paths.policy, narrowing), 'write');
}

export async function applyStage(deps: ActivityDeps, input: ApplyStageInput) {
  const { store } = deps;
  await store.appendEvents([stageStarted(input, 'applying')]);
  // Decisions taken in this scan, and those carried over from earlier scans (already on the scored finding).
  const findings = await findingsView(store, input);
  if (!findings) throw nonRetryable('ScanStateError', `Scan ${input.scanId} has no findings; the scoring stage must run first.`);
  const approved = new Set(input.approved);
  const chosen = findings.filter((f) => approved.has(f.id) && f.patch);
  const rejected = findings.filter((f) => f.status === 'rejected').map((f) => f.id);
  const result: ApplyArtifact = { applied: [], failed: [], rejected };
  const snapshot: SnapshotRecord = await requireSnapshot(store, input.tenant, input.snapshotId);

  // Defence in depth behind the API: never write a branch outside the tenant's roots (the worker's own policy).
  // One lookup: the repository checked is the one written.
  const location = chosen.length && input.source.kind === 'local' ? await repositoryLocation(input.source.path) : undefined;
  const refusal = chosen.length && input.source.kind === 'local' ? await writeRefusal(deps, input.tenant, location) : undefined;
  if (refusal) {
    result.refused = refusal;
    result.failed = chosen.map((f) => ({ findingId: f.id, reason: refusal }));
  } else if (chosen.length) {
    const top = location?.top;
    if (top && input.source.kind === 'local') {
      // Patch paths are relative to the scanned directory, which may sit below the repository root.
      const prefix = relative(top, input.source.path);
      const r = await commitPatchesOnBranch({
        repoDir: top,
        branch: `vigil/scan-${input.scanId}`,
        // Patches were computed against the scanned commit; build on it, not on whatever HEAD is now.
        baseRef: snapshot.commit ?? 'HEAD',
        patches: chosen.map((f) => ({
          file: prefix ? `${prefix}/${f.patch!.file}` : f.patch!.file,
          diff: f.patch!.diff,
          findingId: f.id,
          title: f.title,
        })),
        author: { name: 'Vigil', email: 'vigil@localhost' },
        message: `Vigil: fixes approved in scan ${input.scanId}`,
      });
      Object.assign(result, { branch: r.branch, commit: r.commit, applied: r.applied, failed: r.failed });
    } else {
      // No local repository to write to: a patch series for `git am`, each patch checked against the scanned files.
      const built = await buildPatchSeries({
        patches: chosen.map((f) => ({ file: f.patch!.file, diff: f.patch!.diff, findingId: f.id, title: f.title })),
        author: { name: 'Vigil', email: 'vigil@localhost' },
        baseCommit: snapshot.commit,
        files: await openSourceFiles(store, snapshot).load(filesNamedBy(chosen)),
      });
      if (built.series) await store.putArtifact(input.tenant, input.scanId, 'patch-series', built.series);
      result.applied = built.applied;
      result.failed = built.failed;
      result.patchSeries = Boolean(built.series);
    }
  }
  await store.putArtifact(input.tenant, input.scanId, 'apply-result', result);
  const counts = {
    applied: result.applied.length,
    rejected: rejected.length,
    failed: result.failed.length,
    branch: result.branch,
    commit: result.commit,
    patchSeries: result.patchSeries,
  };
  await store.appendEvents([
    ...(result.applied.length
      ? [
          scanEvent(input.tenant, input.scanId, 'dev.vigil.patch.applied.v1', {
            scanId: input.scanId,
            ...(result.branch ? { branch: result.branch } : {}),
            ...(result.commit ? { commit: result.commit } : {}),
            patchSeries: Boolean(result.patchSeries),
            applied: result.applied.length,
            failed: result.failed.length,
          }),
        ]
      : []),
    stageCompleted(input, 'applying', counts),
  ]);
  return counts;
}
