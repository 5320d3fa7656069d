// Snapshots are bounded (issue 10, item 2): a source tree past the worker's limits on files, bytes or
// directory entries fails the scan with a typed, non-retryable SnapshotLimitError that names the limit and
// the variable that raises it, and leaves no snapshot record; cancelling or terminating a scan stops the
// walk within seconds. Real worker, real Temporal, real SQLite store, real HTTP API for the status.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ActivityFailure, ApplicationFailure, CancelledFailure, TerminatedFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import Database from 'better-sqlite3';
import { DEFAULT_SNAPSHOT_LIMITS, snapshotLimitsFromEnv, type SnapshotLimits } from '../../activities/snapshot/limits.js';
import { readLocalTree } from '../../activities/snapshot/read-tree.js';
import type { Store } from '../../activities/store/store.js';
import { createApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { loadKeyRegistry } from '../../api/auth/registry.js';
import { stageProgress } from '../../api/stage-progress.js';
import { createHarness, scanInput, startScan, type Harness } from '../helpers/scan-harness.js';

const parent = mkdtempSync(join(tmpdir(), 'vigil-limits-'));
after(() => rmSync(parent, { recursive: true, force: true }));

function writeTree(root: string, files: Record<string, string>): string {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

/** n text files of `size` bytes each, every one different. */
function textFiles(n: number, size: number, dir = 'src'): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < n; i++) out[`${dir}/f${i}.txt`] = `${i}:`.padEnd(size, 'x');
  return out;
}

