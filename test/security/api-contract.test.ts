// The API keeps its published contract: Schemathesis (pinned, from PyPI, installed by infra/python-tools.ts)
// generates requests from GET /openapi.json and runs them against the real API (real Temporal, real SQLite,
// real keys) with 0 server errors and 0 schema violations allowed. No worker polls the scans' queue, so every
// scan the fuzzer starts stays queued and is terminated afterwards.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { createPathPolicy } from '../../activities/scan-roots.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import type { Store } from '../../activities/store/store.js';
import { createApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { loadKeyRegistry } from '../../api/auth/registry.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { apiConnectionOptions } from '../../api/temporal-health.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/definitions.js';
import { ensureSchemathesis, SCHEMATHESIS_VERSION } from '../../infra/python-tools.js';
import { testTemporal } from '../helpers/temporal.js';

/** The checks that together mean "0 server errors and 0 schema violations", plus the 405 contract. */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'unsupported_method',
].join(',');

interface RunResult {
  code: number;
  output: string;
}

function runSchemathesis(bin: string, args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      // No colours or progress bars in the captured output; a fixed seed makes a failure reproducible.
      // cwd: Schemathesis keeps a .schemathesis/ directory of replay data in the working directory.
      { cwd, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', TERM: 'dumb', COLUMNS: '200' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

describe(`API contract: Schemathesis ${SCHEMATHESIS_VERSION} against the live API`, () => {
  let server: ApiServer;
  let store: Store;
  let client: Client;
  let connection: Connection;
  let dir: string;
  let schemathesis: string;
  const tenant = `contract${randomBytes(3).toString('hex')}`;
  const taskQueue = `contract-idle-${randomBytes(4).toString('hex')}`;
  const keys = { admin: '', other: '', readOnly: '' };
  let scanId = '';

  before(async () => {
    // First use installs into the cache (~15 s with a warm pip cache); later runs reuse the venv.
    schemathesis = await ensureSchemathesis({ log: (line) => process.stderr.write(`[vigil] ${line}\n`) });
    const t = await testTemporal();
    // The API's own connection settings (fail fast), as `vigil serve` uses them.
    connection = await Connection.connect({ address: t.address, ...apiConnectionOptions() });
    client = new Client({ connection, namespace: t.namespace });
    dir = mkdtempSync(join(tmpdir(), 'vigil-contract-'));
    store = openSqliteStore(join(dir, 'vigil.db'));
    const keysFile = join(dir, 'api-keys.json');
    keys.admin = (await createApiKey({ tenant, roles: ['scanner', 'approver', 'operator'], name: 'contract-admin', keysFile })).key;
    keys.readOnly = (await createApiKey({ tenant, roles: ['approver'], name: 'contract-approver', keysFile })).key;
    keys.other = (await createApiKey({ tenant: `${tenant}x`, roles: ['scanner', 'approver', 'operator'], name: 'other-tenant', keysFile })).key;
    const app = createApp({
      temporal: client,
      store,
      keys: loadKeyRegistry({ keysFile, env: {} }),
      // Path sources only below the test's own directory (its keys file and database stay refused).
      paths: createPathPolicy({ roots: [realpathSync(dir)], protect: [join(dir, 'vigil.db'), keysFile] }),
      config: { taskQueue, queryTimeoutMs: 300, updateTimeoutMs: 300 },
      logger: { error: () => {} },
    });
    server = await startApiServer({ app, port: 0 });

    // One real scan (queued, no worker), so the examples phase reaches the 200 paths of /v1/scans/{id}/*.
    const repo = mkdtempSync(join(dir, 'repo-'));
    writeFileSync(join(repo, 'index.js'), 'module.exports = 1;\n');
    execFileSync('git', ['-C', repo, 'init', '-q', '-b', 'main']);
    execFileSync('git', ['-C', repo, 'add', '-A']);
    execFileSync('git', ['-C', repo, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init']);
    const res = await fetch(`${server.url}/v1/scans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: { path: repo } }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    scanId = ((await res.json()) as { scanId: string }).scanId;
  });

  after(async () => {
    await server?.close();
    // Every scan the fuzzer started (ours and the other tenant's): terminate, so nothing lingers in Temporal.
    if (client) {
      for (const t of [tenant, `${tenant}x`]) {
        const query = `${SEARCH_ATTRIBUTES.tenant.name} = '${t}' AND ExecutionStatus = 'Running'`;
        for await (const run of client.workflow.list({ query })) {
          await client.workflow.getHandle(run.workflowId, run.runId).terminate('contract test cleanup').catch(() => {});
        }
      }
    }
    await connection?.close();
    await store?.close();
  });

  test('0 server errors, 0 schema violations, 405 for unsupported methods', { timeout: 6 * 60_000 }, async () => {
    await assertContractHolds('admin', keys.admin, { phases: 'examples,coverage,fuzzing', maxExamples: 40 });
  });

  // Other callers get other answers (403 for a missing role, 404 for another tenant's scan): documented too.
  test('the same contract for a key without the scanner/operator roles and for another tenant', { timeout: 4 * 60_000 }, async () => {
    await assertContractHolds('approver', keys.readOnly, { phases: 'examples,coverage', maxExamples: 10 });
    await assertContractHolds('other-tenant', keys.other, { phases: 'examples,coverage', maxExamples: 10 });
  });

  /**
   * Runs Schemathesis with `key` against the served document plus examples naming the real scan, so generated
   * requests also reach found resources.
   */
  async function assertContractHolds(label: string, key: string, opts: { phases: string; maxExamples: number }): Promise<void> {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; example?: unknown }[] }>>;
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      assert.ok(!path.includes(':'), `OpenAPI paths use {param}: ${path}`);
      for (const op of Object.values(ops)) {
        for (const p of op.parameters ?? []) if (p.in === 'path' && p.name === 'id') p.example = scanId;
      }
    }
    const schemaFile = join(dir, `openapi-${label}.json`);
    writeFileSync(schemaFile, JSON.stringify(doc));

    // A decision reaches real queued scans too (Schemathesis reuses the ids POST /v1/scans returns), and with
    // no worker running the documented answer is 503 worker_unavailable: allowed there, and only there.
    const configFile = join(dir, 'schemathesis.toml');
    writeFileSync(
      configFile,
      [
        '[[operations]]',
        'include-name = "POST /v1/scans/{id}/findings/{findingId}/decision"',
        'checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "503"]',
        '',
        '[[operations]]',
        'include-name = "POST /v1/scans/{id}/decisions"',
        'checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "503"]',
        '',
      ].join('\n'),
    );
    const reportDir = join(dir, `schemathesis-${label}`);
    const args = [
      '--config-file',
      configFile,
      '--no-color',
      'run',
      schemaFile,
      '--url',
      server.url,
      '--header',
      `Authorization: Bearer ${key}`,
      '--checks',
      CHECKS,
      '--phases',
      opts.phases,
      // Bounded by examples per operation (not --max-time, which makes fuzzing repeat until it is spent).
      '--max-examples',
      String(opts.maxExamples),
      // One worker: Hypothesis parses lambda sources with `ast` while describing strategies, and CPython 3.11's AST
      // constructor is not safe across threads ("AST constructor recursion depth mismatch" aborted a run at random).
      '--workers',
      '1',
      '--seed',
      '20240610',
      '--request-timeout',
      '10',
      '--suppress-health-check',
      'all',
      '--report',
      'junit',
      '--report-dir',
      reportDir,
      '--report-junit-path',
      join(reportDir, 'junit.xml'),
    ];
    const started = Date.now();
    const result = await runSchemathesis(schemathesis, args, dir, 4 * 60_000);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    // The summary tail says what failed and how to reproduce it (a curl line per failure).
    const tail = result.output.split('\n').slice(-120).join('\n');
    assert.equal(result.code, 0, `schemathesis (${label} key) exited ${result.code} after ${seconds} s:\n${tail}`);
    const junit = readFileSync(join(reportDir, 'junit.xml'), 'utf8');
    const tests = Number(/tests="(\d+)"/.exec(junit)?.[1] ?? 0);
    assert.ok(tests >= 10, `schemathesis tested every operation (junit: ${tests} test cases)`);
    assert.doesNotMatch(junit, /<failure|<error/, 'no failure or error in the JUnit report');
  }
});
