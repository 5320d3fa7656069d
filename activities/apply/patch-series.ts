// Approved patches as an mbox patch series, for sources cloned from a URL where Vigil has no repository of
// the user's to write a branch to. One message per finding, in the shape `git format-patch --stdout` writes,
// so `git am` on a checkout of the scanned commit applies it. (Files with CRLF line endings need
// `git am --keep-cr`, because mailsplit strips carriage returns by default.)
import { createHash } from 'node:crypto';
import { nonRetryable } from '../errors.js';
import type { SourceFiles } from '../model.js';
import { formatUnifiedDiff, parseUnifiedDiff, type ParsedDiff } from '../patches/apply-diff.js';
import { applyPatchSet } from './apply-patches.js';
import type { Author, PatchSeriesResult, PatchToApply } from './types.js';

export interface PatchSeriesInput {
  patches: PatchToApply[];
  author: Author;
  /** The scanned commit; recorded as "base-commit:" so a reader knows where to apply the series. */
  baseCommit?: string;
  /** Date header of every message; defaults to now. */
  date?: Date;
}

/** Renders the series as given. Throws PatchConflictError when a diff is malformed; check with buildPatchSeries first. */
export function patchSeries(input: PatchSeriesInput): string {
  const items = input.patches.map((patch) => {
    try {
      return { patch, diff: parseUnifiedDiff(patch.diff) };
    } catch (err) {
      throw nonRetryable('PatchConflictError', `patch for finding ${patch.findingId} (${patch.file}) cannot go into a patch series: ${(err as Error).message}`);
    }
  });
  return renderSeries(items, input);
}

/**
 * Checks every patch against the scanned files (in order, as `git am` would apply them) and renders only the
 * ones that apply, with hunk headers moved to where they landed. The rest are reported in `failed`.
 */
export async function buildPatchSeries(input: PatchSeriesInput & { files: Pick<SourceFiles, 'read'> }): Promise<PatchSeriesResult> {
  const { applied, failed } = await applyPatchSet(input.patches, async (path) => {
    const text = input.files.read(path);
    return text === undefined ? { kind: 'missing' } : { kind: 'file', text, mode: '100644' };
  });
  const series = applied.length ? renderSeries(applied, input) : '';
  return { series, applied: applied.map((a) => a.patch.findingId), failed };
}

function renderSeries(items: { patch: PatchToApply; diff: ParsedDiff }[], input: PatchSeriesInput): string {
  const date = rfc2822(input.date ?? new Date());
  const from = `${encodeName(input.author.name)} <${input.author.email}>`;
  return items
    .map(({ patch, diff }, k) => {
      const body = sanitiseBody(patch.description ?? '');
      const rendered = formatUnifiedDiff(diff, patch.file);
      // Any 40-hex id works for git am; a content hash keeps the output deterministic.
      const id = createHash('sha1').update(`${k}\0${patch.findingId}\0${rendered}`).digest('hex');
      const lines = [
        `From ${id} Mon Sep 17 00:00:00 2001`,
        `From: ${from}`,
        `Date: ${date}`,
        `Subject: [PATCH ${k + 1}/${items.length}] ${encodeHeader(oneLine(patch.title).slice(0, 200) || `Fix finding ${patch.findingId}`)}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        ...(body ? [body, ''] : []),
        `Vigil-Finding: ${patch.findingId}`,
        '---',
        '',
        rendered.trimEnd(),
        ...(k === 0 && input.baseCommit ? ['', `base-commit: ${input.baseCommit}`] : []),
        '-- ',
        'Vigil',
        '',
        '',
      ];
      return lines.join('\n');
    })
    .join('');
}

/** Keeps the body from being read as mail structure: mailinfo treats "---", "diff " and "Index: " as the patch start. */
function sanitiseBody(text: string): string {
  return text
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => (/^(---|diff |Index: |From )/.test(l) ? ' ' + l : l))
    .join('\n')
    .trim();
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** RFC 2047 encoded word for non-ASCII header text; git mailinfo decodes it back to UTF-8. */
function encodeHeader(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

function encodeName(name: string): string {
  const clean = oneLine(name);
  if (!/^[\x20-\x7e]*$/.test(clean)) return encodeHeader(clean);
  return /[(),.:;<>@[\]"\\]/.test(clean) ? `"${clean.replace(/["\\]/g, '\\$&')}"` : clean;
}

function rfc2822(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
