// Zero import cycles across the source trees, type-only imports included (issue 12), checked with madge. A
// cycle hides which module owns what: types belong in the module that defines the thing, and a module that
// names a shape (the artefact catalogue, activities/artifacts.ts) must not import the code that stores it.
// The built-in engine is held to the same rule: types that refer to each other (the interpreter's Ctx, JsProgram
// and hooks, js/context.ts) live in one module that imports nothing back.
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import madge from 'madge';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TREES = ['activities', 'api', 'workers', 'workflows', 'infra'];

async function graph() {
  return madge(
    TREES.map((t) => join(ROOT, t)),
    { baseDir: ROOT, fileExtensions: ['ts'], tsConfig: join(ROOT, 'tsconfig.json') },
  );
}

test('no import cycles, type-only imports included', { timeout: 120_000 }, async () => {
  const result = await graph();
  const edges = result.obj();
  // The check sees what it should: every tree, resolved `.js` specifiers, and type-only imports.
  for (const tree of TREES) assert.ok(Object.keys(edges).some((f) => f.startsWith(`${tree}/`)), `madge read no file of ${tree}/`);
  assert.ok(edges['activities/store/store.ts']?.includes('activities/artifacts.ts'), 'a type-only import is an edge');
  // The engine included: a plug-in's type-only import of the interpreter's context is an edge.
  assert.ok(edges['activities/engines/builtin/js/hooks.ts']?.includes('activities/engines/builtin/js/context.ts'), 'the engine is read, type-only imports too');
  assert.deepEqual(result.warnings().skipped, [], 'every import resolves');

  assert.deepEqual(result.circular().map((c) => c.join(' > ')), [], 'import cycles');
});
