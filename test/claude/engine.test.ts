// The Claude engine's parts against the real SDK and a local stand-in of the Messages API: vote
// arithmetic, error mapping (429 with retry-after, 529, 401, resets), the tool loop with malformed output.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createClaudeClient, callModel } from '../../activities/engines/claude/client.js';
import { ZERO_USAGE, addUsage, type TokenUsage } from '../../activities/engines/claude/config.js';
import { runToolLoop, type Meter } from '../../activities/engines/claude/loop.js';
import { mergeDuplicates, tallyVotes, type Vote } from '../../activities/engines/claude/panel.js';
import { findingLocationsProblem, reportFindingsSchema, validateWith } from '../../activities/engines/claude/schemas.js';
import { createReadTools } from '../../activities/engines/claude/tools.js';
import type { Candidate } from '../../activities/model.js';
import { sourceFilesFromRecord } from '../../activities/source-files.js';
import { startStandIn, toolResults, type StandIn } from '../helpers/anthropic-standin.js';
import { SQLI } from './brain.js';

const tp = (lens: Vote['lens']): Vote => ({ lens, verdict: 'true_positive', evidence: [{ file: 'a.js', line: 1, note: '' }] });
const fp = (lens: Vote['lens']): Vote => ({ lens, verdict: 'false_positive', evidence: [] });
const none = (lens: Vote['lens']): Vote => ({ lens, evidence: [] });

describe('panel vote arithmetic', () => {
  test('2 of 3 keeps with medium confidence, 3 of 3 with high, 1 of 3 rejects', () => {
    assert.deepEqual(
      [tallyVotes([tp('reachability'), tp('impact'), fp('defences')], 3)].map((t) => [t.verdict, t.confidence]),
      [['confirmed', 'medium']],
    );
    assert.equal(tallyVotes([tp('reachability'), tp('impact'), tp('defences')], 3).confidence, 'high');
    assert.equal(tallyVotes([tp('reachability'), fp('impact'), fp('defences')], 3).verdict, 'rejected');
  });
  test('a missing vote never confirms: 2 yes + 1 missing is uncertain; 2 no + 1 missing is rejected', () => {
    const t = tallyVotes([tp('reachability'), tp('impact'), none('defences')], 3);
    assert.equal(t.verdict, 'uncertain');
    assert.equal(t.missing, 1);
    assert.equal(t.confidence, 'low');
    assert.match(t.reasons[0], /1 did not answer/);
    assert.equal(tallyVotes([fp('reachability'), fp('impact'), none('defences')], 3).verdict, 'rejected');
    // Fewer votes than the panel's size counts the absent ones as missing too.
    assert.equal(tallyVotes([tp('reachability'), tp('impact')], 3).verdict, 'uncertain');
  });
  test('a panel of 5 needs 3', () => {
    const five = [tp('reachability'), tp('impact'), fp('defences'), fp('exploitability'), fp('root-cause')];
    assert.equal(tallyVotes(five, 5).verdict, 'rejected');
    five[2] = tp('defences');
    assert.equal(tallyVotes(five, 5).verdict, 'confirmed');
  });
  test('duplicates merge on file, overlapping line range and CWE', () => {
    const c = (id: string, start: number, end: number, cwe = 'CWE-89', dep = 'x.js'): Candidate => ({
      id, engine: 'claude', ruleId: 'r', cwe, title: 't', location: { file: 'db.js', startLine: start, endLine: end },
      origin: 'a.js', trace: [], explanation: '', dependsOn: [dep], evidence: {},
    });
    const merged = mergeDuplicates([c('b', 5, 6, 'CWE-89', 'y.js'), c('a', 6, 6), c('c', 9, 9), c('d', 5, 6, 'CWE-78')]);
    assert.deepEqual(merged.map((m) => m.id), ['a', 'c', 'd']);
    assert.deepEqual(merged[0].dependsOn, ['x.js', 'y.js']);
  });
});

const files = sourceFilesFromRecord({
  'routes/users.js': "const x = 1;\nconst { name } = req.query;\nfindUsersByName(name);\nline4\nline5\nline6\nline7\nline8\nline9\n",
  'db/users.js': "'use strict';\nconst pool = 1;\n\nfunction findUsersByName(name) {\n  const sql = 'x' + name;\n  pool.query(sql);\n}\n",
});
const finding = { ...SQLI, trace: SQLI.trace.map((s) => (s.file === 'routes/users.js' ? { ...s, line: s.line - 6 } : s)) };

