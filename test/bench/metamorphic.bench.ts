// npm run bench:metamorphic — the metamorphic suite as figures: every detection case re-expressed in each idiom
// (test/metamorphic/rewrite.ts), recall per idiom and per class, fixed variants still flagged per idiom, the cases
// each idiom could not be applied to and why. `-- --write-known-gaps` rewrites test/metamorphic/known-gaps.json
// to the pairs failing now (review the diff: the list is meant to shrink).
import { writeFileSync } from 'node:fs';
import { loadCases } from '../detection/suite.js';
import { IDIOMS, IDIOM_DESCRIPTIONS } from '../metamorphic/rewrite.js';
import { gapsOf, KNOWN_GAPS_FILE, runAll } from '../metamorphic/run.js';

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(0)} %` : 'n/a');
function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

const cases = loadCases();
const t0 = performance.now();
const results = await runAll(cases);
const ms = performance.now() - t0;

console.log(`metamorphic suite: ${cases.length} cases × ${IDIOMS.length} idioms, vulnerable + fixed variants (${(ms / 1000).toFixed(1)} s)\n`);
const rows = [['idiom', 'rewritten', 'expected', 'found', 'recall', 'fixed flagged', 'extra on vuln', 'rewriter errors']];
for (const idiom of IDIOMS) {
  const rs = results.filter((r) => r.idiom === idiom && r.skipped === undefined);
  const sum = (f: (r: (typeof rs)[number]) => number) => rs.reduce((a, r) => a + f(r), 0);
  rows.push([idiom, `${rs.length}/${cases.length}`, String(sum((r) => r.expected)), String(sum((r) => r.found)), pct(sum((r) => r.found), sum((r) => r.expected)), `${rs.filter((r) => r.fixedFindings.length).length}/${rs.length}`, String(sum((r) => r.extra.length)), String(sum((r) => r.errors.length))]);
}
table(rows);

console.log('\nrecall per class (found/expected over the rewritten cases; "-" = no case of the class rewritten)');
const classes = [...new Set(cases.map((c) => c.rule))].sort();
const idioms = IDIOMS.filter((i) => i !== 'original');
const byClass = [['class', 'original', ...idioms]];
for (const rule of classes) {
  byClass.push([
    rule,
    ...['original' as const, ...idioms].map((idiom) => {
      const rs = results.filter((r) => r.rule === rule && r.idiom === idiom && r.skipped === undefined);
      if (!rs.length) return '-';
      const flagged = rs.filter((r) => r.fixedFindings.length).length;
      return `${rs.reduce((a, r) => a + r.found, 0)}/${rs.reduce((a, r) => a + r.expected, 0)}${flagged ? ` F${flagged}` : ''}`;
    }),
  ]);
}
table(byClass);
console.log('  (F<n>: n fixed variants still flagged)');

console.log('\nidioms');
for (const i of IDIOMS) console.log(`  ${i.padEnd(18)} ${IDIOM_DESCRIPTIONS[i]}`);

console.log('\nnot rewritten (case: idioms — reason)');
const skips = new Map<string, string[]>();
for (const r of results) if (r.skipped !== undefined) skips.set(`${r.case}: ${r.skipped}`, [...(skips.get(`${r.case}: ${r.skipped}`) ?? []), r.idiom]);
for (const [k, is] of skips) console.log(`  ${k.replace(': ', `: ${is.length === idioms.length ? 'all' : is.join(', ')} — `)}`);

const gaps = results.flatMap(gapsOf);
console.log(`\nfailing (case, idiom) pairs: ${gaps.length}`);
for (const g of gaps) {
  const r = results.find((x) => x.case === g.case && x.idiom === g.idiom)!;
  console.log(`  ${g.case}  ${g.idiom}  ${g.kind}: ${g.kind === 'missed' ? r.missed.join('; ') : r.fixedFindings.join('; ')}`);
}
const errors = results.filter((r) => r.errors.length);
for (const r of errors) console.log(`  REWRITER ERROR ${r.case} ${r.idiom}: ${r.errors.join('; ')}`);

if (process.argv.includes('--write-known-gaps')) {
  const about =
    'Pairs (detection case, idiom) the built-in engine fails today in the metamorphic suite (test/metamorphic): "missed" = an expected finding is not reported on the rewritten vulnerable variant; "fixed-flagged" = the rewritten fixed variant gets a finding. metamorphic.test.ts fails when a pair fails that is not listed and when a listed pair passes: remove closed gaps, never add one without a reason in the commit. Regenerate with npm run bench:metamorphic -- --write-known-gaps.';
  writeFileSync(KNOWN_GAPS_FILE, JSON.stringify({ about, gaps }, null, 2) + '\n');
  console.log(`\nwrote ${gaps.length} gaps to ${KNOWN_GAPS_FILE.pathname}`);
}
