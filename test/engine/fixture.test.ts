// The end-to-end fixture, engine + verifier only: every expected finding is found and confirmed at its
// line, nothing is confirmed on the safe spots, and every proposed patch applies and removes its finding.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createBuiltinEngine, createBuiltinVerifier } from '../../activities/engines/builtin/index.js';
import type { Candidate, Verdict } from '../../activities/model.js';
import { gitApply } from './gitapply.js';
import { memoryFiles } from './helpers.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const appDir = join(fixtures, 'vulnerable-express');
const spec = JSON.parse(readFileSync(join(fixtures, 'vulnerable-express.expected.json'), 'utf8')) as {
  expected: { ruleId: string; cwe: string; file: string; line: number; origin: string; crossesFiles: boolean; hasPatch: boolean }[];
  safe: { file: string; line: number }[];
};

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

async function run(files: Record<string, string>): Promise<{ c: Candidate; v: Verdict }[]> {
  const src = memoryFiles(files);
  const { candidates } = await createBuiltinEngine().analyse({ files: src, scope: null });
  const verdicts = await createBuiltinVerifier().verify({ files: src, candidates });
  return candidates.map((c) => ({ c, v: verdicts.find((v) => v.candidateId === c.id)! }));
}

describe('fixture: vulnerable-express', () => {
  const files = readTree(appDir);

  test('the expected file describes enough findings', () => {
    assert.ok(spec.expected.length >= 4);
    assert.ok(spec.expected.filter((e) => e.crossesFiles).length >= 2);
    assert.ok(spec.expected.filter((e) => e.hasPatch).length >= 3);
  });

  test('every expected finding is found, confirmed, at the right line, with trace and patch', async () => {
    const results = await run(files);
    for (const e of spec.expected) {
      const hit = results.find(({ c }) => c.ruleId === e.ruleId && c.cwe === e.cwe && c.location.file === e.file && c.location.startLine === e.line);
      assert.ok(hit, `missing ${e.ruleId} at ${e.file}:${e.line}; got ${results.map(({ c }) => `${c.ruleId}@${c.location.file}:${c.location.startLine}`).join(', ')}`);
      assert.equal(hit.v.verdict, 'confirmed', hit.v.reasons.join(' | '));
      assert.equal(hit.c.origin, e.origin);
      assert.equal(hit.c.trace[0].file !== hit.c.location.file, e.crossesFiles, 'the trace crosses files where expected');
      assert.ok(hit.c.trace.length >= 2);
      assert.equal(!!hit.c.patch, e.hasPatch, `patch presence for ${e.file}:${e.line}`);
      assert.ok(hit.c.dependsOn.includes(e.origin) && hit.c.dependsOn.includes(e.file));
      assert.ok(!hit.c.dependsOn.includes('app.js'), 'mounting is not a data dependency');
    }
    const confirmed = results.filter(({ v }) => v.verdict === 'confirmed');
    assert.equal(confirmed.length, spec.expected.length, 'no other confirmed findings');
  });

  test('nothing is confirmed on the safe spots', async () => {
    const results = await run(files);
    for (const s of spec.safe) {
      const bad = results.filter(({ c, v }) => v.verdict === 'confirmed' && c.location.file === s.file && c.location.startLine === s.line);
      assert.deepEqual(bad.map(({ c }) => c.title), [], `${s.file}:${s.line} must be safe`);
    }
  });

  test('each patch applies with git and removes exactly its finding', async () => {
    const results = await run(files);
    const patched = results.filter(({ c }) => c.patch);
    assert.equal(patched.length, spec.expected.filter((e) => e.hasPatch).length);
    for (const { c } of patched) {
      const after = gitApply(files, c.patch!.diff);
      const again = await run(after);
      assert.ok(!again.some(({ c: x }) => x.ruleId === c.ruleId && x.location.file === c.location.file && x.origin === c.origin && x.evidence.route === c.evidence.route), `${c.title} still reported after its patch`);
      assert.equal(again.length, results.length - 1, `${c.patch!.file}: the patch changes only its own finding`);
    }
  });

  test('incremental scope: the entry file alone yields no candidates, a route file yields its own', async () => {
    const src = memoryFiles(files);
    const appOnly = await createBuiltinEngine().analyse({ files: src, scope: new Set(['app.js']) });
    assert.deepEqual(appOnly.analysedFiles, ['app.js']);
    assert.deepEqual(appOnly.candidates, []);
    const admin = await createBuiltinEngine().analyse({ files: src, scope: new Set(['routes/admin.js']) });
    assert.deepEqual([...new Set(admin.candidates.map((c) => c.origin))], ['routes/admin.js']);
    assert.equal(admin.candidates.length, 3);
  });
});
