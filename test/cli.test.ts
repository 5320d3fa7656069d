// The `vigil` CLI as a user runs it: a real process, the suite's Temporal server, a temp data directory.
// Standalone (its own in-process worker) and through a running `vigil serve`.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../activities/model.js';
import { git, gitRepoFromFixture } from './helpers/scan-harness.js';
import { testTemporal } from './helpers/temporal.js';

const bin = fileURLToPath(new URL('../api/bin/vigil.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/vulnerable-express', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function vigil(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('vigil CLI', () => {
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let serve: ChildProcess | undefined;
  before(async () => {
    const t = await testTemporal();
    dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    env = { ...process.env, TEMPORAL_ADDRESS: t.address, TEMPORAL_NAMESPACE: t.namespace, VIGIL_DATA_DIR: join(dir, 'data') };
    delete env.VIGIL_API_URL;
    delete env.NODE_TEST_CONTEXT;
  });
  after(() => {
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  });

  test('scan, decide and history without a running server', async () => {
    const repo = gitRepoFromFixture(fixture, dir);
    const scan = await vigil(env, 'scan', repo, '--format', 'json');
    assert.equal(scan.code, 0, scan.stderr);
    assert.match(scan.stderr, /via local backend/);
    assert.match(scan.stderr, /awaiting decisions/);
    const out = JSON.parse(scan.stdout) as { scan: { scanId: string; stage: string }; findings: Finding[] };
    assert.equal(out.scan.stage, 'awaiting_decisions');
    assert.ok(out.findings.some((f) => f.cwe === 'CWE-89' && f.location.file === 'db/users.js'));

    const [fix, ...rest] = [...out.findings].sort((a, b) => Number(Boolean(b.patch)) - Number(Boolean(a.patch)));
    assert.ok(fix.patch);
    const approved = await vigil(env, 'decide', out.scan.scanId, fix.id, 'approve', '--comment', 'fix it');
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stderr, new RegExp(`${fix.id} approved`));
    let last: Run | undefined;
    for (const f of rest) last = await vigil(env, 'decide', out.scan.scanId, f.id, 'reject');
    assert.match(last!.stderr, /scan completed; approved fixes are on branch vigil\/scan-/);
    assert.match(git(repo, 'branch', '--list', 'vigil/*'), new RegExp(`vigil/scan-${out.scan.scanId}`));

    const again = await vigil(env, 'decide', out.scan.scanId, fix.id, 'reject');
    assert.notEqual(again.code, 0, 'a decided finding cannot be contradicted');

    const history = await vigil(env, 'history', out.scan.scanId);
    assert.equal(history.code, 0, history.stderr);
    for (const stage of ['snapshot', 'merkleSync', 'reason', 'verify', 'score', 'apply', 'report']) {
      assert.match(history.stdout, new RegExp(`activityType=${stage}\\b`));
    }
  });

  test('bad input is a clear error and a non-zero exit', async () => {
    const missing = await vigil(env, 'scan', join(dir, 'nope'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist/);
    const usage = await vigil(env, 'scan', '--format', 'xml', dir);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /--format must be table, json, sarif or markdown/);
    const unknown = await vigil(env, 'decide', 'scn_unknown', 'f_x', 'approve');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No scan scn_unknown/);
  });

  /** `vigil serve` on a free port, with path sources allowed under the test's temp dir; resolves once it is announced. */
  async function startServe(): Promise<{ stateFile: string; stderr: () => string }> {
    // The temp dir also holds the data directory (never scannable).
    const serveEnv = { ...env, VIGIL_SCAN_ROOTS: dir };
    serve = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env: serveEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let serveErr = '';
    serve.stderr!.on('data', (d) => (serveErr += d));
    const stateFile = join(env.VIGIL_DATA_DIR!, 'serve.json');
    const deadline = Date.now() + 60_000;
    while (!existsSync(stateFile)) {
      assert.ok(Date.now() < deadline, `serve did not start: ${serveErr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { stateFile, stderr: () => serveErr };
  }

  async function stopServe(stateFile: string): Promise<void> {
    serve!.kill('SIGTERM');
    await new Promise((r) => serve!.once('exit', r));
    assert.ok(!existsSync(stateFile), 'serve removes its announcement on shutdown');
  }

  test('with `vigil serve` running, the CLI goes through its API', async () => {
    const { stateFile, stderr } = await startServe();
    const serveErr = stderr();
    assert.match(serveErr, /API on http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(serveErr.includes(`path sources enabled under ${realpathSync(dir)}`), serveErr);
    assert.ok(!serveErr.includes(readFileSync(join(env.VIGIL_DATA_DIR!, 'admin.key'), 'utf8').trim()), 'the key is never printed');

    const repo = gitRepoFromFixture(fixture, dir);
    const scan = await vigil(env, 'scan', repo, '--format', 'sarif');
    assert.equal(scan.code, 0, scan.stderr);
    assert.match(scan.stderr, /via remote backend/);
    const sarif = JSON.parse(scan.stdout) as { version: string; runs: { results: unknown[] }[] };
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0].results.length >= 4);

    // The server's policy applies to the CLI talking to it: its data directory is never scanned.
    const refused = await vigil(env, 'scan', env.VIGIL_DATA_DIR!);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /\(403\): .*data directory/);

    await stopServe(stateFile);
  });

  test('through `vigil serve`: decide one, decide many, history, and the API’s refusals', async () => {
    const { stateFile } = await startServe();
    const repo = gitRepoFromFixture(fixture, dir);
    const scan = await vigil(env, 'scan', repo, '--format', 'json');
    assert.equal(scan.code, 0, scan.stderr);
    assert.match(scan.stderr, /via remote backend/);
    const out = JSON.parse(scan.stdout) as { scan: { scanId: string; stage: string }; findings: Finding[] };
    assert.equal(out.scan.stage, 'awaiting_decisions');
    const scanId = out.scan.scanId;
    const [fix, ...rest] = [...out.findings].sort((a, b) => Number(Boolean(b.patch)) - Number(Boolean(a.patch)));
    assert.ok(fix.patch && rest.length >= 2);

    // One finding (POST /v1/scans/:id/findings/:findingId/decision), then the same again: recorded once.
    const approved = await vigil(env, 'decide', scanId, fix.id, 'approve', '--comment', 'fix it');
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stderr, new RegExp(`finding ${fix.id} approved\n`));
    assert.match(approved.stderr, new RegExp(`${rest.length} finding\\(s\\) still await a decision`));
    const repeated = await vigil(env, 'decide', scanId, fix.id, 'approve');
    assert.equal(repeated.code, 0, repeated.stderr);
    assert.match(repeated.stderr, new RegExp(`finding ${fix.id} approved \\(already recorded\\)`));
    // The API's refusal (409 already_decided) is the CLI's error, with its status and message.
    const contradicted = await vigil(env, 'decide', scanId, fix.id, 'reject');
    assert.equal(contradicted.code, 1);
    assert.match(contradicted.stderr, new RegExp(`POST /v1/scans/${scanId}/findings/${fix.id}/decision failed \\(409\\): .*cannot be reversed`));
    const unknown = await vigil(env, 'decide', 'scn_unknown', 'f_x', 'approve');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /\(404\): .*scn_unknown/);
    const invalid = await vigil(env, 'history', 'not-a-scan-id');
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /GET \/v1\/scans\/not-a-scan-id\/history failed \(400\): The request path is invalid/);

    // Many findings (POST /v1/scans/:id/decisions): a dry run lists them, then every severity is rejected
    // but the approved finding, which is kept and reported as a conflict.
    const preview = await vigil(env, 'decide', scanId, 'reject', '--ids', rest.map((f) => f.id).join(','), '--dry-run');
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stderr, new RegExp(`${rest.length} finding\\(s\\) matched; ${rest.length} would be rejected`));
    assert.match(preview.stderr, /dry run, nothing recorded/);
    assert.deepEqual(preview.stdout.trim().split('\n').sort(), rest.map((f) => f.id).sort());
    const none = await vigil(env, 'decide', scanId, 'reject', '--rule', 'no-such-rule');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /\(422\): No finding of this scan matches/);
    const all = await vigil(env, 'decide', scanId, 'reject', '--severity', 'critical,high,medium,low', '--comment', 'triaged');
    assert.equal(all.code, 0, all.stderr);
    const total = out.findings.length;
    assert.match(all.stderr, new RegExp(`${total} finding\\(s\\) matched; ${rest.length} now rejected, 0 already rejected, 1 decided the other way`));
    assert.match(all.stderr, new RegExp(`conflict: ${fix.id} is approved`));

    // GET /v1/scans/:id/history: the stages ran, and both kinds of decision are Updates in the history.
    const history = await vigil(env, 'history', scanId, '--json');
    assert.equal(history.code, 0, history.stderr);
    const events = JSON.parse(history.stdout) as { type: string; activityType?: string; updateName?: string }[];
    for (const stage of ['snapshot', 'merkleSync', 'reason', 'verify', 'score']) {
      assert.ok(events.some((e) => e.activityType === stage), `history has the ${stage} activity`);
    }
    const updates = events.filter((e) => e.type === 'WorkflowExecutionUpdateAccepted').map((e) => e.updateName);
    assert.deepEqual([...new Set(updates)].sort(), ['decide', 'decideMany']);
    const summary = await vigil(env, 'history', scanId, '--summary');
    assert.equal(summary.code, 0, summary.stderr);
    assert.match(summary.stdout, /verify/);

    await stopServe(stateFile);
  });
});