function storeRows(h: Harness): { snapshots: number; blobs: number } {
  const db = new Database(h.storeFile, { readonly: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { snapshots: count('snapshots'), blobs: count('blobs') };
  } finally {
    db.close();
  }
}

/** GET /v1/scans/:id through the real app, as a client of the scan's tenant would see it. */
async function apiStatus(h: Harness, scanId: string): Promise<any> {
  const keysFile = join(h.dir, 'api-keys.json');
  const { key } = await createApiKey({ tenant: 'default', roles: ['scanner'], name: 'ci', keysFile });
  const app = createApp({ temporal: h.client, store: h.store, keys: loadKeyRegistry({ keysFile, env: {} }), config: { taskQueue: h.taskQueue } });
  const res = await app.request(`/v1/scans/${scanId}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(res.status, 200);
  return res.json();
}

async function rootFailure(handle: WorkflowHandle): Promise<unknown> {
  const err = await handle.result().then(
    () => assert.fail('the scan should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
  assert.ok(err.cause instanceof ActivityFailure, `expected ActivityFailure, got ${String(err.cause)}`);
  return err.cause.cause;
}

interface LimitRow {
  name: string;
  tree: Record<string, string>;
  limits: Partial<SnapshotLimits>;
  /** Expected failure message, or absent when the scan must succeed. */
  fails?: RegExp;
  /** Checked on the snapshot counts when it succeeds. */
  snapshot?: { files: number; skipped?: Record<string, number> };
}

const limitRows: LimitRow[] = [
  {
    name: 'more files than VIGIL_MAX_SNAPSHOT_FILES',
    tree: textFiles(30, 10),
    limits: { maxFiles: 20 },
    fails: /limit of 20 files \(reached 21 .*raise VIGIL_MAX_SNAPSHOT_FILES/,
  },
  {
    name: 'more content than VIGIL_MAX_SNAPSHOT_BYTES',
    tree: textFiles(10, 1000),
    limits: { maxBytes: 5000 },
    fails: /limit of 5000 bytes of file content \(reached 6000 .*raise VIGIL_MAX_SNAPSHOT_BYTES/,
  },
  {
    // Ignored entries are never kept, but they are walked: a tree of millions of them must still end.
    name: 'more directory entries than VIGIL_MAX_SNAPSHOT_ENTRIES, though all but one are ignored',
    tree: { '.gitignore': '*.log\n', 'app.js': 'module.exports = 1;\n', ...Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`l${i}.log`, 'x'])) },
    limits: { maxEntries: 30 },
    fails: /limit of 30 directory entries walked \(reached 31 .*raise VIGIL_MAX_SNAPSHOT_ENTRIES/,
  },
  {
    name: 'a file past VIGIL_MAX_FILE_BYTES is skipped, not fatal',
    tree: { 'small.txt': 'hello\n', 'big.txt': 'y'.repeat(5000) },
    limits: { maxFileBytes: 1000, maxBytes: 1000 },
    snapshot: { files: 1, skipped: { tooLarge: 1 } },
  },
  {
    name: 'a tree exactly at every limit succeeds',
    tree: textFiles(20, 100),
    limits: { maxFiles: 20, maxBytes: 2000, maxEntries: 21 }, // 20 files + their directory
    snapshot: { files: 20 },
  },
];

describe('snapshot limits', () => {
  for (const row of limitRows) {
    test(row.name, { timeout: 60_000 }, async () => {
      const h = await createHarness('limits');
      try {
        const executions: string[] = [];
        await h.startWorker({
          snapshotLimits: { ...DEFAULT_SNAPSHOT_LIMITS, ...row.limits },
          onExecute: (activity) => executions.push(activity),
        });
        const repo = writeTree(mkdtempSync(join(parent, 'repo-')), row.tree);
        const input = scanInput(h, repo);
        const handle = await startScan(h, input);

        if (row.fails) {
          const cause = await rootFailure(handle);
          assert.ok(cause instanceof ApplicationFailure, `expected ApplicationFailure, got ${String(cause)}`);
          assert.equal(cause.type, 'SnapshotLimitError');
          assert.equal(cause.nonRetryable, true);
          assert.match(cause.message, row.fails);
          // Not retried: one walk into the wall is enough (then the failure is recorded as events, nothing else runs).
          assert.deepEqual(executions, ['snapshot', 'recordFailure']);
          // Nothing half-written: no snapshot row, and the blobs batched so far were never flushed.
          assert.deepEqual(storeRows(h), { snapshots: 0, blobs: 0 });
          // The caller sees why and what to do, through the API.
          const status = await apiStatus(h, input.scanId);
          assert.equal(status.stage, 'failed');
          assert.equal(status.execution.status, 'FAILED');
          assert.match(status.status.error, row.fails);
        } else {
          await handle.result();
          const status = await apiStatus(h, input.scanId);
          assert.equal(status.stage, 'completed');
          assert.equal(status.coverage.snapshot.files, row.snapshot!.files);
          for (const [reason, n] of Object.entries(row.snapshot!.skipped ?? {})) assert.equal(status.coverage.snapshot.skipped[reason], n);
          assert.equal(storeRows(h).snapshots, 1);
        }
      } finally {
        await h.close();
      }
    });
  }

  test('a file over 4 MiB is read in chunks: same hash, binary still detected, its bytes counted as read', async () => {
    const root = mkdtempSync(join(parent, 'large-'));
    const text = Buffer.from('z'.repeat(6 * 1024 * 1024 + 7));
    const binary = Buffer.alloc(5 * 1024 * 1024, 1);
    binary[100] = 0;
    writeFileSync(join(root, 'big.txt'), text);
    writeFileSync(join(root, 'big.bin'), binary);
    const tree = await readLocalTree(root, { maxFileBytes: 8 * 1024 * 1024 });
    assert.deepEqual(tree.files.map((f) => [f.path, f.hash, f.size]), [['big.txt', createHash('sha256').update(text).digest('hex'), text.length]]);
    assert.equal(tree.skipped.binary, 1);
    await assert.rejects(
      readLocalTree(root, { maxFileBytes: 8 * 1024 * 1024, limits: { maxBytes: 1024 * 1024 } }),
      (err: unknown) => err instanceof ApplicationFailure && err.type === 'SnapshotLimitError' && /VIGIL_MAX_SNAPSHOT_BYTES/.test(err.message),
    );
  });

  test('limits come from VIGIL_MAX_* with large-monorepo defaults, and nonsense is refused', () => {
    assert.deepEqual(snapshotLimitsFromEnv({}), DEFAULT_SNAPSHOT_LIMITS);
    assert.deepEqual(DEFAULT_SNAPSHOT_LIMITS, { maxFileBytes: 2 * 1024 ** 2, maxFiles: 250_000, maxBytes: 2 * 1024 ** 3, maxEntries: 1_000_000 });
    assert.deepEqual(
      snapshotLimitsFromEnv({ VIGIL_MAX_SNAPSHOT_FILES: '10', VIGIL_MAX_SNAPSHOT_BYTES: '2048', VIGIL_MAX_SNAPSHOT_ENTRIES: '99', VIGIL_MAX_FILE_BYTES: '7' }),
      { maxFileBytes: 7, maxFiles: 10, maxBytes: 2048, maxEntries: 99 },
    );
    for (const [name, raw] of [['VIGIL_MAX_SNAPSHOT_FILES', '1.5'], ['VIGIL_MAX_SNAPSHOT_BYTES', '2GB'], ['VIGIL_MAX_SNAPSHOT_ENTRIES', '-1'], ['VIGIL_MAX_SNAPSHOT_FILES', '0']]) {
      assert.throws(() => snapshotLimitsFromEnv({ [name]: raw }), new RegExp(`${name} must be a positive whole number`));
    }
  });
});

// A tree whose walk takes well over 10 s: 15,000 distinct files, i.e. 15 upload batches of 1,000, against a
// store that answers each batch's "which blobs do you have?" after 800 ms, as a remote store might.
const BIG_FILES = 15_000;
const BATCHES = BIG_FILES / 1000;
const STORE_DELAY_MS = 800;

/** The harness's real store, with hasBlobs slowed down and its calls timed. */
function slowStore(store: Store, calls: number[]): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'hasBlobs') {
        return async (...args: Parameters<Store['hasBlobs']>) => {
          calls.push(Date.now());
          await new Promise((r) => setTimeout(r, STORE_DELAY_MS));
          return target.hasBlobs(...args);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface StopRow {
  name: string;
  stop(handle: WorkflowHandle): Promise<unknown>;
  /** What the workflow's result says once stopped. */
  outcome(err: unknown): void;
}

const stopRows: StopRow[] = [
  {
    name: 'cancelling the scan stops the walk within seconds',
    stop: (handle) => handle.cancel(),
    outcome: (err) => {
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `expected a cancelled workflow, got ${String(err)}`);
    },
  },
  {
    name: 'terminating the scan stops the walk within seconds',
    stop: (handle) => handle.terminate('test: stop the walk'),
    outcome: (err) => {
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof TerminatedFailure, `expected a terminated workflow, got ${String(err)}`);
    },
  },
];

describe('stopping a scan stops its walk', () => {
  let bigTree: string;
  before(() => {
    bigTree = mkdtempSync(join(parent, 'big-'));
    for (let d = 0; d < BIG_FILES / 500; d++) {
      const dir = join(bigTree, `d${d}`);
      mkdirSync(dir);
      for (let i = 0; i < 500; i++) writeFileSync(join(dir, `f${i}.txt`), `${d}/${i}\n`);
    }
  });

  for (const row of stopRows) {
    test(row.name, { timeout: 60_000 }, async () => {
      const h = await createHarness('stop');
      try {
        const calls: number[] = [];
        const { worker } = await h.startWorker({ store: slowStore(h.store, calls) });
        // The production heartbeat timeout (30 s), not the harness's short one: the stop must not depend on it.
        const handle = await startScan(h, scanInput(h, bigTree, { tuning: {} }));

        // Mid-walk: the snapshot activity has heartbeated a file count and uploaded a couple of batches.
        const deadline = Date.now() + 30_000;
        for (;;) {
          const p = (await stageProgress(h.client, handle)).find((x) => x.activity === 'snapshot');
          if ((p?.detail?.files ?? 0) > 0 && calls.length >= 2) break;
          assert.ok(Date.now() < deadline, `the walk never got going (${calls.length} batches)`);
          await sleep(100);
        }
        assert.equal(worker.getStatus().numInFlightActivities, 1);

        const stoppedAt = Date.now();
        await row.stop(handle);
        row.outcome(await handle.result().then(() => undefined, (e: unknown) => e));

        // The activity function itself has returned (rejected), not just the workflow closed.
        while (worker.getStatus().numInFlightActivities > 0) {
          assert.ok(Date.now() - stoppedAt < 6_000, 'the snapshot activity was still running 6 s after the scan was stopped');
          await sleep(100);
        }
        const activityEndedMs = Date.now() - stoppedAt;
        // And nothing more happens: no batch begins after it, and the walk did not finish.
        const batchesAtEnd = calls.length;
        await sleep(2 * STORE_DELAY_MS);
        assert.equal(calls.length, batchesAtEnd, 'the walk went on after the activity ended');
        assert.ok(calls.length < BATCHES, `the walk ran to the end (${calls.length} of ${BATCHES} batches)`);
        assert.ok(calls.every((t) => t - stoppedAt < 4_000), 'a batch began more than 4 s after the scan was stopped');
        assert.equal(storeRows(h).snapshots, 0);
        process.stderr.write(`# ${row.name}: activity ended ${activityEndedMs} ms after the stop, after ${calls.length}/${BATCHES} batches\n`);
      } finally {
        await h.close();
      }
    });
  }
});
