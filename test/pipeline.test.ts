// The whole pipeline on a small vulnerable Express app, against the real dev server, a real worker and
// a real SQLite store: findings at the right lines, patches proposed, one approved and one rejected, a
// branch with only the approved fix, and the user's working tree untouched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../activities/model.js';
import type { ApplyArtifact } from '../activities/artifacts.js';
import { decideUpdate, type ScanStatus } from '../workflows/definitions.js';
import { validateSarif } from './helpers/sarif-validate.js';
import { createHarness, git, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from './helpers/scan-harness.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
interface Expected {
  ruleId: string;
  cwe: string;
  file: string;
  line: number;
  hasPatch?: boolean;
}
const expectedFile = JSON.parse(readFileSync(join(fixtures, 'vulnerable-express.expected.json'), 'utf8'));
const expected: Expected[] = Array.isArray(expectedFile) ? expectedFile : expectedFile.expected ?? expectedFile.findings;

const approver = { tenant: 'default', roles: ['approver' as const], actor: 'alice' };

describe('scan pipeline', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness('pipeline');
    await h.startWorker();
  });
  after(async () => h.close());

  test('finds the expected vulnerabilities, applies only the approved patch on a new branch', async () => {
    const repo = gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir);
    // An uncommitted edit the user is working on: it must survive untouched.
    writeFileSync(join(repo, 'NOTES.md'), 'work in progress\n');
    const before = {
      status: git(repo, 'status', '--porcelain'),
      head: git(repo, 'rev-parse', 'HEAD'),
      branch: git(repo, 'symbolic-ref', 'HEAD'),
      files: git(repo, 'ls-files', '-s'),
    };

    const input = scanInput(h, repo);
    const handle = await startScan(h, input);
    const status = await waitForStage(handle, ['awaiting_decisions']);

    const findings = (await h.store.getArtifact('default', input.scanId, 'findings'))!;
    assert.ok(findings.length >= expected.length, `expected at least ${expected.length} findings, got ${findings.length}`);
    for (const e of expected) {
      const hit = findings.find((f) => f.cwe === e.cwe && f.location.file === e.file && f.location.startLine === e.line);
      assert.ok(hit, `missing ${e.cwe} at ${e.file}:${e.line}; got ${findings.map((f) => `${f.cwe}@${f.location.file}:${f.location.startLine}`).join(', ')}`);
      assert.ok(hit.trace.length >= 2, 'a finding carries its source-to-sink trace');
      if (e.hasPatch) assert.ok(hit.patch, `a patch is proposed for ${e.file}:${e.line}`);
    }
    assert.equal(status.findings.length, findings.length, 'the workflow tracks every finding');
    assert.ok(status.findings.every((f) => f.status === 'pending'));
    // Counts only in history: no source text in the scan's event history.
    const history = JSON.stringify(await handle.fetchHistory());
    assert.ok(!history.includes('req.query'), 'workflow history must not carry source code');

    const patched = findings.filter((f) => f.patch);
    assert.ok(patched.length >= 2, 'at least two findings carry patches');
    const [approve, reject] = patched;
    const decide = (findingId: string, decision: 'approve' | 'reject') =>
      handle.executeUpdate(decideUpdate, { args: [{ findingId, decision, ...approver, comment: `${decision} in test` }] });

    assert.deepEqual(await decide(approve.id, 'approve'), { findingId: approve.id, status: 'approved', changed: true });
    assert.deepEqual(await decide(approve.id, 'approve'), { findingId: approve.id, status: 'approved', changed: false });
    const contradiction = await decide(approve.id, 'reject').then(
      () => undefined,
      (err: Error & { cause?: Error & { type?: string } }) => err.cause,
    );
    assert.equal(contradiction?.type, 'FindingAlreadyDecided', 'a contradicting decision is refused');
    assert.match(contradiction?.message ?? '', /already approved by alice/);
    await decide(reject.id, 'reject');
    for (const f of findings) if (f.id !== approve.id && f.id !== reject.id) await decide(f.id, 'reject');

    const result: ScanStatus = await handle.result();
    assert.equal(result.stage, 'completed');
    assert.equal(result.counts.apply?.applied, 1);
    const branch = `vigil/scan-${input.scanId}`;
    assert.equal(result.counts.apply?.branch, branch);

    // The branch holds exactly the approved fix, on top of HEAD.
    const changed = git(repo, 'diff', '--name-only', `${before.head.trim()}`, branch).trim().split('\n');
    assert.deepEqual(changed, [approve.patch!.file]);
    const branchDiff = git(repo, 'diff', before.head.trim(), branch);
    for (const line of approve.patch!.diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'))) {
      assert.ok(branchDiff.includes(line), `branch carries the approved change: ${line}`);
    }
    // The user's working tree, index and checked-out branch are untouched.
    assert.equal(git(repo, 'status', '--porcelain'), before.status);
    assert.equal(git(repo, 'rev-parse', 'HEAD'), before.head);
    assert.equal(git(repo, 'symbolic-ref', 'HEAD'), before.branch);
    assert.equal(git(repo, 'ls-files', '-s'), before.files);

    const applied = await h.store.getArtifact('default', input.scanId, 'apply-result');
    assert.deepEqual(applied?.applied, [approve.id]);
    assert.ok(applied?.rejected.includes(reject.id));
    const sarif = await h.store.getArtifact('default', input.scanId, 'report.sarif');
    assert.equal(sarif?.version, '2.1.0');
    assert.equal(sarif?.runs[0].results.length, findings.length);
    assert.ok(await h.store.getArtifact('default', input.scanId, 'report.json'));
    // The SARIF the workflow stored passes Microsoft's validator.
    const validation = await validateSarif(sarif, join(h.dir, 'sarif-validation'));
    assert.deepEqual(validation.errors, []);
  });

  test('a hostile tree: symlink to /etc/passwd, a 50 MB file and a binary are skipped and counted, never stored', async () => {
    const repo = gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir);
    symlinkSync('/etc/passwd', join(repo, 'passwd-link'));
    execFileSync('truncate', ['-s', '50M', join(repo, 'huge.dat')]);
    writeFileSync(join(repo, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3]));
    const input = scanInput(h, repo);
    const status = await waitForStage(await startScan(h, input), ['awaiting_decisions']);
    const skipped = status.counts.snapshot!.skipped;
    assert.equal(skipped.symlinkOutside, 1);
    assert.equal(skipped.tooLarge, 1);
    assert.equal(skipped.binary, 1);
    const snapshot = await h.store.getSnapshot('default', status.counts.snapshot!.snapshotId);
    const paths = snapshot!.files.map((f) => f.path);
    for (const p of ['passwd-link', 'huge.dat', 'logo.png']) assert.ok(!paths.includes(p), `${p} is not in the snapshot`);
    const passwd = createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex');
    assert.equal(await h.store.getBlob('default', passwd), undefined, 'the content of /etc/passwd never reaches the store');
    assert.ok(status.findings.length > 0, 'the rest of the tree is still analysed');
  });

  test('a git URL source: cloned, and the approved patch delivered as a series that git am applies', async () => {
    const repo = gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir);
    const bare = `${repo}.git`;
    execFileSync('git', ['clone', '-q', '--bare', repo, bare]);
    const remoteRefs = git(bare, 'show-ref');
    const previous = process.env.GIT_ALLOW_PROTOCOL;
    process.env.GIT_ALLOW_PROTOCOL = 'file'; // the operator allows local clones for this test only
    try {
      const url = `file://${bare}`;
      const input = scanInput(h, url, { source: { kind: 'git', url, ref: 'main' }, repoKey: url });
      const handle = await startScan(h, input);
      const status = await waitForStage(handle, ['awaiting_decisions']);
      assert.equal(status.counts.snapshot?.commit, git(repo, 'rev-parse', 'HEAD').trim());
      const findings = (await h.store.getArtifact('default', input.scanId, 'findings'))!;
      const fix = findings.find((f) => f.patch)!;
      for (const f of findings) {
        await handle.executeUpdate(decideUpdate, { args: [{ findingId: f.id, decision: f === fix ? 'approve' : 'reject', ...approver }] });
      }
      const result: ScanStatus = await handle.result();
      assert.equal(result.counts.apply?.patchSeries, true);
      assert.equal(result.counts.apply?.applied, 1);
      assert.equal(git(bare, 'show-ref'), remoteRefs, 'nothing is pushed to the remote');

      const series = await h.store.getArtifact('default', input.scanId, 'patch-series');
      const checkout = `${repo}-am`;
      execFileSync('git', ['clone', '-q', bare, checkout]);
      execFileSync('git', ['-C', checkout, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'am'], { input: series });
      assert.deepEqual(git(checkout, 'diff', '--name-only', 'HEAD~1', 'HEAD').trim().split('\n'), [fix.patch!.file]);
    } finally {
      if (previous === undefined) delete process.env.GIT_ALLOW_PROTOCOL;
      else process.env.GIT_ALLOW_PROTOCOL = previous;
    }
  });

  test('a re-scan keeps earlier decisions and analyses only what changed', async () => {
    const repo = gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir);
    const first = scanInput(h, repo);
    const h1 = await startScan(h, first);
    const s1 = await waitForStage(h1, ['awaiting_decisions']);
    assert.ok(s1.counts.reasoning!.filesAnalysed > 1);
    for (const f of s1.findings) {
      await h1.executeUpdate(decideUpdate, { args: [{ findingId: f.id, decision: 'reject', ...approver }] });
    }
    await h1.result();

    // Same tree: nothing to analyse; every decision carries over, so the scan completes without waiting.
    const second = scanInput(h, repo);
    const s2: ScanStatus = await (await startScan(h, second)).result();
    assert.equal(s2.counts.merkle?.changed, 0);
    assert.equal(s2.counts.reasoning?.filesAnalysed, 0);
    assert.equal(s2.findings.length, s1.findings.length, 'results for unchanged files carry over');
    assert.ok(s2.findings.every((f) => f.status === 'rejected' && f.carriedOver));

    // One edited file that nothing imports: exactly that file is analysed.
    const entry = 'app.js';
    writeFileSync(join(repo, entry), readFileSync(join(repo, entry), 'utf8') + '\n// touched\n');
    const third = scanInput(h, repo);
    const s3: ScanStatus = await (await startScan(h, third)).result();
    assert.equal(s3.counts.merkle?.changed, 1);
    assert.equal(s3.counts.reasoning?.filesAnalysed, 1);
    assert.equal(s3.findings.length, s1.findings.length);
  });

  test('an invalid source fails the scan at once, without retries or half-written records', async () => {
    const input = scanInput(h, join(h.dir, 'does-not-exist'));
    const handle = await startScan(h, input);
    await assert.rejects(handle.result(), (err: Error & { cause?: Error & { cause?: { type?: string } } }) => {
      assert.equal(err.cause?.cause?.type, 'InvalidSourceError');
      return true;
    });
    const events = (await handle.fetchHistory()).events ?? [];
    const attempts = events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
    assert.deepEqual(attempts, [1], 'a non-retryable failure is attempted once');
    assert.equal(await h.store.getArtifact('default', input.scanId, 'merkle-diff'), undefined);
  });
});
