// Stage 7: approved patches land on a new branch built with git plumbing (the user's working tree,
// index and checked-out branch are never touched). Sources without a local repository get a patch series.
import { relative } from 'node:path';
import type { ScanSource } from '../../workflows/definitions.js';
import { commitPatchesOnBranch } from '../apply/git-branch.js';
import { runGit } from '../git/run-git.js';
import { buildPatchSeries } from '../apply/patch-series.js';
import { filesNamedBy, loadSourceFiles } from '../source-files.js';
import type { ActivityDeps, ScanIds } from '../index.js';
import type { Finding } from '../model.js';
import type { SnapshotRecord } from '../store/store.js';
import { requireArtifact, requireSnapshot } from './shared.js';

export interface ApplyStageInput extends ScanIds {
  source: ScanSource;
  snapshotId: string;
  /** Ids of approved findings that carry a patch. */
  approved: string[];
}

export interface ApplyArtifact {
  branch?: string;
  commit?: string;
  applied: string[];
  failed: { findingId: string; reason: string }[];
  rejected: string[];
  patchSeries?: boolean;
}

/** The git work tree that contains `dir`, if any. */
async function gitTopLevel(dir: string): Promise<string | undefined> {
  const r = await runGit(['rev-parse', '--show-toplevel'], { cwd: dir, timeoutMs: 60_000 });
  return (r.code === 0 && r.stdout.toString('utf8').trim()) || undefined;
}

export async function applyStage(deps: ActivityDeps, input: ApplyStageInput) {
  const { store } = deps;
  const findings = await requireArtifact<Finding[]>(store, input.tenant, input.scanId, 'findings', 'scoring');
  const approved = new Set(input.approved);
  const chosen = findings.filter((f) => approved.has(f.id) && f.patch);
  // Decisions taken in this scan, and those carried over from earlier scans (already on the scored finding).
  const decisions = await store.getScanDecisions(input.tenant, input.scanId);
  const rejected = findings
    .filter((f) => (decisions.get(f.id)?.decision ?? (f.status === 'rejected' ? 'reject' : undefined)) === 'reject')
    .map((f) => f.id);
  const result: ApplyArtifact = { applied: [], failed: [], rejected };
  const snapshot: SnapshotRecord = await requireSnapshot(store, input.tenant, input.snapshotId);

  if (chosen.length) {
    const top = input.source.kind === 'local' ? await gitTopLevel(input.source.path) : undefined;
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
        files: await loadSourceFiles(store, snapshot, filesNamedBy(chosen)),
      });
      if (built.series) await store.putArtifact(input.tenant, input.scanId, 'patch-series', built.series);
      result.applied = built.applied;
      result.failed = built.failed;
      result.patchSeries = Boolean(built.series);
    }
  }
  await store.putArtifact(input.tenant, input.scanId, 'apply-result', result);
  return {
    applied: result.applied.length,
    rejected: rejected.length,
    failed: result.failed.length,
    branch: result.branch,
    commit: result.commit,
    patchSeries: result.patchSeries,
  };
}
