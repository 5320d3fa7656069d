// Security guidance: the Markdown documents cut into passages with stable ids (malformed ones refused, naming the
// file), embedded by the real model with the vectors cached in a real SQLite file (a second open embeds
// nothing), searched, and linked to findings at scoring (failures degrade guidance only).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Embedder } from '../../activities/retrieval/embedder.js';
import { GuidanceFormatError, loadGuidanceLibrary, parseGuidanceDoc, slugify } from '../../activities/retrieval/guidance-docs.js';
import { openGuidanceIndex } from '../../activities/retrieval/guidance-index.js';
import { withGuidance } from '../../activities/retrieval/guidance-stage.js';
import { lazyLocalEmbedder } from '../../activities/retrieval/open-decision-memory.js';
import { openGuidance } from '../../activities/retrieval/open-guidance.js';
import { ensureEmbeddingModel } from '../../infra/embedding-model.js';
import { fakeFinding } from '../helpers/fake-finding.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/guidance/', import.meta.url));
const SQL_DOC = readFileSync(join(FIXTURES, 'sql-injection.md'), 'utf8');

/** The real embedder, counting the texts it is asked to embed. */
function counting(inner: Embedder): Embedder & { texts: number } {
  const e = {
    model: inner.model,
    dimensions: inner.dimensions,
    texts: 0,
    async embed(texts: string[]) {
      e.texts += texts.length;
      return inner.embed(texts);
    },
    close: () => inner.close(),
  };
  return e;
}

