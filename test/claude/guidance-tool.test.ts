// The Claude engine's search_guidance tool through the real SDK against the local Messages API stand-in: the
// model asks for guidance, the passage comes back in the tool result (bounded), hostile input is refused with
// an error result, and without guidance the tool says so; the pass goes on in every case.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createClaudeClient } from '../../activities/engines/claude/client.js';
import { ZERO_USAGE, addUsage, type TokenUsage } from '../../activities/engines/claude/config.js';
import { runToolLoop, type Meter } from '../../activities/engines/claude/loop.js';
import { reportFindingsSchema, validateWith } from '../../activities/engines/claude/schemas.js';
import { createReadTools } from '../../activities/engines/claude/tools.js';
import type { Embedder } from '../../activities/retrieval/embedder.js';
import { openGuidanceIndex, type GuidanceIndex } from '../../activities/retrieval/guidance-index.js';
import { lazyLocalEmbedder } from '../../activities/retrieval/open-decision-memory.js';
import { sourceFilesFromRecord } from '../../activities/source-files.js';
import { ensureEmbeddingModel } from '../../infra/embedding-model.js';
import { startStandIn, toolResults, type StandIn } from '../helpers/anthropic-standin.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/guidance/', import.meta.url));
const files = sourceFilesFromRecord({ 'db/users.js': "function find(name) {\n  return pool.query('SELECT * FROM u WHERE n = ' + name);\n}\n" });

function meter(): Meter {
  let usage: TokenUsage = { ...ZERO_USAGE };
  return { allowance: 1_000_000, spent: () => usage.inputTokens + usage.outputTokens, charge: async (u) => void (usage = addUsage(usage, u)) };
}

describe('search_guidance through the real SDK', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-guidance-tool-'));
  let s: StandIn;
  let embedder: Embedder;
  let index: GuidanceIndex;
  before(async () => {
    s = await startStandIn(() => ({ content: [{ type: 'text', text: 'unscripted' }] }));
    embedder = lazyLocalEmbedder(await ensureEmbeddingModel());
    index = openGuidanceIndex({ embedder, cacheFile: join(dir, 'guidance-vectors.db'), dir: FIXTURES });
  });
  after(async () => {
    await s?.close();
    await index?.close();
    await embedder?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const client = () => createClaudeClient({ apiKey: 'sk-ant-unit-secret', baseURL: s.url, timeoutMs: 5000 });

  test('the model searches guidance and gets the passage; hostile input gets an error result', async () => {
    const calls = [
      { name: 'search_guidance', input: { query: 'how to pass request values to pool.query safely in Express', class: 'sql-injection' } },
      { name: 'search_guidance', input: { query: 'x'.repeat(501) } },
      { name: 'search_guidance', input: { query: 'sql', class: '../../etc/passwd' } },
      { name: 'search_guidance', input: { query: 42 } },
    ];
    s.script = (req) => {
      if (req.turn < calls.length) return { content: [{ type: 'tool_use', ...calls[req.turn]! }] };
      return { content: [{ type: 'tool_use', name: 'report_findings', input: { findings: [] } }] };
    };
    const start = s.requests.length;
    const r = await runToolLoop({
      client: client(), model: 'm', role: 'research', prompt: 'task', maxTurns: 8, maxTokens: 1000, finalTool: 'report_findings',
      validate: (v) => validateWith(reportFindingsSchema, v), tools: createReadTools(files, { guidance: index }), meter: meter(), stream: true,
    });
    assert.deepEqual(r.value, { findings: [] });
    const reqs = s.requests.slice(start);
    assert.ok(reqs[0]!.body.tools!.some((t) => t.name === 'search_guidance'), 'research passes are offered the tool');
    assert.equal(reqs[0]!.body.tools!.at(-1)!.name, 'report_findings', 'the output tool stays last (the cache breakpoint)');

    const [found] = toolResults(reqs[1]!);
    assert.ok(!found!.is_error);
    assert.match(found!.content, /^Guidance passage sql-injection#how-to-fix-it--express \(similarity 0\.\d\d\): SQL injection \(CWE-89\) — How to fix it > Express\n### Express\n\nUse placeholders/);
    assert.ok(found!.content.split('\n---\n').every((p) => /^Guidance passage sql-injection#/.test(p)), 'the class filter holds');
    assert.ok(found!.content.length < 3 * 2700, 'bounded');

    const [long] = toolResults(reqs[2]!);
    assert.equal(long!.is_error, true);
    assert.match(long!.content, /at most 500 characters/);
    const [badClass] = toolResults(reqs[3]!);
    assert.equal(badClass!.is_error, true);
    assert.match(badClass!.content, /"class" must be one of: code-injection, command-injection, path-traversal, sql-injection/);
    const [notText] = toolResults(reqs[4]!);
    assert.equal(notText!.is_error, true);
    assert.match(notText!.content, /"query" must be a string/);
  });

  test('verifiers are offered it too; without guidance the tool says so and the pass goes on', async () => {
    s.script = (req) =>
      req.turn === 0
        ? { content: [{ type: 'tool_use', name: 'search_guidance', input: { query: 'path traversal defences' } }] }
        : { content: [{ type: 'tool_use', name: 'cast_vote', input: { verdict: 'false_positive', evidence: [], reasoning: 'guarded' } }] };
    const start = s.requests.length;
    const r = await runToolLoop({
      client: client(), model: 'm', role: 'verifier', prompt: 'task', maxTurns: 4, maxTokens: 1000, finalTool: 'cast_vote',
      validate: (v) => ({ ok: true, value: v }), tools: createReadTools(files), meter: meter(),
    });
    assert.ok(r.value);
    const reqs = s.requests.slice(start);
    assert.ok(reqs[0]!.body.tools!.some((t) => t.name === 'search_guidance'));
    const [off] = toolResults(reqs[1]!);
    assert.equal(off!.is_error, true);
    assert.match(off!.content, /not available in this run/);
  });
});
