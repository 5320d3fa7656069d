// Request handlers recognised by shape (js/handler-shape.ts): whatever their parameters are called and however
// the program holds them, a function read like a request and answering like a response is an entry point; one
// whose registration is resolved is served, one held by unresolved code is unproven, one held by nothing is dead.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyse } from './helpers.js';

const EXEC = "const { exec } = require('child_process');\n";

async function entries(files: Record<string, string>) {
  const { candidates } = await analyse(files);
  return candidates.filter((c) => c.ruleId === 'command-injection').map((c) => ({ at: `${c.location.file}:${c.location.startLine}`, held: c.evidence.unresolvedHandler, route: c.evidence.route }));
}

describe('handlers by shape, registration unresolved', () => {
  const cases: [string, string, RegExp][] = [
    ['a constructor function assigning this.handle', `${EXEC}function Ctl() {\n  this.handle = (rq, rs, next) => {\n    exec('ping ' + rq.query.host);\n    next();\n  };\n}\nmodule.exports = Ctl;\n`, /this\.handle/],
    ['a prototype method', `${EXEC}function Ctl() {}\nCtl.prototype.run = function (a, b) {\n  exec('ls ' + a.body.dir);\n  b.json({});\n};\nmodule.exports = Ctl;\n`, /prototype method/],
    ['a class controller method', `${EXEC}class Ctl {\n  async run(a, b) {\n    const { params } = a;\n    exec('ls ' + params.dir);\n    return b.status(204).end();\n  }\n}\nmodule.exports = Ctl;\n`, /method of a class/],
    ['a member of an exported handler object', `${EXEC}module.exports = {\n  run: (a, b) => {\n    exec('ls ' + a.headers['x-dir']);\n    b.send('ok');\n  },\n};\n`, /member of an object/],
    ['exports.x', `${EXEC}exports.run = function (a, b) {\n  exec('ls ' + a.cookies.dir);\n  b.redirect('/');\n};\n`, /exports\.run/],
    ['a factory result', `${EXEC}module.exports = (tool) => async (a, b, next) => {\n  exec(tool + a.query.arg);\n  next();\n};\n`, /factory/],
  ];
  for (const [what, code, held] of cases) {
    test(what, async () => {
      const [e, ...rest] = await entries({ 'controllers/ctl.js': code });
      assert.equal(rest.length, 0);
      assert.equal(e.route, undefined);
      assert.match(e.held ?? '', held);
    });
  }

  test('not a handler: a function whose first parameter is not read like a request', async () => {
    const code = `${EXEC}exports.run = function (job, out) {\n  exec('ls ' + job.dir);\n  out.send('x');\n};\n`;
    assert.deepEqual(await entries({ 'lib/run.js': code }), []);
  });

  test('dead code: a local handler-shaped function nothing refers to', async () => {
    const code = `${EXEC}const old = (rq, rs) => {\n  exec('ls ' + rq.query.dir);\n  rs.end();\n};\nmodule.exports = {};\n`;
    const [e] = await entries({ 'controllers/old.js': code });
    assert.equal(e.held, undefined);
  });
});

describe('route tables in a function that receives the router', () => {
  test('router.route(path).get(h) on a parameter is resolved through the call that passes the router', async () => {
    const files = {
      'app.js': "const express = require('express');\nconst app = express();\nconst router = express.Router();\nconst routes = require('./routes');\napp.use('/api', routes(router));\napp.listen(3000);\n",
      'routes/index.js': "const users = require('./users');\nmodule.exports = (router) => {\n  users(router);\n  return router;\n};\n",
      'routes/users.js': `${EXEC}module.exports = (router) => {\n  router.route('/run').post((req, res) => {\n    exec(req.body.cmd);\n    res.end();\n  });\n};\n`,
    };
    assert.deepEqual(await entries(files), [{ at: 'routes/users.js:4', held: undefined, route: 'POST /api/run' }]);
  });
});

describe('handlers of constructor functions, resolved', () => {
  test('new C() with this.handle and C.prototype.m: registering them serves them', async () => {
    const files = {
      'controllers/tools.js': `${EXEC}function Tools() {\n  this.ping = (req, res) => {\n    exec('ping ' + req.query.host);\n    res.end();\n  };\n}\nTools.prototype.dig = function (req, res) {\n  exec('dig ' + req.query.name);\n  res.end();\n};\nmodule.exports = Tools;\n`,
      'app.js': "const express = require('express');\nconst Tools = require('./controllers/tools');\nconst app = express();\nconst tools = new Tools();\napp.get('/ping', tools.ping);\napp.get('/dig', tools.dig.bind(tools));\napp.listen(3000);\n",
    };
    assert.deepEqual(await entries(files), [
      { at: 'controllers/tools.js:4', held: undefined, route: 'GET /ping' },
      { at: 'controllers/tools.js:9', held: undefined, route: 'GET /dig' },
    ]);
  });
});
