// May this tenant write a branch into the repository that contains a scanned directory? The branch lands in
// the repository's top level and its (common) git directory, which may lie above the scanned directory or,
// for a linked worktree, somewhere else entirely: each must be inside the tenant's roots.
import { checkPath, type Narrowing, type PathPolicy, type PathRefusal } from '../scan-roots.js';
import { runGit } from '../git/run-git.js';

export interface RepositoryLocation {
  /** The work tree's top level. */
  top: string;
  /** Where refs and objects are written (the main repository's .git for a linked worktree). */
  commonDir: string;
}

/** The repository containing `dir`, or undefined when it is not inside one (or git cannot tell). */
export async function repositoryLocation(dir: string): Promise<RepositoryLocation | undefined> {
  const res = await runGit(['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir'], {
    cwd: dir,
    timeoutMs: 60_000,
  }).catch(() => undefined);
  if (!res || res.code !== 0) return undefined;
  const [top, commonDir] = res.stdout.toString('utf8').split('\n').map((l: string) => l.trim());
  return top && commonDir ? { top, commonDir } : undefined;
}

export type WriteCheck =
  | { ok: true; location?: RepositoryLocation }
  | { ok: false; refusal: PathRefusal; where: string; location: RepositoryLocation };

/** Allowed when `dir` is in no repository (nothing would be written) or every place written is within the roots. */
export async function checkWriteTarget(policy: PathPolicy, narrowing: Narrowing, dir: string): Promise<WriteCheck> {
  return checkRepositoryLocation(policy, narrowing, await repositoryLocation(dir));
}

/** checkWriteTarget for a location already found, so the repository checked is the one then written. */
export async function checkRepositoryLocation(policy: PathPolicy, narrowing: Narrowing, location: RepositoryLocation | undefined): Promise<WriteCheck> {
  if (!location) return { ok: true };
  for (const where of [location.top, location.commonDir]) {
    const checked = await checkPath(policy, narrowing, where);
    // 'missing' cannot happen for paths git just reported; treat it as outside rather than as allowed.
    if (!checked.ok) return { ok: false, refusal: checked.refusal === 'missing' ? 'outside' : checked.refusal, where, location };
  }
  return { ok: true, location };
}
