// Module resolution beyond relative paths: tsconfig/jsconfig `baseUrl` and `paths` (with `extends`),
// workspace packages through their package.json `exports`/`main` (conditions, subpath patterns, build
// output mapped back to sources), and package `imports` (`#internal/*`).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResolver } from '../../activities/engines/builtin/js/modules.js';
import { analyse } from './helpers.js';

function resolverFor(files: Record<string, string>) {
  const paths = Object.keys(files).sort();
  return createResolver(paths, (p) => files[p], (p) => p in files && /\.[cm]?[jt]sx?$/.test(p));
}

const target = (files: Record<string, string>, from: string, spec: string) => {
  const t = resolverFor(files).resolve(from, spec);
  return t.kind === 'file' ? t.path : `external:${t.module}`;
};

describe('tsconfig paths and baseUrl', () => {
  const files = {
    'tsconfig.base.json': `{
  // comments and trailing commas are allowed in tsconfig files
  "compilerOptions": {
    "baseUrl": ".",
    "paths": { "@lib/*": ["src/lib/*", "src/fallback/*"], "@db": ["src/db/index.ts"], },
  },
}`,
    'tsconfig.json': '{ "extends": "./tsconfig.base.json", "compilerOptions": { "strict": true } }',
    'src/lib/users.ts': 'export const x = 1;',
    'src/fallback/extra.ts': 'export const y = 1;',
    'src/db/index.ts': 'export default 1;',
    'src/app.ts': '',
    'tools/tsconfig.json': '{ "compilerOptions": { "paths": { "@lib/*": ["./shim/*"] } } }',
    'tools/shim/users.ts': '',
    'tools/run.ts': '',
  };

  test('wildcard and exact patterns, tried in order, inherited through a local extends', () => {
    assert.equal(target(files, 'src/app.ts', '@lib/users'), 'src/lib/users.ts');
    assert.equal(target(files, 'src/app.ts', '@lib/extra'), 'src/fallback/extra.ts');
    assert.equal(target(files, 'src/app.ts', '@db'), 'src/db/index.ts');
    assert.equal(target(files, 'src/app.ts', '@lib/missing'), 'external:@lib/missing');
  });

  test('baseUrl makes non-relative paths resolve from the base; packages stay external', () => {
    assert.equal(target(files, 'src/app.ts', 'src/lib/users'), 'src/lib/users.ts');
    assert.equal(target(files, 'src/app.ts', 'express'), 'external:express');
    assert.equal(target(files, 'src/app.ts', 'node:fs'), 'external:fs');
  });

  test('the nearest tsconfig applies; paths without baseUrl are relative to their tsconfig', () => {
    assert.equal(target(files, 'tools/run.ts', '@lib/users'), 'tools/shim/users.ts');
  });

  test('end to end: taint crosses files imported through paths, and the configs become dependencies', async () => {
    const out = await analyse({
      ...files,
      'src/app.ts': `import express from 'express';
import { users } from '@lib/users';
const app = express();
app.get('/u', (req, res) => users(req.query.name as string));
app.listen(1);
`,
      'src/lib/users.ts': "import db from '@db';\nexport function users(n: string) {\n  return db.query('SELECT * FROM u WHERE n = ' + n);\n}\n",
      'src/db/index.ts': "import mysql from 'mysql2';\nexport default mysql.createPool({});\n",
    });
    assert.deepEqual(out.candidates.map((c) => `${c.ruleId}@${c.location.file}:${c.location.startLine}`), ['sql-injection@src/lib/users.ts:3']);
    assert.deepEqual(out.dependencies['src/app.ts'], ['src/lib/users.ts', 'tsconfig.base.json', 'tsconfig.json']);
  });
});

