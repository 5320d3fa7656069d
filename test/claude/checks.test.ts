// The claim checks one by one (activities/engines/claude/grounding.ts CLAIM_CHECKS): each test names the check
// that catches the claim. The tool loop runs the real SDK against the local stand-in.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createClaudeClient } from '../../activities/engines/claude/client.js';
import { addUsage, ZERO_USAGE, type TokenUsage } from '../../activities/engines/claude/config.js';
import { corroborate, groundTally } from '../../activities/engines/claude/corroboration.js';
import { candidateFromFinding } from '../../activities/engines/claude/candidates.js';
import { checkReport } from '../../activities/engines/claude/finding-checks.js';
import { quoteProblem, toolInputProblem } from '../../activities/engines/claude/grounding.js';
import { runToolLoop, type Meter } from '../../activities/engines/claude/loop.js';
import { tallyVotes, toVote, type Vote } from '../../activities/engines/claude/panel.js';
import { createReadTools } from '../../activities/engines/claude/tools.js';
import type { Candidate } from '../../activities/model.js';
import { sourceFilesFromRecord } from '../../activities/source-files.js';
import { startStandIn, toolResults, type StandIn } from '../helpers/anthropic-standin.js';
import { fixture, SQLI, SQLI_VOTE } from './brain.js';
import { FAKE_EVAL, INVENTED_FILE, MALFORMED, MISQUOTED, REAL_LINE_CMD } from './hostile.js';

const paths = ['app.js', 'db/users.js', 'routes/users.js', 'routes/admin.js', 'lib/exec.js'];
const files = sourceFilesFromRecord(Object.fromEntries(paths.map((p) => [p, readFileSync(`${fixture}/${p}`, 'utf8')])));
const lead = (cwe: string, file: string, line: number): Candidate => ({
  id: `l-${file}-${line}`, engine: 'builtin', ruleId: 'r', cwe, title: 't', location: { file, startLine: line, endLine: line },
  origin: file, trace: [{ kind: 'sink', file, line, label: 's' }], explanation: '', dependsOn: [], evidence: {},
});

describe('per-finding checks (schema, location, quote)', () => {
  test('each bad finding is dropped alone with its check; the valid one in the same report stays', () => {
    const r = checkReport(files, { findings: [SQLI, INVENTED_FILE, MISQUOTED, MALFORMED, REAL_LINE_CMD] });
    assert.ok(r.ok);
    assert.deepEqual(r.value.findings.map((f) => f.title), [SQLI.title, REAL_LINE_CMD.title]);
    assert.deepEqual(r.value.drops.map((d) => d.check), ['location', 'quote', 'schema']);
    assert.match(r.value.drops[1].reason, /quoted code not in file: app\.js:3/);
    assert.match(r.problems!, /findings\.1: .*server\/reports\.js/);
  });
  test('a report that is not a findings list is malformed as a whole', () => {
    assert.equal(checkReport(files, { results: [] }).ok, false);
    assert.equal(checkReport(files, 'nothing').ok, false);
  });
  test('quote check: whitespace-normalised, within 3 lines of the cited one; elsewhere or invented is rejected', () => {
    assert.equal(quoteProblem(files, 'db/users.js', 6, '   pool.query(sql,\n callback);  '), undefined);
    assert.equal(quoteProblem(files, 'db/users.js', 8, 'pool.query(sql, callback);'), undefined, 'two lines off');
    assert.match(quoteProblem(files, 'db/users.js', 12, 'pool.query(sql, callback);')!, /quoted code not in file/, 'six lines off');
    assert.match(quoteProblem(files, 'app.js', 3, 'child_process.exec(req.query.cmd)')!, /quoted code not in file/);
    assert.match(quoteProblem(files, 'app.js', 3, '(')!, /too short/);
    assert.match(quoteProblem(files, 'app.js', 3, undefined)!, /no code quoted/);
  });
  test('a sink step away from the reported location is a location rejection', () => {
    const moved = { ...SQLI, trace: SQLI.trace.map((s) => (s.kind === 'sink' ? { ...s, file: 'db/users.js', line: 13, code: 'module.exports = { findUsersByName, findUserById };' } : s)) };
    const r = checkReport(files, { findings: [moved] });
    assert.ok(r.ok);
    assert.deepEqual(r.value.drops.map((d) => d.check), ['location']);
  });
});

