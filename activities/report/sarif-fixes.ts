// Turns a patch into SARIF replacements. Only possible with the file's text: a diff's line numbers can be
// off, and SARIF wants exact regions. Regions use character offsets into the original file (UTF-16 code
// units, matching run.columnKind), so line-ending and end-of-file cases need no special rules.
import { applyParsedDiff, parseUnifiedDiff } from '../patches/apply-diff.js';

export interface Replacement {
  deletedRegion: { charOffset: number; charLength: number };
  insertedContent?: { text: string };
}

/** Replacements, in file order and relative to the original text, or undefined when the patch does not apply. */
export function replacementsFor(original: string, diff: string): Replacement[] | undefined {
  let parsed;
  try {
    parsed = parseUnifiedDiff(diff);
  } catch {
    return undefined;
  }
  const applied = applyParsedDiff(original, parsed);
  if (!applied.ok) return undefined;

  const lines = original.split(/(?<=\n)/);
  const offsets: number[] = [0];
  for (const l of lines) offsets.push(offsets[offsets.length - 1] + l.length);
  const at = (line: number) => offsets[Math.min(line, offsets.length - 1)];

  const out: Replacement[] = [];
  parsed.hunks.forEach((hunk, k) => {
    let line = applied.placements[k].oldIndex; // original line the next diff line refers to
    let run: { from: number; deleted: number; inserted: string } | undefined;
    const flush = () => {
      if (!run) return;
      const r: Replacement = { deletedRegion: { charOffset: at(run.from), charLength: at(run.from + run.deleted) - at(run.from) } };
      if (run.inserted) r.insertedContent = { text: run.inserted };
      out.push(r);
      run = undefined;
    };
    for (const l of hunk.lines) {
      if (l.op === ' ') {
        flush();
        line++;
        continue;
      }
      run ??= { from: line, deleted: 0, inserted: '' };
      if (l.op === '-') {
        run.deleted++;
        line++;
      } else {
        run.inserted += l.newline ? l.text + '\n' : l.text;
      }
    }
    flush();
  });
  return out;
}
