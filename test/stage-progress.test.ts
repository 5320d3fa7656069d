// Progress inside a running stage comes from the pending activity's heartbeat: a real worker, a real
// engine that reports progress, read back through the Temporal client as the CLI and API do.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ReasoningEngine } from '../activities/model.js';
import { createBuiltinEngine } from '../activities/engines/builtin/index.js';
import { describeProgress, stageProgress, type StageProgress } from '../api/stage-progress.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from './helpers/scan-harness.js';

const fixture = fileURLToPath(new URL('./fixtures/vulnerable-express', import.meta.url));

test('describeProgress reads counts, phases and retries', () => {
  assert.equal(describeProgress([]), '');
  assert.equal(describeProgress([{ activity: 'reason', attempt: 1, detail: { phase: 'analyse', done: 3, total: 10 } }]), ' — analyse 3/10');
  assert.equal(describeProgress([{ activity: 'snapshot', attempt: 2, detail: { phase: 'read', files: 12000 } }]), ' — read 12,000 files (attempt 2)');
  assert.equal(describeProgress([{ activity: 'verify', attempt: 1 }]), '');
});

describe('stage progress from heartbeats', () => {
  let h: Harness;
  let release: () => void = () => {};
  before(async () => {
    h = await createHarness('progress');
    const real = createBuiltinEngine();
    const held: ReasoningEngine = {
      name: real.name,
      version: real.version,
      async analyse(input) {
        input.onProgress?.({ phase: 'analyse', done: 3, total: 10 });
        await new Promise<void>((r) => (release = r));
        return real.analyse(input);
      },
    };
    await h.startWorker({ engines: { builtin: held } });
  });
  after(async () => {
    release();
    await h.close();
  });

  test('the reasoning stage shows its heartbeat counts while it runs', async () => {
    const input = scanInput(h, gitRepoFromFixture(fixture, h.dir), { tuning: { heartbeatTimeoutSeconds: 3 } });
    const handle = await startScan(h, input);
    await waitForStage(handle, ['reasoning']);
    let seen: StageProgress[] = [];
    const deadline = Date.now() + 20_000;
    // The SDK throttles heartbeats, so the counts reach the server within a heartbeat interval.
    while (Date.now() < deadline) {
      seen = await stageProgress(h.client, handle);
      if (seen[0]?.detail?.total !== undefined) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(seen.length, 1);
    assert.equal(seen[0].activity, 'reason');
    assert.deepEqual(seen[0].detail, { phase: 'analyse', done: 3, total: 10 });
    assert.equal(describeProgress(seen), ' — analyse 3/10');
    release();
    await waitForStage(handle, ['awaiting_decisions']);
    await handle.terminate('test done');
  });
});
