// What a key may read and write on the server's disk (issue 10, items 1 and 3), against the real API, real
// Temporal, the real SQLite store, real git and a real worker. Each hostile row is a request, the expected
// status and error type, and a check that nothing was written: store rows, workflows, files, branches.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import Database from 'better-sqlite3';
import type { ApplyArtifact } from '../../activities/artifacts.js';
import { createPathPolicy, effectiveRoots, parseScanRoots, type PathPolicy } from '../../activities/scan-roots.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import type { Store } from '../../activities/store/store.js';
import { createApp } from '../../api/app.js';
import { apiKeyEntrySchema, parseKeyEntries, writeKeysFile, type ApiKeyEntry } from '../../api/auth/keys-file.js';
import { createKeyRegistry, loadKeyRegistry } from '../../api/auth/registry.js';
import { generateApiKey, hashApiKey } from '../../api/auth/tokens.js';
import { SEARCH_ATTRIBUTES, decideUpdate, scanWorkflowType, statusQuery, type Role, type ScanStatus } from '../../workflows/definitions.js';
import { createScanWorker, type ScanWorker } from '../../workers/worker.js';
import { testTemporal } from '../helpers/temporal.js';

const fixture = fileURLToPath(new URL('../fixtures/vulnerable-express', import.meta.url));
const ALL: Role[] = ['scanner', 'approver'];

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
}

