// Catastrophic backtracking in a regular expression, decided on its structure rather than a list of bad
// patterns. The pattern is parsed into a position (Glushkov) automaton: one state per character or class
// occurrence, no epsilon moves. A backtracking matcher takes exponential time when the automaton is
// exponentially ambiguous (EDA): some state q can read the same word back to q along two different paths
// — `(a+)+`, `(\w+\s?)*`, `(a|a)*`, `(.*a)*` all have one. That holds exactly when, in the product of
// the automaton with itself, a strongly connected component holds a diagonal pair (q,q) and an
// off-diagonal pair (p,p') (Weideman et al., 2016). The pumping loop only hurts when the match can still
// fail after it: a loop whose states may end the match (nothing mandatory follows) returns at once.

type Ranges = [number, number][];

const MAX_CP = 0x10ffff;
/** Stands for the end of the input (`$`): no input character is in it. */
const END = -1;

function normalise(r: Ranges): Ranges {
  const s = [...r].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of s) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(r: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of normalise(r)) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

function intersects(a: Ranges, b: Ranges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i][1] < b[j][0]) i++;
    else if (b[j][1] < a[i][0]) j++;
    else return true;
  }
  return false;
}

const DIGIT: Ranges = [[48, 57]];
const WORD: Ranges = [[48, 57], [65, 90], [95, 95], [97, 122]];
const SPACE: Ranges = normalise([[9, 13], [32, 32], [160, 160], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]]);
const LINE_TERMINATORS: Ranges = [[10, 10], [13, 13], [0x2028, 0x2029]];

function caseFold(r: Ranges): Ranges {
  const out: Ranges = [...r];
  for (const [lo, hi] of r) {
    for (const [a, z, shift] of [[65, 90, 32], [97, 122, -32]] as const) {
      const l = Math.max(lo, a);
      const h = Math.min(hi, z);
      if (l <= h) out.push([l + shift, h + shift]);
    }
  }
  return normalise(out);
}

// ---------------------------------------------------------------- parsing

type Node =
  | { t: 'char'; set: Ranges; start: number; end: number }
  | { t: 'empty'; anchor?: boolean }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'rep'; body: Node; min: number; max: number; start: number; end: number };

class Parser {
  i = 0;
  constructor(
    private readonly src: string,
    private readonly flags: string,
  ) {}

  private fold(r: Ranges): Ranges {
    return this.flags.includes('i') ? caseFold(r) : normalise(r);
  }

