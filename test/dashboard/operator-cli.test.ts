// The CLI in CI: progress (bar on a terminal, plain lines otherwise), --format markdown, --fail-on and
// --baseline exit codes, and `vigil history` grouped by stage. Units first, then the real binary.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../../activities/model.js';
import { compareToBaseline } from '../../activities/report/baseline.js';
import type { HistoryEvent } from '../../api/cli/backend.js';
import { EXIT_FINDINGS, gateFailures, parseSeverity, readBaseline } from '../../api/cli/fail-on.js';
import { formatFindings } from '../../api/cli/format.js';
import { formatHistory } from '../../api/cli/history-format.js';
import { createJsonLogging, logFormatFromEnv } from '../../workers/json-log.js';
import { createProgress, renderBar, wantsBar } from '../../api/cli/progress.js';
import { MockActivityEnvironment } from '@temporalio/testing';
import { gitRepoFromFixture } from '../helpers/scan-harness.js';
import { testTemporal } from '../helpers/temporal.js';

function finding(id: string, severity: Finding['severity'], status: Finding['status'] = 'pending'): Finding {
  return {
    id,
    fingerprint: `fp-${id}`,
    candidateId: id,
    ruleId: 'js/x',
    cwe: 'CWE-78',
    title: `t ${id}`,
    severity,
    confidence: 'high',
    location: { file: 'a.js', startLine: 1, endLine: 1 },
    trace: [],
    explanation: 'e',
    verdict: { candidateId: id, verdict: 'confirmed', reasons: [], verifier: 'v' },
    status,
  };
}

describe('progress', () => {
  test('a bar on a terminal, plain lines when piped or when CI is set', () => {
    assert.equal(wantsBar({ write: () => true, isTTY: true }, {}), true);
    assert.equal(wantsBar({ write: () => true, isTTY: true }, { CI: 'true' }), false);
    assert.equal(wantsBar({ write: () => true, isTTY: false }, {}), false);
    assert.equal(wantsBar({ write: () => true, isTTY: true }, { CI: 'false' }), true);

    let t = 0;
    const tty: string[] = [];
    const bar = createProgress({ write: (s: string) => tty.push(s), isTTY: true, columns: 120 }, {}, () => t);
    bar.update('snapshot', '');
    t = 4_000;
    bar.update('reasoning', ' (3 added)');
    bar.done();
    assert.ok(tty.every((s) => s.startsWith('\r\x1b[2K') || s === '\n'), 'redrawn in place');
    assert.match(tty.at(-2)!, /\[█+░+\] 3\/9 reasoning \(3 added\) 0s/);

    const plain: string[] = [];
    const lines = createProgress({ write: (s: string) => plain.push(s), isTTY: true }, { CI: '1' }, () => t);
    lines.update('snapshot', '');
    lines.update('snapshot', '');
    lines.update('scoring', ' (2 confirmed)');
    lines.done();
    assert.equal(plain.length, 2, 'one line per stage change');
    assert.match(plain[1], /^ {2}\d\d:\d\d:\d\d {2}scoring \(2 confirmed\)\n$/);
    assert.match(renderBar('completed', '', 0, 0), /✓ \[█{24}\] 9\/9 completed/);
  });
});

