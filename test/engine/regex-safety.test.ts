// The regex analyser (js/regex-safety.ts): exponential ambiguity decided on the pattern's position
// automaton. Every catastrophic pattern is checked against a real backtracking run, so the table cannot
// drift from what V8 does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyseRegex } from '../../activities/engines/builtin/js/regex-safety.js';

// Attack lengths are picked so that V8 takes milliseconds (each extra character doubles it); the benign
// input of the same length matches at once.
const CATASTROPHIC: [source: string, flags: string, culprit: string, attack: string, benign: string][] = [
  ['(a+)+$', '', '(a+)+', 'a'.repeat(18) + '!', 'a'.repeat(19)],
  ['^(\\w+\\s?)*$', '', '(\\w+\\s?)*', 'a'.repeat(20) + '!', 'a'.repeat(21)],
  ['([a-z]+)*$', '', '([a-z]+)*', 'a'.repeat(20) + '!', 'a'.repeat(21)],
  ['(a|a)*$', '', '(a|a)*', 'a'.repeat(22) + '!', 'a'.repeat(23)],
  ['(a|aa)+$', '', '(a|aa)+', 'a'.repeat(28) + '!', 'a'.repeat(29)],
  ['(.*a)*$', '', '(.*a)*', 'a'.repeat(20) + '\n', 'a'.repeat(21)],
  ['^([a-zA-Z0-9._-]+)+@example\\.com$', '', '([a-zA-Z0-9._-]+)+', 'a'.repeat(32) + '!', 'a'.repeat(21) + '@example.com'],
  ['^(([a-z])+.)+[A-Z]([a-z])+$', '', '(([a-z])+.)+', 'a'.repeat(30) + '!', 'a'.repeat(29) + 'Ab'],
  ['(x+x+)+y', '', '(x+x+)+', 'x'.repeat(21), 'x'.repeat(20) + 'y'],
  ['^(A|a)+$', 'i', '(A|a)+', 'a'.repeat(20) + '!', 'a'.repeat(21)],
];

const SAFE: [source: string, flags: string, why: string][] = [
  ['^(a+)+', '', 'nothing mandatory follows the loop: the first match is returned at once'],
  ['^(\\d+\\.)*\\d+$', '', 'each iteration ends with a "." the inner loop cannot match'],
  ['^[\\w.+-]+@[\\w-]+\\.[\\w.-]+$', '', 'single loops, no nesting'],
  ['(ab|a)*$', '', 'alternatives start alike but cannot be re-split'],
  ['^[a-z0-9]+$', 'i', 'one loop'],
  ['^(?:[^"\\\\]|\\\\.)*$', '', 'alternatives are disjoint'],
  ['^\\/api\\/users\\/(\\d+)$', '', 'no loop over a loop'],
  ['^(?:;[0-9]{0,3})*x$', '', 'a counted run takes its copies in order: one digit is never "the second copy, the first skipped"'],
  ['\\u001b\\[(?:[0-9]{1,3})?(?:;[0-9]{0,3})*[A-Mf-m]', '', 'each iteration starts with ";", which the counted run cannot read'],
];

function timeOf(re: RegExp, input: string): number {
  const start = performance.now();
  re.test(input);
  return performance.now() - start;
}

/** The attack takes far longer than a benign input of the same length (a ratio, so machine load cancels out). */
function blowsUp(re: RegExp, attack: string, benign: string): boolean {
  assert.ok(re.test(benign), `the benign input must match ${re}`);
  // Several benign runs: V8 interprets a regex first and compiles it once it runs often.
  const fast = Math.max(Math.min(...[1, 2, 3, 4].map(() => timeOf(re, benign))), 0.02);
  return timeOf(re, attack) > 20 * fast;
}

