// Applies a list of approved patches to a virtual copy of the files they touch. Shared by the branch
// writer (files come from a commit) and the patch series (files come from the snapshot), so both report
// the same patches as applied or failed for the same reasons.
import { applyParsedDiff, parseUnifiedDiff, rebaseHunks, type ParsedDiff } from '../patches/apply-diff.js';
import type { ApplyFailure, PatchToApply } from './types.js';

export type BaseFile =
  | { kind: 'file'; text: string; mode: string }
  | { kind: 'missing' }
  /** Present but not patchable as text: a symlink, submodule, directory, binary or non-UTF-8 file. */
  | { kind: 'unsupported'; reason: string };

/** The final state of one touched file. `text` is null when the patches delete it. */
export interface FileEdit {
  path: string;
  mode: string;
  text: string | null;
}

export interface AppliedPatch {
  patch: PatchToApply;
  /** The diff with hunk headers moved to where they applied, in the file as earlier patches left it. */
  diff: ParsedDiff;
}

export interface PatchSetResult {
  files: Map<string, FileEdit>;
  applied: AppliedPatch[];
  failed: ApplyFailure[];
}

export async function applyPatchSet(patches: PatchToApply[], readBase: (path: string) => Promise<BaseFile>): Promise<PatchSetResult> {
  const files = new Map<string, FileEdit>();
  const applied: AppliedPatch[] = [];
  const failed: ApplyFailure[] = [];
  const fail = (p: PatchToApply, reason: string) => failed.push({ findingId: p.findingId, reason: `${p.file}: ${reason}` });

  for (const patch of patches) {
    const badPath = checkRepoPath(patch.file);
    if (badPath) {
      fail(patch, badPath);
      continue;
    }
    let parsed: ParsedDiff;
    try {
      parsed = parseUnifiedDiff(patch.diff);
    } catch (err) {
      fail(patch, (err as Error).message);
      continue;
    }
    // The header path may lack the prefix of a scanned directory that sits below the repository root.
    const named = parsed.newPath ?? parsed.oldPath;
    if (named !== undefined && named !== patch.file && !patch.file.endsWith(`/${named}`)) {
      fail(patch, `the diff edits ${JSON.stringify(named)}, not the patch's file; the engine produced an inconsistent patch`);
      continue;
    }

    let current = files.get(patch.file);
    if (!current) {
      const base = await readBase(patch.file);
      if (base.kind === 'unsupported') {
        fail(patch, base.reason);
        continue;
      }
      current = base.kind === 'file' ? { path: patch.file, mode: base.mode, text: base.text } : { path: patch.file, mode: '100644', text: null };
    }
    if (current.text === null && !parsed.created) {
      fail(patch, 'the file does not exist in the base commit, so the patch cannot apply (was it added after the commit, or not yet committed?)');
      continue;
    }
    if (current.text !== null && parsed.created) {
      fail(patch, 'the patch creates the file, but it already exists in the base commit');
      continue;
    }
    const result = applyParsedDiff(current.text ?? '', parsed);
    if (!result.ok) {
      fail(patch, `${result.reason} (the base file may differ from the scanned copy: uncommitted changes at scan time, or an earlier patch to the same lines)`);
      continue;
    }
    files.set(patch.file, { ...current, text: parsed.deleted ? null : result.text });
    applied.push({ patch, diff: rebaseHunks(parsed, result.placements) });
  }
  return { files, applied, failed };
}

/** Why `path` is not a safe repository-relative POSIX path, or undefined when it is. */
export function checkRepoPath(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'path must be relative to the repository root';
  if (/[\0\n\r\\]/.test(path)) return 'path contains a NUL, newline or backslash';
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'path must not contain empty, "." or ".." segments';
  if (segments.some((s) => s.toLowerCase() === '.git')) return 'path must not point into .git';
  return undefined;
}
