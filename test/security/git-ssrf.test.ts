// Git URLs cannot reach the worker's own network, and git cannot be steered by the repositories it reads.
// Real API server (HTTP), real Temporal, real worker, real git (a smart-HTTP server via git http-backend).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { commitPatchesOnBranch } from '../../activities/apply/git-branch.js';
import { pinClone } from '../../activities/git/host-guard.js';
import { gitRevision } from '../../activities/git/revision.js';
import { runGit } from '../../activities/git/run-git.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import type { Store } from '../../activities/store/store.js';
import { createApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { loadKeyRegistry, type KeyRegistry } from '../../api/auth/registry.js';
import { localRevision, scanWorkflowId } from '../../api/scan-requests.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { statusQuery, type ScanStatus } from '../../workflows/definitions.js';
import { createScanWorker, type ScanWorker } from '../../workers/worker.js';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { testTemporal } from '../helpers/temporal.js';

const TENANT = 'ssrf';

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
}

/** Words from git's, curl's and ssh's own failure output: none may reach an API client. */
const GIT_TEXT = /(fatal:|Connection refused|Failed to connect|Could not resolve|gnutls|ssh: connect|curl|unable to access|Couldn't connect|port \d+ after|remote end hung up)/i;

/** A port on 127.0.0.1 nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('git URLs: no SSRF, typed failures, hardened git', () => {
  let client: Client;
  let store: Store;
  let keys: KeyRegistry;
  let dir: string;
  let scannerKey: string;
  let guarded: ApiServer; // no hosts allowed; its queue has no worker
  let allowed: ApiServer; // localhost allowed; a real worker on its queue
  let gitServer: GitHttpServer;
  let worker: ScanWorker;
  let workerDone: Promise<void>;
  let workerConn: NativeConnection;
  let served: { head: string };
  const started: string[] = [];
  const liveQueue = `ssrf-live-${randomBytes(4).toString('hex')}`;
  const protocols = { GIT_ALLOW_PROTOCOL: 'https:ssh:http:git' };
  const allowEnv = { ...protocols, VIGIL_GIT_ALLOW_HOSTS: '127.0.0.1,localhost' };

  before(async () => {
    const t = await testTemporal();
    client = new Client({ connection: t.connection, namespace: t.namespace });
    dir = mkdtempSync(join(tmpdir(), 'vigil-ssrf-'));
    store = openSqliteStore(join(dir, 'vigil.db'));
    const keysFile = join(dir, 'api-keys.json');
    scannerKey = (await createApiKey({ tenant: TENANT, roles: ['scanner'], name: 'ssrf-ci', keysFile })).key;
    keys = loadKeyRegistry({ keysFile, env: {} });
    const logger = { error: () => {} };
    const idleQueue = `ssrf-idle-${randomBytes(4).toString('hex')}`;
    guarded = await startApiServer({
      app: createApp({ temporal: client, store, keys, config: { taskQueue: idleQueue, gitEnv: protocols }, logger }),
      port: 0,
    });
    allowed = await startApiServer({
      app: createApp({ temporal: client, store, keys, config: { taskQueue: liveQueue, gitEnv: allowEnv }, logger }),
      port: 0,
    });

    // A bare repository served over smart HTTP.
    const work = join(dir, 'origin-work');
    mkdirSync(work);
    git(work, 'init', '-q', '-b', 'main');
    writeFileSync(join(work, 'index.js'), 'module.exports = (a, b) => a + b;\n');
    git(work, 'add', '-A');
    git(work, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'one');
    const project = join(dir, 'served');
    mkdirSync(project);
    git(dir, 'clone', '-q', '--bare', work, join(project, 'repo.git'));
    served = { head: git(work, 'rev-parse', 'HEAD').trim() };
    gitServer = await startGitHttpServer(project);

    workerConn = await NativeConnection.connect({ address: t.address });
    mkdirSync(join(dir, 'work'));
    worker = await createScanWorker({
      connection: workerConn,
      namespace: t.namespace,
      taskQueue: liveQueue,
      store,
      workDir: join(dir, 'work'),
      gitEnv: allowEnv,
      claude: null,
    });
    workerDone = worker.run();
  });

  after(async () => {
    for (const id of started) await client.workflow.getHandle(id).terminate('test cleanup').catch(() => {});
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerDone?.catch(() => {});
    await workerConn?.close();
    await gitServer?.close();
    await guarded?.close();
    await allowed?.close();
    await store?.close();
  });

  async function post(server: ApiServer, source: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.url}/v1/scans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${scannerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source }),
    });
    const body = await res.json();
    if (body?.workflowId) started.push(body.workflowId);
    return { status: res.status, body };
  }

  // Each row: the URL, the expected status and error code. Nothing may be written for any of them.
  const refusedRows: [string, number, string][] = [
    ['https://127.0.0.1:18799/x', 403, 'git_host_refused'],
    ['ssh://git@127.0.0.1:22/org/repo.git', 403, 'git_host_refused'],
    ['git@127.0.0.1:org/repo.git', 403, 'git_host_refused'],
    ['[git@127.0.0.1:2222]:org/repo.git', 403, 'git_host_refused'],
    ['git://127.0.0.1/repo.git', 403, 'git_host_refused'],
    ['https://localhost/org/repo.git', 403, 'git_host_refused'],
    ['https://LocalHost./org/repo.git', 403, 'git_host_refused'],
    ['ssh://git@localhost/org/repo.git', 403, 'git_host_refused'],
    ['https://10.0.0.5/org/repo.git', 403, 'git_host_refused'],
    ['https://172.16.3.4/org/repo.git', 403, 'git_host_refused'],
    ['https://192.168.1.1/org/repo.git', 403, 'git_host_refused'],
    ['https://100.100.100.200/latest/meta-data', 403, 'git_host_refused'],
    ['https://169.254.169.254/latest/meta-data', 403, 'git_host_refused'],
    ['https://metadata.google.internal/computeMetadata/v1/', 403, 'git_host_refused'],
    ['https://[fd00:ec2::254]/latest/meta-data', 403, 'git_host_refused'],
    ['https://[::1]/org/repo.git', 403, 'git_host_refused'],
    ['https://[::ffff:127.0.0.1]/org/repo.git', 403, 'git_host_refused'],
    ['https://[::ffff:7f00:1]/org/repo.git', 403, 'git_host_refused'],
    ['https://[fe80::1]/org/repo.git', 403, 'git_host_refused'],
    ['https://2130706433/org/repo.git', 403, 'git_host_refused'],
    ['https://0x7f.1/org/repo.git', 403, 'git_host_refused'],
    ['https://0177.0.0.1/org/repo.git', 403, 'git_host_refused'],
    ['https://127.1/org/repo.git', 403, 'git_host_refused'],
    ['https://0.0.0.0/org/repo.git', 403, 'git_host_refused'],
    ['https://224.0.0.1/org/repo.git', 403, 'git_host_refused'],
    ['https://255.255.255.255/org/repo.git', 403, 'git_host_refused'],
    ['https://no-such-host.invalid/org/repo.git', 400, 'git_host_unresolvable'],
  ];

  for (const [url, status, code] of refusedRows) {
    test(`refused at request time: ${url}`, async () => {
      const res = await post(guarded, { url });
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error, code);
      assert.doesNotMatch(res.body.message, GIT_TEXT);
      // Nothing written: no scan record, no workflow.
      assert.deepEqual(await store.listScans(TENANT), []);
      await assert.rejects(client.workflow.getHandle(scanWorkflowId(TENANT, url, 'HEAD')).describe(), WorkflowNotFoundError);
    });
  }

  /** Starts a scan through the API that allows localhost and waits for its workflow to end. */
  async function scanThroughWorker(url: string): Promise<{ ms: number; status: ScanStatus; failure?: ApplicationFailure; workflowId: string }> {
    const t0 = performance.now();
    const res = await post(allowed, { url });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const handle = client.workflow.getHandle(res.body.workflowId);
    let failure: ApplicationFailure | undefined;
    let ended = false;
    try {
      await Promise.race([
        handle.result(),
        (async () => {
          // A scan with findings waits for decisions: treat that stage as done, too.
          while (!ended) {
            const s = await handle.query(statusQuery).catch(() => undefined);
            if (s && (s.stage === 'awaiting_decisions' || s.stage === 'completed')) return;
            await new Promise((r) => setTimeout(r, 250));
          }
        })(),
      ]);
    } catch (err) {
      assert.ok(err instanceof WorkflowFailedError, String(err));
      let cause: unknown = err.cause;
      while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = cause.cause;
      failure = cause as ApplicationFailure;
    } finally {
      ended = true;
    }
    const status = await handle.query(statusQuery);
    return { ms: performance.now() - t0, status, failure, workflowId: res.body.workflowId };
  }

  /** How many times the snapshot activity started for this workflow. */
  async function snapshotAttempts(workflowId: string): Promise<number> {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = new Set(
      (history.events ?? [])
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'snapshot')
        .map((e) => String(e.eventId)),
    );
    return (history.events ?? []).filter((e) => scheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId))).length;
  }

  for (const scheme of ['http', 'ssh'] as const) {
    test(`an allowed local host on a closed port fails fast (${scheme}): typed GitUnreachableError, no git text, no Temporal retries`, async () => {
      const port = await closedPort();
      const url = scheme === 'http' ? `http://127.0.0.1:${port}/repo.git` : `ssh://git@localhost:${port}/repo.git`;
      const r = await scanThroughWorker(url);
      assert.equal(r.status.stage, 'failed');
      assert.equal(r.failure?.type, 'GitUnreachableError');
      assert.equal(r.failure?.nonRetryable, true);
      assert.match(r.status.error ?? '', /could not be reached/);
      assert.doesNotMatch(r.status.error ?? '', GIT_TEXT);
      assert.equal(await snapshotAttempts(r.workflowId), 1, 'the activity is not retried by Temporal');
      assert.ok(r.ms < 30_000, `took ${Math.round(r.ms)} ms`);
    });
  }

  test('an allowed local git server serving a real repository: the pinned clone works and records the commit', async () => {
    const r = await scanThroughWorker(`http://localhost:${gitServer.port}/repo.git`);
    assert.notEqual(r.status.stage, 'failed', r.status.error);
    assert.equal(r.status.counts.snapshot?.commit, served.head);
    assert.ok(gitServer.requests.some((q) => q.startsWith('GET /repo.git/info/refs')));
  });

  test('a redirect is not followed: typed GitHostRefusedError', async () => {
    const before = gitServer.requests.length;
    const r = await scanThroughWorker(`http://localhost:${gitServer.port}/redirect/repo.git`);
    assert.equal(r.status.stage, 'failed');
    assert.equal(r.failure?.type, 'GitHostRefusedError');
    assert.match(r.status.error ?? '', /redirect/);
    const seen = gitServer.requests.slice(before);
    assert.ok(seen.length > 0 && seen.every((q) => q.includes('/redirect/')), `followed: ${seen.join(', ')}`);
  });

  test('a repository the server does not have: typed GitNotFoundError', async () => {
    const r = await scanThroughWorker(`http://localhost:${gitServer.port}/missing.git`);
    assert.equal(r.status.stage, 'failed');
    assert.equal(r.failure?.type, 'GitNotFoundError');
    assert.doesNotMatch(r.status.error ?? '', GIT_TEXT);
  });

  test('the pin decides where git connects, not a second DNS lookup', async () => {
    const port = gitServer.port;
    const clone = (host: string, address: string) => {
      const url = `http://${host}:${port}/repo.git`;
      const pin = pinClone(url, { protocol: 'http', host, port, allowed: true, address });
      return runGit(['clone', '-q', '--depth', '1', '--', pin.url, join(mkdtempSync(join(dir, 'pin-')), 'r')], {
        allowProtocols: ['http'],
        config: pin.config,
        env: pin.env,
        timeoutMs: 30_000,
      });
    };
    // A name no DNS knows clones, because git connects to the pinned address...
    assert.equal((await clone('vigil-pinned.invalid', '127.0.0.1')).code, 0);
    // ...and a name DNS does know goes to the pinned address, not to what it resolves to (nothing listens on 127.0.0.2).
    assert.notEqual((await clone('localhost', '127.0.0.2')).code, 0);
    // ssh is pinned too: it connects to the address, not to the name (which does not resolve).
    const sshPort = await closedPort();
    const sshUrl = `ssh://git@vigil-pinned.invalid:${sshPort}/repo.git`;
    const pin = pinClone(sshUrl, { protocol: 'ssh', host: 'vigil-pinned.invalid', port: sshPort, allowed: true, address: '127.0.0.1' });
    const ssh = await runGit(['ls-remote', '--', pin.url], { allowProtocols: ['ssh'], env: pin.env, timeoutMs: 30_000 });
    assert.notEqual(ssh.code, 0);
    assert.match(ssh.stderr, new RegExp(`connect to host 127\\.0\\.0\\.1 port ${sshPort}`));
  });
});

