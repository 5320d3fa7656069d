// Deciding many findings at once: POST /v1/scans/:id/decisions and `vigil decide <scan> … --rule/--path-prefix`,
// by ids or by a filter, against the real Temporal server, a real worker and the real SQLite store.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure, Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Finding } from '../activities/model.js';
import { createPathPolicy } from '../activities/scan-roots.js';
import { openSqliteStore } from '../activities/store/sqlite-store.js';
import type { Store } from '../activities/store/store.js';
import { createApp } from '../api/app.js';
import { createApiKey } from '../api/auth/keys-file.js';
import { loadKeyRegistry } from '../api/auth/registry.js';
import { bulkDecisionResultSchema } from '../api/routes/schemas.js';
import { DECISION_REFUSALS, decideManyUpdate } from '../workflows/definitions.js';
import { createScanWorker } from '../workers/worker.js';
import { writeManyFindingsRepo } from './helpers/many-findings-repo.js';
import { git } from './helpers/scan-harness.js';
import { testTemporal } from './helpers/temporal.js';

const bin = fileURLToPath(new URL('../api/bin/vigil.js', import.meta.url));

/** 24 findings: sql, exec and path handlers in src/ and legacy/ (4 of each kind in each directory). */
function repoWithFindings(parent: string): string {
  const repo = mkdtempSync(join(parent, 'repo-'));
  writeManyFindingsRepo(repo, { dirs: { src: 2, legacy: 2 }, handlersPerFile: 6, kinds: ['sql', 'exec', 'path'] });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'handlers');
  return repo;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function vigil(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bulk decisions', () => {
  let client: Client;
  let store: Store;
  let dir: string;
  const started: string[] = [];
  before(async () => {
    const t = await testTemporal();
    client = new Client({ connection: t.connection, namespace: t.namespace });
    dir = mkdtempSync(join(tmpdir(), 'vigil-bulk-'));
    store = openSqliteStore(join(dir, 'vigil.db'));
  });
  after(async () => {
    for (const id of started) await client.workflow.getHandle(id).terminate('test cleanup').catch(() => {});
    await store?.close();
  });

  test('over the API: by filter and by ids, a dry run, conflicts kept, and typed refusals', async () => {
    const t = await testTemporal();
    const keysFile = join(dir, 'api-keys.json');
    const approver = (await createApiKey({ tenant: 'acme', roles: ['scanner', 'approver', 'operator'], name: 'alice', keysFile })).key;
    const scanner = (await createApiKey({ tenant: 'acme', roles: ['scanner'], name: 'acme-ci', keysFile })).key;
    const other = (await createApiKey({ tenant: 'globex', roles: ['scanner', 'approver'], name: 'globex', keysFile })).key;
    const taskQueue = `bulk-${randomBytes(4).toString('hex')}`;
    const app = createApp({
      temporal: client,
      store,
      keys: loadKeyRegistry({ keysFile, env: {} }),
      paths: createPathPolicy({ roots: [dir] }),
      config: { taskQueue },
      logger: { error: () => {} },
    });
    const http = async (method: string, path: string, key: string, json?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(json ? { 'content-type': 'application/json' } : {}) },
        body: json ? JSON.stringify(json) : undefined,
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const native = await NativeConnection.connect({ address: t.address });
    const workDir = join(dir, 'work');
    mkdirSync(workDir, { recursive: true });
    const worker = await createScanWorker({ connection: native, namespace: t.namespace, taskQueue, store, workDir });
    try {
      await worker.runUntil(async () => {
        const created = await http('POST', '/v1/scans', scanner, { source: { path: repoWithFindings(dir) } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        started.push(created.body.workflowId);
        const scanId: string = created.body.scanId;
        const decisions = `/v1/scans/${scanId}/decisions`;
        await until('awaiting_decisions', async () => {
          const res = await http('GET', `/v1/scans/${scanId}`, scanner);
          return res.body.stage === 'awaiting_decisions' ? true : undefined;
        });
        const listed = (await http('GET', `/v1/scans/${scanId}/findings`, scanner)).body.findings as Finding[];
        assert.equal(listed.length, 24);
        const legacySql = listed.filter((f) => f.ruleId === 'sql-injection' && f.location.file.startsWith('legacy/'));
        assert.equal(legacySql.length, 4);

        // Refused before anything is recorded: malformed selections, unknown ids, no match, wrong role or tenant.
        const filter = { ruleId: 'sql-injection', pathPrefix: 'legacy/' };
        const bad = [
          { decision: 'reject', findingIds: [listed[0].id], filter },
          { decision: 'reject', filter: {} },
          { decision: 'reject', filter: { severity: ['urgent'] } },
          { decision: 'reject', filter: { pathPrefix: '../etc' } },
          { decision: 'reject' },
        ];
        for (const body of bad) {
          const res = await http('POST', decisions, approver, body);
          assert.equal(res.status, 400, JSON.stringify(body));
          assert.equal(res.body.error, 'invalid_request');
        }
        const unknown = await http('POST', decisions, approver, { decision: 'reject', findingIds: [listed[0].id, 'f_0000000000000000'] });
        assert.equal(unknown.status, 404);
        assert.match(unknown.body.message, /f_0000000000000000/);
        const none = await http('POST', decisions, approver, { decision: 'reject', filter: { ruleId: 'sql-injection', pathPrefix: 'docs' } });
        assert.equal(none.status, 422);
        assert.equal(none.body.error, 'no_match');
        assert.equal((await http('POST', decisions, scanner, { decision: 'reject', filter })).status, 403);
        assert.equal((await http('POST', decisions, other, { decision: 'reject', filter })).status, 404);
        // The workflow's own validator refuses a caller without the role or of another tenant (behind the API).
        const handle = client.workflow.getHandle(created.body.workflowId);
        for (const caller of [{ tenant: 'acme', roles: ['scanner' as const] }, { tenant: 'globex', roles: ['approver' as const] }]) {
          await assert.rejects(
            handle.executeUpdate(decideManyUpdate, { args: [{ filter, decision: 'reject', actor: 'mallory', ...caller }] }),
            (err: unknown) =>
              err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === DECISION_REFUSALS.forbidden,
          );
        }
        assert.equal((await store.getScanDecisions('acme', scanId)).size, 0, 'nothing recorded by a refusal');

        // A dry run counts; nothing changes.
        const preview = await http('POST', decisions, approver, { decision: 'reject', filter, dryRun: true });
        assert.equal(preview.status, 200, JSON.stringify(preview.body));
        const dry = bulkDecisionResultSchema.parse(preview.body);
        assert.equal(dry.dryRun, true);
        assert.equal(dry.matched, 4);
        assert.deepEqual([...dry.changed].sort(), legacySql.map((f) => f.id).sort());
        assert.equal((await store.getScanDecisions('acme', scanId)).size, 0);

        // "Reject every SQL injection under legacy/": one Update, one activity, four ledger entries.
        const done = await http('POST', decisions, approver, { decision: 'reject', filter, comment: 'legacy code, not deployed' });
        assert.equal(done.status, 200, JSON.stringify(done.body));
        const r = bulkDecisionResultSchema.parse(done.body);
        assert.deepEqual({ dryRun: r.dryRun, status: r.status, matched: r.matched, unchanged: r.unchanged, conflicts: r.conflicts }, {
          dryRun: false,
          status: 'rejected',
          matched: 4,
          unchanged: 0,
          conflicts: [],
        });
        assert.deepEqual([...r.changed].sort(), legacySql.map((f) => f.id).sort());
        const recorded = await store.getScanDecisions('acme', scanId);
        assert.equal(recorded.size, 4);
        for (const f of legacySql) {
          assert.equal(recorded.get(f.id)?.decision, 'reject');
          assert.equal(recorded.get(f.id)?.comment, 'legacy code, not deployed');
          assert.equal(recorded.get(f.id)?.fingerprint, f.fingerprint);
        }
        const after = (await http('GET', `/v1/scans/${scanId}/findings`, scanner)).body.findings as Finding[];
        assert.deepEqual(after.filter((f) => f.status === 'rejected').map((f) => f.id).sort(), legacySql.map((f) => f.id).sort());
        const history = (await http('GET', `/v1/scans/${scanId}/history`, approver)).body.events as { type: string; activityType?: string; updateName?: string }[];
        assert.equal(history.filter((e) => e.type === 'ActivityTaskScheduled' && e.activityType === 'recordDecisions').length, 1);
        assert.equal(history.filter((e) => e.type === 'WorkflowExecutionUpdateAccepted' && e.updateName === 'decideMany').length, 1);

        // Repeating it changes nothing; approving a rejected finding with a pending one: the pending one changes,
        // the rejected one is reported as a conflict and stays rejected.
        const again = bulkDecisionResultSchema.parse((await http('POST', decisions, approver, { decision: 'reject', filter })).body);
        assert.deepEqual({ matched: again.matched, changed: again.changed, unchanged: again.unchanged }, { matched: 4, changed: [], unchanged: 4 });
        const pending = listed.find((f) => f.status === 'pending' && !legacySql.includes(f))!;
        const mixed = await http('POST', decisions, approver, { decision: 'approve', findingIds: [legacySql[0].id, pending.id] });
        assert.equal(mixed.status, 200, JSON.stringify(mixed.body));
        assert.deepEqual(mixed.body.changed, [pending.id]);
        assert.deepEqual(mixed.body.conflicts, [{ findingId: legacySql[0].id, status: 'rejected', decidedBy: 'alice' }]);
        assert.equal((await store.getScanDecisions('acme', scanId)).get(legacySql[0].id)?.decision, 'reject');

        // The rest, by class and then by severity: the scan moves on to apply and completes.
        const rest = await http('POST', decisions, approver, { decision: 'reject', filter: { cwe: 'CWE-78' } });
        assert.equal(rest.status, 200);
        assert.equal(rest.body.matched, 8);
        const last = await http('POST', decisions, approver, { decision: 'reject', filter: { severity: ['critical', 'high', 'medium', 'low'] } });
        assert.equal(last.status, 200);
        assert.equal(last.body.matched, 24);
        assert.equal(last.body.changed.length, 24 - 4 - 1 - rest.body.changed.length);
        assert.equal(last.body.unchanged, 4 + rest.body.changed.length);
        assert.deepEqual(last.body.conflicts, [{ findingId: pending.id, status: 'approved', decidedBy: 'alice' }], 'the approved finding stays approved');
        await until('completed', async () => {
          const res = await http('GET', `/v1/scans/${scanId}`, scanner);
          return res.body.stage === 'completed' ? true : undefined;
        });
        const late = await http('POST', decisions, approver, { decision: 'approve', filter: { pathPrefix: 'src' } });
        assert.ok([200, 409].includes(late.status), 'after the scan, nothing pending changes');
        if (late.status === 200) assert.deepEqual(late.body.changed, []);
      });
    } finally {
      await native.close();
    }
  });

  test('from the CLI: a preview, then "reject every command injection under legacy/"', async () => {
    const t = await testTemporal();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: t.address,
      TEMPORAL_NAMESPACE: t.namespace,
      VIGIL_DATA_DIR: join(dir, 'cli-data'),
    };
    delete env.VIGIL_API_URL;
    delete env.NODE_TEST_CONTEXT;
    const repo = repoWithFindings(dir);
    const scan = await vigil(env, 'scan', repo, '--format', 'json');
    assert.equal(scan.code, 0, scan.stderr);
    const out = JSON.parse(scan.stdout) as { scan: { scanId: string }; findings: Finding[] };
    const scanId = out.scan.scanId;
    const legacyExec = out.findings.filter((f) => f.ruleId === 'command-injection' && f.location.file.startsWith('legacy/'));
    assert.equal(legacyExec.length, 4);

    const preview = await vigil(env, 'decide', scanId, 'reject', '--rule', 'command-injection', '--path-prefix', 'legacy/', '--dry-run');
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stderr, /4 finding\(s\) matched; 4 would be rejected/);
    assert.deepEqual(preview.stdout.trim().split('\n').sort(), legacyExec.map((f) => f.id).sort());

    const done = await vigil(env, 'decide', scanId, 'reject', '--rule', 'command-injection', '--path-prefix', 'legacy/', '--comment', 'legacy');
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, /4 finding\(s\) matched; 4 now rejected/);
    assert.match(done.stderr, /20 finding\(s\) still await a decision/);

    const none = await vigil(env, 'decide', scanId, 'reject', '--rule', 'no-such-rule');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No finding of this scan matches/);
    const both = await vigil(env, 'decide', scanId, 'reject', '--rule', 'sql-injection', '--ids', legacyExec[0].id);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /either with --ids or with filter options/);
    const conflict = await vigil(env, 'decide', scanId, 'approve', '--ids', legacyExec[0].id);
    assert.equal(conflict.code, 0, conflict.stderr);
    assert.match(conflict.stderr, new RegExp(`conflict: ${legacyExec[0].id} is rejected`));

    const rest = await vigil(env, 'decide', scanId, 'reject', '--severity', 'critical,high,medium,low');
    assert.equal(rest.code, 0, rest.stderr);
    assert.match(rest.stderr, /24 finding\(s\) matched; 20 now rejected, 4 already rejected/);
    assert.match(rest.stderr, /scan completed/);
  });
});
