// A scan of 5,000 findings decided one by one (5,000 Updates, past Temporal's 2,000 per run) completes: the
// workflow continues as new before the limits and the decisions land on whichever run is current.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chainHandle, chainHistories, currentRun, updateAcrossRuns } from '../api/scan-run.js';
import { decideUpdate, statusQuery, type ScanStatus } from '../workflows/definitions.js';
import { UPDATES_PER_RUN } from '../workflows/scan.js';
import { writeManyFindingsRepo } from './helpers/many-findings-repo.js';
import { createHarness, git, scanInput, startScan, waitForStage, type Harness } from './helpers/scan-harness.js';

const FINDINGS = 5_000;
const CLIENTS = 8; // Temporal admits at most 10 updates in flight per workflow

describe('continue-as-new', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness('can');
    await h.startWorker();
  });
  after(async () => {
    await h.close();
  });

  test(`a scan of ${FINDINGS} findings decided one by one completes across runs`, { timeout: 600_000 }, async () => {
    const started = Date.now();
    const repo = mkdtempSync(join(h.dir, 'repo-'));
    writeManyFindingsRepo(repo, { dirs: { routes: FINDINGS / 20, 'src/legacy': FINDINGS / 20 }, handlersPerFile: 10, kinds: ['sql', 'exec', 'path'] });
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'many handlers');

    const input = scanInput(h, repo, { tuning: { heartbeatTimeoutSeconds: 60 } });
    const first = await startScan(h, input);
    const scanned = await waitForStage(first, ['awaiting_decisions'], 300_000);
    assert.equal(scanned.findings.length, FINDINGS, 'the generated repository yields one finding per handler');
    const scannedAt = Date.now();

    const scan = { workflowId: first.workflowId, runId: (await first.describe()).runId };
    const chain = chainHandle(h.client, scan);
    // A few approvals (their patches are applied), the rest rejected; one Update each, CLIENTS at a time.
    const approve = new Set(scanned.findings.slice(0, 3).map((f) => f.id));
    const queue = scanned.findings.map((f) => f.id);
    let changed = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          const findingId = id;
          const r = await updateAcrossRuns(() =>
            chain.executeUpdate(decideUpdate, {
              args: [{ findingId, decision: approve.has(findingId) ? 'approve' : 'reject', actor: 'bulk-test', tenant: 'default', roles: ['approver'] }],
            }),
          );
          if (r.changed) changed++;
        }
      }),
    );
    const decidedAt = Date.now();
    assert.equal(changed, FINDINGS, 'every decision changed its finding exactly once');

    const final = (await chain.result()) as ScanStatus;
    assert.equal(final.stage, 'completed');
    // Approved patches are applied on the branch (one may conflict with another in the same file).
    assert.ok((final.counts.apply?.applied ?? 0) >= 1, JSON.stringify(final.counts.apply));
    assert.equal((final.counts.apply?.applied ?? 0) + (final.counts.apply?.failed ?? 0), 3, JSON.stringify(final.counts.apply));
    assert.equal(final.counts.apply?.rejected, FINDINGS - 3);
    assert.ok(final.findings.every((f) => f.status !== 'pending'));
    // The earlier stages ran once: the resumed runs kept the first run's counts instead of scanning again.
    assert.equal(final.counts.scoring?.findings, FINDINGS);

    const runs = await chainHistories(h.client, scan);
    assert.equal(runs.length, (final.continuedAsNew ?? 0) + 1);
    assert.ok(runs.length >= Math.ceil(FINDINGS / UPDATES_PER_RUN), `${runs.length} runs`);
    for (const { history } of runs) {
      const events = history.events ?? [];
      const updates = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      assert.ok(updates < 2_000, `a run accepted ${updates} updates`);
      assert.ok(events.length < 51_200, `a run has ${events.length} events`);
    }
    // Snapshot to scoring ran in the first run only.
    const scheduled = runs.map(({ history }) =>
      (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : [])),
    );
    assert.equal(scheduled.flat().filter((n) => n === 'score').length, 1);
    assert.ok(scheduled.slice(1).every((names) => !names.includes('snapshot')));
    // Every decision is in the ledger, and the current run answers queries.
    assert.equal((await h.store.getScanDecisions('default', input.scanId)).size, FINDINGS);
    const live = await (await currentRun(h.client, scan)).query(statusQuery);
    assert.equal(live.stage, 'completed');

    console.log(
      `# ${FINDINGS} findings: scan ${((scannedAt - started) / 1000).toFixed(1)} s, ${FINDINGS} updates ${((decidedAt - scannedAt) / 1000).toFixed(1)} s, ` +
        `total ${((Date.now() - started) / 1000).toFixed(1)} s; ${runs.length} runs (continued as new ${runs.length - 1} times)`,
    );
  });
});