describe('corroboration check', () => {
  const cand = (f: typeof SQLI | typeof REAL_LINE_CMD | typeof FAKE_EVAL) => candidateFromFinding(f as Parameters<typeof candidateFromFinding>[0]);
  test('a known flow corroborates; a modelled sink without a flow is sink-only; no sink of the kind is no-sink', () => {
    assert.equal(corroborate(files, cand(SQLI), [lead('CWE-89', 'db/users.js', 6)]), 'corroborated');
    assert.equal(corroborate(files, cand(SQLI), []), 'sink-only');
    assert.equal(corroborate(files, cand(REAL_LINE_CMD), [lead('CWE-78', 'lib/exec.js', 5)]), 'no-sink');
    assert.equal(corroborate(files, cand(FAKE_EVAL), []), 'no-sink', 'a SQL sink is on the line, not a code-injection one');
    assert.equal(corroborate(files, { ...cand(SQLI), cwe: 'CWE-639' }, []), 'not-modelled');
  });
  const votes = (v: Vote) => [v, { ...v, lens: 'impact' as const }, { ...v, lens: 'defences' as const }];
  test('caps: sink-only and access control at medium; no-sink rejected whatever 3 of 3 votes say', () => {
    const sqli = cand(SQLI);
    const grounded = votes(toVote('reachability', SQLI_VOTE as never, files, sqli.location));
    assert.ok(grounded[0].grounded, 'the vote is grounded');
    const tally = tallyVotes(grounded, 3);
    assert.equal(tally.confidence, 'high');
    const at = (corroboration: Candidate['evidence']['corroboration'], c = sqli) => groundTally(tally, grounded, { ...c, evidence: { corroboration } }, files);
    assert.equal(at('corroborated').tally.confidence, 'high');
    const sinkOnly = at('sink-only');
    assert.equal(sinkOnly.tally.confidence, 'medium');
    assert.match(sinkOnly.tally.reasons.at(-1)!, /^reasoning-only: a SQL injection sink is on the line/);
    const ac = at('not-modelled', { ...sqli, cwe: 'CWE-639' });
    assert.equal(ac.tally.confidence, 'medium', 'access control without a grounded sibling');
    const withSibling = grounded.map((v) => ({ ...v, grounded: { ...v.grounded!, sibling: { file: 'db/users.js', line: 10 } } }));
    assert.equal(groundTally(tally, withSibling, { ...sqli, cwe: 'CWE-639', evidence: { corroboration: 'not-modelled' } }, files).tally.confidence, 'high');

    const cmd = cand(REAL_LINE_CMD);
    const colluding = votes(toVote('reachability', {
      verdict: 'true_positive', evidence: [], reasoning: 'yes',
      source: { file: 'routes/users.js', line: 8, code: 'const { name } = req.query;' },
      sink: { file: 'app.js', line: 3, code: "const usersRouter = require('./routes/users');" },
      missing_defence: { file: 'app.js', line: 3, code: "const usersRouter = require('./routes/users');" },
    }, files, cmd.location));
    const t = tallyVotes(colluding, 3);
    assert.equal(t.verdict, 'confirmed', '3 of 3 colluding votes');
    const g = groundTally(t, colluding, { ...cmd, evidence: { corroboration: 'no-sink' } }, files);
    assert.equal(g.tally.verdict, 'rejected');
    assert.equal(g.drop?.check, 'corroboration');
  });
});