describe('workspace packages', () => {
  const files = {
    'package.json': JSON.stringify({ name: 'monorepo', private: true, workspaces: ['packages/*'] }),
    'packages/core/package.json': JSON.stringify({
      name: '@acme/core',
      exports: {
        '.': { types: './dist/index.d.ts', import: './dist/index.js', require: './dist/index.cjs' },
        './db/*': { default: './dist/db/*.js' },
        './package.json': './package.json',
      },
      imports: { '#internal/*': './src/internal/*.ts', '#shell': 'shell-lib' },
    }),
    'packages/core/tsconfig.json': JSON.stringify({ compilerOptions: { outDir: 'dist', rootDir: 'src' } }),
    'packages/core/src/index.ts': "export * from './search';\n",
    'packages/core/src/search.ts': '',
    'packages/core/src/db/users.ts': '',
    'packages/core/src/internal/exec.ts': '',
    'packages/core/src/secret.ts': '',
    'packages/util/package.json': JSON.stringify({ name: 'util', main: 'lib/index.js' }),
    'packages/util/src/index.js': '',
    'packages/plain/package.json': JSON.stringify({ name: 'plain' }),
    'packages/plain/index.ts': '',
    'packages/plain/helpers.ts': '',
    'apps/api/server.ts': '',
  };

  test('conditional exports, mapped from the build output back to src via tsconfig outDir/rootDir', () => {
    assert.equal(target(files, 'apps/api/server.ts', '@acme/core'), 'packages/core/src/index.ts');
  });

  test('subpath patterns; subpaths the exports map does not list stay unresolved', () => {
    assert.equal(target(files, 'apps/api/server.ts', '@acme/core/db/users'), 'packages/core/src/db/users.ts');
    assert.equal(target(files, 'apps/api/server.ts', '@acme/core/secret'), 'external:@acme/core/secret');
  });

  test('main (lib/ → src/), index fallback and deep imports without exports', () => {
    assert.equal(target(files, 'apps/api/server.ts', 'util'), 'packages/util/src/index.js');
    assert.equal(target(files, 'apps/api/server.ts', 'plain'), 'packages/plain/index.ts');
    assert.equal(target(files, 'apps/api/server.ts', 'plain/helpers'), 'packages/plain/helpers.ts');
  });

  test('package imports (#internal/*) resolve within the importing package only', () => {
    assert.equal(target(files, 'packages/core/src/search.ts', '#internal/exec'), 'packages/core/src/internal/exec.ts');
    assert.equal(target(files, 'packages/core/src/search.ts', '#shell'), 'external:#shell');
    assert.equal(target(files, 'apps/api/server.ts', '#internal/exec'), 'external:#internal/exec');
  });

  test('package entry files of a library: every exported subpath', () => {
    assert.deepEqual(resolverFor(files).packageEntryFiles('packages/core'), ['packages/core/src/index.ts']);
    // No main/exports: `require('plain')` loads its index file, so that file is the public API.
    assert.deepEqual(resolverFor(files).packageEntryFiles('packages/plain'), ['packages/plain/index.ts']);
    assert.deepEqual(resolverFor({ 'packages/bare/package.json': '{"name":"bare"}', 'packages/bare/lib.js': '' }).packageEntryFiles('packages/bare'), undefined);
    // An unnamed manifest (an application's) publishes nothing.
    assert.deepEqual(resolverFor({ 'package.json': JSON.stringify({ private: true }), 'index.js': '' }).packageEntryFiles(''), undefined);
    assert.deepEqual(resolverFor(files).packageEntryFiles('packages/util'), ['packages/util/src/index.js']);
  });

  test('end to end: a route in one package reaches a sink in another through exports and imports', async () => {
    const out = await analyse({
      ...files,
      'packages/core/src/search.ts': "import { run } from '#internal/exec';\nexport function search(term: string) {\n  return run('grep -r ' + term + ' /data');\n}\n",
      'packages/core/src/internal/exec.ts': "import { execSync } from 'child_process';\nexport function run(cmd: string) {\n  return execSync(cmd);\n}\n",
      'apps/api/server.ts': `import express from 'express';
import { search } from '@acme/core';
const app = express();
app.get('/t', (req, res) => res.send(search(req.query.q as string)));
app.listen(1);
`,
    });
    const cs = out.candidates;
    assert.deepEqual(cs.map((c) => `${c.ruleId}@${c.location.file}:${c.location.startLine}`), ['command-injection@packages/core/src/internal/exec.ts:3']);
    assert.deepEqual(
      [...new Set(cs[0].trace.map((s) => s.file))],
      ['apps/api/server.ts', 'packages/core/src/search.ts', 'packages/core/src/internal/exec.ts'],
    );
    assert.ok(out.dependencies['apps/api/server.ts'].includes('packages/core/package.json'));
  });
});
