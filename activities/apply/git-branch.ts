// Writes approved patches as one commit on a new branch of the user's repository using plumbing only:
// blobs, a throwaway index, a tree and a commit object, then a create-only ref update. The working tree,
// the real index and the checked-out branch are never touched, so a dirty checkout is safe.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nonRetryable } from '../errors.js';
import { applyPatchSet, type BaseFile } from './apply-patches.js';
import { runGit, type GitResult } from '../git/run-git.js';
import type { Author, BranchApplyResult, PatchToApply } from './types.js';

export interface CommitPatchesInput {
  repoDir: string;
  branch: string;
  /** The commit to build on, normally the scanned commit; defaults to HEAD. */
  baseRef?: string;
  patches: PatchToApply[];
  author: Author;
  /** First line and optional body; the applied findings are appended as trailers. */
  message: string;
  /** Author and committer date; defaults to now. */
  date?: Date;
}

interface GitOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Return non-zero exits instead of throwing (for probes such as "does this ref exist"). */
  allowFailure?: boolean;
}

// GIT_LITERAL_PATHSPECS: a file named like ":(glob)*" must mean that file, not pathspec magic.
async function git(repoDir: string, args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const r = await runGit(args, { cwd: repoDir, input: opts.input, env: { GIT_LITERAL_PATHSPECS: '1', ...opts.env } });
  if (r.code !== 0 && !opts.allowFailure) {
    throw new Error(`git ${args[0]} failed in ${repoDir} (${r.timedOut ? 'timed out' : `exit ${r.code}`})`);
  }
  return r;
}

/** stdout as trimmed text, for commands that print one value. */
async function gitText(repoDir: string, args: string[], opts: GitOptions = {}): Promise<string> {
  return (await git(repoDir, args, opts)).stdout.toString('utf8').trim();
}

