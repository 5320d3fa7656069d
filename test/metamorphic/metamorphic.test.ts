// The metamorphic suite: every detection case re-expressed by rewrite.ts in the idioms other people write Express
// handlers in (constructor functions, prototypes, classes, factories, controller modules, route tables, promise
// chains). The invariant: what the engine finds on a case it finds in every idiom, and the fixed variant, rewritten
// the same way, stays clean. Pairs the engine fails today are listed in known-gaps.json; the test fails when a pair
// fails that is not listed (a regression) and when a listed pair passes (the gap is closed: take it off the list),
// so the list only shrinks.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadCases } from '../detection/suite.js';
import { IDIOMS, rewriteTree, syntaxErrors, type Idiom } from './rewrite.js';
import { checkAsJs, gapKey, gapsOf, readKnownGaps, runAll, type VariantResult } from './run.js';

const cases = loadCases();
const STRUCTURAL: Idiom[] = ['constructor-this', 'prototype-bind', 'class-controller', 'handler-factory', 'exports-object', 'exports-property', 'route-function'];

describe('metamorphic suite', () => {
  let results: VariantResult[] = [];
  before(async () => {
    results = await runAll(cases);
  });

  test('the rewriter produces each idiom from a small Express app', () => {
    const app = {
      'app.js': "const express = require('express');\nconst users = require('./routes/users');\n\nconst app = express();\napp.use('/users', users);\napp.listen(3000);\n",
      'routes/users.js':
        "const express = require('express');\nconst db = require('../db');\n\nconst router = express.Router();\n\n// GET /users/:id\nrouter.get('/:id', async (req, res) => {\n  const user = await db.find(req.params.id);\n  res.json(user);\n});\n\nmodule.exports = router;\n",
    };
    const shapes: Record<Exclude<Idiom, 'original'>, RegExp[]> = {
      'constructor-this': [/function UsersController\(\) \{\n  this\.getById = async \(req, res\) =>/, /const usersController = new UsersController\(\);/, /router\.get\('\/:id', usersController\.getById\);/],
      'prototype-bind': [/UsersController\.prototype\.getById = async function \(req, res\) \{/, /usersController\.getById\.bind\(usersController\)/],
      'class-controller': [/class UsersController \{\n  async getById\(req, res\) \{/, /\(req, res\) => usersController\.getById\(req, res\)/],
      'handler-factory': [/function makeGetByIdHandler\(\{ db \}\) \{\n  return async \(req, res\) =>/, /router\.get\('\/:id', makeGetByIdHandler\(\{ db \}\)\);/],
      'exports-object': [/module\.exports = \{\n  async getById\(req, res\) \{/],
      'exports-property': [/exports\.getById = async \(req, res\) =>/],
      'route-function': [/module\.exports = function usersRoutes\(router\) \{\n  \/\/ GET \/users\/:id\n  router\.get\('\/:id', async/],
      'promise-then': [/router\.get\('\/:id', \(req, res\) => \{\n  return db\.find\(req\.params\.id\)\.then\(\(user\) => \{\n    res\.json\(user\);\n  \}\);\n\}\);/],
    };
    for (const [idiom, res] of Object.entries(shapes) as [Exclude<Idiom, 'original'>, RegExp[]][]) {
      const r = rewriteTree(app, idiom);
      assert.ok(r.ok, `${idiom}: ${r.ok ? '' : r.reason}`);
      const text = r.changed.map((p) => r.files[p]).join('\n');
      for (const re of res) assert.match(text, re, `${idiom}: the rewrite does not have the idiom's shape`);
      for (const p of r.changed) assert.deepEqual(syntaxErrors(p, r.files[p]), [], idiom);
    }
    // the routes module no longer holds the handler's code where it moved out
    const moved = rewriteTree(app, 'exports-object');
    assert.ok(moved.ok && moved.files['controllers/users.js'].includes("require('../db')") && !moved.files['routes/users.js'].includes('db.find'));
    assert.deepEqual(rewriteTree({ 'index.js': 'module.exports = (a) => a;\n' }, 'class-controller'), { ok: false, reason: 'no HTTP server: not a request-handler case (library, configuration or client code)' });
  });

  test('every case is rewritten in every idiom, or the reason it cannot be is recorded', () => {
    const errors = results.filter((r) => r.errors.length).map((r) => `${r.case} ${r.idiom}: ${r.errors.join('; ')}`);
    assert.deepEqual(errors, [], 'rewriter defects');
    for (const r of results) if (r.skipped !== undefined) assert.ok(r.skipped.length > 10, `${r.case} ${r.idiom}: skipped without a reason`);
    for (const idiom of STRUCTURAL) {
      const rewritten = results.filter((r) => r.idiom === idiom && r.skipped === undefined).length;
      assert.ok(rewritten * 2 >= cases.length, `${idiom}: only ${rewritten} of ${cases.length} cases rewritten`);
    }
  });

  test('the identity rewrite reproduces the detection suite', () => {
    const original = results.filter((r) => r.idiom === 'original');
    assert.equal(original.length, cases.length);
    for (const r of original) {
      assert.deepEqual(r.missed, [], `${r.case}: missed`);
      assert.deepEqual(r.extra, [], `${r.case}: unexpected findings`);
      assert.deepEqual(r.fixedFindings, [], `${r.case}: fixed variant flagged`);
    }
  });

  test('recall holds and fixed variants stay clean in every idiom (known gaps excepted, and only shrinking)', () => {
    const known = new Set(readKnownGaps().map(gapKey));
    const failing = new Map(results.flatMap((r) => gapsOf(r).map((g) => [gapKey(g), r] as const)));
    const detail = (r: VariantResult) => `missed ${r.missed.join('; ') || '-'}; fixed variant reports ${r.fixedFindings.join('; ') || '-'}`;
    const regressions = [...failing].filter(([k]) => !known.has(k)).map(([k, r]) => `${k} (${detail(r)})`);
    const closed = [...known].filter((k) => !failing.has(k));
    assert.deepEqual(regressions, [], 'pairs that fail and are not in test/metamorphic/known-gaps.json');
    assert.deepEqual(closed, [], 'gaps that are closed now: remove them from test/metamorphic/known-gaps.json');
  });

  test('the rewritten code checks as JavaScript as well as the original does', () => {
    const merge = (pick: (c: (typeof cases)[number]) => Record<string, string> | undefined) =>
      Object.fromEntries(cases.flatMap((c) => Object.entries(pick(c) ?? {}).map(([p, t]) => [`${c.name}/${p}`, t])));
    // "case file-less message": a moved handler's diagnostics may change file and line, not what they say
    const keyed = (diags: string[]) => new Set(diags.map((d) => d.replace(/^([^/]+\/[^/]+)\/\S+:\d+ /, '$1 ')));
    const baseline = keyed(checkAsJs(merge((c) => c.vulnerable)));
    for (const idiom of IDIOMS.filter((i) => i !== 'original')) {
      const rewritten = merge((c) => {
        const r = rewriteTree(c.vulnerable, idiom);
        return r.ok ? r.files : undefined;
      });
      const fresh = [...keyed(checkAsJs(rewritten))].filter((d) => !baseline.has(d));
      assert.deepEqual(fresh, [], `${idiom}: the rewrite introduced name or declaration errors`);
    }
  });
});
