// Reports: SARIF 2.1.0 checked by Microsoft's SARIF Multitool validator (the same validator the SARIF
// web validator runs), and the JSON report's stable shape.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Finding } from '../activities/model.js';
import { applyUnifiedDiff } from '../activities/patches/apply-diff.js';
import { JSON_REPORT_SCHEMA_VERSION, toJsonReport } from '../activities/report/json-report.js';
import { FINGERPRINT_KEY, SARIF_SCHEMA, toSarif, type SarifLog } from '../activities/report/sarif.js';
import { validateSarif } from './helpers/sarif-validate.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// --- fixtures: what a scan of a small Express app produces -------------------------------------------------
const SOURCES: Record<string, string> = {
  'src/routes/users.js': `const express = require('express');
const { findUser } = require('../db');
const router = express.Router();

router.get('/users/:id', async (req, res) => {
  const id = req.query.id;
  res.json(await findUser(id));
});

module.exports = router;
`,
  'src/db.js': `const pool = require('./pool');

async function findUser(id) {
  return pool.query("SELECT * FROM users WHERE id = '" + id + "'");
}

module.exports = { findUser };
`,
  'src/views/hello.js': `exports.hello = (req, res) => {
  res.send('<p>Hello ' + req.query.name + '</p>');
};
`,
  'src/files.js': `const path = require('path');
const fs = require('fs');
exports.download = (req, res) => {
  res.sendFile(path.join(__dirname, 'public', req.params.name));
};`,
};

const sqli: Finding = {
  id: 'fnd_sqli_1',
  fingerprint: 'a1b2c3d4e5f60718',
  candidateId: 'cand_1',
  ruleId: 'js/sql-injection',
  cwe: 'CWE-89',
  title: 'SQL injection in findUser',
  severity: 'high',
  confidence: 'high',
  location: { file: 'src/db.js', startLine: 4, endLine: 4, startColumn: 21, endColumn: 66 },
  trace: [
    { kind: 'source', file: 'src/routes/users.js', line: 6, column: 14, label: 'req.query.id is attacker-controlled', snippet: 'const id = req.query.id;' },
    { kind: 'step', file: 'src/routes/users.js', line: 7, column: 24, label: 'id flows into parameter `id` of findUser()', snippet: 'res.json(await findUser(id));' },
    { kind: 'sink', file: 'src/db.js', line: 4, column: 21, label: 'id is concatenated into an SQL string passed to pool.query', snippet: `return pool.query("SELECT * FROM users WHERE id = '" + id + "'");` },
  ],
  explanation: 'The id query parameter reaches pool.query through string concatenation, so a request can change the SQL statement.',
  verdict: { candidateId: 'cand_1', verdict: 'confirmed', reasons: ['source is a request input of a mounted route', 'no sanitiser on the path'], verifier: 'builtin' },
  patch: {
    file: 'src/db.js',
    description: 'Pass id as a query parameter instead of concatenating it.',
    diff: `--- a/src/db.js
+++ b/src/db.js
@@ -1,7 +1,7 @@
 const pool = require('./pool');
 
 async function findUser(id) {
-  return pool.query("SELECT * FROM users WHERE id = '" + id + "'");
+  return pool.query('SELECT * FROM users WHERE id = $1', [id]);
 }
 
 module.exports = { findUser };
`,
  },
  status: 'approved',
  decision: { decision: 'approve', actor: 'alice@example.com', decidedAt: '2025-01-02T10:00:00.000Z', scanId: 'scan_42' },
};