describe('--fail-on and --baseline', () => {
  test('counts pending and approved findings at or above the threshold; rejected ones never', () => {
    const all = [finding('a', 'critical', 'rejected'), finding('b', 'high'), finding('c', 'medium', 'approved'), finding('d', 'low')];
    assert.deepEqual(gateFailures(all, 'high', undefined).map((f) => f.id), ['b']);
    assert.deepEqual(gateFailures(all, 'medium', undefined).map((f) => f.id), ['b', 'c']);
    assert.deepEqual(gateFailures(all, 'critical', undefined), []);
    assert.throws(() => parseSeverity('severe'), /--fail-on must be one of critical, high, medium, low/);
  });

  test('with a baseline only new findings count, and they are marked in every format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-baseline-cli-'));
    const old = join(dir, 'old.json');
    writeFileSync(old, formatFindings([finding('b', 'high')], 'json', { scanId: 'scn_old', tenant: 't', repoKey: '/r', stage: 'completed' }));
    const now = [finding('b', 'high'), finding('e', 'critical')];
    const baseline = compareToBaseline(now, readBaseline(old))!;
    assert.deepEqual(gateFailures(now, 'high', baseline).map((f) => f.id), ['e']);
    const scan = { scanId: 'scn_new', tenant: 't', repoKey: '/r', stage: 'awaiting_decisions' };
    assert.match(formatFindings(now, 'table', scan, { baseline }), /BASELINE[\s\S]*unchanged[\s\S]*new[\s\S]*1 new, 1 unchanged, 0 fixed/);
    const json = JSON.parse(formatFindings(now, 'json', scan, { baseline }));
    assert.deepEqual(json.findings.map((f: { baseline: string }) => f.baseline), ['unchanged', 'new']);
    const sarif = JSON.parse(formatFindings(now, 'sarif', scan, { baseline }));
    assert.deepEqual(sarif.runs[0].results.map((r: { baselineState: string }) => r.baselineState), ['unchanged', 'new']);
    assert.match(formatFindings(now, 'markdown', scan, { baseline }), /\*\*1 new\*\*, 1 unchanged, 0 fixed/);
    writeFileSync(join(dir, 'bad.json'), '{"findings": [{"id": 1}]}');
    assert.throws(() => readBaseline(join(dir, 'bad.json')), /not a Vigil JSON report/);
  });
});

describe('vigil history, grouped by stage', () => {
  test('runs, attempts, durations and failures per activity; decisions; outcome', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const events: HistoryEvent[] = [
      { eventId: '1', time: at(0), type: 'WorkflowExecutionStarted', workflowType: 'scan', taskQueue: 'vigil-scans' },
      { eventId: '5', time: at(1), type: 'ActivityTaskScheduled', activityType: 'snapshot' },
      { eventId: '6', time: at(1), type: 'ActivityTaskStarted', scheduledEventId: 5, attempt: 1 },
      { eventId: '7', time: at(2), type: 'ActivityTaskCompleted', scheduledEventId: 5 },
      { eventId: '11', time: at(2), type: 'ActivityTaskScheduled', activityType: 'reason' },
      { eventId: '12', time: at(9), type: 'ActivityTaskStarted', scheduledEventId: 11, attempt: 3, lastFailure: 'worker lost' },
      { eventId: '13', time: at(12), type: 'ActivityTaskCompleted', scheduledEventId: 11 },
      { eventId: '20', time: at(20), type: 'WorkflowExecutionUpdateAccepted', updateName: 'decide', updateId: 'u1' },
      { eventId: '21', time: at(20), type: 'WorkflowExecutionUpdateCompleted', updateId: 'u1', outcome: 'success' },
      { eventId: '30', time: at(30), type: 'WorkflowExecutionCompleted' },
    ];
    const text = formatHistory(events);
    assert.match(text, /^Workflow scan on task queue vigil-scans, started 2026-01-01T00:00:00\.000Z/);
    assert.match(text, /STAGE\s+RUNS\s+ATTEMPTS\s+DURATION\s+RESULT\s+FAILURES/);
    assert.match(text, /snapshot\s+1\s+1\s+1\.00s\s+completed/);
    assert.match(text, /reason\s+1\s+3\s+10\.00s\s+completed\s+attempt 2: worker lost/);
    assert.match(text, /decide\s+success/);
    assert.match(text, /Workflow completed after 30\.00s\./);
    assert.match(formatHistory(events.slice(0, 5)), /snapshot[\s\S]*Workflow still running \(5 events so far\)/);
  });
});

