// Analyses running at once on one engine instance are independent: each equals its solo run, a re-analysis
// reuses only its own repository's kept state (never another repository's or another tenant's), a failed
// analysis leaves the kept state as it was, and the instance keeps a bounded number of repositories.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createBuiltinEngine, ENGINE_NAME, ENGINE_VERSION, type BuiltinEngine } from '../../activities/engines/builtin/index.js';
import { createAnalysisCache } from '../../activities/engines/builtin/cache.js';
import { mergeState, planIncremental } from '../../activities/incremental.js';
import type { EngineOutput } from '../../activities/model.js';
import { canonical, editModel, repoA, repoB, sharedFile } from '../helpers/concurrent-analyses.js';
import { memoryFiles } from './helpers.js';

type Files = Record<string, string>;

const A = repoA();
const B = repoB();
const KEY_A = JSON.stringify(['default', '/repos/a']);
const KEY_B = JSON.stringify(['default', '/repos/b']);

/** Every file of the analysis came from the kept state / none did. */
const reusedAll = (e: BuiltinEngine, key: string) => {
  const s = e.cacheStats(key);
  return !!s && s.files > 0 && s.reused === s.files;
};
const reusedNone = (e: BuiltinEngine, key: string) => {
  const s = e.cacheStats(key);
  return !!s && s.files > 0 && s.reused === 0;
};

/** A full analysis by a fresh instance: nothing kept from anything else. */
const cold = async (files: Files) => (await createBuiltinEngine().analyse({ files: memoryFiles(files), scope: null })).candidates;

/** The candidates of an incremental re-analysis after `before` → `after`, merged as the reason stage merges them. */
async function rescan(engine: BuiltinEngine, key: string, beforeFiles: Files, beforeOut: EngineOutput, after: Files) {
  const present = new Set(Object.keys(after));
  const state = mergeState(undefined, { engine: ENGINE_NAME, engineVersion: ENGINE_VERSION, dependencies: beforeOut.dependencies, candidates: beforeOut.candidates }, new Set(Object.keys(beforeFiles)));
  const changed = Object.keys(after).filter((p) => beforeFiles[p] !== after[p]);
  const plan = planIncremental(state, { added: [], changed, removed: [] }, present);
  const out = await engine.analyse({ files: memoryFiles(after), scope: plan.scope, cacheKey: key });
  return [...plan.carried, ...out.candidates];
}

