// Baseline across scans of one repository: new / unchanged / fixed against the previous completed scan,
// and suppressions (rejections) that survive code moves, first as functions, then through real scans.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Candidate, Decision, Verdict } from '../activities/model.js';
import { compareToBaseline } from '../activities/report/baseline.js';
import type { JsonReport } from '../activities/report/json-report.js';
import type { SarifLog } from '../activities/report/sarif.js';
import { scoreCandidates } from '../activities/scoring.js';
import { sourceFilesFromRecord } from '../activities/source-files.js';
import { decideUpdate } from '../workflows/definitions.js';
import { createHarness, git, scanInput, startScan, waitForStage, type Harness } from './helpers/scan-harness.js';

function fp(id: string, fingerprint = `fp-${id}`) {
  return { id, fingerprint };
}

function previous(...findings: { id: string; fingerprint: string }[]): Pick<JsonReport, 'scan' | 'findings'> {
  return {
    scan: { scanId: 'scn_before' } as JsonReport['scan'],
    findings: findings.map((f) => ({
      ...f,
      ruleId: 'js/x',
      title: `title ${f.id}`,
      severity: 'high',
      location: { file: 'a.js', startLine: 3, endLine: 3, startColumn: null, endColumn: null },
    })) as JsonReport['findings'],
  };
}

describe('compareToBaseline', () => {
  test('marks each finding new or unchanged by fingerprint and lists what disappeared as fixed', () => {
    const b = compareToBaseline([fp('a'), fp('b2', 'fp-b'), fp('c')], previous(fp('a'), fp('b'), fp('gone')))!;
    assert.equal(b.previousScanId, 'scn_before');
    assert.deepEqual(b.states, { a: 'unchanged', b2: 'unchanged', c: 'new' });
    assert.equal(b.new, 1);
    assert.equal(b.unchanged, 2);
    assert.deepEqual(
      b.fixed.map((f) => [f.id, f.fingerprint, f.file, f.line]),
      [['gone', 'fp-gone', 'a.js', 3]],
    );
  });

  test('no baseline on a repository first scan', () => {
    assert.equal(compareToBaseline([fp('a')], undefined), undefined);
  });
});

describe('a rejection survives a code move', () => {
  const before = [
    "const db = require('./db');",
    "router.get('/u', (req, res) => {",
    '  db.query("SELECT * FROM u WHERE id = " + req.query.id);',
    '});',
    '',
  ].join('\n');
  // The same handler, moved down below new code and re-indented.
  const after = [
    "const db = require('./db');",
    '// health check first',
    "router.get('/health', (req, res) => res.send('ok'));",
    '',
    "router.get('/u', (req, res) => {",
    '      db.query("SELECT * FROM u WHERE id = " + req.query.id);',
    '});',
    '',
  ].join('\n');
  const at = (line: number): Candidate => ({
    id: `c${line}`,
    engine: 'builtin',
    ruleId: 'js/sql-injection',
    cwe: 'CWE-89',
    title: 'SQL injection',
    location: { file: 'routes/users.js', startLine: line, endLine: line },
    origin: 'routes/users.js',
    trace: [
      { kind: 'source', file: 'routes/users.js', line, label: 'req.query.id' },
      { kind: 'sink', file: 'routes/users.js', line, label: 'db.query' },
    ],
    explanation: 'x',
    dependsOn: ['routes/users.js'],
    evidence: { sourceIsRequestInput: true, reachableFromMountedRoute: true },
  });
  const verdict = (c: Candidate): Verdict => ({ candidateId: c.id, verdict: 'confirmed', reasons: ['ok'], verifier: 'v' });

  test('the moved finding has the same fingerprint, is carried as rejected and is unchanged against the baseline', () => {
    const c1 = at(3);
    const first = scoreCandidates({ candidates: [c1], verdicts: [verdict(c1)], files: sourceFilesFromRecord({ 'routes/users.js': before }), ledger: new Map() });
    const rejection: Decision = { decision: 'reject', actor: 'alice', comment: 'internal tool', decidedAt: '2026-01-01T00:00:00.000Z', scanId: 'scn_1' };
    const ledger = new Map([[first.findings[0].fingerprint, rejection]]);
    const c2 = at(6);
    const second = scoreCandidates({ candidates: [c2], verdicts: [verdict(c2)], files: sourceFilesFromRecord({ 'routes/users.js': after }), ledger });
    const [moved] = second.findings;
    assert.equal(moved.location.startLine, 6);
    assert.equal(moved.fingerprint, first.findings[0].fingerprint);
    assert.equal(moved.status, 'rejected');
    assert.equal(moved.decisionCarriedOver, true);
    assert.deepEqual(moved.decision, rejection);
    const b = compareToBaseline(second.findings, previous({ id: first.findings[0].id, fingerprint: first.findings[0].fingerprint }))!;
    assert.equal(b.states[moved.id], 'unchanged');
    assert.deepEqual(b.fixed, []);
  });
});