function meter(allowance = 1_000_000): Meter & { usage: TokenUsage } {
  const m = {
    allowance,
    usage: { ...ZERO_USAGE },
    spent: () => m.usage.inputTokens + m.usage.outputTokens,
    charge: async (u: TokenUsage) => void (m.usage = addUsage(m.usage, u)),
  };
  return m;
}

describe('read-only tools', () => {
  test('read a range, search, find a symbol, leads; unknown files are tool errors, not crashes', async () => {
    const lead = { id: 'l', engine: 'builtin', ruleId: 'sql-injection', cwe: 'CWE-89', title: 'SQL injection', location: { file: 'db/users.js', startLine: 6, endLine: 6 }, origin: 'routes/users.js', trace: [], explanation: '', dependsOn: [], evidence: {} } as Candidate;
    const run = createReadTools(files, { leads: () => [lead] });
    assert.match(await run('read_file', { path: 'db/users.js', start_line: 6, end_line: 6 }), /^<repository_data source="db\/users.js:6-6 of 8">\n6:   pool.query\(sql\);\n<\/repository_data>$/);
    assert.match(await run('search_code', { query: 'POOL.query' }), /db\/users.js:6: pool.query\(sql\);/);
    const sym = await run('find_symbol', { name: 'findUsersByName' });
    assert.match(sym, /definitions:\ndb\/users.js:4: function findUsersByName/);
    assert.match(sym, /references:\nroutes\/users.js:3: findUsersByName\(name\);/);
    assert.match(await run('builtin_leads', {}), /CWE-89 SQL injection at db\/users.js:6/);
    await assert.rejects(run('read_file', { path: '../../etc/passwd' }), /No file/);
    await assert.rejects(run('write_file', { path: 'x' }), /Unknown tool/);
    const ranked = createReadTools(files, { search: async () => [{ path: 'db/users.js', startLine: 4, endLine: 7, text: 'function findUsersByName' }] });
    assert.match(await ranked('search_code', { query: 'users' }), /ranked chunks\)">\ndb\/users.js:4-7\nfunction findUsersByName/);
  });
});

