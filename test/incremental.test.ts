import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependentsClosure, mergeState, planIncremental } from '../activities/incremental.js';
import type { AnalysisState, Candidate } from '../activities/model.js';

function candidate(id: string, origin: string, dependsOn: string[]): Candidate {
  return {
    id,
    engine: 'builtin',
    ruleId: 'sql-injection',
    cwe: 'CWE-89',
    title: 't',
    location: { file: dependsOn[dependsOn.length - 1], startLine: 1, endLine: 1 },
    origin,
    trace: [],
    explanation: '',
    dependsOn,
    evidence: {},
  };
}

// app.js -> routes/users.js -> db/users.js ; routes/files.js stands alone.
const previous: AnalysisState = {
  engine: 'builtin',
  engineVersion: '1',
  dependencies: { 'app.js': ['routes/users.js', 'routes/files.js'], 'routes/users.js': ['db/users.js'], 'db/users.js': [], 'routes/files.js': [] },
  candidates: [
    candidate('c1', 'routes/users.js', ['routes/users.js', 'db/users.js']),
    candidate('c2', 'routes/files.js', ['routes/files.js']),
  ],
};
const present = new Set(['app.js', 'routes/users.js', 'db/users.js', 'routes/files.js']);

test('dependents closure follows importers transitively', () => {
  assert.deepEqual([...dependentsClosure(previous.dependencies, ['db/users.js'])].sort(), ['app.js', 'db/users.js', 'routes/users.js']);
  assert.deepEqual([...dependentsClosure(previous.dependencies, ['app.js'])], ['app.js']);
});

test('no change: empty scope, every result carried', () => {
  const plan = planIncremental(previous, { added: [], changed: [], removed: [] }, present);
  assert.equal(plan.scope.size, 0);
  assert.deepEqual(plan.carried.map((c) => c.id), ['c1', 'c2']);
});

test('a changed dependency re-analyses its dependents and drops their old results', () => {
  const plan = planIncremental(previous, { added: [], changed: ['db/users.js'], removed: [] }, present);
  assert.deepEqual([...plan.scope].sort(), ['app.js', 'db/users.js', 'routes/users.js']);
  assert.deepEqual(plan.carried.map((c) => c.id), ['c2']);
});

test('a result that read a changed file is recomputed even when the import graph misses the edge', () => {
  const state = { ...previous, dependencies: { ...previous.dependencies, 'routes/files.js': [] } };
  state.candidates = [candidate('c3', 'routes/files.js', ['routes/files.js', 'lib/shared.js'])];
  const plan = planIncremental(state, { added: [], changed: ['lib/shared.js'], removed: [] }, new Set([...present, 'lib/shared.js']));
  assert.ok(plan.scope.has('routes/files.js'));
  assert.equal(plan.carried.length, 0);
});

test('removed files leave the scope and the merged state', () => {
  const without = new Set([...present].filter((f) => f !== 'routes/files.js'));
  const plan = planIncremental(previous, { added: [], changed: [], removed: ['routes/files.js'] }, without);
  assert.ok(!plan.scope.has('routes/files.js'));
  assert.deepEqual([...plan.scope], ['app.js']);
  assert.deepEqual(plan.carried.map((c) => c.id), ['c1']);
  const merged = mergeState(previous, { engine: 'builtin', engineVersion: '1', dependencies: { 'app.js': ['routes/users.js'] }, candidates: plan.carried }, without);
  assert.ok(!('routes/files.js' in merged.dependencies));
  assert.deepEqual(merged.dependencies['app.js'], ['routes/users.js']);
});
