// The repository's stack picks the guidance passage for the finding's own framework or driver; manifests are
// hostile input (huge, malformed, odd names) and never fail a scan.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding } from '../../activities/model.js';
import type { GuidanceChunk, GuidanceLibrary } from '../../activities/retrieval/guidance-docs.js';
import type { GuidanceHit, GuidanceIndex, GuidanceQuery } from '../../activities/retrieval/guidance-index.js';
import { loadGuidanceLibrary } from '../../activities/retrieval/guidance-docs.js';
import { guidanceClassesOf, withGuidance } from '../../activities/retrieval/guidance-stage.js';
import { headingMatchesStack, headingNames, manifestNames, nearestManifest, stacksOf } from '../../activities/retrieval/repository-stack.js';
import { sourceFilesFromRecord } from '../../activities/source-files.js';
import { fakeFinding } from '../helpers/fake-finding.js';

describe('repository stack', () => {
  test('the nearest manifest: the finding file’s own package in a monorepo, else the root’s', () => {
    const has = (p: string) => ['package.json', 'packages/api/package.json'].includes(p);
    assert.equal(nearestManifest('packages/api/src/routes/users.js', has), 'packages/api/package.json');
    assert.equal(nearestManifest('packages/web/src/app.js', has), 'package.json');
    assert.equal(nearestManifest('app.js', has), 'package.json');
    assert.equal(nearestManifest('app.js', () => false), undefined);
  });

  test('manifest names: every dependency field, scopes split; malformed, huge or odd input gives what is well-formed', () => {
    const names = manifestNames(JSON.stringify({ dependencies: { Express: '^4', '@koa/router': '1' }, devDependencies: { mysql2: '3' }, peerDependencies: { 'bad name': '1', '../x': '1' } }));
    assert.deepEqual([...names].sort(), ['@koa/router', 'express', 'koa', 'mysql2', 'router']);
    assert.equal(manifestNames('{ not json').size, 0);
    assert.equal(manifestNames(JSON.stringify({ dependencies: ['express'] })).size, 0);
    assert.equal(manifestNames(JSON.stringify(null)).size, 0);
    assert.equal(manifestNames(JSON.stringify({ dependencies: { express: '1' }, pad: 'x'.repeat(600_000) })).size, 0, 'a huge manifest is not read');
    assert.equal(manifestNames(undefined).size, 0);
  });

  test('heading names: the subsection’s libraries, ".js" dropped, "and" and separators skipped', () => {
    assert.deepEqual([...headingNames('How to fix it > pg (node-postgres) and pg-promise')], ['pg', 'node-postgres', 'pg-promise']);
    assert.ok(headingNames('How to fix it > Next.js').has('next'));
    assert.ok(headingMatchesStack('How to fix it > mysql and mysql2', new Set(['express', 'mysql'])));
    assert.ok(!headingMatchesStack('How to fix it > TypeORM', new Set(['express', 'mysql'])));
    assert.ok(!headingMatchesStack('How to fix it > Any framework', new Set()));
  });

  test('stacks of files: each manifest read once, files without one get an empty stack', async () => {
    const files = sourceFilesFromRecord({
      'package.json': JSON.stringify({ dependencies: { express: '4', mysql: '2' } }),
      'svc/package.json': JSON.stringify({ dependencies: { koa: '2', pg: '8' } }),
      'routes/a.js': '',
      'svc/b.js': '',
    });
    const stacks = await stacksOf(files, ['routes/a.js', 'svc/b.js']);
    assert.deepEqual([...stacks.get('routes/a.js')!].sort(), ['express', 'mysql']);
    assert.deepEqual([...stacks.get('svc/b.js')!].sort(), ['koa', 'pg']);
    const bare = await stacksOf(sourceFilesFromRecord({ 'a.js': '' }), ['a.js']);
    assert.equal(bare.get('a.js')!.size, 0);
  });

  test('withGuidance prefers the passage for the finding’s stack over a closer-worded one for another library', async () => {
    const chunk = (heading: string): GuidanceChunk => ({
      id: `sql-injection#${heading.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
      ruleId: 'sql-injection',
      title: 'SQL injection',
      cwe: 'CWE-89',
      heading,
      markdown: '',
      text: '',
    });
    const typeorm = chunk('How to fix it > TypeORM');
    const mysql = chunk('How to fix it > mysql and mysql2');
    const asked: GuidanceQuery[] = [];
    // An index whose ranking is fixed (TypeORM first): what is tested is the choice made from it.
    const index: GuidanceIndex = {
      library: { docs: [], chunks: [typeorm, mysql], chunk: () => undefined } satisfies GuidanceLibrary,
      async searchMany(queries) {
        asked.push(...queries);
        return queries.map((): GuidanceHit[] => [
          { chunk: typeorm, similarity: 0.7 },
          { chunk: mysql, similarity: 0.6 },
        ]);
      },
      async searchGuidance() {
        return [];
      },
      embedded: () => 0,
      warn: () => {},
      close: async () => {},
    };
    const finding = (id: string, file: string): Finding => fakeFinding({ id, ruleId: "sql-injection", location: { file, startLine: 1, endLine: 1 } });
    const out = await withGuidance(index, 'scn_1', [finding('f1', 'app/a.js'), finding('f2', 'other/b.js')], new Map([['app/a.js', new Set(['mysql'])]]));
    assert.equal(out[0]!.guidance?.id, mysql.id, 'the mysql app gets the mysql passage');
    assert.equal(out[0]!.guidance?.similarity, 0.6, 'with its own similarity');
    assert.equal(out[1]!.guidance?.id, typeorm.id, 'without a stack, the best-ranked passage');
    assert.ok(asked.every((q) => q.section === 'How to fix it' && q.ruleIds?.join() === 'sql-injection'));
  });

  test('guidance classes: the finding’s own rule, else the classes of its CWE (the Claude engine names findings by CWE)', () => {
    const library = loadGuidanceLibrary();
    assert.deepEqual(guidanceClassesOf({ ruleId: 'sql-injection', cwe: 'CWE-89' }, library), ['sql-injection']);
    assert.deepEqual(guidanceClassesOf({ ruleId: 'claude-cwe-89', cwe: 'CWE-89' }, library), ['sql-injection']);
    assert.deepEqual(guidanceClassesOf({ ruleId: 'claude-cwe-200', cwe: 'cwe-200' }, library).sort(), ['graphql-introspection', 'information-exposure']);
    assert.deepEqual(guidanceClassesOf({ ruleId: 'claude-cwe-1', cwe: 'CWE-1' }, library), []);
  });
});