const xss: Finding = {
  id: 'fnd_xss_1',
  fingerprint: '0f1e2d3c4b5a6978',
  candidateId: 'cand_2',
  ruleId: 'js/reflected-xss',
  cwe: 'CWE-79',
  title: 'Reflected XSS in hello',
  severity: 'medium',
  confidence: 'medium',
  location: { file: 'src/views/hello.js', startLine: 2, endLine: 2, startColumn: 3 },
  trace: [
    { kind: 'source', file: 'src/views/hello.js', line: 2, column: 30, label: 'req.query.name is attacker-controlled' },
    { kind: 'sink', file: 'src/views/hello.js', line: 2, column: 3, label: 'name is written into an HTML response', snippet: "res.send('<p>Hello ' + req.query.name + '</p>');" },
  ],
  explanation: 'The name parameter is echoed into HTML without encoding.',
  verdict: { candidateId: 'cand_2', verdict: 'uncertain', reasons: ['route reachability unknown'], verifier: 'builtin' },
  status: 'rejected',
  decision: { decision: 'reject', actor: 'bob@example.com', comment: 'internal debug page, not routed in production', decidedAt: '2025-01-01T09:00:00.000Z', scanId: 'scan_41' },
  decisionCarriedOver: true,
};

// The file ends without a newline and the fix touches its last line: the hardest case for exact replacements.
const traversal: Finding = {
  id: 'fnd_path_1',
  fingerprint: '99aa88bb77cc66dd',
  candidateId: 'cand_3',
  ruleId: 'js/path-traversal',
  cwe: 'CWE-22',
  title: 'Path traversal in download',
  severity: 'critical',
  confidence: 'low',
  location: { file: 'src/files.js', startLine: 4, endLine: 4 },
  trace: [{ kind: 'sink', file: 'src/files.js', line: 4, label: 'req.params.name is joined into a file path' }],
  explanation: 'A name such as ../../etc/passwd escapes the public directory.',
  verdict: { candidateId: 'cand_3', verdict: 'confirmed', reasons: ['path.join does not contain ..'], verifier: 'claude' },
  patch: {
    file: 'src/files.js',
    description: 'Serve only files inside public/ by using the root option.',
    diff: `--- a/src/files.js
+++ b/src/files.js
@@ -2,4 +2,4 @@
 const fs = require('fs');
 exports.download = (req, res) => {
-  res.sendFile(path.join(__dirname, 'public', req.params.name));
-};
\\ No newline at end of file
+  res.sendFile(req.params.name, { root: path.join(__dirname, 'public') });
+};
`,
  },
  status: 'pending',
};