  parseAlt(): Node {
    const alts: Node[] = [this.parseSeq()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.parseSeq());
    }
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  }

  private parseSeq(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const start = this.i;
      let atom = this.parseAtom();
      atom = this.parseQuantifier(atom, start);
      items.push(atom);
    }
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  private parseQuantifier(atom: Node, start: number): Node {
    for (;;) {
      const c = this.src[this.i];
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
        if (!m) return atom; // a literal "{"
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        this.i += m[0].length - 1;
      } else return atom;
      this.i++;
      if (this.src[this.i] === '?') this.i++; // lazy: same language, same ambiguity
      atom = { t: 'rep', body: atom, min, max, start, end: this.i };
    }
  }

  private parseAtom(): Node {
    const start = this.i;
    const c = this.src[this.i++];
    if (c === '(') {
      let look = false;
      if (this.src.startsWith('?:', this.i)) this.i += 2;
      else if (this.src.startsWith('?=', this.i) || this.src.startsWith('?!', this.i)) (this.i += 2), (look = true);
      else if (this.src.startsWith('?<=', this.i) || this.src.startsWith('?<!', this.i)) (this.i += 3), (look = true);
      else if (this.src.startsWith('?<', this.i)) this.i = this.src.indexOf('>', this.i) + 1 || this.src.length;
      const body = this.parseAlt();
      if (this.src[this.i] === ')') this.i++;
      // Lookarounds consume nothing; their own backtracking is bounded by what they test.
      return look ? { t: 'empty' } : body;
    }
    // Without the m flag "^" pins the match to the start of the input: the matcher tries no other start.
    if (c === '^') return { t: 'empty', anchor: !this.flags.includes('m') };
    // "$" as a position that only the end (or, with m, a line break) can fill: a point where the match can fail.
    if (c === '$') return { t: 'char', set: this.flags.includes('m') ? normalise([[END, END], ...LINE_TERMINATORS]) : [[END, END]], start, end: this.i };
    if (c === '.') return { t: 'char', set: this.flags.includes('s') ? [[0, MAX_CP]] : complement(LINE_TERMINATORS), start, end: this.i };
    if (c === '[') return { t: 'char', set: this.parseClass(), start, end: this.i };
    if (c === '\\') {
      const e = this.parseEscape(false);
      return e === 'empty' ? { t: 'empty' } : { t: 'char', set: this.fold(e), start, end: this.i };
    }
    const cp = this.src.codePointAt(start)!;
    if (cp > 0xffff) this.i++;
    return { t: 'char', set: this.fold([[cp, cp]]), start, end: this.i };
  }

  /** After a backslash: a class, a character, or 'empty' for assertions and back-references. */
  private parseEscape(inClass: boolean): Ranges | 'empty' {
    const c = this.src[this.i++];
    switch (c) {
      case 'd': return DIGIT;
      case 'D': return complement(DIGIT);
      case 'w': return WORD;
      case 'W': return complement(WORD);
      case 's': return SPACE;
      case 'S': return complement(SPACE);
      case 'n': return [[10, 10]];
      case 'r': return [[13, 13]];
      case 't': return [[9, 9]];
      case 'v': return [[11, 11]];
      case 'f': return [[12, 12]];
      case 'b': return inClass ? [[8, 8]] : 'empty';
      case 'B': return 'empty';
      case 'c': {
        const x = this.src.charCodeAt(this.i++) % 32;
        return [[x, x]];
      }
      case 'x': {
        const h = parseInt(this.src.slice(this.i, this.i + 2), 16);
        this.i += 2;
        return Number.isNaN(h) ? [[120, 120]] : [[h, h]];
      }
      case 'u': {
        const braced = /^\{([0-9a-fA-F]+)\}/.exec(this.src.slice(this.i));
        if (braced) {
          this.i += braced[0].length;
          const v = parseInt(braced[1], 16);
          return [[v, v]];
        }
        const h = parseInt(this.src.slice(this.i, this.i + 4), 16);
        if (Number.isNaN(h)) return [[117, 117]];
        this.i += 4;
        return [[h, h]];
      }
      case 'p':
      case 'P': {
        // Unicode property: approximate by "any character" (or its complement's complement).
        if (this.src[this.i] === '{') this.i = this.src.indexOf('}', this.i) + 1 || this.src.length;
        return [[0, MAX_CP]];
      }
      case 'k': {
        if (this.src[this.i] === '<') this.i = this.src.indexOf('>', this.i) + 1 || this.src.length;
        return 'empty';
      }
      default:
        if (c !== undefined && /[1-9]/.test(c) && !inClass) {
          while (/[0-9]/.test(this.src[this.i] ?? '')) this.i++;
          return 'empty'; // back-reference: treated as matching nothing extra
        }
        if (c === '0') return [[0, 0]];
        if (c === undefined) return [[92, 92]];
        return [[c.codePointAt(0)!, c.codePointAt(0)!]];
    }
  }

  private parseClass(): Ranges {
    let negate = false;
    if (this.src[this.i] === '^') (negate = true), this.i++;
    const out: Ranges = [];
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || (first && false))) {
      first = false;
      const lo = this.classAtom();
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        const hi = this.classAtom();
        if (lo.length === 1 && hi.length === 1 && lo[0][0] === lo[0][1] && hi[0][0] === hi[0][1] && lo[0][0] <= hi[0][0]) out.push([lo[0][0], hi[0][0]]);
        else out.push(...lo, ...hi, [45, 45]);
      } else out.push(...lo);
    }
    if (this.src[this.i] === ']') this.i++;
    const set = this.fold(out);
    return negate ? complement(set) : set;
  }

  private classAtom(): Ranges {
    const c = this.src[this.i];
    if (c === '\\') {
      this.i++;
      const e = this.parseEscape(true);
      return e === 'empty' ? [] : e;
    }
    const cp = this.src.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return [[cp, cp]];
  }
}

// ---------------------------------------------------------------- position automaton

const MAX_POSITIONS = 160;
/** Work bound for the product automaton (pairs of follow sets examined). */
const MAX_PRODUCT_EDGES = 400_000;
/** Counted repetition is unrolled up to this many copies; beyond, it behaves like an unbounded loop. */
const MAX_UNROLL = 4;

interface Automaton {
  sets: Ranges[];
  follow: Set<number>[];
  last: Set<number>;
  /** Unbounded repetitions: source span and the positions inside, to name the culprit. */
  loops: { start: number; end: number; positions: Set<number> }[];
  /** The position standing for the retried start of a search (-1: none). */
  prefix: number;
  /**
   * Positions inside a counted repetition with a finite bound (`\s{0,256}`), analysed as a loop: the count
   * cannot grow with the input, so it bounds polynomial backtracking to linear time (a common fix).
   */
  bounded: Set<number>;
}