describe('verifier checks (verifier-quote, verifier-location)', () => {
  test('a true positive must quote real code, with the sink at the reported location', () => {
    const loc = { file: 'db/users.js', startLine: 5, endLine: 6 };
    assert.equal(toVote('impact', SQLI_VOTE as never, files, loc).verdict, 'true_positive');
    const invented = toVote('impact', { ...SQLI_VOTE, sink: { file: 'db/users.js', line: 6, code: 'eval(req.query.q)' } } as never, files, loc);
    assert.deepEqual([invented.verdict, invented.rejectedBy], ['false_positive', 'verifier-quote']);
    const elsewhere = toVote('impact', { ...SQLI_VOTE, sink: { file: 'lib/exec.js', line: 5, code: 'exec(`ping -c 1 ${host}`, callback);' } } as never, files, loc);
    assert.deepEqual([elsewhere.verdict, elsewhere.rejectedBy], ['false_positive', 'verifier-location']);
    assert.match(tallyVotes([elsewhere], 1).reasons[1], /verifier-location: a verifier's sink is not at the reported location/);
  });
});

describe('tool-input check and the one correction, through the real SDK', () => {
  let s: StandIn;
  before(async () => {
    s = await startStandIn(() => ({ content: [{ type: 'text', text: 'hi' }] }));
  });
  after(async () => s.close());
  function meter(): Meter & { usage: TokenUsage } {
    const m = { allowance: 1_000_000, usage: { ...ZERO_USAGE }, spent: () => m.usage.inputTokens + m.usage.outputTokens, charge: async (u: TokenUsage) => void (m.usage = addUsage(m.usage, u)) };
    return m;
  }
  const loop = () =>
    runToolLoop({
      client: createClaudeClient({ apiKey: 'k', baseURL: s.url, timeoutMs: 3000 }), model: 'm', role: 'research', prompt: 'task', maxTurns: 6, maxTokens: 1000,
      finalTool: 'report_findings', validate: (v) => checkReport(files, v), tools: createReadTools(sourceFilesFromRecord({})), meter: meter(), stream: true,
    });

  test('over-long, non-object and non-JSON tool inputs are refused, never run or retried', async () => {
    let turn = 0;
    s.script = () => {
      turn++;
      if (turn === 1) return { content: [{ type: 'tool_use', name: 'read_file', input: { path: 'x'.repeat(70_000) } }, { type: 'tool_use', name: 'search_code', input: 'drop table' }] };
      if (turn === 2) return { content: [{ type: 'tool_use', name: 'read_file', input: {}, raw: '{"path": nope' }] };
      return { content: [{ type: 'tool_use', name: 'report_findings', input: { findings: [SQLI] } }] };
    };
    const start = s.requests.length;
    const r = await loop();
    assert.equal(r.toolInputRejected, 3, 'tool-input check');
    assert.equal(r.value?.findings.length, 1);
    const reqs = s.requests.slice(start);
    assert.deepEqual(toolResults(reqs[1]).map((t) => [t.is_error, /^Refused: the tool input (is 7\d{4} characters|must be a JSON object)/.test(t.content)]), [[true, true], [true, true]]);
    assert.match(JSON.stringify(reqs[2].body.messages.at(-1)), /could not be read/);
  });

  test('one chance to correct: a repeated lie is dropped alone; a correction that never comes keeps the valid part', async () => {
    s.script = () => ({ content: [{ type: 'tool_use', name: 'report_findings', input: { findings: [SQLI, MISQUOTED] } }] });
    const repeated = await loop();
    assert.equal(repeated.malformed, 1);
    assert.deepEqual(repeated.value?.findings.map((f) => f.cwe), ['CWE-89']);
    assert.deepEqual(repeated.value?.drops.map((d) => d.check), ['quote']);
    let n = 0;
    s.script = () => (++n === 1 ? { content: [{ type: 'tool_use', name: 'report_findings', input: { findings: [SQLI, INVENTED_FILE] } }] } : { content: [{ type: 'tool_use', name: 'report_findings', input: { nope: 1 } }] });
    const garbled = await loop();
    assert.equal(garbled.dropped, false);
    assert.deepEqual(garbled.value?.findings.map((f) => f.cwe), ['CWE-89'], 'the valid finding of the first report stands');
    assert.deepEqual(garbled.value?.drops.map((d) => d.check), ['location']);
  });

  test('toolInputProblem: objects only, bounded', () => {
    assert.equal(toolInputProblem({ a: 1 }), undefined);
    for (const bad of [null, 'x', 3, [1]]) assert.match(toolInputProblem(bad)!, /JSON object/);
  });
});
