// Decision memory unavailable, end to end (real Temporal dev server, real worker, real SQLite): with retrieval
// turned off, or a vector store failing mid-scan, scans complete and the JSON and Markdown reports and the API's
// scan view say so in one line, the reason without host details (paths stay in the worker's log).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createPathPolicy } from '../../activities/scan-roots.js';
import { openDecisionMemory } from '../../activities/retrieval/open-decision-memory.js';
import { reportedUnavailability, RETRIEVAL_FAILED } from '../../activities/retrieval/decision-memory-stage.js';
import { createApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { loadKeyRegistry } from '../../api/auth/registry.js';
import { scanDetailSchema } from '../../api/routes/schemas.js';
import { decideManyUpdate } from '../../workflows/definitions.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const approver = { roles: ['approver' as const], actor: 'alice' };

describe('scans without decision memory say so', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  let apiKey: string;
  before(async () => {
    h = await createHarness('retrieval-off');
    const keysFile = join(h.dir, 'api-keys.json');
    apiKey = (await createApiKey({ tenant: 'default', roles: ['scanner'], name: 'viewer', keysFile })).key;
    app = createApp({ temporal: h.client, store: h.store, keys: loadKeyRegistry({ keysFile, env: {} }), paths: createPathPolicy({ roots: [h.dir] }), config: { taskQueue: h.taskQueue }, logger: { error: () => {} } });
  });
  after(async () => {
    await h?.close();
  });

  /** Runs a scan of the fixture to completion (every finding rejected) and returns what it reported. */
  async function completedScan() {
    const input = scanInput(h, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir));
    const handle = await startScan(h, input);
    await waitForStage(handle, ['awaiting_decisions']);
    const findings = (await h.store.getArtifact('default', input.scanId, 'findings'))!;
    assert.ok(findings.length > 0 && findings.every((f) => f.similarDecisions === undefined));
    await handle.executeUpdate(decideManyUpdate, { args: [{ findingIds: findings.map((f) => f.id), decision: 'reject', tenant: 'default', ...approver }] });
    await waitForStage(handle, ['completed']);
    const res = await app.request(`/v1/scans/${input.scanId}`, { headers: { authorization: `Bearer ${apiKey}` } });
    assert.equal(res.status, 200);
    return {
      json: (await h.store.getArtifact('default', input.scanId, 'report.json'))!,
      md: (await h.store.getArtifact('default', input.scanId, 'report.md'))!,
      view: scanDetailSchema.parse(await res.json()),
    };
  }

  test('VIGIL_RETRIEVAL=off: the scan completes; reports and the scan view say retrieval is off', async () => {
    const off = await openDecisionMemory({ dataDir: h.dir, env: { VIGIL_RETRIEVAL: 'off' } });
    const running = await h.startWorker({ retrievalUnavailable: off.unavailable! });
    try {
      const { json, md, view } = await completedScan();
      const reason = 'retrieval is turned off on the worker (VIGIL_RETRIEVAL=off)';
      assert.deepEqual(json.retrieval, { status: 'unavailable', reason });
      assert.equal(md.split('\n').filter((l) => l.startsWith('Similar past decisions: not shown')).length, 1, 'one line');
      assert.match(md, /^Similar past decisions: not shown — retrieval is turned off on the worker \\\(VIGIL\\_RETRIEVAL=off\\\)\.$/m);
      assert.equal(view.retrievalUnavailable, reason);
    } finally {
      running.worker.shutdown();
      await running.done;
    }
  });

  test('a vector store failing mid-scan: the scan completes; the reports say the lookup failed, without the error', async () => {
    const brokenDir = mkdtempSync(join(h.dir, 'broken-'));
    const warnings: string[] = [];
    const opened = await openDecisionMemory({ dataDir: brokenDir, env: {}, warn: (m) => warnings.push(m) });
    assert.ok(opened.memory, opened.unavailable);
    await opened.memory.vectors.close(); // the store is gone from under the worker
    const running = await h.startWorker({ retrieval: opened.memory });
    try {
      const { json, md, view } = await completedScan();
      assert.deepEqual(json.retrieval, { status: 'unavailable', reason: RETRIEVAL_FAILED });
      assert.match(md, /^Similar past decisions: not shown — similar past decisions could not be looked up for this scan/m);
      assert.equal(view.retrievalUnavailable, RETRIEVAL_FAILED);
      assert.ok(warnings.some((w) => /no similar past decisions for scan/.test(w)), 'the error itself goes to the log');
      assert.ok(!JSON.stringify(json).includes(brokenDir) && !md.includes('not open'), 'nor the error nor a path in the report');
    } finally {
      running.worker.shutdown();
      await running.done;
      await opened.memory.embedder.close();
    }
  });

  test('a missing model: the report names the cause and the fix, not the path', async () => {
    const missing = await openDecisionMemory({ dataDir: h.dir, env: {}, modelDir: mkdtempSync(join(h.dir, 'no-model-')) });
    assert.match(missing.unavailable!, /is missing/);
    assert.ok(missing.unavailable!.includes(h.dir), 'the start-up message names the file');
    const reason = reportedUnavailability(missing.unavailable!);
    assert.equal(reason, 'the embedding model is not provisioned on the worker (run `npm run models:fetch`)');
  });
});
