// Test harness: a real worker on a private task queue, a real SQLite store in a temp dir, and helpers
// to start scans and wait for stages through the real Temporal client.
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKeyring, type Keyring } from '../../activities/crypto/keyring.js';
import { createStoreCrypto, type StoreCrypto } from '../../activities/crypto/seal.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import { encryptedDataConverter, type PayloadEncryption } from '../../workers/codec/data-converter.js';
import type { Store } from '../../activities/store/store.js';
import { scanWorkflowType, statusQuery, type ScanInput, type ScanStage, type ScanStatus } from '../../workflows/definitions.js';
import { createScanWorker, type ScanWorker, type ScanWorkerOptions } from '../../workers/worker.js';
import { testTemporal } from './temporal.js';

export interface Harness {
  client: Client;
  connection: Connection;
  namespace: string;
  address: string;
  taskQueue: string;
  dir: string;
  store: Store;
  storeFile: string;
  /** The data directory's generated master key: the store is encrypted at rest, as in production. */
  keyring: Keyring;
  /** Set when the harness encrypts Temporal payloads (client and workers share the codec). */
  payloads?: PayloadEncryption;
  startWorker(extra?: Partial<ScanWorkerOptions>): Promise<{ worker: ScanWorker; done: Promise<void> }>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

export interface HarnessOptions {
  /**
   * Encrypt Temporal payloads on the harness's client and in-process workers. On by default, as in
   * production: a worker process started with VIGIL_DATA_DIR=dir uses the same key file. Tests that make
   * their own clients pass `h.payloads?.dataConverter`.
   */
  encryptPayloads?: boolean;
  /** The store the workers and the test use (default: SQLite in the harness's directory, `storeFile`). */
  openStore?: (crypto: StoreCrypto) => Store;
}

export async function createHarness(name: string, opts: HarnessOptions = {}): Promise<Harness> {
  if (!runtimeInstalled) {
    // Worker lifecycle lines at INFO would bury the test report; warnings and errors still show.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const t = await testTemporal();
  const dir = mkdtempSync(join(tmpdir(), `vigil-${name}-`));
  // The same key file a worker process with VIGIL_DATA_DIR=dir generates and reads.
  const keyring = loadKeyring({ env: {}, dataDir: dir, generate: true })!;
  const payloads = opts.encryptPayloads !== false ? encryptedDataConverter(keyring) : undefined;
  const client = new Client({ connection: t.connection, namespace: t.namespace, dataConverter: payloads?.dataConverter });
  const storeFile = join(dir, 'vigil.db');
  const crypto = createStoreCrypto(keyring);
  const store = opts.openStore ? opts.openStore(crypto) : openSqliteStore(storeFile, { crypto });
  const taskQueue = `test-${name}-${randomBytes(4).toString('hex')}`;
  const workers: { worker: ScanWorker; done: Promise<void>; conn: NativeConnection }[] = [];
  return {
    client,
    connection: t.connection,
    namespace: t.namespace,
    address: t.address,
    taskQueue,
    dir,
    store,
    storeFile,
    keyring,
    ...(payloads ? { payloads } : {}),
    async startWorker(extra = {}) {
      const conn = await NativeConnection.connect({ address: t.address });
      mkdirSync(join(dir, 'work'), { recursive: true });
      const worker = await createScanWorker({
        connection: conn,
        namespace: t.namespace,
        taskQueue,
        store,
        workDir: join(dir, 'work'),
        statCacheFile: join(dir, 'statcache.db'),
        ...(payloads ? { dataConverter: payloads.dataConverter } : {}),
        ...extra,
      });
      const done = worker.run();
      workers.push({ worker, done, conn });
      return { worker, done };
    },
    async close() {
      for (const w of workers) {
        if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
        await w.done.catch(() => {});
        await w.conn.close();
      }
      await store.close();
    },
  };
}

/** Copies a fixture into a fresh git repository with one commit; returns its path. */
export function gitRepoFromFixture(fixture: string, parent: string): string {
  const repo = mkdtempSync(join(parent, 'repo-'));
  cpSync(fixture, repo, { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'initial');
  return repo;
}

export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
}

export function scanInput(h: Harness, path: string, extra: Partial<ScanInput> = {}): ScanInput {
  return {
    scanId: `scn_${randomBytes(10).toString('hex')}`,
    tenant: 'default',
    repoKey: path,
    source: { kind: 'local', path },
    engine: 'builtin',
    requestedBy: 'test',
    tuning: { heartbeatTimeoutSeconds: 5 },
    ...extra,
  };
}

export async function startScan(h: Harness, input: ScanInput): Promise<WorkflowHandle> {
  return h.client.workflow.start(scanWorkflowType, {
    taskQueue: h.taskQueue,
    workflowId: `test-${input.scanId}`,
    args: [input],
  });
}

/** Polls the status query until the scan reaches one of `stages` (or fails). */
export async function waitForStage(
  handle: WorkflowHandle,
  stages: ScanStage[],
  timeoutMs = 60_000,
): Promise<ScanStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: ScanStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (stages.includes(last.stage)) return last;
      if (last.stage === 'failed') throw new Error(`scan failed: ${last.error}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('scan failed')) throw err;
      // Query may fail while no worker is polling yet; keep waiting.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${stages.join('|')}; last stage ${last?.stage ?? 'unknown'}`);
}
