// Parse and apply a unified diff for one file, in memory. Patches come from engines (including a model),
// so application is strict like `git apply`: every context and removed line must match exactly; only the
// hunk's position may drift (nearest match wins), never its content.

export type DiffLineOp = ' ' | '-' | '+';

export interface DiffLine {
  op: DiffLineOp;
  /** The line's text without its newline. */
  text: string;
  /** False when a "\ No newline at end of file" marker follows this line. */
  newline: boolean;
}

export interface Hunk {
  /** 1-based start in the old file (0 when the hunk inserts at the very beginning of the file). */
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Text after the second "@@", e.g. a function name. */
  section: string;
  lines: DiffLine[];
}

export interface ParsedDiff {
  /** Path from the "---" header with an "a/" prefix removed; undefined when the diff has no headers. */
  oldPath?: string;
  /** Path from the "+++" header with a "b/" prefix removed. */
  newPath?: string;
  /** The old side is /dev/null: the diff creates the file. */
  created: boolean;
  /** The new side is /dev/null: the diff deletes the file. */
  deleted: boolean;
  hunks: Hunk[];
}

/** Where a hunk landed, in the coordinates of the original text. */
export interface HunkPlacement {
  /** 0-based index of the first original line the hunk's preimage covers. */
  oldIndex: number;
  /** Lines the hunk moved from its stated position (positive: later in the file). */
  offset: number;
}

export type ApplyResult =
  | { ok: true; text: string; placements: HunkPlacement[] }
  | { ok: false; reason: string };

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;
const NO_NEWLINE = '\\ No newline at end of file';

/** Parses a unified diff touching one file. Throws an Error saying what is malformed. */
export function parseUnifiedDiff(diff: string): ParsedDiff {
  const lines = diff.split('\n');
  // A diff ending in "\n" splits into a trailing empty string that is not a line of the diff.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

  const parsed: ParsedDiff = { created: false, deleted: false, hunks: [] };
  let sawOld = false;
  let i = 0;

  // Preamble: "diff --git", "index", mode lines and the ---/+++ pair. Anything before the first hunk.
  for (; i < lines.length && !lines[i].startsWith('@@'); i++) {
    const line = stripCr(lines[i]);
    if (line.startsWith('--- ')) {
      if (sawOld) throw new Error(`malformed diff: more than one "---" header (line ${i + 1}); a patch must touch exactly one file`);
      sawOld = true;
      const path = headerPath(line.slice(4));
      if (path === null) parsed.created = true;
      else parsed.oldPath = stripPrefix(path, 'a/');
      const next = stripCr(lines[i + 1] ?? '');
      if (!next.startsWith('+++ ')) throw new Error(`malformed diff: "---" header on line ${i + 1} is not followed by a "+++" header`);
      const newPath = headerPath(next.slice(4));
      if (newPath === null) parsed.deleted = true;
      else parsed.newPath = stripPrefix(newPath, 'b/');
      i++;
    } else if (line.startsWith('GIT binary patch') || line.startsWith('Binary files ')) {
      throw new Error('malformed diff: binary patches are not supported');
    } else if (line.startsWith('rename from ') || line.startsWith('copy from ')) {
      throw new Error('malformed diff: renames and copies are not supported; a patch must edit one file in place');
    }
  }
  if (parsed.created && parsed.deleted) throw new Error('malformed diff: both sides are /dev/null');

  while (i < lines.length) {
    const header = stripCr(lines[i]);
    const m = HUNK_HEADER.exec(header);
    // Blank lines after the last hunk are padding (common in pasted or generated diffs), not content.
    if (!m && lines.slice(i).every((l) => l.trim() === '')) break;
    if (!m) {
      if (header.startsWith('diff ') || header.startsWith('--- ')) {
        throw new Error(`malformed diff: a second file starts on line ${i + 1}; a patch must touch exactly one file`);
      }
      throw new Error(`malformed diff: expected a hunk header "@@ -a,b +c,d @@" on line ${i + 1}, got ${JSON.stringify(truncate(lines[i]))}`);
    }
    const hunk: Hunk = {
      oldStart: Number(m[1]),
      oldLines: m[2] === undefined ? 1 : Number(m[2]),
      newStart: Number(m[3]),
      newLines: m[4] === undefined ? 1 : Number(m[4]),
      section: m[5].trim(),
      lines: [],
    };
    const headerLine = i + 1;
    i++;
    let oldSeen = 0;
    let newSeen = 0;
    while (oldSeen < hunk.oldLines || newSeen < hunk.newLines) {
      if (i >= lines.length) {
        throw new Error(`malformed diff: hunk at line ${headerLine} ends early (header promises -${hunk.oldLines} +${hunk.newLines}, found -${oldSeen} +${newSeen})`);
      }
      const raw = lines[i];
      // Editors often strip the single space of an empty context line; git accepts that too.
      const op = (raw === '' ? ' ' : raw[0]) as string;
      if (op !== ' ' && op !== '-' && op !== '+') {
        if (raw.startsWith('\\')) {
          markNoNewline(hunk, raw, i);
          i++;
          continue;
        }
        throw new Error(`malformed diff: line ${i + 1} in the hunk at line ${headerLine} starts with ${JSON.stringify(op)}, expected " ", "-" or "+"`);
      }
      if (op !== '+') oldSeen++;
      if (op !== '-') newSeen++;
      if (oldSeen > hunk.oldLines || newSeen > hunk.newLines) {
        throw new Error(`malformed diff: hunk at line ${headerLine} has more lines than its header promises (-${hunk.oldLines} +${hunk.newLines})`);
      }
      hunk.lines.push({ op: op as DiffLineOp, text: raw.slice(1), newline: true });
      i++;
    }
    // A marker may follow the hunk's last line.
    if (i < lines.length && lines[i].startsWith('\\')) {
      markNoNewline(hunk, lines[i], i);
      i++;
    }
    parsed.hunks.push(hunk);
  }

  if (parsed.hunks.length === 0 && !parsed.created && !parsed.deleted) {
    throw new Error('malformed diff: no hunks found (expected at least one "@@ -a,b +c,d @@" section)');
  }
  if (parsed.oldPath !== undefined && parsed.newPath !== undefined && parsed.oldPath !== parsed.newPath) {
    throw new Error(`malformed diff: old path ${JSON.stringify(parsed.oldPath)} and new path ${JSON.stringify(parsed.newPath)} differ; renames are not supported`);
  }
  return parsed;
}

