// The review dashboard in headless Chromium against a real Temporal server, a real scan worker and the
// real SQLite store: sign in, open a scan, read a finding and its trace, approve and reject through the
// page and watch the workflow apply the fix; a read-only key sees no approve control and the API refuses it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Page } from 'playwright-core';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import type { Store } from '../../activities/store/store.js';
import { createApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { loadKeyRegistry } from '../../api/auth/registry.js';
import { createPathPolicy } from '../../activities/scan-roots.js';
import { DASHBOARD_CSP } from '../../api/routes/dashboard.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { createScanWorker } from '../../workers/worker.js';
import { writeManyFindingsRepo } from '../helpers/many-findings-repo.js';
import { validateSarif } from '../helpers/sarif-validate.js';
import { testTemporal } from '../helpers/temporal.js';
import { launchBrowser, type Browser } from './browser.js';
import { decodePng, pixelStats } from './png.js';

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
}

// The comment on the exec line is attacker-written markup: it ends up in the finding's snippet.
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

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
      `  exec('ping -c 1 ' + req.query.host, (err, out) => res.send(out)); // ${HOSTILE}`,
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

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('review dashboard in headless Chromium', () => {
  let dir: string;
  let store: Store;
  let server: ApiServer;
  let browser: Browser;
  let native: NativeConnection;
  let worker: Awaited<ReturnType<typeof createScanWorker>>;
  let running: Promise<void>;
  let client: Client;
  const workflows: string[] = [];
  const key = { approver: '', viewer: '' };
  const shots: string[] = [];

  before(async () => {
    const t = await testTemporal();
    client = new Client({ connection: t.connection, namespace: t.namespace });
    dir = mkdtempSync(join(tmpdir(), 'vigil-dashboard-'));
    store = openSqliteStore(join(dir, 'vigil.db'));
    const keysFile = join(dir, 'api-keys.json');
    // A tenant of its own: other test files' scans on the shared server stay out of its list.
    const tenant = `dash-${randomBytes(4).toString('hex')}`;
    key.approver = (await createApiKey({ tenant, roles: ['scanner', 'approver', 'operator'], name: 'alice', keysFile })).key;
    key.viewer = (await createApiKey({ tenant, roles: ['scanner'], name: 'viewer', keysFile })).key;
    const taskQueue = `dashboard-${randomBytes(4).toString('hex')}`;
    const app = createApp({
      temporal: client,
      store,
      keys: loadKeyRegistry({ keysFile, env: {} }),
      paths: createPathPolicy({ roots: [dir] }),
      config: { taskQueue, temporalUiUrl: 'http://temporal-ui.invalid:8233' },
      logger: { error: () => {} },
    });
    server = await startApiServer({ app, port: 0 });
    native = await NativeConnection.connect({ address: t.address });
    const workDir = join(dir, 'work');
    mkdirSync(workDir, { recursive: true });
    worker = await createScanWorker({ connection: native, namespace: t.namespace, taskQueue, store, workDir });
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
    await store?.close();
    // VIGIL_KEEP_SCREENSHOTS=1 keeps the run's screenshots (and prints where) for a look by eye.
    if (process.env.VIGIL_KEEP_SCREENSHOTS) process.stderr.write(`dashboard screenshots: ${shots.join(' ')}\n`);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function screenshot(page: Page, name: string): Promise<void> {
    const file = join(dir, `${name}.png`);
    const png = await page.screenshot({ path: file, fullPage: true });
    const stats = pixelStats(decodePng(png));
    assert.ok(stats.variance > 50 && stats.colours > 20, `${name} screenshot looks blank: ${JSON.stringify(stats)}`);
    shots.push(file);
  }

  async function api(method: string, path: string, apiKey: string, body?: unknown) {
    const res = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  async function signIn(page: Page, apiKey: string, name: string) {
    await page.goto(`${server.url}/dashboard/`);
    await page.locator('#api-key').fill(apiKey);
    await page.locator('#signin-submit').click();
    await page.getByTestId('who').filter({ hasText: name }).waitFor();
  }

  test('sign in, read a finding and its trace, read-only key refused, approve and watch the fix applied', { timeout: 150_000 }, async () => {
    const page = await browser.context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));

    // The page itself: served with a strict CSP, no third-party origin anywhere.
    const shell = await fetch(`${server.url}/dashboard/`);
    assert.equal(shell.status, 200);
    assert.equal(shell.headers.get('content-security-policy'), DASHBOARD_CSP);
    assert.match(DASHBOARD_CSP, /script-src 'self'/);
    assert.doesNotMatch(await shell.text(), /https?:\/\//, 'no CDN or external URL in the page');

    // A wrong key is refused on the sign-in form.
    await page.goto(`${server.url}/dashboard/`);
    await page.locator('#api-key').fill('vgl_not-a-real-key');
    await page.locator('#signin-submit').click();
    await page.locator('#signin-error').filter({ hasText: 'not recognised' }).waitFor();
    consoleErrors.length = 0; // the browser logs that refused request; nothing else may fail

    // A scan, through the API, on a real worker.
    const repo = vulnerableRepo(dir);
    const created = JSON.parse((await api('POST', '/v1/scans', key.approver, { source: { path: repo } })).text);
    workflows.push(created.workflowId);
    const scanId: string = created.scanId;

    await signIn(page, key.approver, 'alice');
    const row = page.locator(`[data-testid="scan-row"][data-scan-id="${scanId}"]`);
    await row.waitFor({ timeout: 20_000 });
    // The list updates itself until the scan waits for people.
    await row.getByTestId('stage').filter({ hasText: 'awaiting decisions' }).waitFor({ timeout: 90_000 });
    await screenshot(page, '1-scans');
    await row.click();

    await page.getByTestId('scan-title').filter({ hasText: repo }).waitFor();
    const cards = page.getByTestId('finding');
    await cards.first().waitFor();
    const count = await cards.count();
    assert.ok(count >= 2, `expected the command injection and the eval, got ${count}`);
    const severities = await cards.evaluateAll((els) => els.map((e) => e.querySelector('.sev')?.textContent));
    const order = ['critical', 'high', 'medium', 'low'];
    assert.deepEqual([...severities].sort((a, b) => order.indexOf(a!) - order.indexOf(b!)), severities, 'sorted by severity');

    const exec = cards.filter({ hasText: 'server.js:5' });
    assert.equal(await exec.count(), 1, 'the exec finding is shown with file:line');
    const execText = await exec.innerText();
    assert.match(execText, /confidence (high|medium|low)/);
    assert.ok((await exec.getByTestId('explanation').innerText()).length > 10);
    const steps = exec.getByTestId('trace-step');
    assert.ok((await steps.count()) >= 2, 'the trace has a source and a sink');
    assert.match(await steps.first().innerText(), /source/i);
    assert.match(await steps.last().innerText(), /sink/i);
    assert.match(execText, /req\.query\.host/, 'trace steps show their code excerpts');
    // Attacker-written markup is shown as text and never runs.
    assert.ok(execText.includes(HOSTILE), 'the hostile comment is displayed literally');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await exec.locator('img').count(), 0);
    assert.ok((await exec.getByTestId('verdict-reasons').locator('li').count()) >= 1, 'verdict reasons');
    assert.match(execText, /Verification: (confirmed|uncertain)/);
    if (await exec.getByTestId('patch').count()) assert.match(await exec.getByTestId('patch').innerText(), /^[-+@]/m);
    assert.match(await page.getByTestId('coverage').innerText(), /files snapshotted[\s\S]*analysis: \d+ of \d+ files/);
    assert.equal(
      await page.getByTestId('temporal-link').getAttribute('href'),
      `http://temporal-ui.invalid:8233/namespaces/${encodeURIComponent(client.options.namespace)}/workflows/${encodeURIComponent(created.workflowId)}/${encodeURIComponent(created.runId)}/history`,
    );
    await screenshot(page, '2-scan');

    // A read-only key: same scan, no approve control, and the API refuses its decision.
    const viewer = await browser.context.newPage(); // its own tab, so its own sessionStorage
    await signIn(viewer, key.viewer, 'viewer');
    await viewer.goto(`${server.url}/dashboard/#/scans/${scanId}`);
    await viewer.getByTestId('finding').first().waitFor();
    assert.equal(await viewer.getByTestId('approve').count(), 0);
    assert.equal(await viewer.getByTestId('reject').count(), 0);
    assert.ok((await viewer.getByTestId('read-only').count()) >= 1);
    const findingId = await exec.getAttribute('data-finding-id');
    const refused = await viewer.evaluate(
      async ([scan, finding]) => {
        const res = await fetch(`/v1/scans/${scan}/findings/${finding}/decision`, {
          method: 'POST',
          headers: { authorization: `Bearer ${sessionStorage.getItem('vigil.apiKey')}`, 'content-type': 'application/json' },
          body: JSON.stringify({ decision: 'approve' }),
        });
        return { status: res.status, body: await res.json() };
      },
      [scanId, findingId!],
    );
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'forbidden');
    await screenshot(viewer, '3-read-only');
    await viewer.close();

    // Approve the exec finding with a comment, reject the rest, all through the page.
    await exec.getByTestId('comment').fill('real issue <b>fix it</b>');
    await exec.getByTestId('approve').click();
    await page.locator(`[data-finding-id="${findingId}"] [data-testid="finding-status"]`).filter({ hasText: 'approved' }).waitFor();
    for (;;) {
      const pending = page.locator('[data-testid="finding"]:has([data-testid="reject"])');
      if ((await pending.count()) === 0) break;
      const id = await pending.first().getAttribute('data-finding-id');
      await pending.first().getByTestId('reject').click();
      await page.locator(`[data-finding-id="${id}"] [data-testid="finding-status"]`).filter({ hasText: 'rejected' }).waitFor();
    }

    // The workflow continues: apply, report, completed; the page follows it.
    await page.getByTestId('stage').filter({ hasText: 'completed' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('apply').filter({ hasText: /1 fix\(es\) applied/ }).waitFor();
    assert.match(await page.getByTestId('decision').first().innerText(), /Approved by alice: “real issue <b>fix it<\/b>”/);
    await screenshot(page, '4-completed');
    assert.match(git(repo, 'branch', '--list', 'vigil/*'), new RegExp(`vigil/scan-${scanId}`));
    assert.deepEqual(consoleErrors, []);

    // The reports: SARIF accepted by the Multitool, Markdown served as text/markdown.
    const sarif = await api('GET', `/v1/scans/${scanId}/report?format=sarif`, key.viewer);
    assert.equal(sarif.status, 200);
    const validation = await validateSarif(sarif.text, join(dir, 'sarif'));
    assert.deepEqual(validation.errors, []);
    const md = await api('GET', `/v1/scans/${scanId}/report?format=markdown`, key.viewer);
    assert.equal(md.status, 200);
    assert.match(md.headers.get('content-type') ?? '', /^text\/markdown/);
    assert.match(md.text, /^# Vigil security review/);
    const outsideFences = md.text.replace(/^ *(`{3,})[^\n]*\n[\s\S]*?^ *\1$/gm, '');
    assert.ok(md.text.includes(HOSTILE), 'code excerpts are kept verbatim, inside fences');
    assert.ok(!outsideFences.includes('<img') && !outsideFences.includes('<b>'), 'markup outside code fences is escaped');
    assert.equal(shots.length, 4);
  });

  test('decide many: "reject all 4 SQL injections in legacy/" from the findings list', { timeout: 150_000 }, async () => {
    const repo = mkdtempSync(join(dir, 'bulk-'));
    writeManyFindingsRepo(repo, { dirs: { src: 2, legacy: 2 }, handlersPerFile: 6, kinds: ['sql', 'exec', 'path'] });
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'handlers');
    const created = JSON.parse((await api('POST', '/v1/scans', key.approver, { source: { path: repo } })).text);
    workflows.push(created.workflowId);
    const scanId: string = created.scanId;
    const page = await browser.context.newPage();
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await signIn(page, key.approver, 'alice');
    await page.goto(`${server.url}/dashboard/#/scans/${scanId}`);
    await page.getByTestId('stage').filter({ hasText: 'awaiting decisions' }).waitFor({ timeout: 120_000 });
    const bulk = page.getByTestId('bulk');
    await bulk.getByTestId('bulk-rule').selectOption('sql-injection');
    await bulk.getByTestId('bulk-reject').filter({ hasText: 'Reject all 8' }).waitFor();
    await bulk.getByTestId('bulk-path').fill('legacy/');
    await bulk.getByTestId('bulk-reject').filter({ hasText: 'Reject all 4' }).waitFor();
    await bulk.getByTestId('bulk-comment').fill('legacy, not deployed');
    await bulk.getByTestId('bulk-reject').click();
    const rejected = page.locator('[data-testid="finding-status"]').filter({ hasText: 'rejected' });
    await until('four findings shown rejected', async () => ((await rejected.count()) === 4 ? true : undefined), 30_000);
    const findings = JSON.parse((await api('GET', `/v1/scans/${scanId}/findings`, key.approver)).text).findings as {
      ruleId: string;
      status: string;
      location: { file: string };
      decision?: { comment?: string };
    }[];
    const done = findings.filter((f) => f.status === 'rejected');
    assert.equal(done.length, 4);
    assert.ok(done.every((f) => f.ruleId === 'sql-injection' && f.location.file.startsWith('legacy/')));
    assert.ok(done.every((f) => f.decision?.comment === 'legacy, not deployed'));
    // A fresh form after the page re-rendered: the same filter now finds nothing pending.
    await page.getByTestId('bulk').getByTestId('bulk-rule').selectOption('sql-injection');
    await page.getByTestId('bulk').getByTestId('bulk-path').fill('legacy');
    await page.getByTestId('bulk').getByTestId('bulk-reject').filter({ hasText: 'Reject all 0' }).waitFor();
    assert.equal(await page.getByTestId('bulk').getByTestId('bulk-reject').isDisabled(), true);
    assert.deepEqual(consoleErrors, []);
    await page.close();
  });
});
