// The hybrid ranking of precedents: BM25 and reciprocal rank fusion as pure functions, and through the real
// model and the real (sealed) vector store: the embedded text is stored sealed with the decision, and a shared
// identifier the embedding underrates lifts the decision that names it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadKeyring } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { findingText, rememberDecisions, similarDecisions, type DecisionMemory, type DescribedFinding } from '../../activities/retrieval/decision-memory.js';
import { bm25Scores, fuseWithLexical, lexicalTokens, RRF_K } from '../../activities/retrieval/hybrid-rank.js';
import { openDecisionMemory } from '../../activities/retrieval/open-decision-memory.js';
import { ensureEmbeddingModel } from '../../infra/embedding-model.js';

describe('hybrid ranking: pure functions', () => {
  test('tokens split identifiers and keep non-ASCII letters', () => {
    assert.deepEqual(lexicalTokens('req.query.id reaches db.query() — Größe'), ['req', 'query', 'id', 'reaches', 'db', 'query', 'größe']);
    assert.deepEqual(lexicalTokens(''), []);
  });
  test('BM25: a rarer shared word scores higher; no shared word scores 0; empty input is safe', () => {
    const docs = [lexicalTokens('requireSchema validates the id'), lexicalTokens('the id is validated'), lexicalTokens('nothing in common here')];
    const s = bm25Scores(lexicalTokens('requireSchema id'), docs);
    assert.ok(s[0]! > s[1]! && s[1]! > 0);
    assert.equal(s[2], 0);
    assert.deepEqual(bm25Scores(['x'], []), []);
    assert.deepEqual(bm25Scores([], [[]]), [0]);
  });
  test('fusion: the embedding order stands without lexical evidence; a lexical match lifts a close second', () => {
    assert.deepEqual(fuseWithLexical('zzz', ['a b', 'c d', 'e f']), [0, 1, 2]);
    // Dense order: 0, 1, 2. Only candidate 1 shares the query's words: 1/(k+2) + 1/(k+1) beats 1/(k+1).
    assert.deepEqual(fuseWithLexical('requireSchema middleware', ['a b', 'requireSchema middleware', 'e f']), [1, 0, 2]);
    assert.ok(1 / (RRF_K + 2) + 1 / (RRF_K + 1) > 1 / (RRF_K + 1));
    // A lexical match far down the dense list cannot jump past a much better dense candidate with lexical support.
    const far = Array.from({ length: 40 }, (_, i) => (i === 0 ? 'requireSchema' : i === 39 ? 'requireSchema middleware' : `x${i}`));
    assert.equal(fuseWithLexical('requireSchema middleware', far)[0], 0);
    assert.deepEqual(fuseWithLexical('q', []), []);
  });
});

describe('hybrid ranking through the real model and sealed store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-hybrid-rank-'));
  const crypto = createStoreCrypto(loadKeyring({ env: {}, dataDir: dir, generate: true })!);
  let memory: DecisionMemory;
  before(async () => {
    const model = await ensureEmbeddingModel();
    const opened = await openDecisionMemory({ dataDir: dir, crypto, env: {}, modelDir: model.dir });
    assert.ok(opened.memory, opened.unavailable);
    memory = opened.memory;
  });
  after(async () => {
    await memory?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sqlFinding = (id: string, explanation: string, file: string): DescribedFinding => ({
    id,
    fingerprint: `fp-${id}`,
    ruleId: 'sql-injection',
    cwe: 'CWE-89',
    title: 'SQL injection: req.params.id reaches db.query()',
    explanation,
    location: { file, startLine: 3, endLine: 3 },
  });

  test('the embedded text is stored with the decision, sealed; hybrid and dense orders both come back', async () => {
    const decided = [
      { finding: sqlFinding('a', 'The id is concatenated into a SELECT.', 'db/a.js'), comment: 'validated by the requireSchema middleware' },
      { finding: sqlFinding('b', 'The id is concatenated into a SELECT; the route uses requireSchema(idSchema).', 'db/b.js'), comment: 'accepted risk' },
      { finding: sqlFinding('c', 'The id is concatenated into a DELETE in a test fixture.', 'test/c.js'), comment: 'test code' },
    ];
    await rememberDecisions(memory, 'acme', decided.map((d) => ({ ...d, scanId: 'scn_old', decision: 'reject' as const, decidedAt: new Date(0).toISOString() })));
    // The database and its write-ahead log, wherever the rows are now.
    const files = ['vectors.db', 'vectors.db-wal'].map((f) => join(dir, f)).filter((f) => existsSync(f));
    assert.ok(files.reduce((n, f) => n + readFileSync(f).length, 0) > 0);
    for (const f of files) assert.ok(!readFileSync(f).includes('requireSchema'), `texts and comments are sealed in ${f}`);
    const query = sqlFinding('q', 'The id is concatenated into a SELECT; the route is declared with requireSchema.', 'db/q.js');
    const opts = { limit: 3, minSimilarity: -1 };
    const hybrid = (await similarDecisions(memory, 'acme', 'scn_new', [query], opts)).get('q')!;
    const dense = (await similarDecisions(memory, 'acme', 'scn_new', [query], { ...opts, ranking: 'dense' })).get('q')!;
    assert.deepEqual(new Set(hybrid.map((s) => s.findingId)), new Set(['a', 'b', 'c']));
    assert.deepEqual(dense.map((s) => s.similarity), [...dense.map((s) => s.similarity)].sort((x, y) => y - x), 'dense: by similarity');
    // Both name requireSchema and SELECT; the test fixture shares neither: last in the hybrid order.
    assert.equal(hybrid[2]!.findingId, 'c');
    // What the lexical side read is what was embedded (finding and comment).
    const stored = await memory.vectors.query('acme', memory.embedder.model, (await memory.embedder.embed([findingText(query)]))[0]!, 3);
    const a = stored.find((h) => h.record.findingId === 'a')!;
    assert.equal(a.record.text, findingText(decided[0]!.finding, decided[0]!.comment));
  });
});
