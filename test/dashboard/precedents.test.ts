// The dashboard's "Similar past decisions" panel in headless Chromium against a real Temporal server, a real
// worker with decision memory (the real embedding model) and the real SQLite store: a finding rejected with a
// comment holding markup in one scan shows up as a precedent on the same finding of a later scan — decision,
// similarity, the comment as text (never markup), and a link that opens the earlier scan at that finding.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import type { Store } from '../../activities/store/store.js';
import type { DecisionMemory } from '../../activities/retrieval/decision-memory.js';
import { openDecisionMemory } from '../../activities/retrieval/open-decision-memory.js';
import { createApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { loadKeyRegistry } from '../../api/auth/registry.js';
import { createPathPolicy } from '../../activities/scan-roots.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { ensureEmbeddingModel } from '../../infra/embedding-model.js';
import { createScanWorker } from '../../workers/worker.js';
import { testTemporal } from '../helpers/temporal.js';
import { launchBrowser, type Browser } from './browser.js';

const COMMENT = 'host is checked by requirePingTarget <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
}

function pingRepo(parent: string): string {
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
      'app.listen(3000);',
      '',
    ].join('\n'),
  );
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'initial');
  return repo;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('dashboard: similar past decisions', () => {
  let dir: string;
  let store: Store;
  let server: ApiServer;
  let browser: Browser;
  let native: NativeConnection;
  let worker: Awaited<ReturnType<typeof createScanWorker>>;
  let running: Promise<void>;
  let client: Client;
  let memory: DecisionMemory;
  let apiKey = '';
  let tenant = '';
  const workflows: string[] = [];

  before(async () => {
    const model = await ensureEmbeddingModel();
    const t = await testTemporal();
    client = new Client({ connection: t.connection, namespace: t.namespace });
    dir = mkdtempSync(join(tmpdir(), 'vigil-dashboard-precedents-'));
    store = openSqliteStore(join(dir, 'vigil.db'));
    const keysFile = join(dir, 'api-keys.json');
    tenant = `prec-${randomBytes(4).toString('hex')}`;
    apiKey = (await createApiKey({ tenant, roles: ['scanner', 'approver'], name: 'alice', keysFile })).key;
    const taskQueue = `dashboard-precedents-${randomBytes(4).toString('hex')}`;
    const app = createApp({
      temporal: client,
      store,
      keys: loadKeyRegistry({ keysFile, env: {} }),
      paths: createPathPolicy({ roots: [dir] }),
      config: { taskQueue },
      logger: { error: () => {} },
    });
    server = await startApiServer({ app, port: 0 });
    const opened = await openDecisionMemory({ dataDir: dir, env: {}, modelDir: model.dir });
    assert.ok(opened.memory, opened.unavailable);
    memory = opened.memory;
    native = await NativeConnection.connect({ address: t.address });
    const workDir = join(dir, 'work');
    mkdirSync(workDir, { recursive: true });
    worker = await createScanWorker({ connection: native, namespace: t.namespace, taskQueue, store, workDir, retrieval: memory });
    running = worker.run();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    for (const id of workflows) await client.workflow.getHandle(id).terminate('test cleanup').catch(() => {});
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => {});
    await native?.close();
    await server?.close();
    await memory?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: JSON.parse(await res.text()) };
  }

  async function scanToDecisions(repo: string): Promise<{ scanId: string; findings: { id: string; ruleId: string }[] }> {
    const created = (await api('POST', '/v1/scans', { source: { path: repo } })).body;
    workflows.push(created.workflowId);
    await until('awaiting decisions', async () => ((await api('GET', `/v1/scans/${created.scanId}`)).body.stage === 'awaiting_decisions' ? true : undefined));
    return { scanId: created.scanId, findings: (await api('GET', `/v1/scans/${created.scanId}/findings`)).body.findings };
  }

  test('a precedent is shown with its decision, similarity, comment as text and a link to the earlier finding', { timeout: 180_000 }, async () => {
    const first = await scanToDecisions(pingRepo(dir));
    const earlier = first.findings.find((f) => f.ruleId === 'command-injection')!;
    assert.ok(earlier, JSON.stringify(first.findings));
    const decided = await api('POST', `/v1/scans/${first.scanId}/findings/${earlier.id}/decision`, { decision: 'reject', comment: COMMENT });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    await until('the decision embedded', async () => ((await memory.vectors.count(tenant)) > 0 ? true : undefined));

    const second = await scanToDecisions(pingRepo(dir));
    const now = second.findings.find((f) => f.ruleId === 'command-injection')!;

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/dashboard/`);
    await page.locator('#api-key').fill(apiKey);
    await page.locator('#signin-submit').click();
    await page.getByTestId('who').filter({ hasText: 'alice' }).waitFor();
    await page.goto(`${server.url}/dashboard/#/scans/${second.scanId}`);
    const card = page.locator(`[data-testid="finding"][data-finding-id="${now.id}"]`);
    await card.waitFor();
    const panel = card.getByTestId('similar-decisions');
    await panel.waitFor();
    assert.match(await panel.innerText(), /Similar past decisions/);
    const item = panel.getByTestId('similar-decision').first();
    const text = await item.innerText();
    assert.match(text, /rejected/);
    assert.match(text, /similarity (0\.\d\d|1\.00)/);
    // The comment is shown literally: its markup is text, never elements, and nothing ran.
    assert.equal(await item.getByTestId('similar-comment').innerText(), COMMENT);
    assert.equal(await panel.locator('img, script').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);

    // The link opens the earlier scan at the finding the decision was made on.
    const link = item.getByTestId('similar-link');
    assert.equal(await link.getAttribute('href'), `#/scans/${first.scanId}/findings/${earlier.id}`);
    await link.click();
    await page.locator(`[data-testid="finding"][data-finding-id="${earlier.id}"].focused`).waitFor();
    assert.match(await page.getByTestId('scan-title').innerText(), /repo-/);
    assert.match(await page.locator(`[data-testid="finding"][data-finding-id="${earlier.id}"]`).getByTestId('decision').innerText(), /Rejected by alice/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
