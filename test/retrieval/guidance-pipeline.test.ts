// Guidance end to end on a real Temporal dev server, a real worker, real SQLite and the real model: a scan's
// findings carry the best passage of their class (stored findings, the API's view, JSON, Markdown and SARIF
// reports); GET /v1/guidance/:id serves the passage (any valid key; typed 400/401/404); the dashboard shows a
// "Guidance" link on a finding that opens the passage (headless Chromium).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Embedder } from '../../activities/retrieval/embedder.js';
import { GUIDANCE_DIR as GUIDANCE, loadGuidanceLibrary } from '../../activities/retrieval/guidance-docs.js';
import { openGuidanceIndex, type GuidanceIndex } from '../../activities/retrieval/guidance-index.js';
import { lazyLocalEmbedder } from '../../activities/retrieval/open-decision-memory.js';
import { guidanceCacheFile } from '../../activities/retrieval/open-guidance.js';
import { createApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { loadKeyRegistry } from '../../api/auth/registry.js';
import { findingsResponseSchema, guidancePassageSchema } from '../../api/routes/schemas.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { ensureEmbeddingModel } from '../../infra/embedding-model.js';
import { decideManyUpdate } from '../../workflows/definitions.js';
import { launchBrowser, type Browser } from '../dashboard/browser.js';
import { validateSarif } from '../helpers/sarif-validate.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

describe('guidance in the scan pipeline, the API and the dashboard', () => {
  let h: Harness;
  let embedder: Embedder;
  let index: GuidanceIndex;
  let server: ApiServer;
  let browser: Browser | undefined;
  const key = { reader: '', other: '' };
  before(async () => {
    embedder = lazyLocalEmbedder(await ensureEmbeddingModel());
    h = await createHarness('guidance');
    // The machine's cache, filled at install (bootstrap) as a worker finds it.
    index = openGuidanceIndex({ embedder, cacheFile: guidanceCacheFile(), dir: GUIDANCE });
    await h.startWorker({ guidance: index });
    const keysFile = join(h.dir, 'api-keys.json');
    key.reader = (await createApiKey({ tenant: 'default', roles: ['scanner', 'approver'], name: 'alice', keysFile })).key;
    key.other = (await createApiKey({ tenant: 'globex', roles: ['scanner'], name: 'globex-ci', keysFile })).key;
    const app = createApp({
      temporal: h.client,
      store: h.store,
      keys: loadKeyRegistry({ keysFile, env: {} }),
      config: { taskQueue: h.taskQueue },
      logger: { error: () => {} },
      guidance: loadGuidanceLibrary(GUIDANCE),
    });
    server = await startApiServer({ app, port: 0 });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
    await index?.close();
    await embedder?.close();
  });

  const get = async (path: string, apiKey?: string) => {
    const res = await fetch(server.url + path, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
    return { status: res.status, body: (await res.json()) as any };
  };

  test('findings carry their class’s best passage; the API serves it; the dashboard opens it; the reports link it', { timeout: 240_000 }, async () => {
    const input = scanInput(h, gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir));
    const handle = await startScan(h, input);
    await waitForStage(handle, ['awaiting_decisions']);
    const found = (await h.store.getArtifact('default', input.scanId, 'findings'))!;
    assert.ok(found.length >= 4);
    for (const f of found) {
      assert.ok(f.guidance, `${f.ruleId} finding ${f.id} has guidance`);
      assert.equal(f.guidance.id.split('#')[0], f.ruleId, 'a passage of its own class');
      assert.ok(f.guidance.similarity > 0.2 && f.guidance.similarity <= 1);
    }
    const sql = found.find((f) => f.ruleId === 'sql-injection')!;
    // The app depends on mysql (its package.json): the fix for its driver, not another library's.
    assert.equal(sql.guidance!.id, 'sql-injection#how-to-fix-it--mysql-and-mysql2', 'the SQL finding is linked to the fix for its driver');
    const traversal = found.find((f) => f.ruleId === 'path-traversal')!;
    assert.equal(traversal.guidance!.id, 'path-traversal#how-to-fix-it--express', 'and the path traversal to the Express fix');

    // The API's findings view (its schema documents the field).
    const view = await get(`/v1/scans/${input.scanId}/findings`, key.reader);
    assert.equal(view.status, 200);
    assert.ok(findingsResponseSchema.safeParse(view.body).success);
    assert.deepEqual(view.body.findings.find((f: { id: string }) => f.id === sql.id).guidance, sql.guidance);

    // The passage: any valid key (guidance is the same for every tenant), typed failures otherwise.
    const path = `/v1/guidance/${encodeURIComponent(sql.guidance!.id)}`;
    const passage = await get(path, key.other);
    assert.equal(passage.status, 200);
    guidancePassageSchema.parse(passage.body);
    assert.equal(passage.body.id, sql.guidance!.id);
    assert.equal(passage.body.heading, sql.guidance!.heading);
    assert.match(passage.body.markdown, /^##/);
    assert.equal((await get(path)).status, 401);
    const bad = await get('/v1/guidance/..%2F..%2Fetc%2Fpasswd', key.reader);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'invalid_request');
    assert.equal((await get(`/v1/guidance/${'a'.repeat(300)}%23b`, key.reader)).status, 400);
    const unknown = await get('/v1/guidance/sql-injection%23how-to-fix-it--cobol', key.reader);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'not_found');

    // The dashboard: a Guidance link on the finding opens the passage.
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/dashboard/`);
    await page.locator('#api-key').fill(key.reader);
    await page.locator('#signin-submit').click();
    await page.getByTestId('who').filter({ hasText: 'alice' }).waitFor();
    await page.goto(`${server.url}/dashboard/#/scans/${input.scanId}`);
    const card = page.locator(`article[data-finding-id="${sql.id}"]`);
    await card.waitFor();
    const link = card.getByTestId('guidance-link');
    assert.equal(await link.innerText(), `${sql.guidance!.title} — ${sql.guidance!.heading}`);
    await link.click();
    const shown = card.getByTestId('guidance-passage');
    await shown.filter({ hasText: passage.body.markdown.split('\n')[2]!.slice(0, 40) }).waitFor({ timeout: 10_000 });
    assert.equal((await shown.innerText()).trim(), passage.body.markdown.trim());

    // Decided, the scan completes; its reports link the passage.
    await handle.executeUpdate(decideManyUpdate, {
      args: [{ findingIds: found.map((f) => f.id), decision: 'reject', tenant: 'default', roles: ['approver'], actor: 'alice' }],
    });
    await waitForStage(handle, ['completed']);
    const json = (await h.store.getArtifact('default', input.scanId, 'report.json'))!;
    assert.deepEqual(json.findings.find((f) => f.id === sql.id)!.guidance, sql.guidance);
    const md = (await h.store.getArtifact('default', input.scanId, 'report.md'))!;
    assert.ok(
      md.includes(`**Guidance:** [SQL injection — How to fix it &gt; `) && md.includes(`](/v1/guidance/${encodeURIComponent(sql.guidance!.id)}) · similarity 0.`),
      'the Markdown report links the passage',
    );
    const sarif = (await h.store.getArtifact('default', input.scanId, 'report.sarif'))!;
    assert.deepEqual((await validateSarif(sarif, join(h.dir, 'sarif-validation'))).errors, [], 'the SARIF passes Microsoft\'s validator');
    const result = sarif.runs[0]!.results.find((r) => r.properties.findingId === sql.id)!;
    assert.equal((result.properties.guidance as { id: string }).id, sql.guidance!.id);
  });
});
