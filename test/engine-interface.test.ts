// The engine interface: every engine plugs into the scan as a ScanEngine (reasoning, then verification), and its
// results reach the store through the same stage code — the incremental plan, the record of candidates, scope and
// kept state, one verdict per candidate carrying its confidence, which scoring caps by. The built-in engine's
// plug-in is driven here through the real activities on a real SQLite store and a real git repository.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createActivities } from '../activities/index.js';
import { createBuiltinEngine, createBuiltinVerifier } from '../activities/engines/builtin/index.js';
import { evidenceConfidence } from '../activities/confidence.js';
import type { Candidate, ScanEngine, Verdict } from '../activities/model.js';
import { confidenceFor } from '../activities/scoring.js';
import { planReasoning, recordReasoning, recordVerdicts } from '../activities/stages/engine-results.js';
import { memoisedPass } from '../activities/stages/claude/pass.js';
import { ZERO_USAGE } from '../activities/engines/claude/config.js';
import { openSqliteStore } from '../activities/store/sqlite-store.js';
import { builtinEngine } from '../workflows/engines.js';
import { gitRepoFromFixture } from './helpers/scan-harness.js';
import { fixture } from './claude/brain.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'vigil-engine-'));
const ids = { scanId: 'scn_engine', tenant: 't', repoKey: '/repo' };

function candidate(id: string, evidence: Candidate['evidence'] = {}): Candidate {
  return {
    id,
    engine: 'test',
    ruleId: 'sql-injection',
    cwe: 'CWE-89',
    title: 't',
    location: { file: 'a.js', startLine: 1, endLine: 1 },
    origin: 'a.js',
    trace: [],
    explanation: '',
    dependsOn: ['a.js'],
    evidence,
  };
}

test('the built-in engine through its ScanEngine plug-in: reasoning then verification, verdicts carrying confidence', async () => {
  const dir = tmp();
  const store = openSqliteStore(join(dir, 'vigil.db'));
  const acts = createActivities({
    store,
    workDir: dir,
    engines: { builtin: createBuiltinEngine() },
    verifiers: { builtin: createBuiltinVerifier() },
  });
  const repo = gitRepoFromFixture(fixture, dir);
  const input = { ...ids, repoKey: repo, source: { kind: 'local' as const, path: repo }, engine: 'builtin' as const, requestedBy: 'test' };
  const snap = await acts.snapshot({ ...input, workflowId: 'wf', runId: 'run' });
  await acts.merkleSync({ ...ids, repoKey: repo, snapshotId: snap.snapshotId });
  const engine: ScanEngine = builtinEngine(acts, { ...input, scanId: ids.scanId, tenant: ids.tenant }, snap.snapshotId);
  assert.equal(engine.name, 'builtin');
  const reasoning = await engine.reason();
  assert.ok(reasoning.candidates > 0 && reasoning.filesInScope === snap.files);
  const verification = await engine.verify();
  assert.equal(verification.confirmed + verification.rejected + verification.uncertain, reasoning.candidates);
  const candidates = (await store.getArtifact(ids.tenant, ids.scanId, 'candidates'))!;
  const verdicts = (await store.getArtifact(ids.tenant, ids.scanId, 'verdicts'))!;
  for (const c of candidates) {
    const v = verdicts.find((x) => x.candidateId === c.id)!;
    assert.equal(v.confidence, evidenceConfidence(c.evidence), `${c.id}: the verifier's confidence is what its evidence earns`);
  }
  assert.ok(await store.getAnalysisState(ids.tenant, repo, (await store.getArtifact(ids.tenant, ids.scanId, 'merkle-diff'))!.rootHash, 'builtin'));
  await store.close();
});

test('scoring caps by the verdict\'s own confidence, not by evidence flags', () => {
  const full = candidate('c', { sourceIsRequestInput: true, reachableFromMountedRoute: true });
  const bare = candidate('c');
  const v = (verdict: Verdict['verdict'], confidence?: Verdict['confidence']): Verdict => ({ candidateId: 'c', verdict, reasons: [], verifier: 'v', ...(confidence ? { confidence } : {}) });
  assert.equal(confidenceFor(bare, v('confirmed', 'high')), 'high', 'a panel\'s unanimous vote needs no forged evidence');
  assert.equal(confidenceFor(bare, v('confirmed', 'medium')), 'medium');
  assert.equal(confidenceFor(full, v('confirmed', 'medium')), 'medium', 'the verdict caps what the evidence would earn');
  assert.equal(confidenceFor(full, v('uncertain', 'high')), 'low', 'uncertain caps at low');
  assert.equal(confidenceFor(full, v('confirmed')), 'high', 'a verdict stored without confidence: the evidence, as before');
  assert.equal(confidenceFor(bare, v('confirmed')), 'low');
});