/** The vulnerable fixture committed as a repository at `repo` (its files under `sub` when given). */
function fixtureRepo(repo: string, sub = ''): string {
  mkdirSync(repo, { recursive: true });
  cpSync(fixture, join(repo, sub), { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'initial');
  return repo;
}

/** Every file below `dir` with its size: what "nothing was written here" is checked against. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${relative(dir, p)}:${statSync(p).size}`);
    }
  };
  walk(dir);
  return out.sort();
}

describe('scan roots: what a key may scan and where an approval may write', () => {
  const run = randomBytes(3).toString('hex');
  const tenant = { a: `roots-a-${run}`, b: `roots-b-${run}`, c: `roots-c-${run}`, d: `roots-d-${run}` };
  const key: Record<'a' | 'a2' | 'b' | 'c' | 'd', string> = { a: '', a2: '', b: '', c: '', d: '' };
  let base: string;
  let dataDir: string;
  let workDir: string;
  let rootA: string;
  let rootB: string; // rootA + "X": a sibling sharing rootA's name as a string prefix
  let repoA: string;
  let repoB: string;
  let monorepo: string; // tenant C may use only monorepo/svc; the git top level lies above it
  let repoG: string; // scanned as a git URL
  let outside: string;
  let client: Client;
  let store: Store;
  let storeFile: string;
  let policy: PathPolicy;
  let app: ReturnType<typeof createApp>;
  let closed: ReturnType<typeof createApp>; // no roots configured: the server's default
  let native: NativeConnection;
  let worker: ScanWorker;
  let running: Promise<void>;
  const started: string[] = [];

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const t = await testTemporal();
    client = new Client({ connection: t.connection, namespace: t.namespace });
    base = realpathSync(mkdtempSync(join(tmpdir(), 'vigil-roots-')));
    dataDir = join(base, 'data');
    workDir = join(dataDir, 'work');
    mkdirSync(workDir, { recursive: true });
    writeFileSync(join(dataDir, 'admin.key'), 'vgl_not_a_real_key\n', { mode: 0o600 });
    rootA = join(base, 'root');
    rootB = join(base, 'rootX');
    repoA = fixtureRepo(join(rootA, 'repoA'));
    repoB = fixtureRepo(join(rootB, 'repoB'));
    monorepo = fixtureRepo(join(rootA, 'mono'), 'svc');
    repoG = fixtureRepo(join(rootA, 'repoG'));
    outside = join(base, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'not yours\n');
    symlinkSync(outside, join(rootA, 'link-out'));
    symlinkSync(dataDir, join(rootA, 'link-data'));

    // Keys: A (its root), A2 (tenant A, narrowed elsewhere), B (the sibling root), C (a subdir of a repo),
    // D (no narrowing: the whole deployment root, which contains the data directory).
    const keysFile = join(dataDir, 'api-keys.json');
    const entries: ApiKeyEntry[] = [];
    const add = (name: keyof typeof key, t: string, roots?: string[]) => {
      key[name] = generateApiKey();
      entries.push(apiKeyEntrySchema.parse({ id: `key_${name}_${run}`, name, tenant: t, roles: ALL, sha256: hashApiKey(key[name]), ...(roots ? { roots } : {}) }));
    };
    add('a', tenant.a, [rootA]);
    add('a2', tenant.a, [join(rootA, 'elsewhere')]);
    add('b', tenant.b, [rootB]);
    add('c', tenant.c, [join(monorepo, 'svc')]);
    add('d', tenant.d);
    await writeKeysFile(keysFile, entries);
    const keys = loadKeyRegistry({ keysFile, env: {} });

    storeFile = join(dataDir, 'vigil.db');
    store = openSqliteStore(storeFile);
    // As `vigil serve` builds it: VIGIL_SCAN_ROOTS=<base>, the data directory and keys file protected.
    policy = createPathPolicy({ roots: parseScanRoots(base), protect: [dataDir, keysFile] });
    const taskQueue = `roots-${run}`;
    const logger = { error: () => {} };
    app = createApp({ temporal: client, store, keys, paths: policy, config: { taskQueue }, logger });
    closed = createApp({ temporal: client, store, keys, config: { taskQueue }, logger });
    native = await NativeConnection.connect({ address: t.address });
    worker = await createScanWorker({
      connection: native,
      namespace: t.namespace,
      taskQueue,
      store,
      workDir,
      paths: { policy, tenantRoots: (tn) => keys.tenantRoots(tn) },
    });
    running = worker.run();
  });

  after(async () => {
    for (const id of started) await client.workflow.getHandle(id).terminate('test cleanup').catch(() => {});
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => {});
    await native?.close();
    await store?.close();
  });

  async function call(target: typeof app, method: string, path: string, k: string, json?: unknown) {
    const res = await target.request(path, {
      method,
      headers: { authorization: `Bearer ${k}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      ...(json ? { body: JSON.stringify(json) } : {}),
    });
    const body = (await res.json()) as any;
    if (body?.workflowId) started.push(body.workflowId);
    return { status: res.status, body };
  }

  /** Rows in every table of the store: a refused request must leave all of them as they were. */
  function eventTypesAfter(count: number): string[] {
    const db = new Database(storeFile, { readonly: true });
    try {
      return (db.prepare('SELECT type FROM events ORDER BY seq LIMIT -1 OFFSET ?').all(count) as { type: string }[]).map((r) => r.type);
    } finally {
      db.close();
    }
  }
  function storeRows(): Record<string, number> {
    const db = new Database(storeFile, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
      return Object.fromEntries(tables.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
    } finally {
      db.close();
    }
  }

  async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const v = await fn().catch(() => undefined);
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const stageOf = (workflowId: string, runId: string, stages: string[]) =>
    until(`stage ${stages.join('|')}`, async () => {
      const status: ScanStatus = await client.workflow.getHandle(workflowId, runId).query(statusQuery);
      if (status.stage === 'failed') throw new Error(`scan failed: ${status.error}`);
      return stages.includes(status.stage) ? status : undefined;
    });

  const vigilBranches = (repo: string) => git(repo, 'branch', '--list', 'vigil/*').trim();

  test('every hostile path is refused before anything is read, started or stored', async () => {
    const before = { rows: storeRows(), data: listing(dataDir) };
    const path = (p: string) => ({ source: { path: p } });
    const rows: { name: string; app?: typeof app; key: string; body: unknown; status: number; error: string; message?: RegExp }[] = [
      { name: 'no roots configured', app: closed, key: key.d, body: path(repoA), status: 403, error: 'path_not_allowed', message: /VIGIL_SCAN_ROOTS.*"roots"/ },
      { name: 'the data directory', key: key.d, body: path(dataDir), status: 403, error: 'path_not_allowed', message: /data directory/ },
      { name: 'inside the data directory', key: key.d, body: path(workDir), status: 403, error: 'path_not_allowed', message: /data directory/ },
      { name: 'a directory containing the data directory', key: key.d, body: path(base), status: 403, error: 'path_not_allowed' },
      { name: 'a symlink in a root to the data directory', key: key.d, body: path(join(rootA, 'link-data')), status: 403, error: 'path_not_allowed' },
      { name: '/proc', key: key.d, body: path('/proc'), status: 403, error: 'path_not_allowed' },
      { name: '/proc/self/root', key: key.d, body: path('/proc/self/root'), status: 403, error: 'path_not_allowed' },
      { name: '/proc/self/cwd', key: key.d, body: path('/proc/self/cwd'), status: 403, error: 'path_not_allowed' },
      { name: '/sys', key: key.d, body: path('/sys'), status: 403, error: 'path_not_allowed' },
      { name: '/dev', key: key.d, body: path('/dev'), status: 403, error: 'path_not_allowed' },
      { name: '/etc', key: key.d, body: path('/etc'), status: 403, error: 'path_not_allowed', message: /outside the directories this key may scan/ },
      { name: '/', key: key.d, body: path('/'), status: 403, error: 'path_not_allowed' },
      { name: 'a symlink inside a root pointing outside it', key: key.a, body: path(join(rootA, 'link-out')), status: 403, error: 'path_not_allowed' },
      { name: 'root/../outside', key: key.a, body: path(`${rootA}/../outside`), status: 403, error: 'path_not_allowed' },
      { name: 'a sibling sharing the root as a prefix', key: key.a, body: path(repoB), status: 403, error: 'path_not_allowed' },
      { name: "another tenant's root", key: key.b, body: path(repoA), status: 403, error: 'path_not_allowed' },
      { name: 'a key narrowed elsewhere in the same tenant', key: key.a2, body: path(repoA), status: 403, error: 'path_not_allowed' },
      { name: 'a missing path outside the roots (no existence oracle)', key: key.a, body: path('/nonexistent-vigil-dir'), status: 403, error: 'path_not_allowed' },
      { name: 'a missing path inside the roots', key: key.a, body: path(join(rootA, 'nope')), status: 400, error: 'invalid_source' },
      { name: 'a relative path (the schema asks for an absolute one)', key: key.a, body: path('root/repoA'), status: 400, error: 'invalid_request' },
    ];
    for (const row of rows) {
      const res = await call(row.app ?? app, 'POST', '/v1/scans', row.key, row.body);
      assert.equal(res.status, row.status, `${row.name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, row.error, row.name);
      if (row.message) assert.match(res.body.message, row.message, row.name);
      assert.ok(!String(res.body.message).includes('not yours'), `${row.name}: no file content in the answer`);
      assert.deepEqual(storeRows(), before.rows, `${row.name}: the store is unchanged`);
      assert.deepEqual(listing(dataDir).filter((f) => !f.startsWith('vigil.db')), before.data.filter((f) => !f.startsWith('vigil.db')), `${row.name}: no files`);
    }
  });

  test('a file-protocol git URL is a local path too: the same roots apply', async () => {
    const saved = process.env.GIT_ALLOW_PROTOCOL;
    process.env.GIT_ALLOW_PROTOCOL = 'https:ssh:file';
    try {
      const rows = { before: storeRows() };
      for (const url of [pathToFileURL(repoA).href, repoA, pathToFileURL(dataDir).href]) {
        const res = await call(app, 'POST', '/v1/scans', key.b, { source: { url } });
        assert.equal(res.status, 403, `${url}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error, 'path_not_allowed');
      }
      assert.deepEqual(storeRows(), rows.before);
    } finally {
      if (saved === undefined) delete process.env.GIT_ALLOW_PROTOCOL;
      else process.env.GIT_ALLOW_PROTOCOL = saved;
    }
  });

  test("tenants are confined: B cannot scan, see or write into A's repository; A's own approval writes the branch", async () => {
    const scan = await call(app, 'POST', '/v1/scans', key.a, { source: { path: repoA } });
    assert.equal(scan.status, 201, JSON.stringify(scan.body));
    const status = await stageOf(scan.body.workflowId, scan.body.runId, ['awaiting_decisions']);
    const [fix, ...rest] = [...status.findings].sort((x, y) => Number(y.hasPatch) - Number(x.hasPatch));
    assert.ok(fix?.hasPatch, 'the fixture yields a finding with a patch');

    // B: its own scan of A's path is refused (above); A's scan does not exist for B.
    const decisionPath = `/v1/scans/${scan.body.scanId}/findings/${fix.id}/decision`;
    assert.equal((await call(app, 'GET', `/v1/scans/${scan.body.scanId}`, key.b)).status, 404);
    assert.equal((await call(app, 'POST', decisionPath, key.b, { decision: 'approve' })).status, 404);
    // A key of tenant A narrowed to another directory may not write into repoA either.
    const rows = storeRows();
    const narrowed = await call(app, 'POST', decisionPath, key.a2, { decision: 'approve' });
    assert.equal(narrowed.status, 403, JSON.stringify(narrowed.body));
    assert.equal(narrowed.body.error, 'path_not_allowed');
    assert.match(narrowed.body.message, /write branches into/);
    assert.deepEqual(storeRows(), rows, 'a refused approval records nothing');
    const live: ScanStatus = await client.workflow.getHandle(scan.body.workflowId).query(statusQuery);
    assert.equal(live.findings.find((f) => f.id === fix.id)?.status, 'pending');
    assert.equal(vigilBranches(repoA), '');

    assert.equal((await call(app, 'POST', decisionPath, key.a, { decision: 'approve' })).status, 200);
    for (const f of rest) {
      assert.equal((await call(app, 'POST', `/v1/scans/${scan.body.scanId}/findings/${f.id}/decision`, key.a, { decision: 'reject' })).status, 200);
    }
    await stageOf(scan.body.workflowId, scan.body.runId, ['completed']);
    assert.equal(vigilBranches(repoA).replace(/^\*?\s*/, ''), `vigil/scan-${scan.body.scanId}`);
    assert.equal(vigilBranches(repoB), '', "B's repository is untouched");
  });

  test("an approval never writes above the key's roots: refused by the API, and by the worker when the API is bypassed", async () => {
    const svc = join(monorepo, 'svc');
    const scan = await call(app, 'POST', '/v1/scans', key.c, { source: { path: svc } });
    assert.equal(scan.status, 201, JSON.stringify(scan.body));
    const status = await stageOf(scan.body.workflowId, scan.body.runId, ['awaiting_decisions']);
    const [fix, ...rest] = [...status.findings].sort((x, y) => Number(y.hasPatch) - Number(x.hasPatch));
    assert.ok(fix?.hasPatch);

    // The branch would land in mono/.git, above C's root mono/svc.
    const rows = storeRows();
    const refused = await call(app, 'POST', `/v1/scans/${scan.body.scanId}/findings/${fix.id}/decision`, key.c, { decision: 'approve' });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'path_not_allowed');
    assert.ok(refused.body.message.includes(monorepo), refused.body.message);
    assert.deepEqual(storeRows(), rows);

    // Someone with access to Temporal sends the approval straight to the workflow: the worker still refuses.
    const handle = client.workflow.getHandle(scan.body.workflowId, scan.body.runId);
    await handle.executeUpdate(decideUpdate, { args: [{ findingId: fix.id, decision: 'approve', actor: 'c', tenant: tenant.c, roles: ALL }] });
    for (const f of rest) {
      assert.equal((await call(app, 'POST', `/v1/scans/${scan.body.scanId}/findings/${f.id}/decision`, key.c, { decision: 'reject' })).status, 200);
    }
    const done = await stageOf(scan.body.workflowId, scan.body.runId, ['completed']);
    assert.equal(done.counts.apply?.applied, 0);
    assert.equal(done.counts.apply?.branch, undefined);
    const result = await store.getArtifact(tenant.c, scan.body.scanId, 'apply-result');
    assert.match(result?.refused ?? '', /outside the directories this key may write branches into/);
    assert.deepEqual(result?.failed.map((f) => f.findingId), [fix.id]);
    assert.equal(vigilBranches(monorepo), '', 'no branch was written');
  });

  test('git sources are cloned into the work area and never written back', async () => {
    const saved = process.env.GIT_ALLOW_PROTOCOL;
    process.env.GIT_ALLOW_PROTOCOL = 'https:ssh:file';
    try {
      const refsBefore = git(repoG, 'for-each-ref');
      const gitDirBefore = listing(join(repoG, '.git'));
      const scan = await call(app, 'POST', '/v1/scans', key.a, { source: { url: pathToFileURL(repoG).href } });
      assert.equal(scan.status, 201, JSON.stringify(scan.body));
      const status = await stageOf(scan.body.workflowId, scan.body.runId, ['awaiting_decisions']);
      for (const f of status.findings) {
        const decision = f.hasPatch ? 'approve' : 'reject';
        assert.equal((await call(app, 'POST', `/v1/scans/${scan.body.scanId}/findings/${f.id}/decision`, key.a, { decision })).status, 200);
      }
      const done = await stageOf(scan.body.workflowId, scan.body.runId, ['completed']);
      assert.ok((done.counts.apply?.applied ?? 0) > 0, 'the approved patches were applied');
      assert.equal(done.counts.apply?.patchSeries, true, 'as a patch series in the store');
      assert.equal(done.counts.apply?.branch, undefined);
      assert.equal(git(repoG, 'for-each-ref'), refsBefore, 'no ref of the source repository changed');
      assert.deepEqual(listing(join(repoG, '.git')), gitDirBefore, 'nothing was written into its .git');
      assert.equal(git(repoG, 'status', '--porcelain'), '');
      assert.deepEqual(readdirSync(workDir), [], 'the clone in the work area is gone');
    } finally {
      if (saved === undefined) delete process.env.GIT_ALLOW_PROTOCOL;
      else process.env.GIT_ALLOW_PROTOCOL = saved;
    }
  });

  test('no workflow was started for any refused request', async () => {
    const count = async (t: string) =>
      Number((await client.workflow.count(`WorkflowType = '${scanWorkflowType}' AND ${SEARCH_ATTRIBUTES.tenant.name} = '${t}'`)).count);
    // Visibility lags: wait until it shows A's two scans and C's one, then nothing else may be there.
    await until('visibility to catch up', async () => ((await count(tenant.a)) === 2 && (await count(tenant.c)) === 1 ? true : undefined), 30_000);
    assert.equal(await count(tenant.b), 0);
    assert.equal(await count(tenant.d), 0);
  });

  test("a workflow started behind the API's back still cannot read outside the tenant's roots", async () => {
    const rows = storeRows();
    for (const source of [
      { kind: 'local' as const, path: repoA },
      { kind: 'local' as const, path: dataDir },
      { kind: 'git' as const, url: pathToFileURL(repoA).href },
    ]) {
      const scanId = `scn_${randomBytes(10).toString('hex')}`;
      const handle = await client.workflow.start(scanWorkflowType, {
        taskQueue: `roots-${run}`,
        workflowId: `roots-direct-${scanId}`,
        args: [{ scanId, tenant: tenant.c, repoKey: 'direct', source, engine: 'builtin', requestedBy: 'intruder' }],
      });
      started.push(handle.workflowId);
      await assert.rejects(handle.result(), (err: Error) => {
        const cause = (err.cause as { cause?: { type?: string; message?: string } } | undefined)?.cause;
        assert.equal(cause?.type, 'PathNotAllowedError', String(err));
        assert.match(cause?.message ?? '', /outside the directories this key may scan|data directory/);
        return true;
      });
    }
    // Only the refusals are recorded, as failure events (type only, no path, no content); nothing else is stored.
    const after = storeRows();
    assert.deepEqual({ ...after, events: rows.events }, rows, 'no scan record, snapshot or blob was stored');
    assert.deepEqual(eventTypesAfter(rows.events!), Array(3).fill(['dev.vigil.stage.failed.v1', 'dev.vigil.scan.failed.v1']).flat());
    assert.deepEqual(readdirSync(workDir), []);
  });
});

