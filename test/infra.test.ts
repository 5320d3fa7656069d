// Real binary, real servers: the CLI resolution, dev server lifecycle, search attributes, connection
// modes and the test-suite wrapper.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_TYPES } from '../workflows/definitions.js';
import { isPidAlive, vigilDataDir, withDirLock } from '../infra/data-dir.js';
import { ensureSearchAttributes } from '../infra/dev-server.js';
import { TEMPORAL_CLI_VERSION, ensureTemporalCli, readTemporalCliVersion } from '../infra/temporal-cli.js';
import { connectTemporal, temporalTlsFromEnv, temporalUiWorkflowUrl } from '../infra/temporal-connection.js';
import { cliPath, startPrivateDevServer, testTemporal } from './helpers/temporal.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-infra-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const TLS_ENV = ['TEMPORAL_TLS', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_API_KEY'];

/** Runs fn with env vars set (undefined = unset), restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T> | T): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

async function customAttributes(connection: Connection, namespace = 'default'): Promise<Record<string, number>> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return (response.customAttributes ?? {}) as Record<string, number>;
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

test('ensureTemporalCli resolves an executable temporal binary at the pinned version', async () => {
  const bin = await ensureTemporalCli();
  assert.ok(path.isAbsolute(bin), `${bin} is not absolute`);
  fs.accessSync(bin, fs.constants.X_OK);
  assert.equal(await readTemporalCliVersion(bin), TEMPORAL_CLI_VERSION);
  assert.equal(await cliPath(), bin);
});

test('ensureTemporalCli rejects a TEMPORAL_CLI that does not exist', async () => {
  await withEnv({ TEMPORAL_CLI: path.join(tmp, 'no-such-temporal') }, () =>
    assert.rejects(ensureTemporalCli(), /TEMPORAL_CLI is set to .*no-such-temporal.*not an executable file/),
  );
});

test('ensureTemporalCli without a binary or Go says to install Go or set TEMPORAL_CLI', async () => {
  const emptyDir = fs.mkdtempSync(path.join(tmp, 'empty-path-'));
  await withEnv(
    { TEMPORAL_CLI: undefined, VIGIL_TEMPORAL_CLI: undefined, PATH: emptyDir, VIGIL_CACHE_DIR: path.join(emptyDir, 'cache') },
    () => assert.rejects(ensureTemporalCli(), (err: Error) => /Install Go/.test(err.message) && /TEMPORAL_CLI=/.test(err.message)),
  );
});

test('withDirLock serialises holders, breaks locks of dead processes, and times out on live ones', async () => {
  const lockDir = path.join(tmp, 'locks', 'a.lock');
  const events: string[] = [];
  const holder = (name: string) => () =>
    withDirLock(lockDir, async () => {
      events.push(`${name}+`);
      await sleep(150);
      events.push(`${name}-`);
    });
  await Promise.all([holder('x')(), holder('y')()]);
  assert.ok(
    events.join(' ') === 'x+ x- y+ y-' || events.join(' ') === 'y+ y- x+ x-',
    `holders overlapped: ${events.join(' ')}`,
  );
  assert.equal(fs.existsSync(lockDir), false, 'lock directory left behind');

  const writeOwner = (pid: number) => {
    fs.mkdirSync(lockDir);
    fs.writeFileSync(path.join(lockDir, 'owner.json'), JSON.stringify({ pid, hostname: os.hostname(), token: 'other', createdAt: Date.now() }));
  };
  writeOwner(deadPid());
  assert.equal(await withDirLock(lockDir, async () => 'acquired', { timeoutMs: 2_000 }), 'acquired');

  writeOwner(process.pid); // alive, different token: must not be broken
  await assert.rejects(withDirLock(lockDir, async () => 'acquired', { timeoutMs: 300 }), /Timed out .* waiting for lock/);
  assert.ok(fs.existsSync(lockDir), 'a live lock was removed');
  fs.rmSync(lockDir, { recursive: true });
});

test('vigilDataDir honours VIGIL_DATA_DIR and creates it private', async () => {
  const dir = path.join(tmp, 'data-dir-test', 'nested');
  await withEnv({ VIGIL_DATA_DIR: dir }, () => assert.equal(vigilDataDir(), dir));
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
});

test('dev server on a DB file: search attributes added on reopen, state persists across stop and crash', async () => {
  const dbFile = path.join(tmp, 'restart', 'temporal.db');
  const tenant = SEARCH_ATTRIBUTES.tenant;
  const workflowId = 'vigil-infra-persist';

  // 1. Fresh DB created knowing only VigilTenant.
  const first = await startPrivateDevServer(dbFile, { searchAttributes: { VigilTenant: 'Keyword' } });
  assert.equal(first.dbFile, dbFile);
  assert.ok(fs.existsSync(dbFile), 'DB file not created');
  let connection = await Connection.connect({ address: first.address });
  let attrs = await customAttributes(connection);
  assert.equal(attrs.VigilTenant, KEYWORD);
  assert.equal(attrs.VigilRepo, undefined);
  // Nothing polls this task queue; the run just has to be stored.
  await new Client({ connection }).workflow.start('vigil-infra-probe', {
    taskQueue: 'vigil-infra-test-no-worker',
    workflowId,
    typedSearchAttributes: [{ key: tenant, value: 'acme' }],
  });
  await connection.close();
  await first.stop();
  assert.equal(isPidAlive(first.pid), false, 'server still running after stop()');
  assert.notEqual((await first.exited).signal, 'SIGKILL', 'stop() had to escalate to SIGKILL');

  // 2. Same DB, full attribute list: start-dev ignores --search-attribute here, startDevServer must add them.
  const second = await startPrivateDevServer(dbFile);
  connection = await Connection.connect({ address: second.address });
  attrs = await customAttributes(connection);
  for (const name of Object.keys(SEARCH_ATTRIBUTE_TYPES)) assert.equal(attrs[name], KEYWORD, `${name} missing after reopen`);
  const described = await new Client({ connection }).workflow.getHandle(workflowId).describe();
  assert.equal(described.status.name, 'RUNNING');
  assert.equal(described.typedSearchAttributes.get(tenant), 'acme');

  // 3. ensureSearchAttributes on the existing DB: adds only what is missing, then is a no-op.
  const extended = { ...SEARCH_ATTRIBUTE_TYPES, VigilInfraTestExtra: 'Keyword' };
  assert.deepEqual(await ensureSearchAttributes(connection, 'default', extended), ['VigilInfraTestExtra']);
  assert.equal((await customAttributes(connection)).VigilInfraTestExtra, KEYWORD);
  assert.deepEqual(await ensureSearchAttributes(connection, 'default', extended), []);
  await assert.rejects(ensureSearchAttributes(connection, 'default', { VigilTenant: 'Int' }), /VigilTenant exists .* type KEYWORD, but Vigil needs Int/);
  await connection.close();

  // 4. A crash (SIGKILL) loses nothing that was committed.
  second.kill('SIGKILL');
  assert.equal((await second.exited).signal, 'SIGKILL');
  const third = await startPrivateDevServer(dbFile);
  connection = await Connection.connect({ address: third.address });
  assert.equal((await customAttributes(connection)).VigilInfraTestExtra, KEYWORD);
  assert.equal((await new Client({ connection }).workflow.getHandle(workflowId).describe()).status.name, 'RUNNING');
  await connection.close();
  await third.stop();
});

test('startDevServer refuses a port that is already taken instead of talking to its owner', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as net.AddressInfo;
  try {
    await assert.rejects(startPrivateDevServer(undefined, { port }), new RegExp(`gRPC port 127\\.0\\.0\\.1:${port} is already in use`));
  } finally {
    blocker.close();
  }
});

test('connectTemporal with TEMPORAL_ADDRESS connects to that server and never stops it', async () => {
  const { address } = await testTemporal();
  const dataDir = path.join(tmp, 'remote-data');
  const unset = Object.fromEntries(TLS_ENV.map((k) => [k, undefined]));
  const handle = await withEnv({ ...unset, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' }, () => connectTemporal({ dataDir }));
  try {
    assert.equal(handle.address, address);
    assert.equal(handle.namespace, 'default');
    assert.equal(handle.devServer, undefined);
    await handle.connection.workflowService.getSystemInfo({});
    const attrs = await customAttributes(handle.connection);
    for (const name of Object.keys(SEARCH_ATTRIBUTE_TYPES)) assert.equal(attrs[name], KEYWORD);
    assert.equal(fs.existsSync(path.join(dataDir, 'temporal-server.json')), false, 'remote mode wrote local server state');
  } finally {
    await handle.close();
  }
  // The shared server is still usable after close().
  await (await testTemporal()).connection.workflowService.getSystemInfo({});
});

test('connectTemporal without TEMPORAL_ADDRESS starts a local server, shares it, and stops it on close', async () => {
  const dataDir = path.join(tmp, 'local-data');
  const stateFile = path.join(dataDir, 'temporal-server.json');
  fs.mkdirSync(dataDir, { recursive: true });
  // A leftover from a crashed owner must be ignored.
  fs.writeFileSync(stateFile, JSON.stringify({ pid: deadPid(), address: '127.0.0.1:1', namespace: 'default' }));
  const lines: string[] = [];

  await withEnv({ TEMPORAL_ADDRESS: undefined }, async () => {
    const owner = await connectTemporal({ dataDir, log: (line) => lines.push(line) });
    try {
      assert.ok(owner.devServer, 'did not start a server');
      assert.ok(lines.some((l) => /Ignoring stale/.test(l)), `stale state not reported: ${lines.join(' | ')}`);
      assert.equal(owner.devServer.dbFile, path.join(dataDir, 'temporal.db'));
      const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
      assert.equal(state.pid, owner.devServer.pid);
      assert.equal(state.address, owner.address);
      assert.ok(owner.uiUrl, 'no UI url');
      assert.equal((await fetch(owner.uiUrl)).ok, true, 'UI does not answer');

      const guest = await connectTemporal({ dataDir, log: () => {} });
      assert.equal(guest.devServer, undefined, 'a second server was started');
      assert.equal(guest.address, owner.address);
      await guest.close();
      assert.ok(isPidAlive(owner.devServer.pid), 'guest close() stopped the owner server');
    } finally {
      await owner.close();
    }
    assert.equal(isPidAlive(owner.devServer.pid), false, 'server still running after owner close()');
    assert.equal(fs.existsSync(stateFile), false, 'state file left behind');
  });
});

test('temporalUiWorkflowUrl links to a run, or to the workflow id search', () => {
  assert.equal(
    temporalUiWorkflowUrl('http://127.0.0.1:8233/', 'default', 'scan/1', 'r-1'),
    'http://127.0.0.1:8233/namespaces/default/workflows/scan%2F1/r-1/history',
  );
  assert.equal(
    temporalUiWorkflowUrl('http://ui', 'ns', 'scan-1'),
    `http://ui/namespaces/ns/workflows?query=${encodeURIComponent('WorkflowId="scan-1"')}`,
  );
});

test('temporalTlsFromEnv maps TLS and API key variables', () => {
  const pem = path.join(tmp, 'client.pem');
  fs.writeFileSync(pem, 'not-really-a-pem');
  const none = Object.fromEntries(TLS_ENV.map((k) => [k, undefined]));
  assert.deepEqual(temporalTlsFromEnv(none), {});
  assert.deepEqual(temporalTlsFromEnv({ ...none, TEMPORAL_API_KEY: 'k' }), { tls: {}, apiKey: 'k' });
  assert.deepEqual(temporalTlsFromEnv({ ...none, TEMPORAL_TLS: 'true' }), { tls: {} });
  const mtls = temporalTlsFromEnv({ ...none, TEMPORAL_TLS_CERT: pem, TEMPORAL_TLS_KEY: pem, TEMPORAL_TLS_CA: pem });
  assert.equal(typeof mtls.tls, 'object');
  const tls = mtls.tls as { clientCertPair?: { crt: Buffer }; serverRootCACertificate?: Buffer };
  assert.equal(tls.clientCertPair?.crt.toString(), 'not-really-a-pem');
  assert.ok(tls.serverRootCACertificate);
  assert.throws(() => temporalTlsFromEnv({ ...none, TEMPORAL_TLS_CERT: pem }), /must be set together/);
  assert.throws(() => temporalTlsFromEnv({ ...none, TEMPORAL_TLS_CA: path.join(tmp, 'missing.pem') }), /TEMPORAL_TLS_CA=.* cannot be read/);
});

test('run-with-temporal starts a server for the command, passes its exit code, and leaves nothing running', async () => {
  const env = { ...process.env };
  delete env.TEMPORAL_ADDRESS;
  delete env.TEMPORAL_NAMESPACE;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/run-with-temporal.ts', '--', process.execPath, '-e',
      'console.log(JSON.stringify([process.env.TEMPORAL_ADDRESS, process.env.TEMPORAL_NAMESPACE, process.env.VIGIL_TEMPORAL_CLI])); process.exit(3)'],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 3, `wrapper exit code; stderr:\n${stderr}`);
  const [address, namespace, cli] = JSON.parse(stdout.trim()) as string[];
  assert.match(address, /^127\.0\.0\.1:\d+$/);
  assert.equal(namespace, 'default');
  assert.equal(cli, await cliPath());
  const started = /Started in-memory Temporal dev server at (\S+) .*pid (\d+)/.exec(stderr);
  assert.ok(started, `no start line in:\n${stderr}`);
  assert.equal(started[1], address);
  assert.equal(isPidAlive(Number(started[2])), false, 'wrapper left its server running');
});