describe('model calls through the real SDK', () => {
  let s: StandIn;
  before(async () => {
    s = await startStandIn(() => ({ content: [{ type: 'text', text: 'hi' }] }));
  });
  after(async () => s.close());
  const client = () => createClaudeClient({ apiKey: 'sk-ant-unit-secret', baseURL: s.url, timeoutMs: 2000 });
  const params = { model: 'm', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
  const failure = (p: Promise<unknown>) => p.then(() => assert.fail('expected a failure'), (e: unknown) => e as ApplicationFailure);

  test('429 is retryable with retry-after as the next retry delay; the SDK itself does not retry', async () => {
    s.script = () => ({ status: 429, error: { type: 'rate_limit_error', message: 'slow down' }, headers: { 'retry-after': '7' } });
    const before = s.requests.length;
    const err = await failure(callModel(client(), params, {}));
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'ModelRateLimited');
    assert.ok(!err.nonRetryable);
    assert.equal(err.nextRetryDelay, 7000);
    assert.equal(s.requests.length - before, 1, 'maxRetries: 0 — Temporal owns retries');
    const h = s.requests.at(-1)!.headers;
    assert.match(String(h['x-api-key'] ?? h.authorization), /sk-ant-unit-secret/, 'the SDK client carries the key');
  });
  test('529 overloaded and 500 are retryable; 400/401/403 are not and say what to do', async () => {
    s.script = () => ({ status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } });
    const overloaded = await failure(callModel(client(), params, {}));
    assert.equal(overloaded.type, 'ModelUnavailable');
    assert.ok(!overloaded.nonRetryable);
    for (const [status, type] of [[400, 'invalid_request_error'], [401, 'authentication_error'], [403, 'permission_error']] as const) {
      s.script = () => ({ status, error: { type, message: 'invalid x-api-key sk-ant-unit-secret' } });
      const err = await failure(callModel(client(), params, { secrets: ['sk-ant-unit-secret'] }));
      assert.equal(err.type, 'ModelRequestError', `status ${status}`);
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, new RegExp(`${status} ${type}`));
      assert.ok(!err.message.includes('sk-ant-unit-secret'), 'the key is scrubbed from the message');
    }
    s.script = () => ({ status: 401, error: { type: 'authentication_error', message: 'bad key' } });
    assert.match((await failure(callModel(client(), params, {}))).message, /ANTHROPIC_API_KEY/);
  });
  test('a connection reset and a timeout are retryable connection errors', async () => {
    s.script = () => ({ reset: true });
    const reset = await failure(callModel(client(), params, {}));
    assert.equal(reset.type, 'ModelConnectionError');
    assert.ok(!reset.nonRetryable);
    s.script = () => ({ hang: true });
    const slow = createClaudeClient({ apiKey: 'k', baseURL: s.url, timeoutMs: 300 });
    assert.equal((await failure(callModel(slow, params, {}))).type, 'ModelConnectionError');
  });

  test('tool loop over SSE: read-only tool results, then findings; malformed output gets one correction', async () => {
    let reports = 0;
    s.script = (req) => {
      if (req.turn === 0) return { content: [{ type: 'tool_use', name: 'read_file', input: { path: 'db/users.js', start_line: 5, end_line: 6 } }] };
      reports++;
      // First report: a line that does not exist and a missing field; then a valid one.
      const input = reports === 1 ? { findings: [{ ...finding, start_line: 90, end_line: 91, explanation: undefined }] } : { findings: [finding] };
      return { content: [{ type: 'tool_use', name: 'report_findings', input }], usage: { input_tokens: 50, output_tokens: 5, cache_read_input_tokens: 40 } };
    };
    const start = s.requests.length;
    const m = meter();
    const r = await runToolLoop({
      client: client(), model: 'm', role: 'research', prompt: 'task', maxTurns: 6, maxTokens: 1000, finalTool: 'report_findings',
      validate: (v) => validateWith(reportFindingsSchema, v, (rep) => findingLocationsProblem(files, rep)),
      tools: createReadTools(files), meter: m, stream: true,
    });
    assert.equal(r.malformed, 1);
    assert.equal(r.dropped, false);
    assert.equal(r.value?.findings.length, 1);
    assert.equal(r.turns, 3);
    const reqs = s.requests.slice(start);
    assert.ok(reqs.every((q) => q.body.stream === true), 'research streams (SSE)');
    assert.match(toolResults(reqs[1])[0].content, /<repository_data source="db\/users.js:5-6 of 8">\n5:   const sql/);
    const correction = toolResults(reqs[2])[0];
    assert.equal(correction.is_error, true);
    assert.match(correction.content, /explanation|not a line/);
    assert.equal(r.usage.cacheReadInputTokens, 80, 'cache fields of usage are counted');
    // The stable prefix carries cache breakpoints: last tool and the system block.
    const body = reqs[0].body;
    assert.deepEqual(body.tools!.at(-1)!.cache_control, { type: 'ephemeral' });
    assert.deepEqual(body.system!.at(-1)!.cache_control, { type: 'ephemeral' });
  });

  test('malformed twice: counted and dropped, never thrown', async () => {
    s.script = () => ({ content: [{ type: 'tool_use', name: 'report_findings', input: { findings: [{ title: 'x' }] } }] });
    const r = await runToolLoop({
      client: client(), model: 'm', role: 'research', prompt: 'task', maxTurns: 6, maxTokens: 1000, finalTool: 'report_findings',
      validate: (v) => validateWith(reportFindingsSchema, v), tools: createReadTools(files), meter: meter(),
    });
    assert.equal(r.value, undefined);
    assert.equal(r.malformed, 2);
    assert.equal(r.dropped, true);
    assert.equal(r.turns, 2);
  });

  test('the allowance stops the loop before a call it cannot pay for', async () => {
    s.script = () => ({ content: [{ type: 'tool_use', name: 'list_files', input: {} }], usage: { input_tokens: 4500, output_tokens: 10 } });
    const start = s.requests.length;
    const r = await runToolLoop({
      client: client(), model: 'm', role: 'research', prompt: 'task', maxTurns: 6, maxTokens: 1000, finalTool: 'report_findings',
      validate: (v) => validateWith(reportFindingsSchema, v), tools: createReadTools(files), meter: meter(5000),
    });
    assert.equal(r.budgetStopped, true);
    assert.equal(s.requests.length - start, 1, 'one call fitted the allowance, the second did not');
  });
});
