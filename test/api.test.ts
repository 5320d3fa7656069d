// The HTTP API against a real Temporal dev server, the real SQLite store and (for the decision flow) a
// real scan worker. Scans without a worker stay 'queued', which is what the deduplication and tenant
// tests need; the decision flow runs on its own task queue with a worker.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, WorkflowNotFoundError, defaultPayloadConverter } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createPathPolicy, type PathPolicy } from '../activities/scan-roots.js';
import { openSqliteStore } from '../activities/store/sqlite-store.js';
import type { Store } from '../activities/store/store.js';
import { createApp } from '../api/app.js';
import { createApiKey } from '../api/auth/keys-file.js';
import { loadKeyRegistry, type KeyRegistry } from '../api/auth/registry.js';
import { ROUTE_DOCS, openApiPath } from '../api/openapi.js';
import { overlayDecisions } from '../activities/findings-view.js';
import {
  decisionResultSchema,
  findingsResponseSchema,
  historyResponseSchema,
  scanAcceptedSchema,
  scanDetailSchema,
  scanListSchema,
} from '../api/routes/schemas.js';
import { carriesSecret, scanWorkflowId, withoutCredentials } from '../api/scan-requests.js';
import { startApiServer } from '../api/server.js';
import type { ScanInput } from '../workflows/definitions.js';
import { createScanWorker } from '../workers/worker.js';
import { testTemporal } from './helpers/temporal.js';
import { fakeFinding } from './helpers/fake-finding.js';

type App = ReturnType<typeof createApp>;
interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

function requester(app: App) {
  return async (method: string, path: string, opts: { key?: string; json?: unknown; raw?: string; type?: string } = {}): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    let body: string | undefined;
    if (opts.json !== undefined || opts.raw !== undefined) {
      body = opts.raw ?? JSON.stringify(opts.json);
      headers['content-type'] = opts.type ?? 'application/json';
    }
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // non-JSON bodies stay text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
}

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
}

/** A small Express app with a command injection and an eval, committed to a fresh repository. */
function vulnerableRepo(parent: string): string {
  const repo = mkdtempSync(join(parent, 'repo-'));
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'demo', dependencies: { express: '^4.19.0' } }));
  writeFileSync(
    join(repo, 'server.js'),
    [
      "const express = require('express');",
      "const { exec } = require('child_process');",
      'const app = express();',
      "app.get('/ping', (req, res) => {",
      "  exec('ping -c 1 ' + req.query.host, (err, out) => res.send(out));",
      '});',
      "app.get('/calc', (req, res) => {",
      '  res.send(String(eval(req.query.expr)));',
      '});',
      'app.listen(3000);',
      '',
    ].join('\n'),
  );
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'initial');
  return repo;
}

