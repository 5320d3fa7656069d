// Every patch the engine proposes applies with `git apply` and makes its finding disappear on re-analysis.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createUnifiedDiff } from '../../activities/patches/create-diff.js';
import { gitApply } from './gitapply.js';
import { APP, appWith, findings } from './helpers.js';

interface PatchCase {
  name: string;
  files: Record<string, string>;
  rule: string;
  /** Lines the patched file must contain. */
  contains: string[];
}

const cases: PatchCase[] = [
  {
    name: 'sql: mysql concatenation with quotes → ? placeholder, params before the callback',
    rule: 'sql-injection',
    files: appWith(
      "  db.query(\"SELECT * FROM users WHERE name = '\" + req.query.name + \"' AND age > \" + req.query.age, (err, rows) => res.json(rows));",
      "const mysql = require('mysql');\nconst db = mysql.createConnection({});",
    ),
    contains: ["  db.query('SELECT * FROM users WHERE name = ? AND age > ?', [req.query.name, req.query.age], (err, rows) => res.json(rows));"],
  },
  {
    name: 'sql: pg template literal in another file → $1 placeholders, LIKE pattern kept in the parameter',
    rule: 'sql-injection',
    files: {
      'app.js': APP,
      'routes.js': "const router = require('express').Router();\nconst { search } = require('./db');\nrouter.get('/s', async (req, res) => res.json(await search(req.query.q, req.query.n)));\nmodule.exports = router;\n",
      'db.js': "const { Pool } = require('pg');\nconst pool = new Pool();\nexports.search = async (q, n) => {\n  const { rows } = await pool.query(`SELECT * FROM items WHERE title LIKE '%${q}%' LIMIT ${n}`);\n  return rows;\n};\n",
    },
    contains: ["  const { rows } = await pool.query('SELECT * FROM items WHERE title LIKE $1 LIMIT $2', [`%${q}%`, n]);"],
  },
  {
    name: 'sql: query text in a variable, better-sqlite3 prepare(...).all()',
    rule: 'sql-injection',
    files: appWith(
      "  const sql = `SELECT * FROM t WHERE a = ${req.query.a}`;\n  res.json(db.prepare(sql).all());",
      "const Database = require('better-sqlite3');\nconst db = new Database('app.db');",
    ),
    contains: ["  const sql = 'SELECT * FROM t WHERE a = ?';", '  res.json(db.prepare(sql).all(req.query.a));'],
  },
  {
    name: 'command: exec template (ESM named import) → execFile with argv; import adjusted',
    rule: 'command-injection',
    files: {
      'app.js': APP,
      'routes.js': "import { Router } from 'express';\nimport { exec } from 'node:child_process';\nconst router = Router();\nrouter.get('/p', (req, res) => {\n  exec(`ping -c 1 '${req.query.host}'`, (err, out) => res.send(out));\n});\nexport default router;\n",
    },
    contains: ["import { execFile } from 'node:child_process';", "  execFile('ping', ['-c', '1', req.query.host], (err, out) => res.send(out));"],
  },
  {
    name: 'command: cp.execSync with a command variable → cp.execFileSync',
    rule: 'command-injection',
    files: appWith("  const cmd = 'git log --author=' + req.query.who + ' -n 5';\n  res.send(cp.execSync(cmd));", "const cp = require('child_process');"),
    contains: ["  res.send(cp.execFileSync('git', ['log', `--author=${req.query.who}`, '-n', '5']));"],
  },
  {
    name: 'command: exec still used elsewhere → execFile added next to it',
    rule: 'command-injection',
    files: appWith("  exec('ls ' + req.query.dir, () => {});\n  exec('uptime', () => {});", "const { exec } = require('child_process');"),
    contains: ["const { exec, execFile } = require('child_process');", "  execFile('ls', [req.query.dir], () => {});"],
  },
  {
    name: 'path: sendFile(path.join(...)) in a handler → confined, 403 response',
    rule: 'path-traversal',
    files: appWith("  res.sendFile(path.join(__dirname, 'public', req.params.name));", "const path = require('path');"),
    contains: [
      "  const baseDir = path.resolve(__dirname, 'public');",
      '  const safePath = path.resolve(baseDir, req.params.name);',
      '  if (!safePath.startsWith(baseDir + path.sep)) {',
      "    return res.status(403).send('Forbidden');",
      '  res.sendFile(safePath);',
    ],
  },
  {
    name: 'path: helper in another file without res → throws; path module imported when missing',
    rule: 'path-traversal',
    files: {
      'app.js': APP,
      'routes.js': "const router = require('express').Router();\nconst { load } = require('./store');\nrouter.get('/f', async (req, res) => res.send(await load(req.query.f)));\nmodule.exports = router;\n",
      'store.ts': "import { readFile } from 'node:fs/promises';\nimport { join } from 'node:path';\n\nexport async function load(name: string) {\n  const file = join('/var/data', name);\n  return readFile(file, 'utf8');\n}\n",
    },
    contains: ["import path from 'node:path';", "  const baseDir = path.resolve('/var/data');", "    throw new Error('Refusing a path outside the allowed directory');"],
  },
  {
    name: "code: eval('(' + data + ')') → JSON.parse(data)",
    rule: 'code-injection',
    files: appWith("  const obj = eval('(' + req.body.json + ')');\n  res.json(obj);"),
    contains: ['  const obj = JSON.parse(req.body.json);'],
  },
];

