// Zero import cycles across the source trees, type-only imports included (issue 12), checked with madge. A
// cycle hides which module owns what: types belong in the module that defines the thing, and a module that
// names a shape (the artefact catalogue, activities/artifacts.ts) must not import the code that stores it.
// The built-in engine's own cycles are listed below and tolerated for now: they are being removed in
// activities/engines/builtin/ (test/engine/import-cycles.test.ts already keeps its runtime imports acyclic).
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import madge from 'madge';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TREES = ['activities', 'api', 'workers', 'workflows', 'infra'];
const ENGINE = 'activities/engines/builtin/';

async function graph() {
  return madge(
    TREES.map((t) => join(ROOT, t)),
    { baseDir: ROOT, fileExtensions: ['ts'], tsConfig: join(ROOT, 'tsconfig.json') },
  );
}

test('no import cycles outside the built-in engine, type-only imports included', { timeout: 120_000 }, async (t) => {
  const result = await graph();
  const edges = result.obj();
  // The check sees what it should: every tree, resolved `.js` specifiers, and type-only imports.
  for (const tree of TREES) assert.ok(Object.keys(edges).some((f) => f.startsWith(`${tree}/`)), `madge read no file of ${tree}/`);
  assert.ok(edges['activities/store/store.ts']?.includes('activities/artifacts.ts'), 'a type-only import is an edge');
  assert.deepEqual(result.warnings().skipped, [], 'every import resolves');

  const cycles = result.circular();
  const outside = cycles.filter((cycle) => !cycle.every((file) => file.startsWith(ENGINE)));
  assert.deepEqual(outside.map((c) => c.join(' > ')), [], 'import cycles outside activities/engines/builtin/');
  // Tolerated for now (another change removes them): cycles lying entirely inside the engine.
  const tolerated = cycles.filter((cycle) => !outside.includes(cycle));
  if (tolerated.length) t.diagnostic(`${tolerated.length} import cycle(s) inside ${ENGINE} tolerated for now:`);
  for (const cycle of tolerated) t.diagnostic(`  ${cycle.map((f) => f.slice(ENGINE.length)).join(' > ')}`);
});