describe('structured logs', () => {
  test('JSON lines; SDK lines about a scan workflow carry its scanId once an activity has named it', async () => {
    assert.equal(logFormatFromEnv({}), 'text');
    assert.equal(logFormatFromEnv({ VIGIL_LOG_FORMAT: 'JSON' }), 'json');
    assert.throws(() => logFormatFromEnv({ VIGIL_LOG_FORMAT: 'xml' }), /VIGIL_LOG_FORMAT must be text or json/);
    const lines: string[] = [];
    const logs = createJsonLogging({ write: (l) => lines.push(l), level: 'INFO', now: () => new Date(0) });
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'vigil-scan-acme-1', runId: 'r1' }, attempt: 2 });
    await env.run(async () => logs.onExecute('snapshot', 'scn_abc'));
    logs.logger.debug('Activity completed', { sdkComponent: 'activity', workflowId: 'vigil-scan-acme-1', activityType: 'snapshot', durationMs: 12 });
    logs.logger.warn('Activity failed', { sdkComponent: 'activity', workflowId: 'vigil-scan-acme-1', error: new Error('disk full'), taskToken: 'xx' });
    logs.logger.debug('noise', { sdkComponent: 'worker' });
    logs.logger.info('Workflow started', { sdkComponent: 'workflow', workflowId: 'other' });
    const parsed = lines.map((l) => JSON.parse(l));
    assert.equal(parsed.length, 4, 'DEBUG noise is dropped, activity outcomes are kept');
    assert.deepEqual(
      parsed.map((p) => [p.msg, p.scanId]),
      [['Activity started', 'scn_abc'], ['Activity completed', 'scn_abc'], ['Activity failed', 'scn_abc'], ['Workflow started', undefined]],
    );
    assert.equal(parsed[0].attempt, 2);
    assert.equal(parsed[0].time, '1970-01-01T00:00:00.000Z');
    assert.equal(parsed[2].error, 'disk full');
    assert.equal(parsed[2].taskToken, undefined);
  });
});

describe('vigil scan in CI (real binary)', () => {
  const bin = fileURLToPath(new URL('../../api/bin/vigil.js', import.meta.url));
  const fixture = fileURLToPath(new URL('../fixtures/vulnerable-express', import.meta.url));
  let env: NodeJS.ProcessEnv;
  let dir: string;

  function vigil(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  before(async () => {
    const t = await testTemporal();
    dir = mkdtempSync(join(tmpdir(), 'vigil-cli-ci-'));
    env = { ...process.env, CI: 'true', TEMPORAL_ADDRESS: t.address, TEMPORAL_NAMESPACE: t.namespace, VIGIL_DATA_DIR: join(dir, 'data') };
    delete env.VIGIL_API_URL;
    delete env.NODE_TEST_CONTEXT;
  });

  test('--fail-on exits 3 on pending findings, 0 when a baseline already has them; markdown output', { timeout: 120_000 }, async () => {
    const repo = gitRepoFromFixture(fixture, dir);
    const base = join(dir, 'base.json');
    const first = await vigil('scan', repo, '--format', 'json', '--output', base);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /^ {2}\d\d:\d\d:\d\d {2}awaiting decisions \(\d+ findings\)$/m, 'plain progress lines under CI=true');
    assert.doesNotMatch(first.stderr, /\r|\x1b\[/, 'no terminal control codes in CI logs');
    const scanId = (JSON.parse(readFileSync(base, 'utf8')) as { scan: { scanId: string } }).scan.scanId;

    const gated = await vigil('scan', repo, '--fail-on', 'high');
    assert.equal(gated.code, EXIT_FINDINGS, gated.stderr);
    assert.match(gated.stderr, /finding\(s\) at or above high are pending or approved; exit 3/);

    const known = await vigil('scan', repo, '--fail-on', 'high', '--baseline', base, '--format', 'markdown');
    assert.equal(known.code, 0, known.stderr);
    assert.match(known.stdout, /^# Vigil security review/);
    assert.match(known.stdout, /\*\*0 new\*\*/);
    assert.match(known.stderr, /no new finding at or above high/);

    const history = await vigil('history', scanId, '--summary');
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /STAGE\s+RUNS\s+ATTEMPTS\s+DURATION/);
    for (const stage of ['snapshot', 'merkleSync', 'reason', 'verify', 'score']) assert.match(history.stdout, new RegExp(`^${stage}\\s+1\\s+\\d+\\s+\\S+\\s+completed`, 'm'));
    assert.match(history.stdout, /Workflow still running/);
  });
});