class TooLarge extends Error {}

/** Whether every way of matching starts with "^" (no m flag): a search then tries only the first position. */
function anchored(n: Node): boolean {
  if (n.t === 'empty') return !!n.anchor;
  if (n.t === 'seq') return !!n.items.length && anchored(n.items[0]);
  if (n.t === 'alt') return n.alts.every(anchored);
  return false;
}

/** Whether every way of matching ends with "$" (no m flag): the match then reaches the end of the input. */
function anchoredEnd(n: Node): boolean {
  if (n.t === 'char') return n.set.length === 1 && n.set[0][0] === END && n.set[0][1] === END;
  if (n.t === 'seq') return !!n.items.length && anchoredEnd(n.items[n.items.length - 1]);
  if (n.t === 'alt') return n.alts.every(anchoredEnd);
  return false;
}

/**
 * Whether a match of `/source/flags` covers the whole input (`^...$` in every alternative, no m flag): only
 * then does a passing test say anything about all of the text — an unanchored test holds for any text that
 * merely contains a match, whatever else surrounds it.
 */
export function matchesWholeInput(source: string, flags = ''): boolean {
  try {
    const root = new Parser(source, flags).parseAlt();
    return anchored(root) && anchoredEnd(root);
  } catch {
    return false;
  }
}

/**
 * The position automaton of `root`. With `search`, it is preceded by a loop over any character: a search
 * (test, exec, match, replace, split) retries the pattern at every start, which is what that loop stands for.
 */
function build(root: Node, search = false): Automaton {
  const a: Automaton = { sets: [], follow: [], last: new Set(), loops: [], prefix: -1, bounded: new Set() };
  type Frag = { nullable: boolean; first: Set<number>; last: Set<number> };
  const union = (x: Set<number>, y: Set<number>) => new Set([...x, ...y]);
  const link = (from: Set<number>, to: Set<number>) => {
    for (const l of from) for (const f of to) a.follow[l].add(f);
  };
  const seq = (x: Frag, y: Frag): Frag => {
    link(x.last, y.first);
    return {
      nullable: x.nullable && y.nullable,
      first: x.nullable ? union(x.first, y.first) : x.first,
      last: y.nullable ? union(x.last, y.last) : y.last,
    };
  };
  const EMPTY = (): Frag => ({ nullable: true, first: new Set(), last: new Set() });
  const star = (f: Frag): Frag => {
    link(f.last, f.first);
    return { nullable: true, first: f.first, last: f.last };
  };
  const compile = (n: Node): Frag => {
    switch (n.t) {
      case 'char': {
        if (a.sets.length >= MAX_POSITIONS) throw new TooLarge();
        const p = a.sets.length;
        a.sets.push(n.set);
        a.follow.push(new Set());
        return { nullable: false, first: new Set([p]), last: new Set([p]) };
      }
      case 'empty':
        return EMPTY();
      case 'seq':
        return n.items.reduce((acc, item) => seq(acc, compile(item)), EMPTY());
      case 'alt': {
        const fs = n.alts.map(compile);
        return { nullable: fs.some((f) => f.nullable), first: fs.reduce((s, f) => union(s, f.first), new Set<number>()), last: fs.reduce((s, f) => union(s, f.last), new Set<number>()) };
      }
      case 'rep': {
        const unbounded = n.max === Infinity || n.max > MAX_UNROLL + n.min;
        const required = Math.min(n.min, MAX_UNROLL);
        let out = EMPTY();
        for (let k = 0; k < required; k++) out = seq(out, compile(n.body));
        if (unbounded) {
          const before = a.sets.length;
          const body = compile(n.body);
          const positions = new Set<number>();
          for (let p = before; p < a.sets.length; p++) positions.add(p);
          a.loops.push({ start: n.start, end: n.end, positions });
          if (n.max !== Infinity) for (const p of positions) a.bounded.add(p);
          out = seq(out, star(body));
        } else {
          // `x{0,3}` as `(x(x(x)?)?)?`: a counted matcher takes the copies in order, so one character is never
          // read by "the second copy, the first skipped" (unrolled as `x?x?x?` it would look ambiguous).
          const copies: Frag[] = [];
          for (let k = required; k < Math.min(n.max, MAX_UNROLL + required); k++) copies.push(compile(n.body));
          let tail = EMPTY();
          for (let k = copies.length - 1; k >= 0; k--) tail = { ...seq(copies[k], tail), nullable: true };
          out = seq(out, tail);
        }
        return out;
      }
    }
  };
  let f: Frag;
  if (!search) f = compile(root);
  else {
    // Alternatives pinned to the start (`^\s+|\s+$`) are tried at the first position only: the retry loop
    // leads into the others alone.
    const alts = root.t === 'alt' ? root.alts : [root];
    const free = alts.filter((x) => !anchored(x));
    const frags = alts.filter(anchored).map(compile);
    if (free.length) {
      const body = compile(free.length === 1 ? free[0] : { t: 'alt', alts: free });
      a.prefix = a.sets.length;
      a.sets.push([[0, MAX_CP]]);
      a.follow.push(new Set());
      const p = new Set([a.prefix]);
      frags.push(seq(star({ nullable: false, first: p, last: p }), body));
    }
    f = { nullable: frags.some((x) => x.nullable), first: new Set(frags.flatMap((x) => [...x.first])), last: new Set(frags.flatMap((x) => [...x.last])) };
  }
  a.last = f.last;
  return a;
}

