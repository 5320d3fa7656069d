// Analysis-core flows: `this` fields (set in a constructor or another method, TypeScript parameter properties,
// field initialisers, inherited methods), class instances built in one file and used in another, methods passed
// as handlers, getters, and promises (`.then`, `await`, `Promise.all`). Each case asserts the exact findings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APP, findings, summary } from './helpers.js';

const lineOf = (files: Record<string, string>, file: string, marker: string) => {
  const i = files[file].split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `marker ${marker} not in ${file}`);
  return i + 1;
};

async function expectFindings(files: Record<string, string>, expected: [rule: string, file: string, marker: string][]) {
  const got = summary(await findings(files)).sort();
  const want = expected.map(([rule, file, marker]) => `${rule}@${file}:${lineOf(files, file, marker)}`).sort();
  assert.deepEqual(got, want);
}

/** routes.js mounted at /api by APP; `handler` is the registered handler expression, `head` module code. */
const routes = (head: string, registration: string) => `const express = require('express');
${head}
const router = express.Router();
${registration}
module.exports = router;
`;

const DB = { 'db.js': "const { Pool } = require('pg');\nmodule.exports = new Pool();\n" };

describe('builtin engine: this fields, classes across files, getters, promises', () => {
  test('constructor this.db = db; a method reads this.db; the service is constructed in another file', async () => {
    const files = {
      'app.js': APP,
      ...DB,
      'services/users.js': `class UserService {
  constructor(db) {
    this.db = db;
  }
  find(name) {
    return this.db.query("SELECT * FROM users WHERE name = '" + name + "'"); // SINK
  }
}
module.exports = UserService;
`,
      'routes.js': routes(
        "const db = require('./db');\nconst UserService = require('./services/users');\nconst users = new UserService(db);",
        'router.get(\'/u\', async (req, res) => res.json(await users.find(req.query.name)));',
      ),
    };
    await expectFindings(files, [['sql-injection', 'services/users.js', 'SINK']]);
    // The same with a parameterised query: nothing.
    files['services/users.js'] = files['services/users.js'].replace(`"SELECT * FROM users WHERE name = '" + name + "'"`, "'SELECT * FROM users WHERE name = $1', [name]");
    await expectFindings(files, []);
  });

  test('nested instances: service → this.repo (a repository built in the constructor) → this.db', async () => {
    const files = {
      'app.js': APP,
      ...DB,
      'models/repo.js': `class Repo {
  constructor(db) {
    this.db = db;
    this.table = 'orders';
  }
  search(term) {
    const sql = 'SELECT * FROM ' + this.table + " WHERE note LIKE '%" + term + "%'";
    return this.db.query(sql); // SINK
  }
}
module.exports = { Repo };
`,
      'services/orders.js': `const { Repo } = require('../models/repo');
class OrderService {
  constructor(db) {
    this.repo = new Repo(db);
  }
  async search(term) {
    const rows = await this.repo.search(term.trim());
    return rows.map((r) => r.id);
  }
}
module.exports = { OrderService };
`,
      'routes.js': routes(
        "const { OrderService } = require('./services/orders');\nconst service = new OrderService(require('./db'));",
        "router.get('/o', async (req, res) => res.json(await service.search(String(req.query.q || ''))));",
      ),
    };
    await expectFindings(files, [['sql-injection', 'models/repo.js', 'SINK']]);
    const [c] = await findings(files);
    assert.ok(new Set(c.trace.map((s) => s.file)).size >= 3, 'the trace crosses routes, service and repository');
  });

  test('a field set in one method (connect) and used in another', async () => {
    const files = {
      'app.js': APP,
      'store.js': `const mysql = require('mysql');
class Store {
  connect() {
    this.conn = mysql.createConnection({});
  }
  byName(n) {
    return this.conn.query('SELECT * FROM t WHERE n = "' + n + '"'); // SINK
  }
}
module.exports = new Store();
`,
      'routes.js': routes("const store = require('./store');", "router.get('/s', (req, res) => store.byName(req.query.n));"),
    };
    await expectFindings(files, [['sql-injection', 'store.js', 'SINK']]);
  });

  test('TypeScript: parameter properties, field initialisers, a getter', async () => {
    const files = {
      'app.js': APP,
      ...DB,
      'src/repo.ts': `import type { Pool } from 'pg';
export class Repo {
  constructor(private readonly pool: Pool) {}
  async byId(id: string) {
    return this.pool.query(\`SELECT * FROM t WHERE id = \${id}\`); // SINK
  }
}
`,
      'src/service.ts': `import { Repo } from './repo';
import pool from '../db';
export class Service {
  private readonly inner = new Repo(pool);
  get repo(): Repo {
    return this.inner;
  }
  load(id: string) {
    return this.repo.byId(id);
  }
}
`,
      'routes.js': routes("const { Service } = require('./src/service');\nconst svc = new Service();", "router.get('/t/:id', (req, res) => svc.load(req.params.id).then((r) => res.json(r)));"),
    };
    await expectFindings(files, [['sql-injection', 'src/repo.ts', 'SINK']]);
  });

  test('a method passed as the route handler keeps its instance (this.service)', async () => {
    const files = {
      'app.js': APP,
      'service.js': `const { exec } = require('child_process');
exports.archive = (name) => exec('tar czf /tmp/' + name + '.tgz data'); // SINK
`,
      'controller.js': `class Controller {
  constructor(service) {
    this.service = service;
  }
  archive(req, res) {
    this.service.archive(req.query.name);
    res.end();
  }
}
module.exports = Controller;
`,
      'routes.js': routes(
        "const Controller = require('./controller');\nconst controller = new Controller(require('./service'));",
        "router.post('/a', controller.archive);",
      ),
    };
    await expectFindings(files, [['command-injection', 'service.js', 'SINK']]);
  });

  test('a method called on a parameter resolves when the caller passes an instance (helper in a third file)', async () => {
    const files = {
      'app.js': APP,
      'runner.js': `exports.runWith = (svc, arg) => svc.run(arg);
`,
      'shell.js': `const cp = require('child_process');
class Shell {
  run(cmd) {
    return cp.exec('ls ' + cmd); // SINK
  }
}
module.exports = Shell;
`,
      'routes.js': routes("const { runWith } = require('./runner');\nconst Shell = require('./shell');", "router.get('/ls', (req, res) => runWith(new Shell(), req.query.dir));"),
    };
    await expectFindings(files, [['command-injection', 'shell.js', 'SINK']]);
    // The same helper with an object whose method is safe: nothing.
    files['shell.js'] = files['shell.js'].replace("cp.exec('ls ' + cmd)", "cp.execFile('ls', [cmd])");
    await expectFindings(files, []);
  });

  test('inherited methods use the subclass instance fields', async () => {
    const files = {
      'app.js': APP,
      ...DB,
      'base.js': `class BaseRepo {
  constructor(db, table) {
    this.db = db;
    this.table = table;
  }
  where(clause) {
    return this.db.query('SELECT * FROM ' + this.table + ' WHERE ' + clause); // SINK
  }
}
module.exports = BaseRepo;
`,
      'users.js': `const BaseRepo = require('./base');
class Users extends BaseRepo {
  byName(name) {
    return this.where("name = '" + name + "'");
  }
}
module.exports = Users;
`,
      'routes.js': routes("const Users = require('./users');\nconst users = new Users(require('./db'), 'users');", "router.get('/n', (req, res) => users.byName(req.query.n));"),
    };
    await expectFindings(files, [['sql-injection', 'base.js', 'SINK']]);
  });

  test('promises: .then callbacks, await of Promise.all, async functions across files', async () => {
    const files = {
      'app.js': APP,
      'lib.js': `const fs = require('fs/promises');
exports.load = async (name) => name;
exports.read = (p) => fs.readFile('/srv/files/' + p); // SINK
`,
      'routes.js': routes(
        "const lib = require('./lib');",
        `router.get('/p', (req, res) => {
  lib.load(req.query.a).then((name) => lib.read(name));
});
router.get('/q', async (req, res) => {
  const [a, b] = await Promise.all([lib.load('x'), lib.load(req.query.b)]);
  res.send(await lib.read(b));
});`,
      ),
    };
    const cs = await findings(files);
    assert.deepEqual([...new Set(summary(cs))], [`path-traversal@lib.js:${lineOf(files, 'lib.js', 'SINK')}`]);
    assert.deepEqual(cs.map((c) => c.evidence.route).sort(), ['GET /api/p', 'GET /api/q']);
  });
});
