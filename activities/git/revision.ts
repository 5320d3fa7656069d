// The one definition of "which commit is this directory at, and does it differ from it": the API names the
// scan's workflow after it and the snapshot records it, so the two cannot disagree.
import { runGit, type RunGitOptions } from './run-git.js';

export interface GitRevision {
  commit: string;
  /** The tree below the directory has changes (staged, unstaged or untracked) against the commit. */
  dirty: boolean;
}

// --no-optional-locks: `status` must not refresh (write) the index of a repository we only inspect.
const READ_ONLY = ['--no-optional-locks'];

/**
 * HEAD's commit and whether the directory's tree is dirty; undefined when `dir` is not inside a git
 * repository, has no commit yet, or git refuses it (e.g. another user's repository: "dubious ownership").
 * When the status cannot be read the tree is called dirty: claiming clean could mislabel a scan.
 */
export async function gitRevision(dir: string, signal?: AbortSignal): Promise<GitRevision | undefined> {
  const base: RunGitOptions = { cwd: dir, signal, timeoutMs: 60_000 };
  const head = await runGit([...READ_ONLY, 'rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], base);
  const commit = head.stdout.toString('utf8').trim();
  if (head.code !== 0 || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) return undefined;
  // A clean/smudge filter named by the repository's config is a command: status would run it on changed files.
  const config = await filterOverrides(base);
  // Pathspec '.' limits the check to the scanned directory when it is a subdirectory of the repository;
  // --untracked-files=normal overrides a status.showUntrackedFiles=no in the repository's config.
  const status = await runGit([...READ_ONLY, 'status', '--porcelain', '--untracked-files=normal', '--', '.'], { ...base, config });
  return { commit, dirty: status.code !== 0 || status.stdout.length > 0 };
}

/** The revision as the API's scan identity: the commit, `<commit>+dirty`, or 'worktree' outside git. */
export function revisionLabel(rev: GitRevision | undefined): string {
  if (!rev) return 'worktree';
  return rev.dirty ? `${rev.commit}+dirty` : rev.commit;
}

/** `-c filter.<name>.<cmd>=` for every filter driver the repository configures, which disables them. */
async function filterOverrides(base: RunGitOptions): Promise<string[]> {
  const r = await runGit([...READ_ONLY, 'config', '--null', '--get-regexp', '^filter\\.'], base);
  if (r.code !== 0) return [];
  const names = new Set<string>();
  for (const entry of r.stdout.toString('utf8').split('\0')) {
    const key = entry.split('\n', 1)[0];
    const m = /^filter\.(.+)\.[^.]+$/.exec(key);
    if (m) names.add(m[1]);
  }
  return [...names].flatMap((n) => [`filter.${n}.clean=`, `filter.${n}.smudge=`, `filter.${n}.process=`, `filter.${n}.required=false`]);
}
