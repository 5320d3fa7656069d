// Shapes shared by the apply stage: what goes in (approved patches) and what comes out.

/** An approved finding's patch, ready to apply. `diff` is a unified diff against the scanned copy of `file`. */
export interface PatchToApply {
  file: string;
  diff: string;
  findingId: string;
  title: string;
  /** Why the change fixes the finding; becomes the commit or mail body. */
  description?: string;
}

export interface ApplyFailure {
  findingId: string;
  /** What went wrong, in words a reviewer can act on. */
  reason: string;
}

export interface Author {
  name: string;
  email: string;
}

/** The outcome of writing approved patches to a branch of a local repository. */
export interface BranchApplyResult {
  branch: string;
  /** The branch's commit; absent when no patch applied and so no branch was created. */
  commit?: string;
  /** The commit the branch is based on (the resolved base ref). */
  baseCommit: string;
  /** False when the branch already existed with exactly this content (a repeated apply). */
  created: boolean;
  /** Finding ids whose patches are in the commit, in patch order. */
  applied: string[];
  failed: ApplyFailure[];
}

/** The outcome of rendering approved patches as an mbox series (sources without a local repository). */
export interface PatchSeriesResult {
  /** mbox text for `git am`; empty when no patch applied. */
  series: string;
  applied: string[];
  failed: ApplyFailure[];
}
