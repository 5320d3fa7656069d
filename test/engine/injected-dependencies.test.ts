// Handler factories with injected dependencies: `makeHandler({ db, escapeHtml })` returns the request handler, and
// what the factory is given at the call site (services, sanitisers, library members) is what the handler calls.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findings, summary } from './helpers.js';

const APP = "const express = require('express');\nconst app = express();\napp.use('/api', require('./routes'));\napp.listen(3000);\n";
const SERVICE = "const { exec } = require('child_process');\nexports.archive = (name) => {\n  exec('tar czf /tmp/out.tgz ' + name);\n};\n";
const VIEW = "const escapeHtml = require('escape-html');\nexports.safe = (s) => escapeHtml(s);\nexports.raw = (s) => `<b>${s}</b>`;\n";

/** A router whose GET /x handler is made by `factory` (a function of the injected `deps`) and registered with `inject`. */
const routes = (factory: string, inject: string, head = '') =>
  `const express = require('express');\nconst service = require('./service');\nconst view = require('./view');\n${head}const router = express.Router();\n${factory}\nrouter.get('/x', ${inject});\nmodule.exports = router;\n`;

const files = (r: string) => ({ 'app.js': APP, 'routes.js': r, 'service.js': SERVICE, 'view.js': VIEW });

describe('handler factories with injected dependencies', () => {
  test('a sink inside an injected service is found (destructured, through an object, positional)', async () => {
    const shapes: [string, string][] = [
      ['function make({ archive }) {\n  return (req, res) => {\n    archive(req.query.name);\n    res.end();\n  };\n}', 'make({ archive: service.archive })'],
      ['const make = (deps) => (req, res) => {\n  deps.service.archive(req.query.name);\n  res.end();\n};', 'make({ service })'],
      ['function make(svc) {\n  return function (req, res) {\n    svc.archive(req.query.name);\n    res.end();\n  };\n}', 'make(service)'],
    ];
    for (const [factory, inject] of shapes) {
      const found = summary(await findings(files(routes(factory, inject)), 'command-injection'));
      assert.deepEqual(found, ['command-injection@service.js:3'], factory);
    }
  });

  test('an injected sanitiser is respected, an injected pass-through is not', async () => {
    const factory = 'function make({ render }) {\n  return (req, res) => {\n    res.send(render(req.query.q));\n  };\n}';
    assert.deepEqual(summary(await findings(files(routes(factory, 'make({ render: view.safe })')), 'xss')), []);
    assert.deepEqual(summary(await findings(files(routes(factory, 'make({ render: view.raw })')), 'xss')), ['xss@routes.js:7']);
  });

  test('an injected library member is the library member: its sink and its sanitising effect', async () => {
    const sink = 'function make({ run }) {\n  return (req, res) => {\n    run(req.query.cmd);\n    res.end();\n  };\n}';
    const head = "const { exec } = require('child_process');\nconst escape = require('escape-html');\n";
    assert.deepEqual(summary(await findings(files(routes(sink, 'make({ run: exec })', head)), 'command-injection')), ['command-injection@routes.js:9']);
    const send = 'function make({ esc }) {\n  return (req, res) => {\n    res.send(esc(req.query.q));\n  };\n}';
    assert.deepEqual(summary(await findings(files(routes(send, 'make({ esc: escape })', head)), 'xss')), []);
  });
});