type Ambiguity = { degree: 'exponential'; states: Set<number> } | { degree: 'polynomial'; from: number; to: number };

/**
 * The ambiguity of the automaton, from the strongly connected components of its product with itself
 * (iterative Tarjan over compatible pairs):
 *   - exponential (EDA): a component holds a diagonal pair (q,q) and an off-diagonal pair (p,p');
 *   - polynomial (IDA): states p != q and one word that leads p back to p, p to q, and q back to q
 *     (Weideman et al.): a path from (p,p,q) to (p,q,q) in the product of three copies. Each extra copy of the pumped text then adds
 *     one more place where the match can move from p's loop to q's, so the work grows with a power of the
 *     length — `\s*\s*x`, `\d+\d+x`, and with the search prefix `\s+$`, `&[^;]+;` (every start is retried).
 * Either only hurts when the match can still fail afterwards: a loop whose states may end the match
 * (nothing mandatory follows) returns at once.
 */
function ambiguity(a: Automaton): Ambiguity | undefined {
  const n = a.sets.length;
  const key = (p: number, q: number) => p * n + q;
  const compatible = (p: number, q: number) => p === q || intersects(a.sets[p], a.sets[q]);
  let budget = MAX_PRODUCT_EDGES;
  const adj = new Map<number, number[]>();
  const succ = (v: number): number[] => {
    let out = adj.get(v);
    if (out) return out;
    const p = Math.floor(v / n);
    const q = v % n;
    out = [];
    budget -= a.follow[p].size * a.follow[q].size;
    if (budget < 0) throw new TooLarge();
    for (const p2 of a.follow[p]) for (const q2 of a.follow[q]) if (compatible(p2, q2)) out.push(key(p2, q2));
    adj.set(v, out);
    return out;
  };
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  /** Pairs that lie on a cycle of the product (a non-trivial component, or a pair that loops on itself). */
  const cyclic = new Set<number>();
  let counter = 0;
  let exponential: Set<number> | undefined;
  for (let p = 0; p < n && !exponential; p++) {
    for (let q = 0; q < n && !exponential; q++) {
      const start = key(p, q);
      if (!compatible(p, q) || index.has(start)) continue;
      // Iterative DFS: frames of (node, successors, next successor index).
      const frames: { v: number; next: number[]; i: number }[] = [];
      const push = (v: number) => {
        index.set(v, counter);
        low.set(v, counter++);
        stack.push(v);
        onStack.add(v);
        frames.push({ v, next: succ(v), i: 0 });
      };
      push(start);
      while (frames.length && !exponential) {
        const fr = frames[frames.length - 1];
        if (fr.i < fr.next.length) {
          const w = fr.next[fr.i++];
          if (!index.has(w)) push(w);
          else if (onStack.has(w)) low.set(fr.v, Math.min(low.get(fr.v)!, index.get(w)!));
          continue;
        }
        frames.pop();
        if (frames.length) {
          const parent = frames[frames.length - 1].v;
          low.set(parent, Math.min(low.get(parent)!, low.get(fr.v)!));
        }
        if (low.get(fr.v) !== index.get(fr.v)) continue;
        const comp: number[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
          if (w === fr.v) break;
        }
        if (comp.length < 2) {
          if (succ(fr.v).includes(fr.v)) cyclic.add(fr.v);
          continue;
        }
        for (const v of comp) cyclic.add(v);
        const diag = comp.some((v) => Math.floor(v / n) === v % n);
        const off = comp.some((v) => Math.floor(v / n) !== v % n);
        if (!diag || !off) continue;
        const states = new Set(comp.map((v) => Math.floor(v / n)));
        if ([...states].some((s) => a.last.has(s))) continue;
        exponential = states;
      }
    }
  }
  if (exponential) return { degree: 'exponential', states: exponential };
  // Polynomial: a word w with p -w-> p, p -w-> q and q -w-> q, i.e. in the product of three copies a path
  // from (p,p,q) to (p,q,q). Candidates first need (p,p) and (p,q) on cycles of the pair product.
  const inter = (x: Ranges, y: Ranges): Ranges => {
    const out: Ranges = [];
    for (const [lo, hi] of x) for (const [lo2, hi2] of y) if (Math.max(lo, lo2) <= Math.min(hi, hi2)) out.push([Math.max(lo, lo2), Math.min(hi, hi2)]);
    return out;
  };
  for (let p = 0; p < n; p++) {
    if (!cyclic.has(key(p, p)) || a.bounded.has(p)) continue;
    for (let q = 0; q < n; q++) {
      if (q === p || !cyclic.has(key(p, q)) || a.last.has(q) || a.bounded.has(q)) continue;
      const k3 = (x: number, y: number, z: number) => (x * n + y) * n + z;
      const goal = k3(p, q, q);
      const seen = new Set([k3(p, p, q)]);
      const todo: [number, number, number][] = [[p, p, q]];
      while (todo.length) {
        const [x, y, z] = todo.pop()!;
        budget -= a.follow[x].size * a.follow[y].size;
        if (budget < 0) throw new TooLarge();
        for (const x2 of a.follow[x]) {
          for (const y2 of a.follow[y]) {
            const xy = inter(a.sets[x2], a.sets[y2]);
            if (!xy.length) continue;
            for (const z2 of a.follow[z]) {
              const k = k3(x2, y2, z2);
              if (seen.has(k) || !intersects(xy, a.sets[z2])) continue;
              if (k === goal) return { degree: 'polynomial', from: p, to: q };
              seen.add(k);
              todo.push([x2, y2, z2]);
            }
          }
        }
      }
    }
  }
  return undefined;
}