describe('guidance documents into passages', () => {
  test('one passage per ## section text and per ### subsection, ids from the heading path', () => {
    const doc = parseGuidanceDoc('sql-injection', SQL_DOC);
    assert.equal(doc.title, 'SQL injection');
    assert.equal(doc.cwe, 'CWE-89');
    assert.match(doc.summary, /^Request data concatenated/);
    assert.deepEqual(
      doc.chunks.map((c) => c.id),
      [
        'sql-injection#what-it-is',
        'sql-injection#how-it-is-exploited',
        'sql-injection#how-to-fix-it',
        'sql-injection#how-to-fix-it--express',
        'sql-injection#how-to-fix-it--koa',
        'sql-injection#how-to-fix-it--any-framework',
        'sql-injection#how-vigil-finds-it',
      ],
    );
    const express = doc.chunks.find((c) => c.id === 'sql-injection#how-to-fix-it--express')!;
    assert.equal(express.heading, 'How to fix it > Express');
    assert.ok(express.text.startsWith('SQL injection (CWE-89) — How to fix it > Express\n'), 'the embedded text starts with title and heading path');
    assert.match(express.markdown, /^### Express\n\nUse placeholders/);
    assert.ok(!express.markdown.includes('### Koa'), 'a passage ends at the next heading');
    // The ## section's own text stops at its first ###.
    const fix = doc.chunks.find((c) => c.id === 'sql-injection#how-to-fix-it')!;
    assert.match(fix.markdown, /allow-list, since they cannot be parameters\.\n$/);
  });

  test('slugs: lowercased, punctuation runs as one "-", trimmed', () => {
    assert.equal(slugify('Socket.IO/ws'), 'socket-io-ws');
    assert.equal(slugify('  Node http (core) '), 'node-http-core');
    assert.equal(slugify('GraphQL'), 'graphql');
  });

  test('a heading inside a code block is code, not a section', () => {
    const doc = parseGuidanceDoc('sql-injection', SQL_DOC.replace('### Koa\n', '### Koa\n\n```sh\n## not a section\n```\n'));
    assert.ok(!doc.chunks.some((c) => c.id.includes('not-a-section')));
    assert.match(doc.chunks.find((c) => c.id.endsWith('--koa'))!.markdown, /## not a section/);
  });

  test('malformed documents are refused with an error naming the file and what is wrong', () => {
    const cases: [string, string, RegExp][] = [
      ['no title', SQL_DOC.replace(/^# .*\n/, ''), /:2: text before the "#" title/],
      ['title without CWE', SQL_DOC.replace('# SQL injection (CWE-89)', '# SQL injection'), /does not end with its CWE/],
      ['no summary', SQL_DOC.replace(/\nRequest data concatenated[\s\S]*?\n\n## What/, '\n## What'), /no summary paragraph/],
      ['missing section', SQL_DOC.replace('## How it is exploited', '## How it is abused'), /no "## How it is exploited" section/],
      ['fix without frameworks', SQL_DOC.replace(/### /g, '#### '), /has no "### <framework>" subsection/],
      ['### before ##', SQL_DOC.replace('## What it is', '### What it is'), /before any "##" section/],
      ['empty subsection', SQL_DOC.replace(/### Koa\n[\s\S]*?### Any/, '### Koa\n\n### Any'), /"### Koa" under "## How to fix it" is empty/],
      ['duplicate passage', SQL_DOC.replace('### Koa', '### EXPRESS'), /two passages are both named sql-injection#how-to-fix-it--express/],
      ['unclosed code block', SQL_DOC.replace('### Koa\n', '### Koa\n\n```js\nx\n'), /never closed/],
      ['two titles', `${SQL_DOC}\n# Again (CWE-1)\n`, /a second "#" title/],
    ];
    for (const [name, text, problem] of cases) {
      assert.throws(
        () => parseGuidanceDoc('sql-injection', text, 'guidance/sql-injection.md'),
        (err: Error) => err instanceof GuidanceFormatError && err.message.includes('guidance/sql-injection.md') && problem.test(err.message),
        name,
      );
    }
    assert.throws(() => parseGuidanceDoc('SQL Injection', SQL_DOC), /is not a rule id/);
  });

  test('a directory: every <rule-id>.md, the first malformed one named; a missing directory is empty', () => {
    const lib = loadGuidanceLibrary(FIXTURES);
    assert.deepEqual(lib.docs.map((d) => d.ruleId), ['code-injection', 'command-injection', 'path-traversal', 'sql-injection']);
    assert.equal(lib.chunk('path-traversal#how-to-fix-it--express')!.title, 'Path traversal');
    assert.equal(lib.chunk('path-traversal#nope'), undefined);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-guidance-bad-'));
    try {
      writeFileSync(join(dir, 'sql-injection.md'), SQL_DOC);
      writeFileSync(join(dir, 'xss.md'), '# Cross-site scripting (CWE-79)\n\nSummary.\n\n## What it is\n\nText.\n');
      assert.throws(() => loadGuidanceLibrary(dir), (err: Error) => err instanceof GuidanceFormatError && err.message.includes(join(dir, 'xss.md')));
      assert.equal(loadGuidanceLibrary(join(dir, 'absent')).chunks.length, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the guidance index (real model, real SQLite cache)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-guidance-'));
  let embedder: Embedder;
  before(async () => {
    embedder = lazyLocalEmbedder(await ensureEmbeddingModel());
  });
  after(async () => {
    await embedder?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a second open embeds nothing; an edited passage alone is embedded again', async () => {
    const docs = join(dir, 'docs');
    mkdirSync(docs);
    for (const name of ['sql-injection.md', 'command-injection.md']) writeFileSync(join(docs, name), readFileSync(join(FIXTURES, name)));
    const cacheFile = join(dir, 'guidance-vectors.db');
    const first = counting(embedder);
    const a = openGuidanceIndex({ embedder: first, cacheFile, dir: docs });
    assert.equal(first.texts, 0, 'nothing is embedded before the first search');
    const before = await a.searchGuidance('placeholders for SQL values');
    assert.equal(a.embedded(), a.library.chunks.length);
    await a.close();

    const second = counting(embedder);
    const b = openGuidanceIndex({ embedder: second, cacheFile, dir: docs });
    const again = await b.searchGuidance('placeholders for SQL values');
    assert.equal(b.embedded(), 0, 'every passage came from the cache');
    assert.equal(second.texts, 1, 'only the query was embedded');
    assert.deepEqual(again.map((h) => h.chunk.id), before.map((h) => h.chunk.id));
    assert.ok(Math.abs(again[0]!.similarity - before[0]!.similarity) < 1e-6);
    await b.close();

    writeFileSync(join(docs, 'sql-injection.md'), SQL_DOC.replace('with the least privilege', 'with the smallest privilege'));
    const c = openGuidanceIndex({ embedder, cacheFile, dir: docs });
    await c.searchGuidance('least privilege database account');
    assert.equal(c.embedded(), 1, 'only the edited passage');
    await c.close();
  });

  test('a finding about SQL queries gets the SQL fix passage first; a class filter keeps to its class', async () => {
    const index = openGuidanceIndex({ embedder, cacheFile: join(dir, 'search.db'), dir: FIXTURES });
    try {
      const query = 'SQL injection: req.query.id reaches db.query(). The id from the query string is concatenated into the SQL text passed to db.query; how do I pass it safely in Express?';
      const hits = await index.searchGuidance(query, { limit: 5 });
      assert.equal(hits[0]!.chunk.id, 'sql-injection#how-to-fix-it--express', hits.map((h) => `${h.chunk.id} ${h.similarity.toFixed(3)}`).join('\n'));
      assert.ok(hits.every((h, i) => i === 0 || h.similarity <= hits[i - 1]!.similarity), 'best first');
      const shell = await index.searchGuidance('run ping with the host without a shell', { ruleId: 'command-injection', limit: 10 });
      assert.ok(shell.length > 0 && shell.every((h) => h.chunk.ruleId === 'command-injection'));
      assert.equal(shell[0]!.chunk.id, 'command-injection#how-to-fix-it--express');
      assert.deepEqual(await index.searchGuidance('anything', { ruleId: 'xss' }), [], 'a class without guidance has no passage');
    } finally {
      await index.close();
    }
  });

  test('at scoring each finding is linked to its class’s best passage; a failure leaves findings unchanged', async () => {
    const index = openGuidanceIndex({ embedder, cacheFile: join(dir, 'stage.db'), dir: FIXTURES });
    const sql = fakeFinding({ id: 'f-sql', ruleId: 'sql-injection', cwe: 'CWE-89', title: 'SQL injection: req.query.id reaches db.query()', explanation: 'The id from the query string is concatenated into the SQL text passed to db.query.' });
    const trav = fakeFinding({ id: 'f-path', ruleId: 'path-traversal', cwe: 'CWE-22', title: 'Path traversal: req.params.name reaches res.sendFile()', explanation: 'A file name from the URL is joined to the uploads directory.' });
    const other = fakeFinding({ id: 'f-xss', ruleId: 'xss', cwe: 'CWE-79', title: 'XSS', explanation: 'Reflected.' });
    const linked = await withGuidance(index, 'scn_1', [sql, trav, other]);
    assert.equal(linked[0]!.guidance!.id.split('#')[0], 'sql-injection');
    assert.equal(linked[0]!.guidance!.title, 'SQL injection');
    assert.ok(linked[0]!.guidance!.similarity > 0 && linked[0]!.guidance!.similarity <= 1);
    assert.equal(linked[1]!.guidance!.id.split('#')[0], 'path-traversal');
    assert.equal(linked[2]!.guidance, undefined, 'no guidance for a class that has none');
    await index.close();

    const warnings: string[] = [];
    const broken = openGuidanceIndex({
      embedder: { ...embedder, model: embedder.model, dimensions: 384, embed: async () => Promise.reject(new Error('model gone')), close: async () => {} },
      cacheFile: join(dir, 'broken.db'),
      dir: FIXTURES,
      warn: (m) => warnings.push(m),
    });
    assert.deepEqual(await withGuidance(broken, 'scn_2', [sql]), [sql]);
    assert.match(warnings.join('\n'), /guidance: no passages linked for scan scn_2: model gone/);
    assert.ok(!warnings.join('\n').includes('req.query.id'), 'the finding text is not in the warning');
    await broken.close();
  });

  test('a worker with a malformed guidance file runs without guidance and says why', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'xss.md'), 'no title here\n');
    const opened = openGuidance({ embedder, dir: bad, cacheFile: join(dir, 'start.db') });
    assert.equal(opened.index, undefined);
    assert.match(opened.unavailable!, /security guidance is off: Guidance .*xss\.md:1: text before the "#" title/);
  });
});