describe('baseline in real scans', () => {
  let h: Harness;
  const approver = { tenant: 'default', roles: ['approver' as const], actor: 'alice' };

  before(async () => {
    h = await createHarness('baseline');
    await h.startWorker();
  });
  after(async () => {
    await h?.close();
  });

  function server(lines: string[]): string {
    return ["const express = require('express');", "const { exec } = require('child_process');", 'const app = express();', ...lines, 'app.listen(3000);', ''].join('\n');
  }
  const ping = ["app.get('/ping', (req, res) => {", "  exec('ping -c 1 ' + req.query.host, (err, out) => res.send(out));", '});'];
  const calc = ["app.get('/calc', (req, res) => {", '  res.send(String(eval(req.query.expr)));', '});'];
  const run = ["app.get('/run', (req, res) => {", '  exec(req.query.cmd, (err, out) => res.send(out));', '});'];

  async function scan(repo: string, decide: 'reject' | 'none' = 'none') {
    const input = scanInput(h, repo);
    const handle = await startScan(h, input);
    const status = await waitForStage(handle, ['awaiting_decisions', 'completed'], 90_000);
    if (status.stage === 'awaiting_decisions' && decide === 'reject') {
      for (const f of status.findings.filter((x) => x.status === 'pending')) {
        await handle.executeUpdate(decideUpdate, { args: [{ findingId: f.id, decision: 'reject', ...approver }] });
      }
    }
    await handle.result();
    const report = (await h.store.getArtifact('default', input.scanId, 'report.json'))!;
    const sarif = (await h.store.getArtifact('default', input.scanId, 'report.sarif'))!;
    const markdown = (await h.store.getArtifact('default', input.scanId, 'report.md'))!;
    return { scanId: input.scanId, report, sarif, markdown };
  }

  test('first scan has no baseline; a move keeps rejections and is unchanged; a fix is fixed and a new flaw is new', { timeout: 150_000 }, async () => {
    const { mkdtempSync } = await import('node:fs');
    const repo = mkdtempSync(join(h.dir, `repo-${randomBytes(3).toString('hex')}-`));
    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'demo', dependencies: { express: '^4.19.0' } }));
    writeFileSync(join(repo, 'server.js'), server([...ping, ...calc]));
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'initial');

    const first = await scan(repo, 'reject');
    assert.equal(first.report.baseline, null);
    assert.ok(first.report.findings.length >= 2);
    assert.ok(first.report.findings.every((f) => f.status === 'rejected' && f.baseline === null));
    assert.ok(typeof first.markdown === 'string' && first.markdown.startsWith('# Vigil security review'));

    // Move: the handlers swap places below a new comment block; no decision is asked again.
    writeFileSync(join(repo, 'server.js'), server(['// routes', '// (reordered)', '// below a longer comment', '', ...calc, '', ...ping]));
    const moved = await scan(repo);
    assert.equal(moved.report.baseline?.previousScanId, first.scanId);
    assert.deepEqual(moved.report.baseline?.fixed, []);
    assert.equal(moved.report.baseline?.new, 0);
    const firstLines = new Map(first.report.findings.map((f) => [f.fingerprint, f.location.startLine]));
    for (const f of moved.report.findings) {
      assert.equal(f.baseline, 'unchanged');
      assert.equal(f.status, 'rejected', 'the suppression survives the move');
      assert.equal(f.decision?.carriedOver, true);
      assert.notEqual(f.location.startLine, firstLines.get(f.fingerprint), 'the finding really moved');
    }
    for (const r of moved.sarif.runs[0].results) {
      assert.equal(r.baselineState, 'unchanged');
      assert.equal(r.suppressions?.[0].status, 'accepted');
    }

    // Fix the eval, add a new command injection.
    writeFileSync(join(repo, 'server.js'), server([...ping, ...run]));
    const third = await scan(repo, 'reject');
    assert.equal(third.report.baseline?.previousScanId, moved.scanId);
    const states = Object.fromEntries(third.report.findings.map((f) => [f.location.startLine, f.baseline]));
    assert.equal(states[5], 'unchanged', 'the ping exec (line 5) is unchanged');
    assert.equal(states[8], 'new', 'the /run exec (line 8) is new');
    assert.deepEqual(third.report.baseline?.fixed.map((f) => f.ruleId), moved.report.findings.filter((f) => f.cwe === 'CWE-94' || f.cwe === 'CWE-95').map((f) => f.ruleId));
    assert.equal(third.report.baseline?.fixed.length, 1);
    assert.match(third.markdown, /## Fixed since the previous scan/);
    assert.match(third.markdown, /\*\*1 new\*\*, 1 unchanged, 1 fixed/);
  });
});
