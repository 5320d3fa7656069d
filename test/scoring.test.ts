import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Candidate, Decision, Verdict } from '../activities/model.js';
import { confidenceFor, scoreCandidates, severityFor } from '../activities/scoring.js';
import { sourceFilesFromRecord } from '../activities/source-files.js';

const users = `const db = require('./db');\nrouter.get('/u', (req, res) => {\n  db.query("SELECT * FROM u WHERE id = " + req.query.id);\n});\n`;

function candidate(overrides: Partial<Candidate> = {}): Candidate {
  return {
    id: 'c1',
    engine: 'builtin',
    ruleId: 'sql-injection',
    cwe: 'CWE-89',
    title: 'SQL injection',
    location: { file: 'routes/users.js', startLine: 3, endLine: 3 },
    origin: 'routes/users.js',
    trace: [
      { kind: 'source', file: 'routes/users.js', line: 3, label: 'req.query.id' },
      { kind: 'sink', file: 'routes/users.js', line: 3, label: 'db.query' },
    ],
    explanation: 'x',
    dependsOn: ['routes/users.js'],
    evidence: { sourceIsRequestInput: true, reachableFromMountedRoute: true },
    ...overrides,
  };
}
const confirmed: Verdict = { candidateId: 'c1', verdict: 'confirmed', reasons: ['ok'], verifier: 'v' };
const uncertain: Verdict = { ...confirmed, verdict: 'uncertain' };

test('confidence never exceeds what verification earned', () => {
  assert.equal(confidenceFor(candidate(), confirmed), 'high');
  assert.equal(confidenceFor(candidate(), uncertain), 'low');
  assert.equal(confidenceFor(candidate({ evidence: { sourceIsRequestInput: true } }), confirmed), 'medium');
});

test('severity follows the CWE and drops a step when reachability is unproven', () => {
  assert.equal(severityFor(candidate(), confirmed), 'critical');
  assert.equal(severityFor(candidate(), uncertain), 'high');
  assert.equal(severityFor(candidate({ cwe: 'CWE-22' }), confirmed), 'high');
});

test('fingerprints survive line shifts but not a change of the vulnerable code', () => {
  const ledger = new Map<string, Decision>();
  const a = scoreCandidates({ candidates: [candidate()], verdicts: [confirmed], files: sourceFilesFromRecord({ 'routes/users.js': users }), ledger });
  const shifted = '// a new header comment\n\n' + users;
  const moved = candidate({
    location: { file: 'routes/users.js', startLine: 5, endLine: 5 },
    trace: [
      { kind: 'source', file: 'routes/users.js', line: 5, label: 'req.query.id' },
      { kind: 'sink', file: 'routes/users.js', line: 5, label: 'db.query' },
    ],
  });
  const b = scoreCandidates({ candidates: [moved], verdicts: [confirmed], files: sourceFilesFromRecord({ 'routes/users.js': shifted }), ledger });
  assert.equal(a.findings[0].fingerprint, b.findings[0].fingerprint);
  const edited = users.replace('req.query.id', 'req.query.name');
  const c = scoreCandidates({ candidates: [candidate()], verdicts: [confirmed], files: sourceFilesFromRecord({ 'routes/users.js': edited }), ledger });
  assert.notEqual(a.findings[0].fingerprint, c.findings[0].fingerprint);
});

test('rejected candidates stay out of findings; earlier decisions carry over by fingerprint', () => {
  const files = sourceFilesFromRecord({ 'routes/users.js': users });
  const first = scoreCandidates({ candidates: [candidate()], verdicts: [confirmed], files, ledger: new Map() });
  const fp = first.findings[0].fingerprint;
  const ledger = new Map<string, Decision>([[fp, { decision: 'reject', actor: 'alice', decidedAt: 'then', scanId: 's0' }]]);
  const second = scoreCandidates({ candidates: [candidate()], verdicts: [confirmed], files, ledger });
  assert.equal(second.findings[0].status, 'rejected');
  assert.equal(second.findings[0].decisionCarriedOver, true);
  const rejected = scoreCandidates({ candidates: [candidate()], verdicts: [{ ...confirmed, verdict: 'rejected' }], files, ledger: new Map() });
  assert.equal(rejected.findings.length, 0);
  assert.equal(rejected.rejected, 1);
  assert.throws(() => scoreCandidates({ candidates: [candidate()], verdicts: [], files, ledger: new Map() }), /No verdict/);
});