test('the shared plan: full without kept state or with another engine version, incremental with it', async () => {
  const store = openSqliteStore(join(tmp(), 'vigil.db'));
  const engine = { name: 'e', version: '2' };
  await assert.rejects(planReasoning(store, ids, engine, ['a.js']), /no Merkle diff/);
  await store.putArtifact(ids.tenant, ids.scanId, 'merkle-diff', { rootHash: 'r2', previousRoot: 'r1', added: [], changed: ['b.js'], removed: [], unchanged: 1 });
  const full = await planReasoning(store, ids, engine, ['a.js', 'b.js']);
  assert.equal(full.incremental, undefined);
  assert.deepEqual(full.filesInScope, ['a.js', 'b.js']);
  const kept = { engine: 'e', engineVersion: '2', dependencies: { 'a.js': [], 'b.js': [] }, candidates: [candidate('old')] };
  await store.putAnalysisState(ids.tenant, ids.repoKey, 'r1', { ...kept, engineVersion: '1' });
  assert.equal((await planReasoning(store, ids, engine, ['a.js', 'b.js'])).incremental, undefined, 'another version: full');
  await store.putAnalysisState(ids.tenant, ids.repoKey, 'r1', kept);
  const inc = await planReasoning(store, ids, engine, ['a.js', 'b.js']);
  assert.deepEqual(inc.filesInScope, ['b.js']);
  assert.deepEqual(inc.incremental?.carried.map((c) => c.id), ['old']);
  // This snapshot's own import graph (Claude's leads) overrides the kept one: a.js now imports b.js.
  const withGraph = await planReasoning(store, ids, engine, ['a.js', 'b.js'], { 'a.js': ['b.js'], 'b.js': [] });
  assert.deepEqual(withGraph.filesInScope, ['a.js', 'b.js']);
  await store.close();
});

test('the shared record: candidates sorted, scope, state kept only when reasoning ran whole; one verdict per candidate', async () => {
  const store = openSqliteStore(join(tmp(), 'vigil.db'));
  const diff = { rootHash: 'root', added: [], changed: [], removed: [], unchanged: 2 };
  const record = (keepState: boolean) =>
    recordReasoning(store, ids, {
      engine: { name: 'e', version: '1' },
      plan: { diff, mode: 'full', filesInScope: ['a.js', 'b.js'] },
      paths: ['a.js', 'b.js'],
      candidates: [candidate('z'), candidate('a')],
      carriedOver: 0,
      analysedFiles: ['a.js'],
      dependencies: { 'a.js': [], gone: [] },
      keepState,
    });
  const counts = await record(false);
  assert.deepEqual(counts, { filesInScope: 2, filesAnalysed: 1, candidates: 2, carriedOver: 0, candidateIds: ['a', 'z'] });
  assert.deepEqual((await store.getArtifact(ids.tenant, ids.scanId, 'candidates'))!.map((c) => c.id), ['a', 'z']);
  assert.deepEqual((await store.getArtifact(ids.tenant, ids.scanId, 'scope'))!.analysedFiles, ['a.js']);
  assert.equal(await store.getAnalysisState(ids.tenant, ids.repoKey, 'root', 'e'), undefined, 'a cut-short reasoning keeps no state');
  await record(true);
  assert.deepEqual((await store.getAnalysisState(ids.tenant, ids.repoKey, 'root', 'e'))?.dependencies, { 'a.js': [], gone: [] });

  const verdict = (id: string, kind: Verdict['verdict']): Verdict => ({ candidateId: id, verdict: kind, reasons: [], verifier: 'v', confidence: 'low' });
  await assert.rejects(recordVerdicts(store, ids, 'v', [candidate('a'), candidate('z')], [verdict('a', 'confirmed')]), /left 1 candidate/);
  assert.deepEqual(await recordVerdicts(store, ids, 'v', [candidate('a'), candidate('z')], [verdict('a', 'confirmed'), verdict('z', 'uncertain')]), { confirmed: 1, rejected: 0, uncertain: 1 });
  await store.close();
});

test('one memoised-pass helper: a pass that completed is not run again; its stored output answers', async () => {
  const store = openSqliteStore(join(tmp(), 'vigil.db'));
  let runs = 0;
  const pass = () =>
    memoisedPass(store, ids, 'claude:pass:p1', (a) => ({ findings: a.candidates.length, turns: a.turns }), async () => {
      runs++;
      return { passId: 'p1', candidates: [candidate('x')], malformed: 0, dropped: false, turns: 3, budgetStopped: false, usage: ZERO_USAGE };
    });
  assert.deepEqual(await pass(), { findings: 1, turns: 3 });
  assert.deepEqual(await pass(), { findings: 1, turns: 3 });
  assert.equal(runs, 1);
  // A pass that failed stores nothing: the retry runs it.
  await assert.rejects(memoisedPass(store, ids, 'claude:pass:p2', () => 0, async () => Promise.reject(new Error('model down'))));
  assert.equal(await store.getArtifact(ids.tenant, ids.scanId, 'claude:pass:p2'), undefined);
  await store.close();
});
