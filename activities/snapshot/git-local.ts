// Which commit a local working tree is at, and whether it differs from it, for the snapshot record.
import { runGit } from './git-command.js';

export interface GitCommitInfo {
  commit: string;
  /** The working tree (below root) has changes, staged, unstaged or untracked, against the commit. */
  dirty: boolean;
}

// A local checkout's own .git/config is not ours: keep it from running a filesystem monitor, and keep
// `status` from refreshing (writing) the repository's index behind its owner's back.
const SAFE_ARGS = ['-c', 'core.fsmonitor=false', '--no-optional-locks'];

/**
 * HEAD's commit and whether the tree is dirty; undefined when root is not inside a git repository, has no
 * commit yet, or git refuses it (e.g. another user's repository: "dubious ownership").
 */
export async function resolveGitCommit(root: string, signal?: AbortSignal): Promise<GitCommitInfo | undefined> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
  const head = await runGit([...SAFE_ARGS, '-C', root, 'rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { env, signal });
  const commit = head.stdout.trim();
  if (head.code !== 0 || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) return undefined;
  // Pathspec '.' limits the check to the scanned directory when root is a subdirectory of the repository.
  const status = await runGit([...SAFE_ARGS, '-C', root, 'status', '--porcelain', '--', '.'], { env, signal });
  if (status.code !== 0) return undefined;
  return { commit, dirty: status.stdout.trim() !== '' };
}