export interface RegexVerdict {
  /** Exponential backtracking (EDA): a few dozen characters block the process. */
  catastrophic: boolean;
  /** Polynomial backtracking (IDA: quadratic or worse): a long input (kilobytes) blocks the process. */
  polynomial?: boolean;
  /** The repetition(s) that can match the same text in many ways, e.g. "(\\w+\\s?)*", or "\\s*" then "\\s*". */
  culprit?: string;
}

// A bounded memo of a pure function of the pattern: it holds no analysis's state, so analyses share it safely.
const cache = new Map<string, RegexVerdict>();

/**
 * Whether running `/source/flags` can take super-linear time on a crafted input (memoised). `search`: the
 * pattern is searched for (test, exec, match, replace, split, search), so unless it is anchored with "^" the
 * matcher retries it at every start of the input.
 */
export function analyseRegex(source: string, flags = '', search = true): RegexVerdict {
  const k = `${flags}/${search}/${source}`;
  let v = cache.get(k);
  if (v) return v;
  v = { catastrophic: false };
  try {
    const p = new Parser(source, flags);
    const root = p.parseAlt();
    const a = build(root, search && !anchored(root));
    const found = ambiguity(a);
    // Name the smallest loop that contains the given states.
    const loopOf = (states: number[]) => a.loops.filter((l) => states.every((s) => l.positions.has(s))).sort((x, y) => x.end - x.start - (y.end - y.start))[0];
    const shown = (s: number) => (s === a.prefix ? 'the retry at every start of the text' : ((l) => (l ? `\`${source.slice(l.start, l.end)}\`` : `\`${source}\``))(loopOf([s])));
    if (found?.degree === 'exponential') {
      const loop = loopOf([...found.states]);
      v = { catastrophic: true, culprit: loop ? source.slice(loop.start, loop.end) : source };
    } else if (found) {
      v = { catastrophic: false, polynomial: true, culprit: `${shown(found.from)} then ${shown(found.to)}` };
    }
  } catch (e) {
    if (!(e instanceof TooLarge)) throw e;
    // Too large to analyse within budget: say nothing rather than guess.
  }
  if (cache.size > 5000) cache.clear();
  cache.set(k, v);
  return v;
}
