// Access-control facts kept between analyses of one repository (js/access-memo.ts): a re-analysis reads again
// only the files that changed, and a function whose imported helper changed (its file's tree did not) is read
// again too, so an incremental analysis still reports what a full one does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBuiltinEngine, ENGINE_NAME, ENGINE_VERSION } from '../../activities/engines/builtin/index.js';
import { DEFAULT_CACHE_LIMITS } from '../../activities/engines/builtin/cache.js';
import { createJavascriptFrontEnd } from '../../activities/engines/builtin/js/frontend.js';
import { collectRegistry } from '../../activities/engines/builtin/routes.js';
import type { FnFacts } from '../../activities/engines/builtin/access-control/facts.js';
import { mergeState, planIncremental } from '../../activities/incremental.js';
import type { Candidate } from '../../activities/model.js';
import { memoryFiles } from './helpers.js';

const APP = `const express = require('express');
const orders = require('./routes/orders');
const app = express();
app.use('/api/orders', orders);
app.listen(3000);
`;

// `gate` is not named like authentication: whether it authenticates is read from its body, through the helper
// it imports (access-facts.ts helperAuthenticates), so its facts depend on lib/check.js.
const GATE = `const { check } = require('../lib/check');
function gate(req, res, next) {
  check(req, res);
  next();
}
module.exports = { gate };
`;
const REFUSES = `exports.check = (req, res) => {
  if (!req.user) throw new Error('Unauthorized');
};
`;
const ONLY_LOGS = `exports.check = (req, res) => {
  console.log(req.user);
};
`;

const ORDERS = `const express = require('express');
const { gate } = require('../middleware/gate');
const db = require('../db');
const router = express.Router();
router.get('/', gate, async (req, res) => res.json(await db.query('SELECT * FROM orders WHERE owner = $1', [req.user.id])));
router.post('/', gate, async (req, res) => res.json(await db.query('INSERT INTO orders (owner) VALUES ($1)', [req.user.id])));
router.get('/:id', gate, async (req, res) => res.json(await db.query('SELECT * FROM orders WHERE id = $1', [req.params.id])));
router.delete('/:id', async (req, res) => res.json(await db.query('DELETE FROM orders WHERE id = $1', [req.params.id])));
module.exports = router;
`;

const v1: Record<string, string> = {
  'app.js': APP,
  'middleware/gate.js': GATE,
  'lib/check.js': REFUSES,
  'routes/orders.js': ORDERS,
  'db.js': "const { Pool } = require('pg');\nmodule.exports = new Pool();\n",
  'README.md': 'orders\n',
};

const canonical = (cs: Candidate[]) => JSON.stringify([...cs].sort((a, b) => a.id.localeCompare(b.id)));
const missingAuth = (cs: Candidate[]) => cs.filter((c) => c.ruleId === 'missing-authorization').map((c) => `${c.location.file}:${c.location.startLine}`);

/** One analysis by the front end: the facts of the middleware `gate`; the analysis is kept for the next. */
async function gateFacts(fe: ReturnType<typeof createJavascriptFrontEnd>, files: Record<string, string>): Promise<FnFacts | undefined> {
  const input = { files: memoryFiles(files), scope: null };
  const result = await fe.analyse(input, input.files.paths().filter(fe.accepts).sort());
  try {
    const gate = collectRegistry(result.summaries, result.hasCallers).routes.find((r) => r.handler.name === 'gate')?.handler;
    assert.ok(gate, 'the registration of gate is seen');
    const facts = result.access!.fnFacts(gate);
    // What the engine does with every analysis; the front end keeps an analysis once its checks have run.
    result.checks?.(ENGINE_NAME);
    return facts;
  } finally {
    result.finish(true);
  }
}

describe('access-control facts kept between analyses', () => {
  test('an unchanged file keeps its facts; a changed helper it imports has them read again', async () => {
    const fe = createJavascriptFrontEnd(DEFAULT_CACHE_LIMITS);
    const first = await gateFacts(fe, v1);
    assert.ok(first?.readsIdentity && first.denies, 'gate authenticates through the helper it imports');
    // An edit elsewhere: gate's file and its import cone are unchanged, so its facts are the ones already read.
    const readme = await gateFacts(fe, { ...v1, 'README.md': 'orders, now with notes\n' });
    assert.equal(readme, first, 'facts of an unchanged cone are reused, not read again');
    const db = await gateFacts(fe, { ...v1, 'db.js': "const { Pool } = require('pg');\nmodule.exports = new Pool({ max: 4 });\n" });
    assert.equal(db, first, 'a file outside the cone (db.js) changes nothing for gate');
    // The helper no longer refuses: gate's tree is the same, but its facts are read again and say so.
    const logs = await gateFacts(fe, { ...v1, 'lib/check.js': ONLY_LOGS });
    assert.notEqual(logs, first);
    assert.equal(logs?.denies, false, 'gate no longer refuses anyone');
  });

  test('incremental re-analysis equals a full one when only the imported helper changes', async () => {
    const engine = createBuiltinEngine();
    const present = new Set(Object.keys(v1));
    const before = await engine.analyse({ files: memoryFiles(v1), scope: null });
    assert.deepEqual(missingAuth(before.candidates), ['routes/orders.js:8'], 'the one route without gate is reported');
    const state = mergeState(undefined, { engine: ENGINE_NAME, engineVersion: ENGINE_VERSION, dependencies: before.dependencies, candidates: before.candidates }, present);

    const edited = { ...v1, 'lib/check.js': ONLY_LOGS };
    const plan = planIncremental(state, { added: [], changed: ['lib/check.js'], removed: [] }, present);
    const scoped = await engine.analyse({ files: memoryFiles(edited), scope: plan.scope });
    const merged = [...plan.carried, ...scoped.candidates];
    const full = await createBuiltinEngine().analyse({ files: memoryFiles(edited), scope: null });
    assert.deepEqual(missingAuth(full.candidates), [], 'with a gate that refuses nobody, no route is missing it');
    assert.equal(canonical(merged), canonical(full.candidates), 'carried + re-analysed = full analysis');
  });
});