describe('regex safety analyser', () => {
  for (const [source, flags, culprit, attack, benign] of CATASTROPHIC) {
    test(`catastrophic: /${source}/${flags}`, () => {
      const v = analyseRegex(source, flags);
      assert.equal(v.catastrophic, true, `/${source}/ should be found catastrophic`);
      assert.equal(v.culprit, culprit);
      // Ground truth: the attack string really takes long on V8's backtracking engine.
      assert.ok(blowsUp(new RegExp(source, flags), attack, benign), `/${source}/ on the attack string finished fast: the table is wrong`);
    });
  }

  for (const [source, flags, why] of SAFE) {
    test(`safe: /${source}/${flags} (${why})`, () => {
      assert.equal(analyseRegex(source, flags).catastrophic, false);
    });
  }

  test('counted repetition inside a loop is still ambiguous when the copies can share the text', () => {
    assert.equal(analyseRegex('(a{0,3})*b', '').catastrophic, true);
    assert.ok(blowsUp(/(a{0,3})*b/, 'a'.repeat(24), 'a'.repeat(23) + 'b'));
  });

  test('with the m flag "$" still has to match a line end: the loop can be forced to fail', () => {
    assert.equal(analyseRegex('(a+)+$', 'm').catastrophic, true);
    assert.equal(analyseRegex('^(a+)+', 'm').catastrophic, false);
  });

  test('counted repetition beyond the unroll budget behaves like a loop', () => {
    assert.equal(analyseRegex('(a{1,50}){1,50}$', '').catastrophic, true);
    assert.equal(analyseRegex('(a{1,2}){1,2}$', '').catastrophic, false);
  });

  test('lookarounds and back-references do not break parsing', () => {
    assert.equal(analyseRegex('^(?=.*\\d)(?!.*\\s)(\\w)\\1+$', '').catastrophic, false);
    assert.equal(analyseRegex('^(?<word>\\w+)\\s\\k<word>$', '').catastrophic, false);
  });

  test('very large patterns are not analysed (bounded cost), and say so by not claiming anything', () => {
    const big = Array.from({ length: 300 }, (_, i) => `x${i}`).join('|');
    assert.equal(analyseRegex(`(${big})+$`, '').catastrophic, false);
  });
});

// Polynomial ambiguity (IDA): two loops that can share the same run of characters, or one loop reached from
// every start of a search. Lengths give a quadratic run of tens of milliseconds on V8; the benign input of
// the same length matches in one pass.
const POLYNOMIAL: [source: string, flags: string, culprit: string, attack: string, benign: string][] = [
  ['\\s*$', '', 'the retry at every start of the text then `\\s*`', ' '.repeat(3000) + 'x', ' '.repeat(3001)],
  ['^\\d+\\d+x', '', '`\\d+` then `\\d+`', '1'.repeat(3000) + '!', '1'.repeat(3000) + 'x'],
  ['&([^;]+);', 'g', 'the retry at every start of the text then `[^;]+`', '&'.repeat(3000), '&'.repeat(2999) + ';'],
  ['^((?:rgb|hsl)a?)\\(\\s*([^\\)]*)\\)', '', '`\\s*` then `[^\\)]*`', 'rgb(' + ' '.repeat(3000), 'rgb(' + ' '.repeat(2999) + ')'],
  ['^\\s+|\\s+$', 'g', 'the retry at every start of the text then `\\s+`', 'a' + ' '.repeat(3000) + 'a', ' '.repeat(3002)],
];

const LINEAR: [source: string, flags: string, why: string][] = [
  ['&([^;]{1,10});', 'g', 'the loop is bounded: each start tries at most ten characters'],
  ['^(([^=;]+))\\s{0,256}=\\s*([^\\n\\r\\0]*)', '', 'the second loop is bounded'],
  ['^\\s*', '', 'anchored, one loop'],
  ['\\s+', 'g', 'nothing mandatory follows the loop: every start matches at once'],
  ['^[\\w.+-]+@[\\w-]+\\.[\\w.-]+$', '', 'anchored; adjacent loops are separated by characters they cannot match'],
  ['^\\d+x', '', 'anchored, one loop'],
  ['\\[(\\w+)\\]', 'g', 'only a start at "[" reaches the loop, and "[" ends the run the loop reads: no word pumps both'],
  ['^\\s+=|;', 'g', 'the alternative pinned with "^" is tried at the first position only, not at every start'],
];

describe('regex safety analyser: polynomial backtracking', () => {
  for (const [source, flags, culprit, attack, benign] of POLYNOMIAL) {
    test(`polynomial: /${source}/${flags}`, () => {
      const v = analyseRegex(source, flags);
      assert.equal(v.catastrophic, false, 'not exponential');
      assert.equal(v.polynomial, true, `/${source}/ should be found polynomial`);
      assert.equal(v.culprit, culprit);
      // Without g: a global regex's test() carries lastIndex from one run to the next.
      assert.ok(blowsUp(new RegExp(source, flags.replace('g', '')), attack, benign), `/${source}/ on the attack string finished fast: the table is wrong`);
    });
  }

  for (const [source, flags, why] of LINEAR) {
    test(`linear: /${source}/${flags} (${why})`, () => {
      const v = analyseRegex(source, flags);
      assert.equal(v.catastrophic || !!v.polynomial, false);
    });
  }

  test('a pattern that is matched, not searched for, has no retry at every start', () => {
    assert.equal(analyseRegex('\\s*$', '', false).polynomial, undefined);
    assert.equal(analyseRegex('\\s*$', '', true).polynomial, true);
  });
});
