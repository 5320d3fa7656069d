// `vigil scan --estimate`, `--max-cost` and the exit code of an incomplete scan, as a user runs them: a real CLI
// process (its own worker, the suite's Temporal server) with the worker's ANTHROPIC_BASE_URL on the local stand-in;
// then `"estimate": true` and bad cost values through a running `vigil serve`'s API.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EXIT_FINDINGS, EXIT_INCOMPLETE } from '../../api/cli/fail-on.js';
import { startStandIn, type StandIn } from '../helpers/anthropic-standin.js';
import { countedUsage } from '../helpers/counted-usage.js';
import { gitRepoFromFixture } from '../helpers/scan-harness.js';
import { testTemporal } from '../helpers/temporal.js';
import { brain, fixture } from './brain.js';

const bin = fileURLToPath(new URL('../../api/bin/vigil.js', import.meta.url));

function vigil(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('vigil scan --estimate / --max-cost', () => {
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let s: StandIn;
  let serve: ChildProcess | undefined;
  before(async () => {
    const t = await testTemporal();
    s = await startStandIn(countedUsage(brain()));
    dir = mkdtempSync(join(tmpdir(), 'vigil-estimate-cli-'));
    env = {
      ...process.env,
      TEMPORAL_ADDRESS: t.address,
      TEMPORAL_NAMESPACE: t.namespace,
      VIGIL_DATA_DIR: join(dir, 'data'),
      ANTHROPIC_BASE_URL: s.url,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      VIGIL_CLAUDE_EFFORT: 'low',
    };
    delete env.VIGIL_API_URL;
    delete env.NODE_TEST_CONTEXT;
  });
  after(async () => {
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
    await s.close();
  });
  const rolesSince = (n: number) => [...new Set(s.requests.slice(n).map((r) => r.role))];

  test('--estimate prints the passes, tokens and cost per model; only the threat model reaches the model', async () => {
    const repo = gitRepoFromFixture(fixture, dir);
    const start = s.requests.length;
    const r = await vigil(env, 'scan', repo, '--engine', 'claude', '--estimate');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(rolesSince(start), ['threatModel'], 'no research, verifier or patch request');
    assert.match(r.stdout, /c0-injection\s+http api\s+injection/);
    assert.match(r.stdout, /c0-authz/);
    assert.match(r.stdout, /The estimate itself ran the threat-model pass only: [\d,]+ tokens/);
    assert.match(r.stdout, /claude-sonnet-5-5\s+\$[\d.]+ – \$[\d.]+/);
    assert.match(r.stdout, /claude-haiku-5-5.*note: the rate for prompts up to 100,000 tokens/);
    assert.match(r.stdout, /Assumptions behind the range/);
    assert.match(r.stderr, /no research ran/);
    const json = await vigil(env, 'scan', repo, '--engine', 'claude', '--estimate', '--format', 'json', '--max-cost', '0.5');
    assert.equal(json.code, 0, json.stderr);
    const answer = JSON.parse(json.stdout);
    assert.equal(answer.estimate.maxCostUsd, 0.5);
    assert.ok(answer.estimate.limits.some((l: string) => l.includes('cost limit ($0.5)')));
  });

  test('bad values are CLI errors before anything runs', async () => {
    const repo = gitRepoFromFixture(fixture, dir);
    const start = s.requests.length;
    for (const [args, message] of [
      [['--max-cost=-1'], /--max-cost must be a positive number/],
      [['--max-cost', 'NaN'], /--max-cost must be a positive number/],
      [['--max-cost', 'abc'], /--max-cost must be a positive number/],
      [['--max-cost', '0'], /--max-cost must be a positive number/],
      [['--max-cost', ''], /--max-cost must be a positive number/],
    ] as const) {
      const r = await vigil(env, 'scan', repo, '--engine', 'claude', ...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const builtin = await vigil(env, 'scan', repo, '--estimate');
    assert.equal(builtin.code, 1);
    assert.match(builtin.stderr, /--estimate is for --engine claude/);
    assert.equal(s.requests.length, start, 'nothing reached the model');
  });

  test('a scan --max-cost cuts short exits 4 and says so in its output; --allow-incomplete accepts it', async () => {
    const repo = gitRepoFromFixture(fixture, dir);
    // At these sizes (usage counted from the requests) threat model and research fit in $0.028 on claude-sonnet-5-5 and
    // the verification panel does not: a prompt that grows a lot moves this line, and the test says so.
    const r = await vigil(env, 'scan', repo, '--engine', 'claude', '--max-cost', '0.028', '--format', 'json');
    assert.equal(r.code, EXIT_INCOMPLETE, r.stderr);
    assert.match(r.stderr, /coverage incomplete: Stopped by the cost limit \(\$0\.028; spent \$[\d.]+\)/);
    const out = JSON.parse(r.stdout);
    assert.equal(out.coverage.incomplete, true);
    assert.match(out.coverage.reason, /candidate\(s\) not verified/);
    assert.ok(out.findings.length >= 1, 'what was found is still reported');
    // --fail-on with a finding at or above it: 3 wins over 4.
    const gated = await vigil(env, 'scan', repo, '--engine', 'claude', '--max-cost', '0.028', '--fail-on', 'low');
    assert.equal(gated.code, EXIT_FINDINGS, gated.stderr);
    const sarif = await vigil(env, 'scan', repo, '--engine', 'claude', '--max-cost', '0.028', '--format', 'sarif', '--allow-incomplete');
    assert.equal(sarif.code, 0, sarif.stderr);
    assert.equal(JSON.parse(sarif.stdout).runs[0].invocations[0].executionSuccessful, false);
    assert.match(sarif.stderr, /coverage incomplete \(allowed\)/);
  });

  test('through `vigil serve`: "estimate": true answers the estimate; bad cost values are typed 400s', async () => {
    serve = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env: { ...env, VIGIL_SCAN_ROOTS: dir }, stdio: ['ignore', 'ignore', 'pipe'] });
    let serveErr = '';
    serve.stderr!.on('data', (d) => (serveErr += d));
    const stateFile = join(env.VIGIL_DATA_DIR!, 'serve.json');
    const deadline = Date.now() + 60_000;
    while (!existsSync(stateFile)) {
      assert.ok(Date.now() < deadline, `serve did not start: ${serveErr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const url = JSON.parse(readFileSync(stateFile, 'utf8')).url as string;
    const key = readFileSync(join(env.VIGIL_DATA_DIR!, 'admin.key'), 'utf8').trim();
    const post = async (body: unknown) => {
      const res = await fetch(new URL('/v1/scans', url), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const repo = gitRepoFromFixture(fixture, dir);
    const start = s.requests.length;
    const ok = await post({ source: { path: repo }, engine: 'claude', estimate: true, claude: { maxCostUsd: 1.5 } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.match(ok.body.estimateId, /^est_/);
    assert.deepEqual(ok.body.estimate.passes.map((p: { id: string }) => p.id), ['c0-injection', 'c0-authz']);
    assert.equal(ok.body.estimate.costs[0].model, 'claude-sonnet-5-5');
    assert.deepEqual(rolesSince(start), ['threatModel']);

    for (const maxCostUsd of [-1, 0, 'NaN', '1', 2_000_000]) {
      const bad = await post({ source: { path: repo }, engine: 'claude', claude: { maxCostUsd } });
      assert.equal(bad.status, 400, `maxCostUsd ${maxCostUsd}: ${JSON.stringify(bad.body)}`);
      assert.equal(bad.body.error, 'invalid_request');
    }
    const builtin = await post({ source: { path: repo }, estimate: true });
    assert.equal(builtin.status, 400);
    assert.match(builtin.body.message, /engine.*claude/);
    assert.equal(s.requests.length, start + 1, 'the refused requests reached no model');

    // The CLI's remote mode asks the same API.
    const remote = await vigil({ ...env }, 'scan', repo, '--engine', 'claude', '--estimate', '--format', 'json');
    assert.equal(remote.code, 0, remote.stderr);
    assert.match(remote.stderr, /no research ran/);
    assert.match(JSON.parse(remote.stdout).estimateId, /^est_/);
    serve.kill('SIGTERM');
    await new Promise((r) => serve!.once('exit', r));
  });
});