describe('hardened git: a repository cannot make Vigil run its programs', () => {
  test('hooks, fsmonitor, filters and core.sshCommand in .git/config run nothing; global and system config are ignored', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-evil-'));
    const marks = join(root, 'marks');
    mkdirSync(marks);
    const evil = (name: string) => {
      const file = join(root, `${name}.sh`);
      writeFileSync(file, `#!/bin/sh\ntouch '${join(marks, name)}'\ncat\n`);
      chmodSync(file, 0o755);
      return file;
    };
    const repo = join(root, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'a.js'), 'let a = 1;\n');
    writeFileSync(join(repo, '.gitattributes'), '* filter=evil\n');
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'one');
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    // Installed after the commit, as an attacker's checkout would carry them.
    git(repo, 'config', 'core.fsmonitor', evil('fsmonitor'));
    git(repo, 'config', 'core.sshCommand', evil('sshcommand'));
    git(repo, 'config', 'filter.evil.clean', evil('clean'));
    git(repo, 'config', 'filter.evil.smudge', evil('smudge'));
    git(repo, 'config', 'filter.evil.required', 'true');
    for (const hook of ['reference-transaction', 'post-checkout', 'pre-commit', 'post-index-change']) {
      writeFileSync(join(repo, '.git', 'hooks', hook), `#!/bin/sh\ntouch '${join(marks, hook)}'\n`);
      chmodSync(join(repo, '.git', 'hooks', hook), 0o755);
    }
    // A changed mtime makes status re-read the file, which is when a clean filter would run.
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(repo, 'a.js'), later, later);

    // What Vigil does with a local repository: the API's revision, the snapshot's, and apply.
    assert.deepEqual(await gitRevision(repo), { commit: head, dirty: false });
    assert.equal(await localRevision(repo), head);
    const applied = await commitPatchesOnBranch({
      repoDir: repo,
      branch: 'vigil/test',
      patches: [{ file: 'a.js', diff: '--- a/a.js\n+++ b/a.js\n@@ -1 +1 @@\n-let a = 1;\n+let a = 2;\n', findingId: 'f1', title: 'fix' }],
      author: { name: 'Vigil', email: 'vigil@localhost' },
      message: 'fix',
    });
    assert.equal(applied.created, true);
    assert.deepEqual(readdirSync(marks), [], 'nothing the repository configured ran');

    // The same repository does run them under plain git: the test above could fail.
    execFileSync('git', ['-C', repo, 'status', '--porcelain'], { encoding: 'utf8' });
    assert.ok(existsSync(join(marks, 'fsmonitor')) || existsSync(join(marks, 'clean')), 'plain git runs the repository’s commands');

    // Only our own -c settings are in effect: no system or global file, whatever the worker's HOME holds.
    const config = (await runGit(['config', '--list', '--show-origin'], { cwd: root })).stdout.toString('utf8');
    const origins = config.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
    assert.ok(origins.length > 0 && origins.every((o) => o === 'command line:'), config);
  });

  test('inherited GIT_* variables do not redirect git to another repository', async () => {
    const other = mkdtempSync(join(tmpdir(), 'vigil-other-'));
    git(other, 'init', '-q');
    git(other, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'x');
    const plain = mkdtempSync(join(tmpdir(), 'vigil-plain-'));
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = join(other, '.git');
    try {
      assert.equal(await gitRevision(plain), undefined, 'a directory outside git stays outside git');
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });
});
