// Blob reads of a Claude scan, counted per activity execution through the Store: only the threat model (the
// built-in leads analyse the whole repository) reads every file; a research pass, a panel and a patch read the
// files they use, collect and conclude none, and no execution asks for a blob twice or one at a time.
import assert from 'node:assert/strict';
import { Context } from '@temporalio/activity';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../../activities/store/store.js';
import { createClaudeDeps } from '../../workers/engines.js';
import { startStandIn, type StandIn } from '../helpers/anthropic-standin.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';
import { brain, fixture } from './brain.js';

interface Read {
  activity: string;
  execution: string;
  method: string;
  hashes: string[];
}

/** The harness's store, with every blob read recorded against the activity execution that made it. */
function countingStore(store: Store, reads: Read[]): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'getBlob' && prop !== 'getBlobs') return typeof value === 'function' ? value.bind(target) : value;
      return (tenant: string, hashes: string | string[]) => {
        const info = Context.current().info;
        reads.push({ activity: info.activityType, execution: `${info.activityId}#${info.attempt}`, method: String(prop), hashes: [hashes].flat() });
        return (value as (t: string, h: string | string[]) => unknown).call(target, tenant, hashes);
      };
    },
  }) as Store;
}

describe('claude engine blob reads', () => {
  let h: Harness;
  let s: StandIn;
  const reads: Read[] = [];
  before(async () => {
    s = await startStandIn(brain());
    h = await createHarness('claude-reads');
    await h.startWorker({
      store: countingStore(h.store, reads),
      claude: createClaudeDeps({ apiKey: 'sk-ant-reads', baseURL: s.url, timeoutMs: 5000 }, { model: 'claude-test', effort: 'low', budgetTokens: 1_000_000 }),
    });
  });
  after(async () => {
    await h.close();
    await s.close();
  });

  test('each pass reads only the files it uses, each blob once, in batches', async () => {
    const input = scanInput(h, gitRepoFromFixture(fixture, h.dir), { engine: 'claude' });
    const handle = await startScan(h, input);
    const status = await waitForStage(handle, ['awaiting_decisions'], 90_000);
    assert.equal(status.counts.verification?.confirmed, 1);
    const files = status.counts.snapshot!.files;

    const blobsOf = (activity: string) => {
      const executions = new Map<string, string[]>();
      for (const r of reads.filter((x) => x.activity === activity)) executions.set(r.execution, [...(executions.get(r.execution) ?? []), ...r.hashes]);
      return [...executions.values()];
    };
    assert.equal(reads.filter((r) => r.method === 'getBlob').length, 0, 'never one blob at a time');
    for (const r of reads) assert.ok(r.hashes.length > 0, `${r.activity} made an empty call`);
    for (const activity of new Set(reads.map((r) => r.activity))) {
      for (const hashes of blobsOf(activity)) assert.equal(new Set(hashes).size, hashes.length, `${activity} read a blob twice`);
    }
    const [threatModel] = blobsOf('claudeThreatModel');
    assert.equal(threatModel.length, files, 'the threat model reads the snapshot once, for the built-in leads');
    const research = blobsOf('claudeResearch');
    assert.equal(research.length, 2, 'two research passes read files');
    // routes/users.js (read with read_file) and db/users.js (cited by the finding): not the whole snapshot.
    assert.deepEqual(research.map((h) => h.length).sort(), [1, 2]);
    assert.deepEqual(blobsOf('claudePanel').map((h) => h.length), [1], 'the panel reads the file its evidence cites');
    assert.deepEqual(blobsOf('claudePatch').map((h) => h.length), [1], 'the patch reads the file it changes');
    assert.deepEqual(blobsOf('claudeCollect'), [], 'collect lists paths from the snapshot record');
    assert.deepEqual(blobsOf('claudeConclude'), []);
    for (const stage of ['score']) {
      const [hashes] = blobsOf(stage);
      assert.ok(hashes.length <= 2, `${stage} reads the files its findings name (${hashes.length})`);
    }
    await handle.terminate('test done');
  });
});