export async function commitPatchesOnBranch(input: CommitPatchesInput): Promise<BranchApplyResult> {
  const { repoDir, branch } = input;
  const isRepo = await git(repoDir, ['rev-parse', '--git-dir'], { allowFailure: true });
  if (isRepo.code !== 0) {
    throw nonRetryable('InvalidSourceError', `${repoDir} is not a git repository (or git refuses to use it); patches can only be committed to a local git checkout`);
  }
  await checkBranchName(repoDir, branch);
  const env = identityEnv(input.author, input.date ?? new Date());
  const ref = `refs/heads/${branch}`;

  const baseRef = input.baseRef ?? 'HEAD';
  if (baseRef.startsWith('-')) throw nonRetryable('InvalidSourceError', `base ref ${JSON.stringify(baseRef)} must not start with "-"`);
  const baseRes = await git(repoDir, ['rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`], { allowFailure: true });
  if (baseRes.code !== 0) {
    throw nonRetryable('InvalidSourceError', `base ref ${JSON.stringify(baseRef)} does not name a commit in ${repoDir}; was the scanned commit removed (rebase, gc)? Re-scan the repository`);
  }
  const baseCommit = baseRes.stdout.toString('utf8').trim();

  const { files, applied, failed } = await applyPatchSet(input.patches, (path) => readBlob(repoDir, baseCommit, path));
  const existing = await resolveBranch(repoDir, ref);
  if (applied.length === 0) {
    return { branch, baseCommit, created: false, applied: [], failed };
  }

  const tree = await writeTree(repoDir, baseCommit, [...files.values()]);
  const appliedIds = applied.map((a) => a.patch.findingId);

  if (existing) return sameOrConflict(repoDir, branch, existing, baseCommit, tree, appliedIds, failed);

  const message = commitMessage(input.message, applied.map((a) => a.patch));
  // --no-gpg-sign: commit.gpgSign in the user's config would otherwise prompt or fail in a worker.
  const commit = await gitText(repoDir, ['commit-tree', '--no-gpg-sign', tree, '-p', baseCommit, '-F', '-'], { input: message, env });

  // The empty old value makes the update create-only: a branch that appeared meanwhile is never overwritten.
  const update = await git(repoDir, ['update-ref', '-m', 'vigil: apply approved patches', ref, commit, ''], { allowFailure: true });
  if (update.code !== 0) {
    const raced = await resolveBranch(repoDir, ref);
    if (raced) return sameOrConflict(repoDir, branch, raced, baseCommit, tree, appliedIds, failed);
    throw new Error(`could not create branch ${branch} in ${repoDir} (git update-ref exit ${update.code})`);
  }
  return { branch, commit, baseCommit, created: true, applied: appliedIds, failed };
}

/** Refuses names git would not accept as a branch, and the @{-N} shorthand that --branch would expand. */
async function checkBranchName(repoDir: string, branch: string): Promise<void> {
  const refuse = (why: string) =>
    nonRetryable('PatchConflictError', `branch name ${JSON.stringify(branch)} is not usable: ${why}; choose a plain name such as "vigil/fix-<scan id>"`);
  if (branch === '' || branch === 'HEAD' || branch.startsWith('-') || branch.includes('@{')) throw refuse('it is empty, HEAD, starts with "-" or uses @{...}');
  const res = await git(repoDir, ['check-ref-format', '--branch', branch], { allowFailure: true });
  if (res.code !== 0 || res.stdout.toString('utf8').trim() !== branch) throw refuse('git check-ref-format --branch rejects it');
}

async function readBlob(repoDir: string, commit: string, path: string): Promise<BaseFile> {
  // ls-tree first: it tells a missing path from a symlink, submodule or directory without reading content.
  const ls = await git(repoDir, ['ls-tree', '-z', '--full-tree', commit, '--', path]);
  const entry = ls.stdout.toString('utf8').split('\0').find((e) => e.endsWith(`\t${path}`));
  if (!entry) return { kind: 'missing' };
  const [mode, type, sha] = entry.slice(0, entry.indexOf('\t')).split(' ');
  if (type !== 'blob' || (mode !== '100644' && mode !== '100755')) {
    return { kind: 'unsupported', reason: `it is a ${type === 'blob' ? 'symlink' : type === 'commit' ? 'submodule' : type} in the base commit, not a regular file` };
  }
  const content = (await git(repoDir, ['cat-file', 'blob', sha])).stdout;
  const text = content.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(content)) return { kind: 'unsupported', reason: 'it is not valid UTF-8 text' };
  return { kind: 'file', text, mode };
}

/** Builds the tree: the base tree with the edited files replaced, in an index no one else uses. */
async function writeTree(repoDir: string, baseCommit: string, edits: { path: string; mode: string; text: string | null }[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-index-'));
  const env = { GIT_INDEX_FILE: join(dir, 'index') };
  try {
    await git(repoDir, ['read-tree', baseCommit], { env });
    for (const e of edits) {
      if (e.text === null) {
        await git(repoDir, ['update-index', '--force-remove', '--', e.path], { env });
        continue;
      }
      // --no-filters: store exactly these bytes; the base blob was read unfiltered too.
      const sha = await gitText(repoDir, ['hash-object', '-w', '--no-filters', '--stdin'], { input: Buffer.from(e.text, 'utf8') });
      await git(repoDir, ['update-index', '--add', '--cacheinfo', `${e.mode},${sha},${e.path}`], { env });
    }
    return await gitText(repoDir, ['write-tree'], { env });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function resolveBranch(repoDir: string, ref: string): Promise<string | undefined> {
  const res = await git(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFailure: true });
  return res.code === 0 ? res.stdout.toString('utf8').trim() : undefined;
}

/** A branch that already exists is fine only if it is exactly what this call would have written. */
async function sameOrConflict(
  repoDir: string,
  branch: string,
  existing: string,
  baseCommit: string,
  tree: string,
  applied: string[],
  failed: BranchApplyResult['failed'],
): Promise<BranchApplyResult> {
  const [existingTree, parents] = (await gitText(repoDir, ['show', '-s', '--format=%T%n%P', existing, '--'])).split('\n');
  if (existingTree === tree && parents.trim() === baseCommit) {
    return { branch, commit: existing, baseCommit, created: false, applied, failed };
  }
  throw nonRetryable(
    'PatchConflictError',
    `branch ${branch} already exists at ${existing.slice(0, 12)} with different content than the approved patches on ${baseCommit.slice(0, 12)}; ` +
      `delete it (git branch -D ${branch}) or apply to another branch name`,
    { branch, existing, baseCommit },
  );
}

function identityEnv(author: Author, date: Date): Record<string, string> {
  if (!author.name.trim() || !/^[^<>\s@]+@[^<>\s]+$/.test(author.email)) {
    throw nonRetryable('PatchConflictError', `commit author ${JSON.stringify(author)} needs a non-empty name and an email like vigil@example.com`);
  }
  const when = `${Math.floor(date.getTime() / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
    GIT_COMMITTER_DATE: when,
  };
}

function commitMessage(message: string, applied: PatchToApply[]): string {
  const lines = [message.trim(), ''];
  for (const p of applied) lines.push(`- ${oneLine(p.title)} (${p.file})`);
  lines.push('');
  for (const p of applied) lines.push(`Vigil-Finding: ${p.findingId}`);
  return lines.join('\n') + '\n';
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