/** Applies a unified diff to `text`. Never throws: a malformed or non-matching diff gives a reason. */
export function applyUnifiedDiff(text: string, diff: string): ApplyResult {
  let parsed: ParsedDiff;
  try {
    parsed = parseUnifiedDiff(diff);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  return applyParsedDiff(text, parsed);
}

/**
 * Applies an already parsed diff. Each hunk is searched nearest-first around its stated line, in the same
 * order git apply uses. Unlike git, hunks must also land in order and must not overlap: a later hunk that
 * only matches above an earlier one is refused rather than applied somewhere surprising.
 */
export function applyParsedDiff(text: string, parsed: ParsedDiff): ApplyResult {
  if (parsed.created && text !== '') {
    return { ok: false, reason: 'the diff creates the file, but the file already exists with content' };
  }
  const original = splitLines(text);
  const out: string[] = [];
  const placements: HunkPlacement[] = [];
  let cursor = 0; // next original line not yet copied to `out`

  for (const [n, hunk] of parsed.hunks.entries()) {
    const pre = hunk.lines.filter((l) => l.op !== '+').map(joinLine);
    const post = hunk.lines.filter((l) => l.op !== '-').map(joinLine);
    const trailing = countWhile([...hunk.lines].reverse(), (l) => l.op === ' ');
    // With oldLines 0 the header names the line *after which* to insert; otherwise the first line covered.
    const stated = hunk.oldLines === 0 ? hunk.oldStart : Math.max(hunk.oldStart - 1, 0);
    const label = `hunk ${n + 1} (@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@)`;

    // Like git apply: a hunk stated at the top must match at the top, one without trailing context at the
    // end (a diff only lacks trailing context when the change reaches the end of the file).
    const mustStart = hunk.oldLines === 0 ? hunk.oldStart === 0 : hunk.oldStart <= 1;
    const mustEnd = trailing === 0;
    const at = findHunk(original, pre, stated, cursor, mustStart, mustEnd);
    if (at < 0) {
      const loose = findHunk(original, pre, stated, cursor, false, false);
      if (loose >= 0 && pre.length > 0) {
        const rule = mustStart && loose !== 0
          ? 'the diff places it at the start of the file, but the file has other lines before it'
          : 'it has no trailing context, so it must end at the end of the file, but the file continues';
        return { ok: false, reason: `${label} matches at line ${loose + 1}, but ${rule}; regenerate the diff with context lines (diff -U3)` };
      }
      const near = Math.min(Math.max(stated, 0), original.length);
      return { ok: false, reason: `${label} does not match the file: ${describeMismatch(original, pre, near)}` };
    }

    placements.push({ oldIndex: at, offset: at - stated });
    for (; cursor < at; cursor++) out.push(original[cursor]);
    out.push(...post);
    cursor = at + pre.length;
  }
  for (; cursor < original.length; cursor++) out.push(original[cursor]);

  const result = out.join('');
  if (parsed.deleted && result !== '') {
    return { ok: false, reason: 'the diff deletes the file, but content would remain after applying it' };
  }
  // A line without a newline may only be last; anything else means the diff's markers disagree with the file.
  for (let k = 0; k < out.length - 1; k++) {
    if (!out[k].endsWith('\n')) {
      return { ok: false, reason: `applying the diff would join two lines (a "\\ No newline at end of file" marker does not match the file)` };
    }
  }
  return { ok: true, text: result, placements };
}

/** Renders a parsed diff with git-style headers for `file`, as `git apply -p1` and `git am` expect. */
export function formatUnifiedDiff(parsed: ParsedDiff, file: string): string {
  const out: string[] = [`diff --git a/${file} b/${file}`];
  if (parsed.created) out.push('new file mode 100644');
  if (parsed.deleted) out.push('deleted file mode 100644');
  out.push(parsed.created ? '--- /dev/null' : `--- a/${file}`);
  out.push(parsed.deleted ? '+++ /dev/null' : `+++ b/${file}`);
  for (const h of parsed.hunks) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${h.section ? ' ' + h.section : ''}`);
    for (const l of h.lines) {
      out.push(l.op + l.text);
      if (!l.newline) out.push(NO_NEWLINE);
    }
  }
  return out.join('\n') + '\n';
}

/**
 * The diff with hunk headers rewritten to where the hunks actually landed, so that a tool without offset
 * search (or a later reader) sees exact line numbers. `placements` comes from applyParsedDiff on the same diff.
 */
export function rebaseHunks(parsed: ParsedDiff, placements: HunkPlacement[]): ParsedDiff {
  let delta = 0; // lines added minus removed by earlier hunks
  const hunks = parsed.hunks.map((h, k) => {
    const p = placements[k];
    if (!p) throw new Error(`rebaseHunks: no placement for hunk ${k + 1}`);
    // Git convention: an empty side names the line *after which* the change sits.
    const oldStart = h.oldLines === 0 ? p.oldIndex : p.oldIndex + 1;
    const newStart = h.newLines === 0 ? p.oldIndex + delta : p.oldIndex + delta + 1;
    delta += h.newLines - h.oldLines;
    return { ...h, oldStart, newStart };
  });
  return { ...parsed, hunks };
}

// --- helpers ---------------------------------------------------------------------------------------------

/** Splits text into lines that keep their "\n", so a missing final newline is part of the comparison. */
function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

function joinLine(l: DiffLine): string {
  return l.newline ? l.text + '\n' : l.text;
}

function matchesAt(lines: string[], pre: string[], at: number): boolean {
  if (at < 0 || at + pre.length > lines.length) return false;
  for (let k = 0; k < pre.length; k++) if (lines[at + k] !== pre[k]) return false;
  return true;
}

/** Nearest position to `expected` (not before `min`) where `pre` matches; -1 when none does. */
function findHunk(lines: string[], pre: string[], expected: number, min: number, mustStart: boolean, mustEnd: boolean): number {
  const ok = (at: number) =>
    at >= min && (!mustStart || at === 0) && (!mustEnd || at + pre.length === lines.length) && matchesAt(lines, pre, at);
  const last = lines.length - pre.length;
  const start = Math.min(Math.max(expected, min), Math.max(last, min));
  for (let d = 0; start - d >= min || start + d <= last; d++) {
    if (start + d <= last && ok(start + d)) return start + d;
    if (d > 0 && start - d >= min && ok(start - d)) return start - d;
  }
  return -1;
}

function describeMismatch(lines: string[], pre: string[], at: number): string {
  for (let k = 0; k < pre.length; k++) {
    const actual = lines[at + k];
    if (actual !== pre[k]) {
      const got = actual === undefined ? 'end of file' : JSON.stringify(truncate(actual));
      return `line ${at + k + 1} expected ${JSON.stringify(truncate(pre[k]))}, found ${got}`;
    }
  }
  return 'its position conflicts with an earlier hunk or the file boundary';
}

function markNoNewline(hunk: Hunk, raw: string, i: number): void {
  const last = hunk.lines[hunk.lines.length - 1];
  if (!last) throw new Error(`malformed diff: line ${i + 1} ${JSON.stringify(truncate(raw))} does not follow a diff line`);
  last.newline = false;
}

function countWhile<T>(items: T[], pred: (t: T) => boolean): number {
  let n = 0;
  while (n < items.length && pred(items[n])) n++;
  return n;
}

/** The path in a ---/+++ header, or null for /dev/null. Drops a tab-separated timestamp; unquotes git's C-style quoting. */
function headerPath(rest: string): string | null {
  let path = rest;
  if (path.startsWith('"')) path = unquoteC(path);
  else {
    const tab = path.indexOf('\t');
    if (tab >= 0) path = path.slice(0, tab);
    path = path.trimEnd();
  }
  return path === '/dev/null' ? null : path;
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Decodes a git C-quoted path such as "a/caf\303\251.js" (octal escapes are UTF-8 bytes). */
function unquoteC(quoted: string): string {
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  let k = 1;
  for (; k < quoted.length && quoted[k] !== '"'; k++) {
    const c = quoted[k];
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const e = quoted[++k];
    if (/[0-7]/.test(e)) {
      bytes.push(parseInt(quoted.slice(k, k + 3), 8));
      k += 2;
    } else if (e in simple) bytes.push(simple[e]);
    else throw new Error(`malformed diff: bad escape "\\${e}" in quoted path ${quoted}`);
  }
  if (quoted[k] !== '"') throw new Error(`malformed diff: unterminated quoted path ${quoted}`);
  return Buffer.from(bytes).toString('utf8');
}

function truncate(s: string, max = 80): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}
