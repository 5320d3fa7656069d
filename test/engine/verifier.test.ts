// The built-in verifier's three verdicts, on engine output and on hand-built candidates.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Candidate } from '../../activities/model.js';
import { createBuiltinVerifier } from '../../activities/engines/builtin/index.js';
import { analyse, APP, memoryFiles, route } from './helpers.js';

const HEAD = "const { exec } = require('child_process');";
const BODY = "  exec('ls ' + req.query.dir, () => res.end());";

async function verdictsFor(files: Record<string, string>) {
  const out = await analyse(files);
  const verdicts = await createBuiltinVerifier().verify({ files: memoryFiles(files), candidates: out.candidates });
  assert.equal(verdicts.length, out.candidates.length, 'one verdict per candidate');
  return out.candidates.map((c) => ({ c, v: verdicts.find((x) => x.candidateId === c.id)! }));
}

describe('builtin verifier', () => {
  test('confirmed: request input, no sanitiser, handler on a mounted router', async () => {
    const [{ c, v }] = await verdictsFor({ 'app.js': APP, 'routes.js': route(BODY, HEAD) });
    assert.equal(c.evidence.reachableFromMountedRoute, true);
    assert.equal(v.verdict, 'confirmed');
    assert.equal(v.verifier, 'builtin-verifier');
    assert.equal(v.reasons.length, 4);
    assert.ok(v.reasons.some((r) => /query string .* client fully controls/.test(r)));
    assert.ok(v.reasons.some((r) => /GET \/api\/x on a router mounted/.test(r)));
  });

  test('uncertain: the router is never seen mounted on an app', async () => {
    const [{ c, v }] = await verdictsFor({ 'routes.js': route(BODY, HEAD) });
    assert.equal(c.evidence.route, 'GET /x');
    assert.equal(c.evidence.reachableFromMountedRoute, false);
    assert.equal(v.verdict, 'uncertain');
    assert.match(v.reasons[0], /never seen mounted/);
  });

  test('rejected: a handler defined but held by nothing (dead code)', async () => {
    const files = {
      'app.js': APP,
      'routes.js': "const r = require('express').Router();\nmodule.exports = r;\n",
      'old.js': `${HEAD}\nfunction oldHandler(req, res) {\n${BODY}\n}\nmodule.exports = {};\n`,
    };
    const [{ c, v }] = await verdictsFor(files);
    assert.equal(c.origin, 'old.js');
    assert.equal(c.evidence.route, undefined);
    assert.equal(c.evidence.unresolvedHandler, undefined);
    assert.equal(v.verdict, 'rejected');
    assert.ok(v.reasons.some((r) => /never registered/.test(r)));
  });

  // Reachability lowers confidence, never erases: an exported handler may be registered by code we cannot follow.
  test('uncertain: a handler exported in a handler object whose registration is not resolved', async () => {
    const files = {
      'app.js': APP,
      'routes.js': "const r = require('express').Router();\nmodule.exports = r;\n",
      'old.js': `${HEAD}\nfunction oldHandler(req, res) {\n${BODY}\n}\nmodule.exports = { oldHandler };\n`,
    };
    const [{ c, v }] = await verdictsFor(files);
    assert.equal(c.origin, 'old.js');
    assert.equal(c.evidence.reachableFromMountedRoute, false);
    assert.match(c.evidence.unresolvedHandler ?? '', /referenced as `oldHandler`/);
    assert.equal(v.verdict, 'uncertain');
    assert.match(v.reasons[0], /shaped like a request handler .* no registration of it on a route was resolved/);
  });

  test('rejected: a handler-shaped function in test code stays test code', async () => {
    const files = { 'test/helpers.js': `${HEAD}\nexports.fake = (rq, rs) => {\n  exec('ls ' + rq.query.dir, () => rs.end());\n};\n` };
    const [{ c, v }] = await verdictsFor(files);
    assert.equal(c.evidence.unresolvedHandler, 'exported as `exports.fake`');
    assert.equal(v.verdict, 'rejected');
    assert.match(v.reasons[0], /test, fixture or example code/);
  });

  test('rejected: the entry point is test or fixture code', async () => {
    const files = {
      'test/server.test.js': `const express = require('express');\n${HEAD}\nconst app = express();\napp.get('/t', (req, res) => {\n${BODY}\n});\n`,
    };
    const [{ c, v }] = await verdictsFor(files);
    assert.equal(c.evidence.inTestOrFixture, true);
    assert.equal(c.evidence.reachableFromMountedRoute, true);
    assert.equal(v.verdict, 'rejected');
    assert.match(v.reasons[0], /test, fixture or example code/);
  });

  describe('hand-built candidates', () => {
    const files = { 'a.js': "const x = 1;\nrun(x);\n" };
    const base: Candidate = {
      id: 'c1',
      engine: 'builtin',
      ruleId: 'path-traversal',
      cwe: 'CWE-22',
      title: 't',
      location: { file: 'a.js', startLine: 2, endLine: 2 },
      origin: 'a.js',
      trace: [
        { kind: 'source', file: 'a.js', line: 1, label: 'src', snippet: 'const x = 1;' },
        { kind: 'sink', file: 'a.js', line: 2, label: 'sink', snippet: 'run(x);' },
      ],
      explanation: '',
      dependsOn: ['a.js'],
      evidence: { sourceKind: 'req.query', sourceIsRequestInput: true, reachableFromMountedRoute: true, route: 'GET /a' },
    };
    const verify = async (patch: Partial<Candidate> & { evidence?: Candidate['evidence'] }, f: Record<string, string> = files) =>
      (await createBuiltinVerifier().verify({ files: memoryFiles(f), candidates: [{ ...base, ...patch }] }))[0];

    test('baseline is confirmed', async () => {
      assert.equal((await verify({})).verdict, 'confirmed');
    });
    test('rejected when the source is configuration, not request input', async () => {
      const v = await verify({ evidence: { ...base.evidence, sourceKind: 'process.env', sourceIsRequestInput: false } });
      assert.equal(v.verdict, 'rejected');
      assert.match(v.reasons[0], /not request input/);
    });
    test('rejected when an effective sanitiser or a parameterised form is on the path', async () => {
      assert.equal((await verify({ evidence: { ...base.evidence, sanitisersOnPath: ['path.basename'] } })).verdict, 'rejected');
      assert.equal((await verify({ evidence: { ...base.evidence, parameterised: true } })).verdict, 'rejected');
    });
    test('a bypassable filter does not save the flow; an unknown one makes it uncertain', async () => {
      const bypass = await verify({ evidence: { ...base.evidence, sanitisersOnPath: ['replace(/\\.\\.\\//g) (partial filtering for path-traversal)'] } });
      assert.equal(bypass.verdict, 'confirmed');
      assert.ok(bypass.reasons.some((r) => /bypassable/.test(r)));
      assert.equal((await verify({ evidence: { ...base.evidence, sanitisersOnPath: ['sanitizeFileName'] } })).verdict, 'uncertain');
    });
    test('uncertain when the code no longer reads as the trace quotes it', async () => {
      const v = await verify({}, { 'a.js': 'const x = 1;\nsafe(x);\n' });
      assert.equal(v.verdict, 'uncertain');
      assert.match(v.reasons[0], /no longer reads/);
    });
  });
});
