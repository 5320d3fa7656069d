// Incremental re-analysis gives the results of a full run: after each edit, the candidates carried over from
// the previous state (planIncremental) plus those of a scoped analysis by the same engine instance (which
// reuses the summaries of files whose import cone did not change) equal a full analysis of the edited tree by
// a cold engine.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBuiltinEngine, ENGINE_NAME, ENGINE_VERSION } from '../../activities/engines/builtin/index.js';
import { mergeState, planIncremental, type ChangeSet } from '../../activities/incremental.js';
import type { AnalysisState, Candidate } from '../../activities/model.js';
import { memoryFiles } from './helpers.js';

const v1: Record<string, string> = {
  'app.js': `const express = require('express');
const api = require('./routes');
const app = express();
app.use(express.json());
app.use('/api', api);
app.listen(3000);
`,
  'routes/index.js': `const express = require('express');
const users = require('./users');
const files = require('./files');
const router = express.Router();
router.use('/users', users);
router.use('/files', files);
module.exports = router;
`,
  'routes/users.js': `const express = require('express');
const { UserService } = require('../services/users');
const db = require('../db');
const router = express.Router();
const service = new UserService(db);
router.get('/', async (req, res) => res.json(await service.search(req.query.q)));
router.get('/:id', async (req, res) => res.json(await service.byId(req.params.id)));
module.exports = router;
`,
  'routes/files.js': `const express = require('express');
const store = require('../services/store');
const { clean } = require('../utils/text');
const router = express.Router();
router.get('/:name', (req, res) => store.read(clean(req.params.name)).then((d) => res.send(d)));
router.post('/export', (req, res) => store.pack(req.body.name).then(() => res.end()));
module.exports = router;
`,
  'services/users.js': `const { Repo } = require('../models/repo');
class UserService {
  constructor(db) {
    this.repo = new Repo(db, 'users');
  }
  search(q) {
    return this.repo.where("name LIKE '%" + q + "%'");
  }
  byId(id) {
    return this.repo.byId(Number(id));
  }
}
module.exports = { UserService };
`,
  'services/store.js': `const fs = require('fs/promises');
const { exec } = require('child_process');
exports.read = (name) => fs.readFile('/srv/data/' + name);
exports.pack = (name) => new Promise((resolve) => exec('tar czf /tmp/out.tgz ' + name, resolve));
`,
  'models/repo.js': `class Repo {
  constructor(db, table) {
    this.db = db;
    this.table = table;
  }
  where(clause) {
    return this.db.query('SELECT * FROM ' + this.table + ' WHERE ' + clause);
  }
  byId(id) {
    return this.db.query('SELECT * FROM ' + this.table + ' WHERE id = $1', [id]);
  }
}
module.exports = { Repo };
`,
  'utils/text.js': `exports.clean = (s) => String(s).trim();
`,
  'db.js': `const { Pool } = require('pg');
module.exports = new Pool();
`,
};

const edits: { name: string; apply: (f: Record<string, string>) => Record<string, string> }[] = [
  { name: 'a repository method is parameterised', apply: (f) => ({ ...f, 'models/repo.js': f['models/repo.js'].replace("' WHERE ' + clause)", "' WHERE name LIKE $1', [clause])") }) },
  { name: 'a shared utility starts sanitising', apply: (f) => ({ ...f, 'utils/text.js': "const path = require('path');\nexports.clean = (s) => path.basename(String(s));\n" }) },
  { name: 'a service gains a vulnerable method and a route uses it', apply: (f) => ({
    ...f,
    'services/users.js': f['services/users.js'].replace('  byId(id) {', "  byName(n) {\n    return this.repo.where(\"name = '\" + n + \"'\");\n  }\n  byId(id) {"),
    'routes/users.js': f['routes/users.js'].replace('module.exports', "router.get('/by/:n', async (req, res) => res.json(await service.byName(req.params.n)));\nmodule.exports"),
  }) },
  { name: 'a new router file is added and mounted', apply: (f) => ({
    ...f,
    'routes/admin.js': "const express = require('express');\nconst router = express.Router();\nrouter.post('/run', (req, res) => res.json(eval(req.body.code)));\nmodule.exports = router;\n",
    'routes/index.js': f['routes/index.js'].replace("router.use('/files', files);", "router.use('/files', files);\nrouter.use('/admin', require('./admin'));"),
  }) },
  { name: 'a file is removed and its import dropped', apply: (f) => {
    const out: Record<string, string> = { ...f, 'routes/index.js': f['routes/index.js'].replace("const files = require('./files');\n", '').replace("router.use('/files', files);\n", '') };
    delete out['routes/files.js'];
    return out;
  } },
];

function changes(before: Record<string, string>, after: Record<string, string>): ChangeSet {
  const added = Object.keys(after).filter((p) => !(p in before));
  const removed = Object.keys(before).filter((p) => !(p in after));
  const changed = Object.keys(after).filter((p) => p in before && before[p] !== after[p]);
  return { added, changed, removed };
}

const canonical = (cs: Candidate[]) => JSON.stringify([...cs].sort((a, b) => a.id.localeCompare(b.id)));

describe('builtin engine: incremental re-analysis is identical to a full run', () => {
  test('five successive edits, each re-analysed in scope with cached summaries', async () => {
    const engine = createBuiltinEngine();
    let files = v1;
    const first = await engine.analyse({ files: memoryFiles(files), scope: null });
    assert.ok(first.candidates.length >= 3, `the app has findings to carry (${first.candidates.length})`);
    let state: AnalysisState = mergeState(undefined, { engine: ENGINE_NAME, engineVersion: ENGINE_VERSION, dependencies: first.dependencies, candidates: first.candidates }, new Set(Object.keys(files)));
    for (const e of edits) {
      const next = e.apply(files);
      assert.notDeepEqual(next, files, `${e.name}: the edit changes something`);
      const present = new Set(Object.keys(next));
      const plan = planIncremental(state, changes(files, next), present);
      const scoped = await engine.analyse({ files: memoryFiles(next), scope: plan.scope });
      const stats = engine.cacheStats()!;
      assert.ok(stats.reused > 0, `${e.name}: unchanged files' summaries were reused`);
      assert.ok(stats.reused < stats.files, `${e.name}: the changed files were analysed again`);
      const merged = [...plan.carried, ...scoped.candidates];

      // A fresh instance starts cold (its cache is its own), and leaves `engine`'s cache as the pipeline's would be.
      const full = await createBuiltinEngine().analyse({ files: memoryFiles(next), scope: null });
      assert.equal(canonical(merged), canonical(full.candidates), `${e.name}: carried + re-analysed = full analysis`);
      files = next;
      state = mergeState(state, { engine: ENGINE_NAME, engineVersion: ENGINE_VERSION, dependencies: scoped.dependencies, candidates: merged }, present);
    }
    // The edits changed the findings, so the comparison was not vacuous.
    assert.notEqual(canonical(state.candidates), canonical(first.candidates));
  });

  test('a second analysis of an unchanged tree reuses every file and reports the same', async () => {
    const engine = createBuiltinEngine();
    const a = await engine.analyse({ files: memoryFiles(v1), scope: null });
    const b = await engine.analyse({ files: memoryFiles(v1), scope: null });
    const stats = engine.cacheStats()!;
    assert.equal(stats.reused, stats.files);
    assert.equal(canonical(b.candidates), canonical(a.candidates));
  });
});
