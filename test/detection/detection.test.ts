// The detection suite (see suite.ts): every vulnerable variant is found at the right file, line and CWE
// and nothing else is reported on it; the fixed variant, which differs only by the fix, gets no finding;
// and a patch the engine proposes applies and makes its finding disappear on re-analysis.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyseCase, applyPatch, describeFinding, loadCases, matches, traceFiles } from './suite.js';
import { applyUnifiedDiff } from '../../activities/patches/apply-diff.js';

const cases = loadCases();

describe('detection suite', () => {
  test('has cases', () => {
    assert.ok(cases.length > 0, 'no detection cases under test/detection/cases');
  });

  for (const c of cases) {
    describe(c.name, () => {
      test('vulnerable: found at the expected file, line and CWE, nothing else', async () => {
        const { findings } = await analyseCase(c.vulnerable);
        for (const e of c.expected) {
          const hit = findings.find((r) => matches(r, e));
          assert.ok(hit, `${c.name}: expected ${e.rule} ${e.cwe} at ${e.file}:${e.line}; reported: ${findings.map(describeFinding).join('; ') || 'nothing'}`);
          if (e.crossFile) assert.ok(traceFiles(hit).size >= 2, `${c.name}: the trace of ${describeFinding(hit)} stays in one file`);
        }
        const extra = findings.filter((r) => !c.expected.some((e) => matches(r, e)));
        assert.deepEqual(extra.map(describeFinding), [], `${c.name}: unexpected findings on the vulnerable variant`);
      });

      test('fixed: no finding', async () => {
        const { findings } = await analyseCase(c.fixed);
        assert.deepEqual(findings.map(describeFinding), [], `${c.name}: findings on the fixed variant`);
      });

      test("the engine's patches apply and remove their finding", async () => {
        const { findings } = await analyseCase(c.vulnerable);
        for (const r of findings) {
          const patch = r.candidate.patch;
          if (!patch) continue;
          const applied = applyUnifiedDiff(c.vulnerable[patch.file] ?? '', patch.diff);
          assert.ok(applied.ok, `${c.name}: the patch for ${describeFinding(r)} does not apply: ${applied.ok ? '' : applied.reason}`);
          const after = await analyseCase({ ...c.vulnerable, [patch.file]: applied.text });
          const still = after.findings.filter((x) => x.candidate.ruleId === r.candidate.ruleId && x.candidate.location.file === r.candidate.location.file);
          assert.deepEqual(still.map(describeFinding), [], `${c.name}: ${describeFinding(r)} is still reported after its patch`);
        }
      });
    });
  }
});

// Keep the helper honest: a patch that does not apply is an error, not a silently unchanged variant.
test('detection suite: a fix.patch that does not match is refused', () => {
  const patch = '--- a/x.js\n+++ b/x.js\n@@ -1 +1 @@\n-const a = 1;\n+const a = 2;\n';
  assert.throws(() => applyPatch({ 'x.js': 'const b = 1;\n' }, patch, 'probe'), /does not apply to x\.js/);
  assert.equal(applyPatch({ 'x.js': 'const a = 1;\n' }, patch, 'probe')['x.js'], 'const a = 2;\n');
});
