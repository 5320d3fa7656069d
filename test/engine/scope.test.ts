// Engine contract: scope, analysedFiles, the dependency map, file selection, determinism, progress, abort.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBuiltinEngine } from '../../activities/engines/builtin/index.js';
import { analyse, APP, memoryFiles } from './helpers.js';

const project: Record<string, string> = {
  'app.js': APP,
  'routes.js': `const express = require('express');
const { find } = require('./db/users');
const admin = require('./admin');
const router = express.Router();
router.get('/u', (req, res) => find(req.query.n, (e, r) => res.json(r)));
router.use('/admin', admin);
module.exports = router;
`,
  'admin.js': `const { Router } = require('express');
const r = Router();
r.post('/eval', (req, res) => res.json(eval(req.body.x)));
module.exports = r;
`,
  'db/users.js': `const pool = require('./pool');
exports.find = (n, cb) => pool.query('SELECT * FROM u WHERE n = ' + n, cb);
`,
  'db/pool.js': `module.exports = require('mysql').createPool({});\n`,
};

describe('builtin engine: scope and dependencies', () => {
  test('no scope: every analysable file is analysed and every origin reported', async () => {
    const out = await analyse(project);
    assert.deepEqual(out.analysedFiles, ['admin.js', 'app.js', 'db/pool.js', 'db/users.js', 'routes.js']);
    assert.deepEqual(out.candidates.map((c) => [c.ruleId, c.origin, c.evidence.route]), [
      ['code-injection', 'admin.js', 'POST /api/admin/eval'],
      ['sql-injection', 'routes.js', 'GET /api/u'],
    ]);
  });

  test('scope: only candidates whose origin is in scope, though other files feed the summaries', async () => {
    const out = await analyse(project, ['routes.js']);
    assert.deepEqual(out.analysedFiles, ['routes.js']);
    assert.deepEqual(out.candidates.map((c) => `${c.ruleId}@${c.location.file}`), ['sql-injection@db/users.js']);
    // A scope holding only the sink's file reports nothing: the origin is elsewhere.
    const sinkOnly = await analyse(project, ['db/users.js']);
    assert.deepEqual(sinkOnly.candidates, []);
    assert.deepEqual(sinkOnly.analysedFiles, ['db/users.js']);
    // Files outside the snapshot in scope are not "analysed".
    assert.deepEqual((await analyse(project, ['nope.js'])).analysedFiles, []);
  });

  test('dependencies: every parsed file maps to the repository files it imports, resolved', async () => {
    const out = await analyse({
      ...project,
      'src/index.ts': `import { a } from './a.js';\nexport * from './b';\nexport { c } from './c/index.js';\nimport type { T } from './types';\nconst lazy = () => import('./lazy');\nimport express from 'express';\nimport x = require('./x');\n`,
      'src/a.ts': 'export const a = 1;\n',
      'src/b.tsx': 'export const b = 2;\n',
      'src/c/index.ts': 'export const c = 3;\n',
      'src/types.d.ts': 'export type T = number;\n',
      'src/types.ts': 'export type T = number;\n',
      'src/lazy.mjs': 'export default 1;\n',
      'src/x.cts': 'export = 1;\n',
    });
    assert.deepEqual(out.dependencies['src/index.ts'], ['src/a.ts', 'src/b.tsx', 'src/c/index.ts', 'src/lazy.mjs', 'src/types.ts', 'src/x.cts']);
    assert.deepEqual(out.dependencies['routes.js'], ['admin.js', 'db/users.js']);
    assert.deepEqual(out.dependencies['app.js'], ['routes.js']);
    assert.deepEqual(out.dependencies['db/pool.js'], []);
    assert.equal(out.dependencies['src/types.d.ts'], undefined, 'declaration files are not analysed');
  });

  test('file selection: node_modules, declaration files, minified and non-JS files are skipped', async () => {
    const out = await analyse({
      ...project,
      'node_modules/x/index.js': 'eval(process.argv[2]);\n',
      'public/app.min.js': 'var a=1;',
      'public/bundle.js': `${'var a=1,b=2,c=3;'.repeat(2000)}\n`,
      'README.md': '# hi\n',
      'types.d.ts': 'declare const x: number;\n',
    });
    assert.deepEqual(out.analysedFiles, ['admin.js', 'app.js', 'db/pool.js', 'db/users.js', 'routes.js']);
  });

  test('results are deterministic and independent of path order', async () => {
    const a = await analyse(project);
    const reversed = Object.fromEntries(Object.entries(project).reverse());
    const b = await createBuiltinEngine().analyse({
      files: { paths: () => Object.keys(reversed), read: (p) => reversed[p] },
      scope: null,
    });
    assert.deepEqual(JSON.parse(JSON.stringify(b)), JSON.parse(JSON.stringify(a)));
    assert.deepEqual(await analyse(project), a);
  });

  test('progress is reported and an aborted signal stops the analysis', async () => {
    const phases = new Set<string>();
    await createBuiltinEngine().analyse({ files: memoryFiles(project), scope: null, onProgress: (p) => phases.add(p.phase) });
    assert.ok(phases.has('parse') && phases.has('summaries'), [...phases].join(','));
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(createBuiltinEngine().analyse({ files: memoryFiles(project), scope: null, signal: ac.signal }), /stop/);
  });

  test('a large generated code base is analysed quickly', async () => {
    const files: Record<string, string> = { 'app.js': APP, 'routes.js': "const r = require('express').Router();\nmodule.exports = r;\n" };
    for (let i = 0; i < 200; i++) {
      files[`lib/m${i}.js`] = `const next = require('./m${(i + 1) % 200}');\n${Array.from({ length: 20 }, (_, j) => `exports.f${j} = function f${j}(a, b) {\n  const s = 'x' + a + b;\n  return next.f${(j + 1) % 20} ? s.trim() : s;\n};\n`).join('')}`;
    }
    const start = Date.now();
    const out = await analyse(files);
    assert.equal(out.analysedFiles.length, 202);
    assert.ok(Date.now() - start < 10_000, `took ${Date.now() - start} ms`);
  });
});