const findings = [sqli, xss, traversal];
const tool = { name: 'Vigil', version: '0.1.0', informationUri: 'https://github.com/vigil-security/vigil' };
const scan = { scanId: 'scan_42', repoKey: '/home/dev/shop', commit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904', startedAt: '2025-01-02T09:59:00.000Z' };

function build(): SarifLog {
  return toSarif({ findings, tool, scan, sources: (p) => SOURCES[p] });
}

async function validate(name: string, log: unknown) {
  return validateSarif(log, join(dir, name));
}

describe('toSarif', () => {
  test('passes the SARIF Multitool validator with no errors or warnings', async (t) => {
    const started = Date.now();
    const v = await validate('vigil', build());
    t.diagnostic(`sarif-multitool validate took ${Date.now() - started} ms; notes: ${v.notes.join('; ') || 'none'}`);
    assert.deepEqual(v.errors, []);
    assert.deepEqual(v.warnings, []);
  });

  test('broken logs fail the same validation, so the check above can fail', async () => {
    type Loose = { runs: { tool: { driver: Record<string, unknown> }; results: Record<string, unknown>[]; originalUriBaseIds: Record<string, { uri?: string }> }[] };
    // Schema violations.
    const schema = build() as unknown as Loose;
    delete schema.runs[0].tool.driver.name;
    schema.runs[0].results[0].level = 'fatal';
    const v1 = await validate('broken-schema', schema);
    assert.ok(v1.errors.some((e) => e.startsWith('JSON1002') && e.includes('name')), v1.errors.join('\n'));
    assert.ok(v1.errors.some((e) => e.startsWith('JSON1019') && e.includes('fatal')), v1.errors.join('\n'));
    // Schema-valid but wrong: the validator's SARIF rules (only run once the schema passes).
    const semantic = build() as unknown as Loose;
    semantic.runs[0].results[1].ruleIndex = 7; // there are only three rules
    semantic.runs[0].originalUriBaseIds['%SRCROOT%'].uri = 'file:///home/dev/shop';
    const v2 = await validate('broken-rules', semantic);
    assert.ok(v2.errors.some((e) => e.startsWith('SARIF1009')), v2.errors.join('\n'));
    assert.ok(v2.errors.some((e) => e.startsWith('SARIF1004')), v2.errors.join('\n'));
    const notJson = await validate('not-json', '{"version": "2.1.0", "runs": [');
    assert.ok(notJson.errors.length > 0, 'truncated JSON must not validate');
  });

  test('maps rules, severities and levels', () => {
    const sarif = build();
    assert.equal(sarif.$schema, SARIF_SCHEMA);
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs.length, 1);
    const run = sarif.runs[0];
    assert.deepEqual(run.tool.driver.rules.map((r) => r.id), ['js/path-traversal', 'js/reflected-xss', 'js/sql-injection']);
    const byId = Object.fromEntries(run.tool.driver.rules.map((r) => [r.id, r]));
    assert.equal(byId['js/sql-injection'].properties['security-severity'], '8.0');
    assert.equal(byId['js/path-traversal'].properties['security-severity'], '9.5');
    assert.equal(byId['js/reflected-xss'].properties['security-severity'], '5.5');
    assert.deepEqual(byId['js/sql-injection'].properties.tags, ['security', 'CWE-89', 'external/cwe/cwe-089']);
    assert.equal(byId['js/sql-injection'].defaultConfiguration.level, 'error');
    assert.equal(byId['js/reflected-xss'].defaultConfiguration.level, 'warning');
    assert.match(byId['js/sql-injection'].help.markdown, /parameterised queries/);
    assert.equal(byId['js/sql-injection'].helpUri, 'https://cwe.mitre.org/data/definitions/89.html');

    for (const r of run.results) assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
    assert.deepEqual(run.results.map((r) => r.level), ['error', 'warning', 'error']);
    assert.equal(run.automationDetails.id, 'vigil/scan_42');
    assert.deepEqual(run.versionControlProvenance, [{ repositoryUri: 'file:///home/dev/shop', revisionId: scan.commit, mappedTo: { uriBaseId: '%SRCROOT%' } }]);
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, 'file:///home/dev/shop/');
    // Without a commit there is no provenance to claim.
    assert.equal(toSarif({ findings, tool, scan: { scanId: 's', repoKey: '/x' } }).runs[0].versionControlProvenance, undefined);
  });

  test('carries location, fingerprint, dataflow trace and review state', () => {
    const [r1, r2, r3] = build().runs[0].results;
    assert.deepEqual(r1.locations[0].physicalLocation.artifactLocation, { uri: 'src/db.js', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(
      { ...r1.locations[0].physicalLocation.region, snippet: undefined },
      { startLine: 4, endLine: 4, startColumn: 21, endColumn: 66, snippet: undefined },
    );
    // The snippet is exactly the columns the region covers; the context region is two lines either side.
    assert.deepEqual(r1.locations[0].physicalLocation.region.snippet, { text: `"SELECT * FROM users WHERE id = '" + id + "'"` });
    assert.deepEqual(r1.locations[0].physicalLocation.contextRegion, {
      startLine: 2,
      endLine: 6,
      snippet: { text: SOURCES['src/db.js'].split('\n').slice(1, 6).join('\n') },
    });
    // Without sources, a trace's whole-line snippet is used only for a region without columns.
    const bare = toSarif({ findings, tool, scan }).runs[0].results;
    assert.equal(bare[0].locations[0].physicalLocation.region.snippet, undefined);
    assert.equal(bare[0].locations[0].physicalLocation.contextRegion, undefined);
    assert.deepEqual(bare[0].codeFlows![0].threadFlows[0].locations[0].location.physicalLocation.region.snippet, undefined);
    assert.deepEqual(r1.partialFingerprints, { [FINGERPRINT_KEY]: sqli.fingerprint });
    const flow = r1.codeFlows![0].threadFlows[0].locations;
    assert.deepEqual(
      flow.map((l) => [l.location.physicalLocation.artifactLocation.uri, l.location.physicalLocation.region.startLine, l.location.message.text]),
      sqli.trace.map((s) => [s.file, s.line, s.label]),
    );
    assert.deepEqual(r1.properties, {
      ...r1.properties,
      findingId: 'fnd_sqli_1',
      confidence: 'high',
      verdict: 'confirmed',
      status: 'approved',
    });
    assert.equal(r1.suppressions, undefined);
    assert.equal(r3.suppressions, undefined);
    assert.deepEqual(r2.suppressions, [
      {
        kind: 'external',
        status: 'accepted',
        justification: 'Rejected by bob@example.com on 2025-01-01T09:00:00.000Z: internal debug page, not routed in production (decision carried over from an earlier scan)',
      },
    ]);
    assert.equal(r2.fixes, undefined, 'a finding without a patch has no fix');
  });

  test('evidence of a pattern or access-control finding becomes related locations, not a dataflow', async () => {
    const missingAuth: Finding = {
      ...traversal,
      id: 'fnd_authz_1',
      fingerprint: '1234abcd5678ef90',
      ruleId: 'missing-authorization',
      cwe: 'CWE-862',
      title: 'Missing authorisation: DELETE /files/:name',
      location: { file: 'src/files.js', startLine: 4, endLine: 4 },
      trace: [
        { kind: 'step', file: 'src/db.js', line: 2, label: '2 of 3 sibling routes use `requireAuth`' },
        { kind: 'sink', file: 'src/files.js', line: 4, label: 'DELETE /files/:name is registered without it' },
      ],
      patch: undefined,
    };
    const log = toSarif({ findings: [missingAuth], tool, scan, sources: (p) => SOURCES[p] });
    const [r] = log.runs[0].results;
    assert.equal(r.codeFlows, undefined);
    assert.deepEqual(
      r.relatedLocations!.map((l) => [l.id, l.physicalLocation.artifactLocation.uri, l.physicalLocation.region.startLine, l.message.text]),
      [[1, 'src/db.js', 2, '2 of 3 sibling routes use `requireAuth`']],
    );
    const v = await validate('related', log);
    assert.deepEqual(v.errors, []);
  });

  test('never quotes the file around a hard-coded secret', () => {
    const secret = 'sk_live_51HxQzR2eZvKYlo2C9f8d7c6b5a4';
    const file = `const Stripe = require('stripe');\nconst stripe = Stripe('${secret}');\nmodule.exports = stripe;\n`;
    const leak: Finding = {
      ...traversal,
      id: 'fnd_secret_1',
      fingerprint: 'abcdef0123456789',
      ruleId: 'hardcoded-secret',
      cwe: 'CWE-798',
      title: 'Hard-coded secret: Stripe live key',
      location: { file: 'src/billing.js', startLine: 2, endLine: 2, startColumn: 23, endColumn: 60 },
      trace: [{ kind: 'sink', file: 'src/billing.js', line: 2, label: 'Stripe key `sk_l…` (35 characters)', snippet: "const stripe = Stripe('sk_l…');" }],
      patch: undefined,
      containsSecret: true,
    };
    const log = toSarif({ findings: [leak, sqli], tool, scan, sources: (p) => (p === 'src/billing.js' ? file : SOURCES[p]) });
    const text = JSON.stringify(log);
    assert.ok(!text.includes(secret.slice(8)), 'the secret reached the SARIF log');
    // Other findings keep their quoted code.
    assert.ok(log.runs[0].results.find((r) => r.ruleId === sqli.ruleId)!.locations[0].physicalLocation.contextRegion);
  });

  test('fixes are exact: applying their replacements equals applying the diff', () => {
    const results = build().runs[0].results;
    for (const f of [sqli, traversal]) {
      const r = results.find((x) => x.properties.findingId === f.id)!;
      assert.ok(r.fixes, `${f.id} has no fixes`);
      const change = r.fixes[0].artifactChanges[0];
      assert.equal(change.artifactLocation.uri, f.patch!.file);
      const original = SOURCES[f.patch!.file];
      // Replacements refer to the original text; apply them from the end so earlier offsets stay valid.
      let text = original;
      for (const rep of [...change.replacements].sort((a, b) => b.deletedRegion.charOffset - a.deletedRegion.charOffset)) {
        const { charOffset, charLength } = rep.deletedRegion;
        text = text.slice(0, charOffset) + (rep.insertedContent?.text ?? '') + text.slice(charOffset + charLength);
      }
      const expected = applyUnifiedDiff(original, f.patch!.diff);
      assert.ok(expected.ok);
      assert.equal(text, expected.text);
      assert.deepEqual(r.properties.patch, f.patch);
    }
    // Without the source text, or when the patch does not apply to it, the diff stays a property only.
    const noSources = toSarif({ findings, tool, scan }).runs[0].results[0];
    assert.equal(noSources.fixes, undefined);
    assert.deepEqual(noSources.properties.patch, sqli.patch);
    const stale = toSarif({ findings, tool, scan, sources: (p) => SOURCES[p].replace('pool.query', 'db.query') }).runs[0].results[0];
    assert.equal(stale.fixes, undefined);
  });
});

describe('toJsonReport', () => {
  const input = {
    scan: { scanId: 'scan_42', tenant: 'acme', repoKey: '/home/dev/shop', commit: scan.commit, startedAt: scan.startedAt },
    findings,
    counts: { scoring: { findings: 3 }, apply: { applied: 1, rejected: 1, failed: 0, branch: 'vigil/scan-scan_42', commit: 'c0ffee' } },
    apply: { branch: 'vigil/scan-scan_42', commit: 'c0ffee', applied: ['fnd_sqli_1'], failed: [], rejected: ['fnd_xss_1'] },
    scope: { mode: 'incremental' as const, filesInScope: ['src/db.js', 'src/files.js'], analysedFiles: ['src/db.js'], carriedOver: 1 },
  };

  test('has a stable, fully populated shape', () => {
    const report = toJsonReport(input);
    assert.equal(report.schemaVersion, JSON_REPORT_SCHEMA_VERSION);
    assert.equal(report.generator.name, 'Vigil');
    assert.deepEqual(report.summary, {
      findings: 3,
      bySeverity: { critical: 1, high: 1, medium: 1, low: 0 },
      byStatus: { pending: 1, approved: 1, rejected: 1 },
      byVerdict: { confirmed: 2, uncertain: 1, rejected: 0 },
      withPatch: 2,
    });
    assert.deepEqual(report.findings.map((f) => f.id), ['fnd_path_1', 'fnd_sqli_1', 'fnd_xss_1'], 'sorted by severity');
    assert.deepEqual(report.decisions.map((d) => [d.findingId, d.decision, d.carriedOver]), [
      ['fnd_xss_1', 'reject', true],
      ['fnd_sqli_1', 'approve', false],
    ]);
    assert.deepEqual(report.apply, {
      mode: 'branch',
      branch: 'vigil/scan-scan_42',
      commit: 'c0ffee',
      baseCommit: null,
      applied: ['fnd_sqli_1'],
      failed: [],
      rejected: ['fnd_xss_1'],
      patchSeries: null,
    });
    assert.deepEqual(report.scope, { mode: 'incremental', filesInScope: 2, analysedFiles: 1, carriedOver: 1 });
    assert.equal(report.changes, null);
    // Absent optional values are null, never missing, so consumers can rely on every key.
    const path = report.findings[0];
    assert.equal(path.patch?.file, 'src/files.js');
    assert.equal(path.decision, null);
    assert.equal(path.location.startColumn, null);
    assert.equal(path.trace[0].column, null);
    assert.equal(JSON.stringify(report).includes('undefined'), false);
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report, 'survives a JSON round trip unchanged');
  });

  test('is deterministic: input order does not change the bytes', () => {
    const a = JSON.stringify(toJsonReport(input));
    const b = JSON.stringify(toJsonReport({ ...input, findings: [...findings].reverse() }));
    assert.equal(a, b);
  });

  test('reports a patch series by size, not content', () => {
    const series = 'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nSubject: [PATCH 1/1] x\n\n';
    const report = toJsonReport({ ...input, apply: { applied: ['fnd_sqli_1'], failed: [], patchSeries: true }, patchSeries: series });
    assert.equal(report.apply?.mode, 'patch-series');
    assert.deepEqual(report.apply?.patchSeries, { messages: 1, bytes: Buffer.byteLength(series) });
  });
});
