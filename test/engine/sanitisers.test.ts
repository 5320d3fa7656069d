// Each sanitiser or safe form cuts the flow: the vulnerable variant is reported, the fixed one is not.
// Pairs keep the tests honest: a fixed variant that reports nothing only counts if its twin reports.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appWith, findings } from './helpers.js';

const MYSQL = `const mysql = require('mysql');\nconst db = mysql.createConnection({});`;
const FS = `const fs = require('fs');\nconst path = require('path');\nconst ROOT = '/srv/files';`;
const CP = `const { exec, execFile, spawn } = require('child_process');`;

interface Pair {
  name: string;
  rule: string;
  head: string;
  vulnerable: string;
  fixed: string;
}

const pairs: Pair[] = [
  {
    name: 'parameterised query (placeholder + params array)',
    rule: 'sql-injection',
    head: MYSQL,
    vulnerable: "  db.query('SELECT * FROM t WHERE n = ' + req.query.n, []);",
    fixed: "  db.query('SELECT * FROM t WHERE n = ?', [req.query.n]);",
  },
  {
    name: 'parseInt / Number / parseFloat / unary plus',
    rule: 'sql-injection',
    head: MYSQL,
    vulnerable: "  const id = req.params.id;\n  db.query('SELECT * FROM t WHERE id = ' + id);",
    fixed:
      "  const id = parseInt(req.params.id, 10);\n  db.query('SELECT * FROM t WHERE id = ' + id + ' AND b = ' + Number(req.query.b) + ' AND c = ' + parseFloat(req.query.c) + ' AND d = ' + +req.query.d);",
  },
  {
    name: 'path.basename',
    rule: 'path-traversal',
    head: FS,
    vulnerable: "  res.send(fs.readFileSync(path.join(ROOT, req.query.f)));",
    fixed: "  res.send(fs.readFileSync(path.join(ROOT, path.basename(req.query.f))));",
  },
  {
    name: 'confinement: path.resolve + startsWith check that returns',
    rule: 'path-traversal',
    head: FS,
    vulnerable: "  const p = path.resolve(ROOT, req.query.f);\n  res.send(fs.readFileSync(p));",
    fixed: "  const p = path.resolve(ROOT, req.query.f);\n  if (!p.startsWith(ROOT + path.sep)) {\n    return res.status(403).end();\n  }\n  res.send(fs.readFileSync(p));",
  },
  {
    name: 'confinement: throw in the else-less guard',
    rule: 'path-traversal',
    head: FS,
    vulnerable: "  const p = path.join(ROOT, req.body.f);\n  fs.unlinkSync(p);",
    fixed: "  const p = path.join(ROOT, req.body.f);\n  if (!p.startsWith(ROOT)) throw new Error('bad path');\n  fs.unlinkSync(p);",
  },
  {
    name: 'allow-list includes() on a variable',
    rule: 'sql-injection',
    head: `${MYSQL}\nconst TABLES = ['users', 'orders'];`,
    vulnerable: "  const t = req.query.t;\n  db.query('SELECT * FROM ' + t);",
    fixed: "  const t = req.query.t;\n  if (!TABLES.includes(t)) return res.status(400).end();\n  db.query('SELECT * FROM ' + t);",
  },
  {
    name: 'allow-list on the request property itself, positive branch',
    rule: 'command-injection',
    head: `${CP}\nconst ALLOWED = new Set(['status', 'log']);`,
    vulnerable: "  exec('git ' + req.query.cmd);",
    fixed: "  if (ALLOWED.has(req.query.cmd)) {\n    exec('git ' + req.query.cmd);\n  }",
  },
  {
    name: 'indexOf() !== -1 allow-list',
    rule: 'code-injection',
    head: "const OPS = ['1+1', '2*3'];",
    vulnerable: '  res.json(eval(req.query.op));',
    fixed: "  if (OPS.indexOf(req.query.op) === -1) return res.status(400).end();\n  res.json(eval(req.query.op));",
  },
  {
    name: 'execFile / spawn with an argument array and no shell',
    rule: 'command-injection',
    head: CP,
    vulnerable: "  exec('ping -c 1 ' + req.query.host);",
    fixed: "  execFile('ping', ['-c', '1', req.query.host]);\n  spawn('ping', ['-c', '1', req.query.host], { shell: false });",
  },
  {
    name: 'mysql.escape and connection.escape',
    rule: 'sql-injection',
    head: MYSQL,
    vulnerable: "  db.query('SELECT * FROM t WHERE a = ' + req.query.a + ' AND b = ' + req.query.b);",
    fixed: "  db.query('SELECT * FROM t WHERE a = ' + mysql.escape(req.query.a) + ' AND b = ' + db.escape(req.query.b));",
  },
  {
    name: 'pg-format',
    rule: 'sql-injection',
    head: "const format = require('pg-format');\nconst { Client } = require('pg');\nconst client = new Client();",
    vulnerable: "  client.query(`SELECT * FROM t WHERE n = '${req.query.n}'`);",
    fixed: "  client.query(format('SELECT * FROM t WHERE n = %L', req.query.n));",
  },
  {
    name: "shell-quote's quote",
    rule: 'command-injection',
    head: `${CP}\nconst { quote } = require('shell-quote');`,
    vulnerable: "  exec('ls ' + req.query.dir);",
    fixed: "  exec('ls ' + quote([req.query.dir]));",
  },
  {
    name: 'regex replace that removes everything outside an allow-list',
    rule: 'command-injection',
    head: CP,
    vulnerable: "  exec('convert ' + req.query.f.replace(/\\s/g, ''));",
    fixed: "  exec('convert ' + req.query.f.replace(/[^a-z0-9_.-]/gi, ''));",
  },
  {
    name: 'anchored allow-list regex test',
    rule: 'sql-injection',
    head: MYSQL,
    vulnerable: "  const c = req.query.col;\n  if (/[a-z]/.test(c)) db.query('SELECT ' + c + ' FROM t');",
    fixed: "  const c = req.query.col;\n  if (/^[a-z_]+$/.test(c)) db.query('SELECT ' + c + ' FROM t');",
  },
  {
    name: 'equality with a constant',
    rule: 'sql-injection',
    head: MYSQL,
    vulnerable: "  const dir = req.query.dir;\n  db.query('SELECT * FROM t ORDER BY n ' + dir);",
    fixed: "  const dir = req.query.dir === 'desc' ? 'DESC' : 'ASC';\n  db.query('SELECT * FROM t ORDER BY n ' + dir);",
  },
  {
    name: 'sendFile with a root option',
    rule: 'path-traversal',
    head: '',
    vulnerable: '  res.sendFile(req.params.name);',
    fixed: "  res.sendFile(req.params.name, { root: '/srv/public' });",
  },
  {
    name: 'reassignment with a sanitised value',
    rule: 'path-traversal',
    head: FS,
    vulnerable: "  let name = req.query.name;\n  name = name.trim();\n  fs.createReadStream(path.join(ROOT, name)).pipe(res);",
    fixed: "  let name = req.query.name;\n  name = path.basename(name);\n  fs.createReadStream(path.join(ROOT, name)).pipe(res);",
  },
];

