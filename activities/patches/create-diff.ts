// Unified diffs (the format `git apply` and `patch -p1` read) from two versions of one file.
// Line-based Myers diff (O((N+M)·D)), hunks with 3 lines of context, and the
// "\ No newline at end of file" marker when either side lacks a final newline.

const CONTEXT = 3;

interface Line {
  text: string;
  /** The file's last line has no terminating newline. */
  noEol: boolean;
}

type Op = { kind: ' ' | '-' | '+'; line: Line };

function splitLines(text: string): Line[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const endsWithNewline = parts[parts.length - 1] === '';
  if (endsWithNewline) parts.pop();
  return parts.map((t, i) => ({ text: t, noEol: !endsWithNewline && i === parts.length - 1 }));
}

// A last line without newline differs from the same text with one, as in git.
const key = (l: Line) => (l.noEol ? `${l.text}\u0000` : l.text);

/** Shortest edit script between a and b (Myers 1986, forward greedy with per-step snapshots). */
function myers(a: Line[], b: Line[]): Op[] {
  const ak = a.map(key);
  const bk = b.map(key);
  const n = ak.length;
  const m = bk.length;
  const max = n + m;
  const offset = max + 1;
  let v: Int32Array = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && ak[x] === bk[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Backtrack from (n, m): trace[d] holds the furthest points reached after d - 1 edits.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = v[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: a[x - 1] });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: '+', line: b[y - 1] });
      else ops.push({ kind: '-', line: a[x - 1] });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

function hunkRange(start: number, count: number): string {
  // An empty range names the line before it (git prints "-0,0" for an insertion at the top).
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/** A unified diff of `before` → `after` for `file` (repository-relative, POSIX). Empty when equal. */
export function createUnifiedDiff(file: string, before: string, after: string): string {
  if (before === after) return '';
  const ops = myers(splitLines(before), splitLines(after));
  // Old/new line numbers (1-based) at each op.
  const oldNo: number[] = [];
  const newNo: number[] = [];
  let o = 1;
  let nn = 1;
  for (const op of ops) {
    oldNo.push(o);
    newNo.push(nn);
    if (op.kind !== '+') o++;
    if (op.kind !== '-') nn++;
  }
  const changed = ops.map((op, i) => (op.kind !== ' ' ? i : -1)).filter((i) => i >= 0);
  const out: string[] = [`--- a/${file}`, `+++ b/${file}`];
  let i = 0;
  while (i < changed.length) {
    const from = Math.max(0, changed[i] - CONTEXT);
    let to = Math.min(ops.length - 1, changed[i] + CONTEXT);
    let j = i + 1;
    // Merge changes whose context windows touch.
    while (j < changed.length && changed[j] - CONTEXT <= to + 1) {
      to = Math.min(ops.length - 1, changed[j] + CONTEXT);
      j++;
    }
    const slice = ops.slice(from, to + 1);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    const oldStart = oldNo[from];
    const newStart = newNo[from];
    out.push(`@@ -${hunkRange(oldStart, oldCount)} +${hunkRange(newStart, newCount)} @@`);
    for (const op of slice) {
      out.push(`${op.kind}${op.line.text}`);
      if (op.line.noEol) out.push('\\ No newline at end of file');
    }
    i = j;
  }
  return `${out.join('\n')}\n`;
}