/** Polls `fn` until it returns a value; `fn` may record what it saw in `seen` for the timeout message. */
async function until<T>(what: string, fn: (seen: { last?: unknown }) => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const seen: { last?: unknown } = {};
  while (Date.now() < deadline) {
    const value = await fn(seen);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(seen.last)}`);
}

describe('HTTP API', () => {
  let client: Client;
  let store: Store;
  let keys: KeyRegistry;
  let dir: string;
  let paths: PathPolicy; // path sources allowed under the test's temp dir
  let idle: App; // its task queue has no worker: scans stay queued
  let call: ReturnType<typeof requester>;
  const idleQueue = `api-idle-${randomBytes(4).toString('hex')}`;
  const key = { acmeScanner: '', acmeApprover: '', acmeOperator: '', globexAdmin: '' };
  const logged: { event: string; fields: Record<string, unknown> }[] = [];
  const logger = { error: (event: string, fields: Record<string, unknown>) => logged.push({ event, fields }) };
  const started: string[] = []; // workflow ids to terminate afterwards

  before(async () => {
    const t = await testTemporal();
    client = new Client({ connection: t.connection, namespace: t.namespace });
    dir = mkdtempSync(join(tmpdir(), 'vigil-api-'));
    paths = createPathPolicy({ roots: [dir] });
    store = openSqliteStore(join(dir, 'vigil.db'));
    const keysFile = join(dir, 'api-keys.json');
    key.acmeScanner = (await createApiKey({ tenant: 'acme', roles: ['scanner'], name: 'acme-ci', keysFile })).key;
    key.acmeApprover = (await createApiKey({ tenant: 'acme', roles: ['approver'], name: 'alice', keysFile })).key;
    key.acmeOperator = (await createApiKey({ tenant: 'acme', roles: ['operator'], name: 'acme-ops', keysFile })).key;
    key.globexAdmin = (await createApiKey({ tenant: 'globex', roles: ['scanner', 'approver', 'operator'], name: 'globex-admin', keysFile })).key;
    keys = loadKeyRegistry({ keysFile, env: {} });
    // example.com is allowed so git URL requests need no DNS (test hosts may have none); the host check
    // itself is tested in test/security/git-ssrf.test.ts.
    const gitEnv = { ...process.env, VIGIL_GIT_ALLOW_HOSTS: 'example.com' };
    idle = createApp({ temporal: client, store, keys, paths, config: { taskQueue: idleQueue, queryTimeoutMs: 1000, gitEnv }, logger });
    call = requester(idle);
  });

  after(async () => {
    for (const id of started) await client.workflow.getHandle(id).terminate('test cleanup').catch(() => {});
    await store?.close();
  });

  async function startIdleScan(path: string, apiKey = key.acmeScanner): Promise<Reply> {
    const res = await call('POST', '/v1/scans', { key: apiKey, json: { source: { path } } });
    if (res.body?.workflowId) started.push(res.body.workflowId);
    return res;
  }

  describe('public routes and request hygiene', () => {
    test('GET /healthz needs no key', async () => {
      const res = await call('GET', '/healthz');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { ok: true, dependencies: { temporal: { ok: true }, store: { ok: true } } });
    });

    test('GET /openapi.json documents every route, the bearer scheme and the request schemas', async () => {
      const res = await call('GET', '/openapi.json');
      assert.equal(res.status, 200);
      const doc = res.body;
      assert.equal(doc.openapi, '3.1.0');
      assert.equal(doc.components.securitySchemes.apiKey.scheme, 'bearer');
      const served = new Set(
        idle.routes.filter((r) => r.method === 'GET' || r.method === 'POST').map((r) => `${r.method} ${openApiPath(r.path)}`),
      );
      const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`)));
      assert.deepEqual([...served].sort(), [...documented].sort());
      assert.equal(ROUTE_DOCS.length, documented.size);
      const create = doc.paths['/v1/scans'].post;
      assert.ok(create.requestBody.content['application/json'].schema.properties.source);
      assert.deepEqual(create.requestBody.content['application/json'].schema.properties.engine.enum, ['builtin', 'claude']);
      assert.equal(doc.paths['/v1/scans/{id}/findings/{findingId}/decision'].post['x-vigil-role'], 'approver');
      assert.deepEqual(doc.paths['/healthz'].get.security, [], 'public routes say so');
      const params = doc.paths['/v1/scans'].get.parameters.map((p: { name: string }) => p.name);
      assert.deepEqual(params.sort(), ['limit', 'repo', 'status']);
    });

    test('/v1 routes need a key: 401 without one', async () => {
      const res = await call('GET', '/v1/scans');
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'unauthorized');
      const unknown = await call('GET', '/v1/scans', { key: 'vgl_not-a-real-key-at-all' });
      assert.equal(unknown.status, 401);
    });

    test('a key without the scanner role cannot start a scan (403)', async () => {
      const res = await call('POST', '/v1/scans', { key: key.acmeOperator, json: { source: { path: dir } } });
      assert.equal(res.status, 403);
      assert.equal(res.body.error, 'forbidden');
      assert.equal((await store.listScans('acme')).length, 0);
    });

    test('malformed JSON is 400 malformed_json', async () => {
      const res = await call('POST', '/v1/scans', { key: key.acmeScanner, raw: '{"source": {"path": ' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'malformed_json');
      assert.match(res.body.message, /not valid JSON/);
    });

    test('a body that fails the schema is 400 invalid_request naming the fields', async () => {
      const res = await call('POST', '/v1/scans', { key: key.acmeScanner, json: { source: { path: 42 }, engine: 'gpt' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_request');
      assert.match(res.body.message, /body\.source/);
      assert.match(res.body.message, /body\.engine/);
      assert.ok(Array.isArray(res.body.details.issues));
    });

    test('a non-JSON content type is 415', async () => {
      const res = await call('POST', '/v1/scans', { key: key.acmeScanner, raw: 'path=/tmp', type: 'application/x-www-form-urlencoded' });
      assert.equal(res.status, 415);
      assert.equal(res.body.error, 'unsupported_media_type');
    });

    test('a body over 64 KiB is 413', async () => {
      const res = await call('POST', '/v1/scans', { key: key.acmeScanner, json: { source: { path: 'x'.repeat(70 * 1024) } } });
      assert.equal(res.status, 413);
      assert.equal(res.body.error, 'payload_too_large');
    });

    test('unknown routes and unknown scans are 404 in the error shape', async () => {
      const route = await call('GET', '/v2/nothing', { key: key.acmeScanner });
      assert.equal(route.status, 404);
      assert.equal(route.body.error, 'not_found');
      const scan = await call('GET', `/v1/scans/scn_${'0'.repeat(20)}`, { key: key.acmeScanner });
      assert.equal(scan.status, 404);
      assert.equal(scan.body.error, 'not_found');
      const malformed = await call('GET', '/v1/scans/not-a-scan-id', { key: key.acmeScanner });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.error, 'invalid_request');
    });

    test('list filters are validated: a repo with a double quote cannot reach the visibility query', async () => {
      const res = await call('GET', `/v1/scans?repo=${encodeURIComponent('x" OR VigilTenant = "globex')}`, { key: key.acmeScanner });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_request');
      const stage = await call('GET', '/v1/scans?status=bogus', { key: key.acmeScanner });
      assert.equal(stage.status, 400);
    });
  });

  describe('bad sources are refused before any workflow starts', () => {
    async function assertNoWorkflow(repoKey: string, revision: string) {
      await assert.rejects(client.workflow.getHandle(scanWorkflowId('globex', repoKey, revision)).describe(), WorkflowNotFoundError);
      assert.deepEqual(await store.listScans('globex'), []);
    }

    test('a path that does not exist', async () => {
      const missing = join(dir, 'no-such-dir');
      const res = await startIdleScan(missing, key.globexAdmin);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_source');
      assert.match(res.body.message, /does not exist/);
      await assertNoWorkflow(missing, 'worktree');
    });

    test('a path that is a file', async () => {
      const file = join(dir, 'a-file.txt');
      writeFileSync(file, 'hello');
      const res = await startIdleScan(file, key.globexAdmin);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_source');
      assert.match(res.body.message, /not a directory/);
      await assertNoWorkflow(file, 'worktree');
    });

    test('a relative path', async () => {
      const res = await startIdleScan('some/relative/dir', key.globexAdmin);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_request', 'the schema itself says paths are absolute');
      assert.match(res.body.message, /absolute path/);
    });

    test('a URL starting with "-" (an option in disguise)', async () => {
      const url = '-oProxyCommand=touch /tmp/pwned';
      const res = await call('POST', '/v1/scans', { key: key.globexAdmin, json: { source: { url } } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_source');
      await assertNoWorkflow(url, 'HEAD');
    });

    test('an ext:: URL (runs a command) is disallowed', async () => {
      const url = 'ext::sh -c touch% /tmp/pwned';
      const res = await call('POST', '/v1/scans', { key: key.globexAdmin, json: { source: { url } } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'disallowed_source');
      await assertNoWorkflow(url, 'HEAD');
    });

    test('a ref that git could take as an option', async () => {
      const url = 'https://example.com/org/repo.git';
      const res = await call('POST', '/v1/scans', { key: key.globexAdmin, json: { source: { url, ref: '--upload-pack=id' } } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_source');
      await assertNoWorkflow(url, '--upload-pack=id');
    });
  });

  describe('scans without a worker', () => {
    let repo: string;
    let first: Reply;

    before(async () => {
      repo = vulnerableRepo(dir);
      first = await startIdleScan(repo);
    });

    test('POST /v1/scans starts a scan: 201 with ids and links, and a store record', async () => {
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const body = scanAcceptedSchema.parse(first.body);
      assert.match(body.scanId, /^scn_[0-9a-f]{20}$/);
      assert.match(body.workflowId, /^vigil-scan-acme-[0-9a-f]{20}$/);
      assert.equal(body.status, 'queued');
      assert.equal(body.deduplicated, false);
      assert.equal(body.links.self, `/v1/scans/${body.scanId}`);
      const record = await store.getScan('acme', body.scanId);
      assert.equal(record?.workflowId, body.workflowId);
      assert.equal(record?.runId, body.runId);
      assert.equal(record?.requestedBy, 'acme-ci');
      assert.equal(record?.repoKey, repo);
      const head = git(repo, 'rev-parse', 'HEAD').trim();
      assert.equal(body.workflowId, scanWorkflowId('acme', repo, head), 'a clean repo is identified by its HEAD commit');
      const description = await client.workflow.getHandle(body.workflowId).describe();
      assert.equal(description.taskQueue, idleQueue);
      assert.deepEqual(description.memo, { scanId: body.scanId, tenant: 'acme', repoKey: repo, requestedBy: 'acme-ci' });
    });

    test('per-scan Claude settings are validated at the edge and reach the workflow input', async () => {
      const bad = await call('POST', '/v1/scans', { key: key.acmeScanner, json: { source: { path: dir }, engine: 'claude', claude: { effort: 'extreme' } } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'invalid_request');
      const secret = await call('POST', '/v1/scans', { key: key.acmeScanner, json: { source: { path: dir }, engine: 'claude', claude: { apiKey: 'sk-x' } } });
      assert.equal(secret.status, 400, 'no field for secrets: unknown keys are refused');
      const plain = mkdtempSync(join(dir, 'claude-'));
      const ok = await call('POST', '/v1/scans', {
        key: key.acmeScanner,
        json: { source: { path: plain }, engine: 'claude', claude: { model: 'claude-test', effort: 'low', budgetTokens: 50_000 } },
      });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      started.push(ok.body.workflowId);
      const history = await client.workflow.getHandle(ok.body.workflowId).fetchHistory();
      const payload = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
      const input = defaultPayloadConverter.fromPayload<ScanInput>(payload);
      assert.equal(input.engine, 'claude');
      assert.deepEqual(input.claude, { model: 'claude-test', effort: 'low', budgetTokens: 50_000 });
    });

    test('the same repo and revision while it runs is deduplicated to the same scan', async () => {
      const again = await startIdleScan(repo);
      assert.equal(again.status, 200);
      assert.equal(again.body.deduplicated, true);
      assert.equal(again.body.scanId, first.body.scanId);
      assert.equal(again.body.workflowId, first.body.workflowId);
      assert.equal(again.body.runId, first.body.runId);
      assert.equal((await store.listScans('acme', { repoKey: repo })).length, 1);
    });

    test('a modified work tree is another revision (+dirty), so another scan', async () => {
      writeFileSync(join(repo, 'server.js'), '// edited\n', { flag: 'a' });
      const dirty = await startIdleScan(repo);
      assert.equal(dirty.status, 201);
      assert.notEqual(dirty.body.scanId, first.body.scanId);
      const head = git(repo, 'rev-parse', 'HEAD').trim();
      assert.equal(dirty.body.workflowId, scanWorkflowId('acme', repo, `${head}+dirty`));
      const again = await startIdleScan(repo);
      assert.equal(again.body.scanId, dirty.body.scanId);
      git(repo, 'checkout', '-q', '--', 'server.js');
    });

    test('a directory that is not a git repository is scanned as its work tree', async () => {
      const plain = mkdtempSync(join(dir, 'plain-'));
      const res = await startIdleScan(plain);
      assert.equal(res.status, 201);
      assert.equal(res.body.workflowId, scanWorkflowId('acme', plain, 'worktree'));
    });

    test('a git URL carrying a password or token is refused before anything starts: it would reach history', async () => {
      const suffix = randomBytes(3).toString('hex');
      for (const url of [`https://ci:s3cret-token@example.com/org/repo-${suffix}.git`, `https://ghp_tok3n@example.com/org/repo-${suffix}.git`]) {
        const res = await call('POST', '/v1/scans', { key: key.acmeScanner, json: { source: { url, ref: 'main' } } });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error, 'credentials_in_url');
        assert.ok(!JSON.stringify(res.body).includes('s3cret') && !JSON.stringify(res.body).includes('tok3n'), 'the secret is not echoed');
      }
      assert.equal(withoutCredentials('git@github.com:org/repo.git'), 'git@github.com:org/repo.git');
      assert.equal(carriesSecret('ssh://git@example.com/org/repo.git'), false, 'an SSH user name is not a secret');
      assert.equal(carriesSecret('ssh://git:pw@example.com/org/repo.git'), true);
    });

    test('a git URL scan is recorded under its URL and ref', async () => {
      const url = `https://example.com/org/repo-${randomBytes(3).toString('hex')}.git`;
      const res = await call('POST', '/v1/scans', { key: key.acmeScanner, json: { source: { url, ref: 'main' } } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      started.push(res.body.workflowId);
      assert.equal(res.body.workflowId, scanWorkflowId('acme', url, 'main'));
      const record = await store.getScan('acme', res.body.scanId);
      assert.deepEqual(record?.source, { kind: 'git', url, ref: 'main' });
      assert.equal(record?.repoKey, url);
    });

    test('GET /v1/scans/:id answers from describe + store when no worker can answer the query', async () => {
      const res = await call('GET', `/v1/scans/${first.body.scanId}`, { key: key.acmeApprover });
      assert.equal(res.status, 200);
      const body = scanDetailSchema.parse(res.body);
      assert.equal(body.execution?.status, 'RUNNING');
      assert.equal(body.stage, 'queued');
      assert.equal(body.live, false);
      assert.equal(body.status, undefined);
      assert.match(body.liveUnavailableReason ?? '', /No worker answered/);
      assert.equal(body.repoKey, repo);
      assert.deepEqual(body.source, { kind: 'local', path: repo });
    });

    test("another tenant's scan is 404 on every route, as if it did not exist", async () => {
      const id = first.body.scanId;
      const paths = [`/v1/scans/${id}`, `/v1/scans/${id}/findings`, `/v1/scans/${id}/report`, `/v1/scans/${id}/history`];
      for (const path of paths) {
        const res = await call('GET', path, { key: key.globexAdmin });
        assert.equal(res.status, 404, path);
        assert.equal(res.body.error, 'not_found');
        assert.ok(!JSON.stringify(res.body).includes(repo), 'nothing about the scan leaks');
      }
      const decide = await call('POST', `/v1/scans/${id}/findings/f_0123456789abcdef/decision`, {
        key: key.globexAdmin,
        json: { decision: 'approve' },
      });
      assert.equal(decide.status, 404);
      const list = await call('GET', '/v1/scans', { key: key.globexAdmin });
      assert.ok(!list.body.scans.some((s: { scanId: string }) => s.scanId === id));
    });

    test('findings and report are 409 not_ready before scoring', async () => {
      const findings = await call('GET', `/v1/scans/${first.body.scanId}/findings`, { key: key.acmeScanner });
      assert.equal(findings.status, 409);
      assert.equal(findings.body.error, 'not_ready');
      const report = await call('GET', `/v1/scans/${first.body.scanId}/report?format=sarif`, { key: key.acmeScanner });
      assert.equal(report.status, 409);
      assert.equal(report.body.error, 'not_ready');
    });

    test('findings are the stored ones with the scan\'s decisions; a GET reads no blob and no snapshot', async () => {
      const scanId = `scn_${'7'.repeat(20)}`;
      await store.upsertScan({ scanId, tenant: 'acme', workflowId: `vigil-scan-gone-${scanId}`, runId: 'gone', repoKey: '/repo-view', source: { kind: 'local', path: '/repo-view' }, requestedBy: 'acme-ci', createdAt: new Date().toISOString() });
      const stepWithout = { kind: 'step' as const, file: 'a.js', line: 3, label: 'no code quoted' };
      await store.putArtifact('acme', scanId, 'findings', [
        fakeFinding({ id: 'f_a', fingerprint: 'fpa', trace: [{ kind: 'sink', file: 'a.js', line: 1, label: 'exec', snippet: 'exec(cmd)' }, stepWithout] }),
        fakeFinding({ id: 'f_b', fingerprint: 'fpb' }),
      ]);
      await store.recordDecision('acme', '/repo-view', 'f_b', { fingerprint: 'fpb', decision: 'reject', actor: 'alice', decidedAt: '2024-01-01T00:00:00.000Z', scanId });
      const refuse = () => {
        throw new Error('a findings GET must not read the snapshot');
      };
      const blobless = new Proxy(store, {
        get: (target, prop) => (prop === 'getBlob' || prop === 'getSnapshot' ? refuse : Reflect.get(target, prop)),
      });
      const app = createApp({ temporal: client, store: blobless, keys, paths, config: { taskQueue: idleQueue, queryTimeoutMs: 1000 }, logger });
      const res = await requester(app)('GET', `/v1/scans/${scanId}/findings`, { key: key.acmeScanner });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.live, false);
      const byId = new Map<string, any>(res.body.findings.map((f: { id: string }) => [f.id, f]));
      assert.equal(byId.get('f_a').status, 'pending');
      assert.deepEqual(byId.get('f_a').trace[1], stepWithout, 'a step stored without code stays without');
      assert.equal(byId.get('f_b').status, 'rejected');
      assert.deepEqual(byId.get('f_b').decision, { decision: 'reject', actor: 'alice', decidedAt: '2024-01-01T00:00:00.000Z', scanId });
      const rejected = await requester(app)('GET', `/v1/scans/${scanId}/findings?status=rejected`, { key: key.acmeScanner });
      assert.deepEqual(rejected.body.findings.map((f: { id: string }) => f.id), ['f_b']);
    });

    test('GET /v1/scans lists the tenant scans from visibility, filtered by repo and stage', async () => {
      const listed = await until('the scan to reach visibility', async (seen) => {
        const res = await call('GET', `/v1/scans?repo=${encodeURIComponent(repo)}&status=queued`, { key: key.acmeScanner });
        seen.last = res.body;
        assert.equal(res.status, 200);
        const found = res.body.scans.find((s: { scanId: string }) => s.scanId === first.body.scanId);
        return found ? res.body : undefined;
      }, 20_000);
      const body = scanListSchema.parse(listed);
      assert.ok(body.scans.every((s) => s.repoKey === repo && s.stage === 'queued'));
      const mine = body.scans.find((s) => s.scanId === first.body.scanId)!;
      assert.equal(mine.executionStatus, 'RUNNING');
      assert.equal(mine.closeTime, null);
      const other = await call('GET', `/v1/scans?repo=${encodeURIComponent(repo)}&status=completed`, { key: key.acmeScanner });
      assert.ok(!other.body.scans.some((s: { scanId: string }) => s.scanId === first.body.scanId));
    });

    test('history is for operators: 403 for a scanner, events for an operator', async () => {
      const denied = await call('GET', `/v1/scans/${first.body.scanId}/history`, { key: key.acmeScanner });
      assert.equal(denied.status, 403);
      const res = await call('GET', `/v1/scans/${first.body.scanId}/history`, { key: key.acmeOperator });
      assert.equal(res.status, 200);
      const body = historyResponseSchema.parse(res.body);
      const startedEvent = body.events[0];
      assert.equal(startedEvent.type, 'WorkflowExecutionStarted');
      assert.equal(startedEvent.eventId, '1');
      assert.equal(startedEvent.workflowType, 'scan');
      assert.equal(startedEvent.taskQueue, idleQueue);
      assert.ok(!JSON.stringify(body).includes('payloads'), 'payloads are not exposed');
    });

    test('a deciding key on a scan with no worker gets 503 worker_unavailable, not a hang', async () => {
      const fast = createApp({ temporal: client, store, keys, paths, config: { taskQueue: idleQueue, updateTimeoutMs: 1500 }, logger });
      const res = await requester(fast)('POST', `/v1/scans/${first.body.scanId}/findings/f_0123456789abcdef/decision`, {
        key: key.acmeApprover,
        json: { decision: 'approve' },
      });
      assert.equal(res.status, 503);
      assert.equal(res.body.error, 'worker_unavailable');
    });
  });

  describe('decisions, with a worker', () => {
    test('scan to completion: 403 for a scanner, approve, idempotent repeat, conflicts, report', { timeout: 180_000 }, async () => {
      const t = await testTemporal();
      const liveQueue = `api-live-${randomBytes(4).toString('hex')}`;
      const app = createApp({ temporal: client, store, keys, paths, config: { taskQueue: liveQueue }, logger });
      const http = requester(app);
      const native = await NativeConnection.connect({ address: t.address });
      const workDir = join(dir, 'work');
      mkdirSync(workDir, { recursive: true });
      const worker = await createScanWorker({ connection: native, namespace: t.namespace, taskQueue: liveQueue, store, workDir });
      try {
        await worker.runUntil(async () => {
          const repo = vulnerableRepo(dir);
          const created = await http('POST', '/v1/scans', { key: key.acmeScanner, json: { source: { path: repo } } });
          assert.equal(created.status, 201, JSON.stringify(created.body));
          started.push(created.body.workflowId);
          const scanId: string = created.body.scanId;

          const waiting = await until('awaiting_decisions', async (seen) => {
            const res = await http('GET', `/v1/scans/${scanId}`, { key: key.acmeScanner });
            seen.last = { stage: res.body.stage, live: res.body.live, reason: res.body.liveUnavailableReason };
            if (['applying', 'reporting', 'completed', 'failed'].includes(res.body.stage)) {
              throw new Error(`scan went past awaiting_decisions (no findings?): ${JSON.stringify(res.body.status)}`);
            }
            return res.body.stage === 'awaiting_decisions' ? res.body : undefined;
          }, 120_000);
          assert.equal(scanDetailSchema.parse(waiting).live, true);

          const listed = await http('GET', `/v1/scans/${scanId}/findings`, { key: key.acmeScanner });
          assert.equal(listed.status, 200, JSON.stringify(listed.body));
          const findings = findingsResponseSchema.parse(listed.body).findings;
          assert.ok(findings.length >= 1, 'the fixture has at least one finding');
          assert.ok(findings.every((f) => f.status === 'pending'));
          const [target, ...rest] = findings;
          const decisionPath = (id: string) => `/v1/scans/${scanId}/findings/${id}/decision`;

          const denied = await http('POST', decisionPath(target.id), { key: key.acmeScanner, json: { decision: 'approve' } });
          assert.equal(denied.status, 403);
          assert.equal(denied.body.error, 'forbidden');
          const unchanged = await http('GET', `/v1/scans/${scanId}/findings?status=pending`, { key: key.acmeScanner });
          assert.ok(unchanged.body.findings.some((f: { id: string }) => f.id === target.id), 'the finding is still pending');
          assert.equal((await store.getScanDecisions('acme', scanId)).size, 0, 'nothing was recorded');

          const otherTenant = await http('POST', decisionPath(target.id), { key: key.globexAdmin, json: { decision: 'approve' } });
          assert.equal(otherTenant.status, 404);

          const missing = await http('POST', decisionPath('f_doesnotexist'), { key: key.acmeApprover, json: { decision: 'approve' } });
          assert.equal(missing.status, 404);
          assert.equal(missing.body.error, 'not_found');

          const tooLong = await http('POST', decisionPath(target.id), { key: key.acmeApprover, json: { decision: 'approve', comment: 'x'.repeat(2001) } });
          assert.equal(tooLong.status, 400);

          const approved = await http('POST', decisionPath(target.id), { key: key.acmeApprover, json: { decision: 'approve', comment: 'real issue' } });
          assert.equal(approved.status, 200, JSON.stringify(approved.body));
          assert.deepEqual(decisionResultSchema.parse(approved.body), { findingId: target.id, status: 'approved', changed: true });

          const repeated = await http('POST', decisionPath(target.id), { key: key.acmeApprover, json: { decision: 'approve' } });
          assert.equal(repeated.status, 200);
          assert.deepEqual(repeated.body, { findingId: target.id, status: 'approved', changed: false });

          const contradicting = await http('POST', decisionPath(target.id), { key: key.acmeApprover, json: { decision: 'reject' } });
          assert.equal(contradicting.status, 409);
          assert.equal(contradicting.body.error, 'already_decided');
          assert.equal(contradicting.body.details.existing.status, 'approved');
          assert.equal(contradicting.body.details.existing.decidedBy, 'alice');

          const approvedNow = await http('GET', `/v1/scans/${scanId}/findings?status=approved`, { key: key.acmeScanner });
          assert.deepEqual(approvedNow.body.findings.map((f: { id: string }) => f.id), [target.id]);
          assert.equal(approvedNow.body.findings[0].decidedBy, 'alice');

          for (const f of rest) {
            const res = await http('POST', decisionPath(f.id), { key: key.acmeApprover, json: { decision: 'reject' } });
            assert.equal(res.status, 200, JSON.stringify(res.body));
          }

          const done = await until('completed', async (seen) => {
            const res = await http('GET', `/v1/scans/${scanId}`, { key: key.acmeScanner });
            seen.last = { stage: res.body.stage, execution: res.body.execution };
            if (res.body.stage === 'failed') throw new Error(`scan failed: ${JSON.stringify(res.body.status)}`);
            return res.body.stage === 'completed' && res.body.execution?.status === 'COMPLETED' ? res.body : undefined;
          }, 120_000);
          assert.equal(done.execution.status, 'COMPLETED');

          const decided = await http('GET', `/v1/scans/${scanId}/findings`, { key: key.acmeScanner });
          const mine = decided.body.findings.find((f: { id: string }) => f.id === target.id);
          assert.equal(mine.decision.actor, 'alice', 'the recorded decision comes from the store');
          assert.equal(mine.decision.comment, 'real issue');

          const json = await http('GET', `/v1/scans/${scanId}/report`, { key: key.acmeScanner });
          assert.equal(json.status, 200);
          assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
          const sarif = await http('GET', `/v1/scans/${scanId}/report?format=sarif`, { key: key.acmeScanner });
          assert.equal(sarif.status, 200);
          assert.match(sarif.headers.get('content-type') ?? '', /^application\/sarif\+json/);
          assert.equal(sarif.body.version, '2.1.0');

          const late = await http('POST', decisionPath(target.id), { key: key.acmeApprover, json: { decision: 'approve' } });
          assert.equal(late.status, 409);
          assert.equal(late.body.error, 'scan_not_running');

          const history = await http('GET', `/v1/scans/${scanId}/history`, { key: key.acmeOperator });
          const events = historyResponseSchema.parse(history.body).events;
          const activities = events.filter((e) => e.type === 'ActivityTaskScheduled').map((e) => e.activityType);
          assert.ok(activities.includes('snapshot') && activities.includes('score'), activities.join(','));
          assert.ok(events.some((e) => e.type === 'WorkflowExecutionUpdateAccepted' && e.updateName === 'decide'));
          assert.ok(!JSON.stringify(history.body).includes('req.query'), 'no source code in history');
        });
      } finally {
        await native.close();
      }
    });
  });

  describe('finding status overlay', () => {
    test('recorded decisions fill in the decision; the live workflow state has the last word on status', () => {
      const base = { fingerprint: 'fp', candidateId: 'c', ruleId: 'r', cwe: 'CWE-78', title: 't', severity: 'high', confidence: 'high' } as const;
      const finding = (id: string) => ({ ...base, id, location: { file: 'a.js', startLine: 1, endLine: 1 }, trace: [], explanation: '', verdict: { candidateId: 'c', verdict: 'confirmed' as const, reasons: [], verifier: 'v' }, status: 'pending' as const });
      const recorded = new Map([['f1', { fingerprint: 'fp', decision: 'reject' as const, actor: 'bob', decidedAt: '2024-01-01T00:00:00.000Z', scanId: 'scn_x' }]]);
      const live = [
        { id: 'f2', fingerprint: 'fp', severity: 'high' as const, status: 'approved' as const, hasPatch: false, decidedBy: 'alice' },
      ];
      const [f1, f2, f3] = overlayDecisions([finding('f1'), finding('f2'), finding('f3')], recorded, live);
      assert.equal(f1.status, 'rejected');
      assert.deepEqual(f1.decision, { decision: 'reject', actor: 'bob', decidedAt: '2024-01-01T00:00:00.000Z', scanId: 'scn_x' });
      assert.equal(f2.status, 'approved', 'known to the workflow before the store');
      assert.equal(f2.decidedBy, 'alice');
      assert.equal(f3.status, 'pending');
    });
  });

  describe('unexpected failures', () => {
    test('become a 500 that leaks nothing, logged without the key', async () => {
      const broken = openSqliteStore(join(dir, 'broken.db'));
      await broken.close(); // every query now throws
      const app = createApp({ temporal: client, store: broken, keys, paths, logger });
      const before = logged.length;
      const res = await requester(app)('GET', `/v1/scans/scn_${'1'.repeat(20)}`, { key: key.acmeScanner });
      assert.equal(res.status, 500);
      assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
      assert.equal(res.body.error, 'internal_error');
      assert.ok(!/sqlite|database|stack|at /i.test(res.body.message), res.body.message);
      const entries = logged.slice(before);
      assert.equal(entries.length, 1);
      assert.equal(entries[0].event, 'api.unhandled_error');
      assert.ok(!JSON.stringify(entries).includes(key.acmeScanner), 'the key never reaches the log');
    });
  });

  describe('Temporal unreachable', () => {
    test('is a 503 saying what to check, not a bare 500', async () => {
      // No retry interceptors, so the client gives up at once instead of retrying for ~20 s.
      const dead = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }), namespace: 'default' });
      const app = createApp({ temporal: dead, store, keys, paths, logger });
      const res = await requester(app)('GET', '/v1/scans', { key: key.acmeScanner });
      assert.equal(res.status, 503);
      assert.equal(res.body.error, 'temporal_unavailable');
      assert.match(res.body.message, /Temporal server cannot be reached/);
      await dead.connection.close();
    });
  });

  describe('server', () => {
    test('startApiServer serves the app on loopback and closes', async () => {
      const server = await startApiServer({ app: idle, port: 0 });
      try {
        assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const res = await fetch(`${server.url}/healthz`);
        assert.equal((await res.json()).ok, true);
      } finally {
        await server.close();
      }
      await assert.rejects(fetch(`${server.url}/healthz`));
    });
  });
});