describe('builtin engine: sanitisers cut the flow', () => {
  for (const p of pairs) {
    test(p.name, async () => {
      const bad = await findings(appWith(p.vulnerable, p.head), p.rule);
      assert.equal(bad.length, 1, `vulnerable variant must be reported once: ${JSON.stringify(bad.map((c) => c.title))}`);
      const good = await findings(appWith(p.fixed, p.head));
      assert.deepEqual(good.map((c) => `${c.ruleId}@${c.location.startLine}`), [], 'fixed variant must not be reported');
    });
  }

  test('a sanitiser for one class does not cut another', async () => {
    const out = await findings(appWith("  db.query('SELECT * FROM t WHERE f = ' + path.basename(req.query.f));", `${MYSQL}\nconst path = require('path');`));
    assert.deepEqual(out.map((c) => c.ruleId), ['sql-injection']);
  });

  test('bypassable filtering is reported with the sanitiser as evidence', async () => {
    const out = await findings(appWith("  const p = req.query.p.replace(/\\.\\.\\//g, '');\n  res.send(fs.readFileSync('/srv/' + p));", FS));
    assert.equal(out.length, 1);
    assert.equal(out[0].ruleId, 'path-traversal');
    assert.ok(out[0].evidence.sanitisersOnPath?.some((s) => s.includes('partial filtering')), JSON.stringify(out[0].evidence));
  });

  test('a startsWith check on a path that was never normalised does not confine it', async () => {
    const out = await findings(appWith("  const p = ROOT + '/' + req.query.p;\n  if (!p.startsWith(ROOT)) return res.end();\n  res.send(fs.readFileSync(p));", FS));
    assert.equal(out.length, 1);
    assert.ok(out[0].evidence.sanitisersOnPath?.some((s) => s.includes('not normalised')));
  });
});