describe('builtin engine: concurrent analyses are independent', () => {
  let soloA: string;
  let soloB: string;
  before(async () => {
    soloA = canonical(await cold(A));
    soloB = canonical(await cold(B));
    // Not vacuous: both repositories have findings, and different ones.
    assert.ok(JSON.parse(soloA).length >= 3 && JSON.parse(soloB).length >= 3, 'both repositories have findings');
    assert.notEqual(soloA, soloB);
  });

  test('two repositories analysed at once on one instance equal their solo runs; re-analyses reuse only their own state', async () => {
    const engine = createBuiltinEngine();
    const events: string[] = [];
    const run = (files: Files, key: string, label: string) =>
      engine.analyse({ files: memoryFiles(files), scope: null, cacheKey: key, onProgress: () => events.push(label) });
    const [outA, outB] = await Promise.all([run(A, KEY_A, 'A'), run(B, KEY_B, 'B')]);
    // The two really ran interleaved (the engine yields to the event loop while it works), not one after the other.
    const switches = events.filter((e, i) => i > 0 && e !== events[i - 1]).length;
    assert.ok(switches >= 2, `the analyses interleaved (progress order: ${events.join('')})`);
    assert.equal(canonical(outA.candidates), soloA, 'A analysed beside B = A alone');
    assert.equal(canonical(outB.candidates), soloB, 'B analysed beside A = B alone');
    assert.ok(reusedNone(engine, KEY_A) && reusedNone(engine, KEY_B), 'both ran cold');

    // Again at once: an edit of A re-analysed incrementally beside an unchanged B. Each reuses its own kept state.
    const edited = editModel(A, sharedFile(A, B));
    const [mergedA, againB] = await Promise.all([
      rescan(engine, KEY_A, A, outA, edited),
      engine.analyse({ files: memoryFiles(B), scope: null, cacheKey: KEY_B }),
    ]);
    const statsA = engine.cacheStats(KEY_A)!;
    assert.ok(statsA.reused > 0 && statsA.reused < statsA.files, `A reused its unchanged files only (${statsA.reused}/${statsA.files})`);
    assert.ok(reusedAll(engine, KEY_B), 'unchanged B reused everything');
    const fullEdited = canonical(await cold(edited));
    assert.notEqual(fullEdited, soloA, 'the edit changes the findings');
    assert.equal(canonical(mergedA), fullEdited, 'incremental A beside B = full analysis of the edited A');
    assert.equal(canonical(againB.candidates), soloB);

    // A third analysis of A after the second: served from A's kept state, identical to a full run.
    const third = await engine.analyse({ files: memoryFiles(edited), scope: null, cacheKey: KEY_A });
    assert.ok(reusedAll(engine, KEY_A), 'the third analysis reused everything');
    assert.equal(canonical(third.candidates), fullEdited);
  });

  test("a change to A's file never reuses B's kept program, even where their files are identical", async () => {
    const file = sharedFile(A, B);
    const edited = editModel(A, file);
    // Only B was analysed on this instance: A starts cold although B's identical files are kept.
    const onlyB = createBuiltinEngine();
    await onlyB.analyse({ files: memoryFiles(B), scope: null, cacheKey: KEY_B });
    const outA = await onlyB.analyse({ files: memoryFiles(A), scope: null, cacheKey: KEY_A });
    assert.ok(reusedNone(onlyB, KEY_A), "nothing of B's was reused for A");
    assert.equal(canonical(outA.candidates), soloA);
    // The same repository under another tenant's key is another repository.
    await onlyB.analyse({ files: memoryFiles(B), scope: null, cacheKey: JSON.stringify(['other-tenant', '/repos/b']) });
    assert.ok(reusedNone(onlyB, JSON.stringify(['other-tenant', '/repos/b'])), 'no reuse across tenants');

    // A's edit re-analysed: the same reuse as an instance that never saw B, and the result of a full run.
    const both = createBuiltinEngine();
    const warmA = await both.analyse({ files: memoryFiles(A), scope: null, cacheKey: KEY_A });
    await both.analyse({ files: memoryFiles(B), scope: null, cacheKey: KEY_B });
    const merged = await rescan(both, KEY_A, A, warmA, edited);
    const onlyA = createBuiltinEngine();
    await onlyA.analyse({ files: memoryFiles(A), scope: null, cacheKey: KEY_A });
    await rescan(onlyA, KEY_A, A, warmA, edited);
    assert.deepEqual(both.cacheStats(KEY_A), onlyA.cacheStats(KEY_A), "B's kept program changed nothing in A's re-analysis");
    assert.equal(canonical(merged), canonical(await cold(edited)));
    // And B's kept state is untouched by A's change.
    const b = await both.analyse({ files: memoryFiles(B), scope: null, cacheKey: KEY_B });
    assert.ok(reusedAll(both, KEY_B));
    assert.equal(canonical(b.candidates), soloB);
  });

  test('two analyses of the same repository at once are both correct (one takes the kept state, the other runs cold)', async () => {
    const engine = createBuiltinEngine();
    await engine.analyse({ files: memoryFiles(A), scope: null, cacheKey: KEY_A });
    const edited = editModel(A, sharedFile(A, B));
    const [x, y] = await Promise.all([
      engine.analyse({ files: memoryFiles(A), scope: null, cacheKey: KEY_A }),
      engine.analyse({ files: memoryFiles(edited), scope: null, cacheKey: KEY_A }),
    ]);
    assert.equal(canonical(x.candidates), soloA);
    assert.equal(canonical(y.candidates), canonical(await cold(edited)));
  });

  test('a failed analysis leaves the kept state as it was', async () => {
    const engine = createBuiltinEngine();
    await engine.analyse({ files: memoryFiles(A), scope: null, cacheKey: KEY_A });
    const ac = new AbortController();
    const edited = editModel(A, sharedFile(A, B));
    await assert.rejects(
      engine.analyse({ files: memoryFiles(edited), scope: null, cacheKey: KEY_A, signal: ac.signal, onProgress: (p) => p.phase === 'summaries' && ac.abort(new Error('stop')) }),
      /stop/,
    );
    const again = await engine.analyse({ files: memoryFiles(A), scope: null, cacheKey: KEY_A });
    assert.ok(reusedAll(engine, KEY_A), 'the earlier state was given back');
    assert.equal(canonical(again.candidates), soloA);
  });

  test('the instance keeps a bounded number of repositories', async () => {
    const one = createBuiltinEngine({ cache: { programs: 1, bytes: Number.MAX_SAFE_INTEGER } });
    await one.analyse({ files: memoryFiles(A), scope: null, cacheKey: KEY_A });
    await one.analyse({ files: memoryFiles(B), scope: null, cacheKey: KEY_B });
    assert.equal(one.cacheStats(KEY_A), undefined, 'A was evicted for B');
    const a = await one.analyse({ files: memoryFiles(A), scope: null, cacheKey: KEY_A });
    assert.ok(reusedNone(one, KEY_A));
    assert.equal(canonical(a.candidates), soloA);

    const none = createBuiltinEngine({ cache: { programs: 0, bytes: 0 } });
    await none.analyse({ files: memoryFiles(A), scope: null, cacheKey: KEY_A });
    assert.equal(none.cacheStats(KEY_A), undefined, 'programs: 0 keeps nothing');
  });
});

describe('analysis cache (LRU of generations)', () => {
  const gen = (weight: number) => ({ value: weight, weight, stats: { reused: 0, files: 1 } });

  test('take removes, put evicts the least recently stored beyond the count and the weight, the newest always stays', () => {
    const c = createAnalysisCache<number>({ programs: 2, bytes: 100 });
    c.put('a', gen(10));
    c.put('b', gen(10));
    c.put('c', gen(10));
    assert.deepEqual(c.keys(), ['b', 'c']);
    c.put('b', gen(10)); // b is now the most recent
    c.put('d', gen(85));
    assert.deepEqual(c.keys(), ['b', 'd'], 'c was the least recently stored');
    c.put('e', gen(10));
    assert.deepEqual(c.keys(), ['d', 'e'], 'three were over the count: b went');
    c.put('f', gen(10));
    assert.deepEqual(c.keys(), ['e', 'f'], 'd (85) + e (10) + f (10) is over the weight: d went');
    c.put('huge', gen(1000));
    assert.deepEqual(c.keys(), ['huge'], 'one generation over the weight limit is still kept');
    assert.equal(c.take('huge')?.value, 1000);
    assert.equal(c.take('huge'), undefined, 'taken: another analysis of the key runs cold');
  });

  test('giveBack restores a taken generation unless a newer one was stored meanwhile', () => {
    const c = createAnalysisCache<number>({ programs: 4, bytes: 1000 });
    c.put('a', gen(1));
    const taken = c.take('a')!;
    c.giveBack('a', taken);
    assert.equal(c.take('a')?.value, 1);
    c.put('a', gen(2));
    c.giveBack('a', taken);
    assert.equal(c.take('a')?.value, 2);
  });
});