describe('builtin engine: patches', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const before = await findings(c.files, c.rule);
      assert.equal(before.length, 1, JSON.stringify(before.map((x) => x.title)));
      const patch = before[0].patch;
      assert.ok(patch, 'a patch is proposed');
      assert.equal(patch.file, before[0].location.file);
      assert.match(patch.diff, new RegExp(`^--- a/${patch.file}\n\\+\\+\\+ b/${patch.file}\n@@ `));
      const after = gitApply(c.files, patch.diff);
      for (const line of c.contains) assert.ok(after[patch.file].split('\n').includes(line), `patched ${patch.file} lacks:\n${line}\n---\n${after[patch.file]}`);
      const again = await findings(after);
      assert.deepEqual(again.filter((x) => x.ruleId === c.rule).map((x) => x.title), [], 'the finding is gone after the patch');
      assert.equal(again.length, (await findings(c.files)).length - 1, 'nothing else changed');
    });
  }

  test('no patch when the fix is not mechanical (tainted program name, identifier position in SQL)', async () => {
    const out = await findings(
      appWith(
        "  exec(req.query.prog + ' --help');\n  db.query('SELECT * FROM ' + req.query.table);\n  eval(req.body.code);",
        "const { exec } = require('child_process');\nconst db = require('mysql').createConnection({});",
      ),
    );
    assert.deepEqual(out.map((c) => [c.ruleId, !!c.patch]).sort(), [['code-injection', false], ['command-injection', false], ['sql-injection', false]]);
  });
});

describe('createUnifiedDiff', () => {
  test('identical texts give an empty diff', () => {
    assert.equal(createUnifiedDiff('a.js', 'x\n', 'x\n'), '');
  });

  test('hunks carry three lines of context and correct ranges', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const after = before.replace('line 10\n', 'line ten\n').replace('line 16\n', '');
    const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ` line ${from + i}`);
    assert.equal(
      createUnifiedDiff('f.txt', before, after),
      ['--- a/f.txt', '+++ b/f.txt', '@@ -7,13 +7,12 @@', ...lines(7, 9), '-line 10', '+line ten', ...lines(11, 15), '-line 16', ...lines(17, 19), ''].join('\n'),
    );
    // Changes further apart than twice the context get separate hunks.
    const far = createUnifiedDiff('f.txt', before, before.replace('line 2\n', 'two\n').replace('line 19\n', 'nineteen\n'));
    assert.deepEqual(far.split('\n').filter((l) => l.startsWith('@@')), ['@@ -1,5 +1,5 @@', '@@ -16,5 +16,5 @@']);
  });

  test('a missing final newline is marked, and the diff applies with git', () => {
    const files = { 'a.txt': 'one\ntwo\nthree' };
    const diff = createUnifiedDiff('a.txt', files['a.txt'], 'one\n2\nthree\nfour\n');
    assert.match(diff, /-three\n\\ No newline at end of file\n(\+.*\n)*\+three\n\+four\n$/);
    assert.equal(gitApply(files, diff)['a.txt'], 'one\n2\nthree\nfour\n');
    const back = createUnifiedDiff('a.txt', 'one\n2\nthree\nfour\n', 'one\ntwo\nthree');
    assert.equal(gitApply({ 'a.txt': 'one\n2\nthree\nfour\n' }, back)['a.txt'], 'one\ntwo\nthree');
  });

  test('insertions at the top and into an empty file', () => {
    assert.equal(gitApply({ 'b.txt': 'x\n' }, createUnifiedDiff('b.txt', 'x\n', 'new\nx\n'))['b.txt'], 'new\nx\n');
    assert.match(createUnifiedDiff('b.txt', 'x\n', 'new\nx\n'), /@@ -1 \+1,2 @@/);
    assert.equal(gitApply({ 'c.txt': '' }, createUnifiedDiff('c.txt', '', 'a\nb\n'))['c.txt'], 'a\nb\n');
  });
});