describe('roots configuration: VIGIL_SCAN_ROOTS, keys file roots, intersection', () => {
  test('absolute, existing directories only; a bad entry is a clear startup error', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'vigil-rootsenv-')));
    assert.deepEqual(parseScanRoots(undefined), []);
    assert.deepEqual(parseScanRoots(` ${dir} : ${dir}/ `), [dir]);
    assert.throws(() => parseScanRoots('relative/dir'), /VIGIL_SCAN_ROOTS: "relative\/dir" is not an absolute path/);
    assert.throws(() => parseScanRoots(`${dir}/missing`), /does not exist/);
  });

  test('keys file roots: optional, absolute only; a tenant is as wide as its widest key', () => {
    const entry = (id: string, tenant: string, roots?: unknown) => ({ id, name: id, tenant, roles: ['scanner'], sha256: 'a'.repeat(64), ...(roots ? { roots } : {}) });
    assert.throws(() => parseKeyEntries(JSON.stringify([entry('k1', 't', ['srv/repos'])]), 'keys'), /roots\.0: each root must be an absolute path/);
    const entries = parseKeyEntries(JSON.stringify([entry('k1', 't', ['/srv/a']), entry('k2', 't', ['/srv/b']), entry('k3', 'u'), entry('k4', 'u', ['/srv/c'])]), 'keys');
    const registry = createKeyRegistry(entries);
    assert.deepEqual(registry.tenantRoots('t'), ['/srv/a', '/srv/b']);
    assert.equal(registry.tenantRoots('u'), undefined, 'a key without roots leaves its tenant un-narrowed');
    assert.deepEqual(registry.tenantRoots('nobody'), []);
  });

  test('effective roots are the intersection, compared segment by segment', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'vigil-rootsfx-')));
    mkdirSync(join(dir, 'repo', 'sub'), { recursive: true });
    const policy = createPathPolicy({ roots: [join(dir, 'repo')] });
    assert.deepEqual(effectiveRoots(policy, undefined), [join(dir, 'repo')]);
    assert.deepEqual(effectiveRoots(policy, [join(dir, 'repo', 'sub')]), [join(dir, 'repo', 'sub')]);
    assert.deepEqual(effectiveRoots(policy, [dir]), [join(dir, 'repo')], 'a wider key root is cut to the deployment root');
    assert.deepEqual(effectiveRoots(policy, [join(dir, 'repo2')]), [], 'a prefix is not a parent');
    assert.deepEqual(effectiveRoots(policy, []), []);
  });
});
