// Taint flows the built-in engine must follow: each sink class, within a file and across files, through
// the language features and module forms the brief lists. Each case asserts the exact set of findings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APP, appWith, findings, summary } from './helpers.js';

interface Case {
  name: string;
  files: Record<string, string>;
  /** Expected findings as `rule@file:marker`; the marker is text on the sink line. */
  expect: [rule: string, file: string, marker: string][];
}

const lineOf = (files: Record<string, string>, file: string, marker: string) => {
  const i = files[file].split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `marker ${marker} not in ${file}`);
  return i + 1;
};

const MYSQL = `const mysql = require('mysql');\nconst db = mysql.createConnection({});`;

const cases: Case[] = [
  // ---- SQL injection (CWE-89)
  {
    name: 'sql: template literal into mysql query',
    files: appWith("  db.query(`SELECT * FROM t WHERE a = '${req.query.a}'`); // SINK", MYSQL),
    expect: [['sql-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'sql: destructuring + concatenation into a variable, awaited',
    files: appWith("  const { name } = req.body;\n  const sql = 'SELECT * FROM t WHERE n = ' + name;\n  const rows = await db.query(sql); // SINK\n  res.json(rows);", MYSQL),
    expect: [['sql-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'sql: += building',
    files: appWith("  let sql = 'SELECT * FROM t WHERE 1=1';\n  sql += \" AND n = '\" + req.query.n + \"'\";\n  db.query(sql); // SINK", MYSQL),
    expect: [['sql-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'sql: pg client, request named differently, destructured parameter',
    files: {
      'app.js': APP,
      'routes.js': `const express = require('express');
const { Pool } = require('pg');
const pool = new Pool();
const router = express.Router();
router.get('/x', async ({ query }, response) => {
  const r = await pool.query(\`SELECT * FROM t WHERE id = \${query.id}\`); // SINK
  response.json(r.rows);
});
module.exports = router;
`,
    },
    expect: [['sql-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'sql: better-sqlite3 prepare',
    files: appWith("  const rows = db.prepare(\"SELECT * FROM t WHERE n = '\" + req.params.n + \"'\").all(); // SINK", "const Database = require('better-sqlite3');\nconst db = new Database('x.db');"),
    expect: [['sql-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'sql: knex raw and sequelize query',
    files: appWith(
      "  await knex.raw('select * from t where n = ' + req.query.n); // SINK1\n  await sequelize.query(`SELECT * FROM u WHERE x = ${req.query.x}`); // SINK2",
      "const knex = require('knex')({ client: 'pg' });\nconst { Sequelize } = require('sequelize');\nconst sequelize = new Sequelize('sqlite::memory:');",
    ),
    expect: [
      ['sql-injection', 'routes.js', 'SINK1'],
      ['sql-injection', 'routes.js', 'SINK2'],
    ],
  },
  {
    name: 'sql: client recognised by name only (untyped db)',
    files: appWith("  req.app.locals.db.all(\"SELECT * FROM t WHERE n = '\" + req.query.n + \"'\", () => {}); // SINK"),
    expect: [['sql-injection', 'routes.js', 'SINK']],
  },
  // ---- OS command injection (CWE-78)
  {
    name: 'command: cp.exec through a require alias',
    files: appWith("  cp.exec('ls ' + req.query.dir, () => res.end()); // SINK", "const cp = require('child_process');"),
    expect: [['command-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'command: ESM named import from node:child_process (execSync)',
    files: {
      'app.js': APP,
      'routes.js': `import express from 'express';
import { execSync } from 'node:child_process';
const router = express.Router();
router.post('/x', (req, res) => {
  const out = execSync(\`git log \${req.body.ref}\`); // SINK
  res.send(out);
});
export default router;
`,
    },
    expect: [['command-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'command: spawn with shell: true, and spawn with a tainted program name',
    files: appWith(
      "  spawn('sh', ['-c', req.query.cmd], { shell: true }); // SINK1\n  spawn(req.query.prog, ['--version']); // SINK2\n  spawn('ls', [req.query.dir]);",
      "const { spawn } = require('child_process');",
    ),
    expect: [
      ['command-injection', 'routes.js', 'SINK1'],
      ['command-injection', 'routes.js', 'SINK2'],
    ],
  },
  {
    name: 'command: promisified exec',
    files: appWith("  await run(`convert ${req.query.file} out.png`); // SINK", "const util = require('util');\nconst { exec } = require('child_process');\nconst run = util.promisify(exec);"),
    expect: [['command-injection', 'routes.js', 'SINK']],
  },
  // ---- Path traversal (CWE-22)
  {
    name: 'path: fs/promises default import (ESM) and fs.promises',
    files: {
      'app.js': APP,
      'routes.js': `import express from 'express';
import fs from 'fs/promises';
import fsAll from 'fs';
import path from 'path';
const router = express.Router();
router.get('/x', async (req, res) => {
  const a = await fs.readFile(req.query.p, 'utf8'); // SINK1
  const b = await fsAll.promises.readFile(path.join('/srv/data', req.params.f)); // SINK2
  res.send(a + b);
});
export default router;
`,
    },
    expect: [
      ['path-traversal', 'routes.js', 'SINK1'],
      ['path-traversal', 'routes.js', 'SINK2'],
    ],
  },
  {
    name: 'path: res.sendFile and res.download; sendFile with a root option is safe',
    files: appWith("  if (req.query.a) return res.sendFile(req.query.a); // SINK1\n  if (req.query.b) return res.download('/srv/' + req.query.b); // SINK2\n  res.sendFile(req.query.c, { root: '/srv/public' });"),
    expect: [
      ['path-traversal', 'routes.js', 'SINK1'],
      ['path-traversal', 'routes.js', 'SINK2'],
    ],
  },
  {
    name: 'path: writeFile and unlink via destructured fs import',
    files: appWith("  writeFileSync('/tmp/' + req.body.name, req.body.data); // SINK1\n  unlinkSync(`/tmp/${req.query.old}`); // SINK2", "const { writeFileSync, unlinkSync } = require('fs');"),
    expect: [
      ['path-traversal', 'routes.js', 'SINK1'],
      ['path-traversal', 'routes.js', 'SINK2'],
    ],
  },
  // ---- Code injection (CWE-94)
  {
    name: 'code: eval, Function, new Function, vm, setTimeout string',
    files: appWith(
      [
        '  eval(req.body.a); // SINK1',
        '  const f = new Function(req.body.b); // SINK2',
        "  Function('x', req.body.c)(1); // SINK3",
        '  vm.runInNewContext(req.body.d, {}); // SINK4',
        '  new vm.Script(req.body.e); // SINK5',
        '  setTimeout(req.body.g, 10); // SINK6',
        '  setTimeout(() => f(), 10);',
      ].join('\n'),
      "const vm = require('vm');",
    ),
    expect: [1, 2, 3, 4, 5, 6].map((i) => ['code-injection', 'routes.js', `SINK${i}`] as [string, string, string]),
  },
  // ---- Language features
  {
    name: 'flow: array literal, map callback, join',
    files: appWith("  const parts = [req.query.a, 'x'].map((p) => p.trim());\n  db.query('SELECT ' + parts.join(',') + ' FROM t'); // SINK", MYSQL),
    expect: [['sql-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'flow: object spread and property read',
    files: appWith("  const opts = { ...req.query, limit: 10 };\n  db.query('SELECT * FROM t WHERE n = ' + opts.name); // SINK", MYSQL),
    expect: [['sql-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'flow: object property assignment and nested destructuring',
    files: appWith("  const q = {};\n  q.where = req.query.w;\n  const { where: w } = q;\n  db.query(`SELECT * FROM t WHERE ${w}`); // SINK", MYSQL),
    expect: [['sql-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'flow: promise then callback',
    files: appWith("  Promise.resolve(req.query.c).then((c) => exec('echo ' + c)); // SINK", "const { exec } = require('child_process');"),
    expect: [['command-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'flow: callback passed to a visible function, which calls it with request data',
    files: appWith(
      "  withInput(req, (x) => {\n    exec('ls ' + x); // SINK\n  });",
      "const { exec } = require('child_process');\nfunction withInput(r, cb) {\n  cb(r.query.x);\n}",
    ),
    expect: [['command-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'flow: closure over a handler variable inside a library callback',
    files: appWith("  const dir = req.query.dir;\n  fs.stat('/srv', () => {\n    exec('ls ' + dir); // SINK\n  });", "const fs = require('fs');\nconst { exec } = require('child_process');"),
    expect: [['command-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'flow: string methods (trim, toLowerCase, replace, split/join, concat, slice)',
    files: appWith(
      "  const s = req.query.s.trim().toLowerCase().replace('a', 'b').split(' ').join('-');\n  const t = 'echo '.concat(s).slice(0, 100);\n  exec(t); // SINK",
      "const { exec } = require('child_process');",
    ),
    expect: [['command-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'flow: request accessors req.param(), req.get(), req.header(), headers[], cookies',
    files: appWith(
      [
        "  eval(req.param('a')); // SINK1",
        "  eval(req.get('X-B')); // SINK2",
        "  eval(req.header('x-c')); // SINK3",
        "  eval(req.headers['x-d']); // SINK4",
        '  eval(req.cookies.e); // SINK5',
      ].join('\n'),
    ),
    expect: [1, 2, 3, 4, 5].map((i) => ['code-injection', 'routes.js', `SINK${i}`] as [string, string, string]),
  },
  {
    name: 'flow: request object passed to a helper that reads it',
    files: appWith("  db.query('SELECT * FROM t WHERE n = ' + nameOf(req)); // SINK", `${MYSQL}\nfunction nameOf(r) {\n  return r.query.name;\n}`),
    expect: [['sql-injection', 'routes.js', 'SINK']],
  },
  {
    name: 'flow: mutual recursion terminates and still reports',
    files: appWith(
      '  ping(req.query.h, 3);',
      "const { exec } = require('child_process');\nfunction ping(h, n) {\n  if (n > 0) return pong(h, n - 1);\n  exec('ping ' + h); // SINK\n}\nfunction pong(h, n) {\n  return ping(h, n);\n}",
    ),
    expect: [['command-injection', 'routes.js', 'SINK']],
  },
  // ---- Across files and module forms
  {
    name: 'cross-file: require + module.exports object, sink in the required module',
    files: appWith("  users.find(req.query.name, () => res.end());", "const users = require('./db/users');", {
      'db/conn.js': `const mysql = require('mysql');\nmodule.exports = mysql.createPool({});\n`,
      'db/users.js': `const pool = require('./conn');\nfunction find(name, cb) {\n  pool.query("SELECT * FROM u WHERE n = '" + name + "'", cb); // SINK\n}\nmodule.exports = { find };\n`,
    }),
    expect: [['sql-injection', 'db/users.js', 'SINK']],
  },
  {
    name: 'cross-file: exports.x = function and module.exports = function',
    files: appWith("  a.run(req.query.a);\n  b(req.query.b);", "const a = require('./lib/a');\nconst b = require('./lib/b.js');", {
      'lib/a.js': `const { exec } = require('child_process');\nexports.run = function (cmd) {\n  exec('a ' + cmd); // SINK\n};\n`,
      'lib/b.js': `module.exports = (code) => eval(code); // SINK\n`,
    }),
    expect: [
      ['command-injection', 'lib/a.js', 'SINK'],
      ['code-injection', 'lib/b.js', 'SINK'],
    ],
  },
  {
    name: 'cross-file: ESM export *, export { x as y } from, default export, index resolution, .js → .ts',
    files: {
      'app.ts': `import express from 'express';\nimport routes from './routes.js';\nconst app = express();\napp.use('/api', routes);\n`,
      'routes.ts': `import { Router, type Request, type Response } from 'express';
import { findUser, runQuery } from './lib';
import readIt from './lib/files.js';
const router = Router();
router.get('/u', async (req: Request, res: Response) => {
  res.json(await findUser(req.query.name as string));
});
router.get('/q', async (req: Request, res: Response) => {
  res.json(await runQuery(String(req.query.q)));
});
router.get('/f', async (req: Request, res: Response) => {
  res.send(await readIt(req.params.f));
});
export default router;
`,
      'lib/index.ts': `export * from './users';\nexport { run as runQuery } from './raw.js';\n`,
      'lib/users.ts': `import { pool } from './pool';\nexport async function findUser(name: string) {\n  return pool.query(\`SELECT * FROM users WHERE name = '\${name}'\`); // SINK\n}\n`,
      'lib/raw.ts': `import { pool } from './pool';\nexport const run = (sql: string) => pool.query(sql); // SINK\n`,
      'lib/pool.ts': `import pg from 'pg';\nexport const pool = new pg.Pool();\n`,
      'lib/files.ts': `import { readFile } from 'node:fs/promises';\nexport default async function read(name: string): Promise<string> {\n  return readFile('/data/' + name, 'utf8'); // SINK\n}\n`,
    },
    expect: [
      ['path-traversal', 'lib/files.ts', 'SINK'],
      ['sql-injection', 'lib/raw.ts', 'SINK'],
      ['sql-injection', 'lib/users.ts', 'SINK'],
    ],
  },
  {
    name: 'cross-file: named handler defined in another file, passed by reference; router.route().get()',
    files: {
      'app.js': `const express = require('express');\nconst ctl = require('./controllers/users');\nconst app = express();\nconst api = express.Router();\napi.route('/users/:id').get(ctl.show).post(ctl.update);\napp.use('/api', api);\n`,
      'controllers/users.js': `const { exec } = require('child_process');\nexports.show = (request, response) => {\n  exec('finger ' + request.params.id); // SINK1\n  response.end();\n};\nexports.update = function update(req, res) {\n  eval(req.body.patch); // SINK2\n};\n`,
    },
    expect: [
      ['command-injection', 'controllers/users.js', 'SINK1'],
      ['code-injection', 'controllers/users.js', 'SINK2'],
    ],
  },
  {
    name: 'entry: route registered on app directly, handler wrapped by an unknown asyncHandler',
    files: {
      'app.js': `const express = require('express');\nconst asyncHandler = require('express-async-handler');\nconst app = express();\napp.post('/run', asyncHandler(async (req, res) => {\n  eval(req.body.code); // SINK\n}));\napp.listen(80);\n`,
    },
    expect: [['code-injection', 'app.js', 'SINK']],
  },
  {
    name: 'entry: class-based service instance exported and called from a route',
    files: appWith("  await repo.byName(req.query.n);", "const repo = require('./repo');", {
      'repo.js': `const db = require('better-sqlite3')('x.db');\nclass Repo {\n  byName(n) {\n    return db.prepare('SELECT * FROM u WHERE n = ' + n).get(); // SINK\n  }\n}\nmodule.exports = new Repo();\n`,
    }),
    expect: [['sql-injection', 'repo.js', 'SINK']],
  },
  {
    name: 'entry: routes registered by an exported setup function called with the app',
    files: {
      'app.js': `const express = require('express');\nconst app = express();\nrequire('./routes/setup')(app);\napp.listen(1);\n`,
      'routes/setup.js': `module.exports = function setup(app) {\n  app.get('/e', (req, res) => res.send(String(eval(req.query.e)))); // SINK\n};\n`,
    },
    expect: [['code-injection', 'routes/setup.js', 'SINK']],
  },
];

describe('builtin engine: taint flows', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const got = summary(await findings(c.files)).sort();
      const want = c.expect.map(([rule, file, marker]) => `${rule}@${file}:${lineOf(c.files, file, marker)}`).sort();
      assert.deepEqual(got, want);
    });
  }

  test('a cross-file trace names the argument, the callee and its file, and ends at the sink', async () => {
    const files = cases.find((c) => c.name.startsWith('cross-file: require'))!.files;
    const [c] = await findings(files);
    assert.equal(c.cwe, 'CWE-89');
    assert.equal(c.origin, 'routes.js');
    assert.equal(c.trace[0].kind, 'source');
    assert.match(c.trace[0].label, /req\.query\.name/);
    assert.ok(c.trace.some((s) => /passed as argument `name` to `find` \(db\/users\.js\)/.test(s.label)), JSON.stringify(c.trace));
    assert.equal(c.trace.at(-1)!.kind, 'sink');
    assert.equal(c.trace.at(-1)!.file, 'db/users.js');
    assert.deepEqual(c.dependsOn, ['db/users.js', 'routes.js']);
    assert.equal(c.evidence.route, 'GET /api/x');
    assert.equal(c.evidence.reachableFromMountedRoute, true);
    assert.equal(c.evidence.sourceIsRequestInput, true);
    assert.equal(c.evidence.sourceKind, 'req.query');
    assert.match(c.id, /^[0-9a-f]{16}$/);
  });

  test('constants and configuration do not produce findings', async () => {
    const files = appWith(
      "  db.query('SELECT * FROM t WHERE n = ' + process.env.NAME);\n  exec('ls ' + DIR);\n  eval(JSON.stringify({ a: 1 }));",
      `${MYSQL}\nconst { exec } = require('child_process');\nconst DIR = '/srv';`,
    );
    assert.deepEqual(await findings(files), []);
  });
});
