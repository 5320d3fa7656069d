// The Markdown report: structure, baseline sections, and escaping of attacker-influenced finding text.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding } from '../activities/model.js';
import { compareToBaseline } from '../activities/report/baseline.js';
import { toJsonReport } from '../activities/report/json-report.js';
import { escapeMarkdown, fence, toMarkdown } from '../activities/report/markdown.js';

function finding(id: string, overrides: Partial<Finding> = {}): Finding {
  return {
    id,
    fingerprint: `fp-${id}`,
    candidateId: `c-${id}`,
    ruleId: 'js/command-injection',
    cwe: 'CWE-78',
    title: 'OS command injection: req.query.host reaches exec()',
    severity: 'critical',
    confidence: 'high',
    location: { file: 'server.js', startLine: 5, endLine: 5 },
    trace: [
      { kind: 'source', file: 'server.js', line: 5, label: '`req.query.host` read in GET /ping', snippet: "exec('ping ' + req.query.host) // ```" },
      { kind: 'sink', file: 'server.js', line: 5, label: 'exec runs a shell', snippet: "exec('ping ' + req.query.host)" },
    ],
    explanation: 'Attacker controls the host. [click](javascript:alert(1)) <img src=x onerror=alert(1)>',
    verdict: { candidateId: `c-${id}`, verdict: 'confirmed', reasons: ['# not a heading', 'source is the query string'], verifier: 'builtin-verifier' },
    patch: { file: 'server.js', diff: '--- a/server.js\n+++ b/server.js\n@@ -5 +5 @@\n-exec(x)\n+execFile(y)\n', description: 'Use execFile.' },
    status: 'pending',
    ...overrides,
  };
}

const scan = { scanId: 'scn_md', repoKey: '/repos/<shop>', commit: 'abc123', finishedAt: '2026-01-01T00:00:00.000Z' };

describe('toMarkdown', () => {
  test('summary, findings with trace, verdict, decision and patch', () => {
    const low = finding('f2', { severity: 'low', confidence: 'low', title: 'Low one', location: { file: 'a.js', startLine: 1, endLine: 1 } });
    const rejected = finding('f3', {
      status: 'rejected',
      decision: { decision: 'reject', actor: 'alice', comment: 'internal *only*', decidedAt: '2026-01-01T00:00:00.000Z', scanId: 'scn_old' },
      decisionCarriedOver: true,
      location: { file: 'b.js', startLine: 9, endLine: 9 },
    });
    const md = toMarkdown(toJsonReport({ scan, findings: [low, finding('f1'), rejected] }));
    assert.match(md, /^# Vigil security review — \/repos\/&lt;shop&gt;\n/);
    assert.match(md, /\| 🟥 critical \| 2 \|/);
    assert.match(md, /\| \*\*total\*\* \| \*\*3\*\* \|/);
    assert.match(md, /Status: 2 pending, 0 approved, 1 rejected/);
    // Critical before low.
    assert.ok(md.indexOf('`server.js:5`') < md.indexOf('`a.js:1`'));
    assert.match(md, /1\. source `server\.js:5` — \\`req\.query\.host\\` read in GET \/ping/);
    assert.match(md, /\*\*Verification:\*\* confirmed \(builtin-verifier\)/);
    assert.match(md, /^- \\# not a heading$/m);
    assert.match(md, /\*\*Decision:\*\* reject by alice on 2026-01-01T00:00:00\.000Z — internal \\\*only\\\* \(carried over from an earlier scan\)/);
    assert.match(md, /```diff\n--- a\/server\.js\n\+\+\+ b\/server\.js\n@@ -5 \+5 @@\n-exec\(x\)\n\+execFile\(y\)\n```/);
  });

  test('attacker text cannot become links, images, HTML or break out of a code fence', () => {
    const md = toMarkdown(toJsonReport({ scan, findings: [finding('f1')] }));
    assert.ok(!md.includes('[click](javascript'), 'no live link');
    assert.ok(!md.includes('<img'), 'no raw HTML');
    assert.match(md, /\\\[click\\\]\\\(javascript:alert\\\(1\\\)\\\) &lt;img src=x onerror=alert\\\(1\\\)&gt;/);
    // The snippet holds a ``` run: its fence is longer, so the fence closes where it should.
    assert.match(md, /^ {3}````js\n {3}exec\('ping ' \+ req\.query\.host\) \/\/ ```\n {3}````$/m);
  });

  test('baseline: counts in the summary, each finding marked, fixed ones listed', () => {
    const now = [finding('f1'), finding('f4', { fingerprint: 'fp-new', title: 'Fresh' })];
    const before = toJsonReport({ scan: { ...scan, scanId: 'scn_prev' }, findings: [finding('f1'), finding('f9', { fingerprint: 'fp-fixed', title: 'Old eval' })] });
    const baseline = compareToBaseline(now, before);
    const report = toJsonReport({ scan, findings: now, baseline });
    assert.deepEqual(report.findings.map((f) => [f.id, f.baseline]), [['f1', 'unchanged'], ['f4', 'new']]);
    const md = toMarkdown(report);
    assert.match(md, /Against the previous scan `scn_prev`: \*\*1 new\*\*, 1 unchanged, 1 fixed\./);
    assert.match(md, /status \*\*pending\*\* · new ·/);
    assert.match(md, /## Fixed since the previous scan\n\n- critical · Old eval \(`server\.js:5`, `js\/command-injection`\)/);
  });

  test('helpers', () => {
    assert.equal(escapeMarkdown('- item'), '\\- item');
    assert.equal(escapeMarkdown('1. item'), '1\\. item');
    assert.equal(escapeMarkdown('a\nb'), 'a b');
    assert.equal(fence('x'), '```\nx\n```');
    assert.equal(fence('a ```` b'), '`````\na ```` b\n`````');
  });
  test('similar past decisions: listed as precedent with their similarity, comments escaped; the JSON report carries them only when there are some', () => {
    const withPrecedent = finding('f1', {
      similarDecisions: [
        { findingId: 'f-old', scanId: 'scn_old', decision: 'reject', comment: 'validated by `requireSchema` [click](javascript:alert(1)) <b>x</b>', similarity: 0.9134 },
        { findingId: 'f-older', scanId: 'scn_older', decision: 'approve', similarity: 0.61 },
      ],
    });
    const report = toJsonReport({ scan, findings: [withPrecedent, finding('f2')] });
    assert.equal(report.findings.find((f) => f.id === 'f1')!.similarDecisions!.length, 2);
    assert.ok(!('similarDecisions' in report.findings.find((f) => f.id === 'f2')!));
    const md = toMarkdown(report);
    assert.match(md, /\*\*Similar past decisions\*\* \(precedent only; this finding is decided on its own\)/);
    assert.match(md, /- rejected `f-old` in scan `scn_old` · similarity 0\.91 — validated by \\`requireSchema\\`/);
    assert.match(md, /- approved `f-older` in scan `scn_older` · similarity 0\.61\n/);
    assert.ok(!md.includes('[click](javascript'), 'no live link from a comment');
    assert.ok(!md.includes('<b>'), 'no HTML from a comment');
    assert.match(md, /status \*\*pending\*\*/, 'a precedent decides nothing');
    assert.equal(toMarkdown(toJsonReport({ scan, findings: [finding('f2')] })).includes('Similar past decisions'), false);
  });
});
