// The selection bulk decisions share (workflow validator, API dry run, CLI preview) and the packed finding state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FindingState } from '../workflows/definitions.js';
import { decisionOutcome, matchesFilter, selectFindings } from '../workflows/finding-selection.js';
import { packFindings, unpackFindings } from '../workflows/finding-table.js';

const finding = (id: string, file: string, ruleId = 'sql-injection', extra: Partial<FindingState> = {}): FindingState => ({
  id,
  fingerprint: `${id}-fp`,
  severity: 'high',
  status: 'pending',
  hasPatch: false,
  ruleId,
  cwe: ruleId === 'sql-injection' ? 'CWE-89' : 'CWE-78',
  file,
  ...extra,
});

test('a path prefix matches whole segments, with or without a trailing or leading slash', () => {
  const f = finding('a', 'test/unit/a.js');
  for (const pathPrefix of ['test', 'test/', '/test', './test/', 'test/unit', 'test/unit/a.js']) {
    assert.ok(matchesFilter(f, { pathPrefix }), pathPrefix);
  }
  for (const pathPrefix of ['tes', 'tests', 'test/u', 'unit']) assert.ok(!matchesFilter(f, { pathPrefix }), pathPrefix);
});

test('criteria combine: rule, class (any case), severities and path must all hold', () => {
  const f = finding('a', 'src/a.js', 'command-injection', { severity: 'critical' });
  assert.ok(matchesFilter(f, { ruleId: 'command-injection', cwe: 'cwe-78', severity: ['critical', 'low'], pathPrefix: 'src' }));
  assert.ok(!matchesFilter(f, { ruleId: 'command-injection', severity: ['high'] }));
  assert.ok(!matchesFilter(f, { cwe: 'CWE-89' }));
});

test('a selection is ids or a filter with a criterion; unknown ids are named', () => {
  const all = [finding('a', 'src/a.js'), finding('b', 'test/b.js')];
  assert.equal(selectFindings(all, {}).ok, false);
  assert.equal(selectFindings(all, { findingIds: ['a'], filter: { ruleId: 'x' } }).ok, false);
  assert.equal(selectFindings(all, { filter: {} }).ok, false, 'an empty filter never means "everything"');
  assert.equal(selectFindings(all, { filter: { pathPrefix: '/' } }).ok, false, 'nor does the root as a prefix');
  const unknown = selectFindings(all, { findingIds: ['a', 'zz'] });
  assert.ok(!unknown.ok && unknown.problem === 'unknown_ids' && unknown.unknownIds?.[0] === 'zz');
  const chosen = selectFindings(all, { filter: { pathPrefix: 'test/' } });
  assert.ok(chosen.ok);
  assert.deepEqual(chosen.findings.map((f) => f.id), ['b']);
});

test('the outcome: pending ones change, same-way ones are unchanged, other-way ones are conflicts', () => {
  const r = decisionOutcome(
    [
      finding('a', 'x.js'),
      finding('b', 'x.js', 'sql-injection', { status: 'rejected', decidedBy: 'bob' }),
      finding('c', 'x.js', 'sql-injection', { status: 'approved', decidedBy: 'carol' }),
    ],
    'reject',
  );
  assert.deepEqual(r, { status: 'rejected', matched: 3, changed: ['a'], unchanged: 1, conflicts: [{ findingId: 'c', status: 'approved', decidedBy: 'carol' }] });
});

test('packed finding state round-trips and lists each repeated string once', () => {
  const findings = Array.from({ length: 50 }, (_, i) =>
    finding(`f${i}`, `src/file${i % 5}.js`, i % 2 ? 'sql-injection' : 'command-injection', {
      severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
      status: (['pending', 'approved', 'rejected'] as const)[i % 3],
      hasPatch: i % 2 === 0,
      ...(i % 3 ? { decidedBy: 'alice' } : {}),
      ...(i % 7 === 0 ? { carriedOver: true } : {}),
    }),
  );
  const table = packFindings(findings);
  assert.deepEqual(unpackFindings(JSON.parse(JSON.stringify(table))), findings);
  assert.equal(table.strings.length, 5 + 2 + 2 + 1);
});
