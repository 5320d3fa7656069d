// Temporal payloads encrypted end to end: a real scan on a worker and client sharing the AES-GCM codec;
// the raw history holds only `binary/encrypted` payloads; the authenticated codec endpoint decodes them
// for operators (HTTP, the Web UI's token URL, and `temporal workflow show --codec-endpoint`).
import { Client } from '@temporalio/client';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { loadKeyRegistry } from '../../api/auth/registry.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createEncryptionCodec, ENCODING } from '../../workers/codec/encryption-codec.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';
import { cliPath } from '../helpers/temporal.js';
import { randomBytes } from 'node:crypto';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('../fixtures/vulnerable-express', import.meta.url));
const UI_ORIGIN = 'http://localhost:8233';

describe('encrypted Temporal payloads', () => {
  let h: Harness;
  let server: ApiServer;
  let app: ReturnType<typeof createApp>;
  const key = { operator: '', scanner: '' };
  let workflowId = '';
  let scanId = '';
  let rawInput: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };

  before(async () => {
    h = await createHarness('codec', { encryptPayloads: true });
    await h.startWorker();
    const keysFile = join(mkdtempSync(join(h.dir, 'keys-')), 'api-keys.json');
    key.operator = (await createApiKey({ tenant: 'default', roles: ['operator'], name: 'ops', keysFile })).key;
    key.scanner = (await createApiKey({ tenant: 'default', roles: ['scanner'], name: 'ci', keysFile })).key;
    app = createApp({
      temporal: h.client,
      store: h.store,
      keys: loadKeyRegistry({ keysFile, env: {} }),
      codec: h.payloads!.codec,
      codecCorsOrigins: [UI_ORIGIN],
    });
    server = await startApiServer({ app, port: 0 });
    const repo = gitRepoFromFixture(fixture, h.dir);
    const input = scanInput(h, repo);
    scanId = input.scanId;
    const handle = await startScan(h, input);
    workflowId = handle.workflowId;
    const status = await waitForStage(handle, ['awaiting_decisions'], 90_000);
    assert.ok(status.findings.length > 0, 'the scan ran through the codec and found something');
  });
  after(async () => {
    await h.client.workflow.getHandle(workflowId).terminate('test done').catch(() => {});
    await server?.close();
    await h.close();
  });

  test('the history fetched raw holds only encrypted payloads', async () => {
    const plain = new Client({ connection: h.connection, namespace: h.namespace });
    const history = await plain.workflow.getHandle(workflowId).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    rawInput = started!.input!.payloads![0]!;
    assert.equal(Buffer.from(rawInput.metadata!.encoding!).toString(), ENCODING);
    assert.ok(rawInput.metadata!['encryption-key-id'], 'the payload names its key id');
    // Every payload (inputs, results, update arguments, markers), not search attributes: those are indexed.
    const encodings: string[] = [];
    const patchMarkers: string[] = [];
    const visit = (v: unknown, key = ''): void => {
      if (!v || typeof v !== 'object' || v instanceof Uint8Array || key === 'searchAttributes') return;
      // A patch marker (workflow versioning) is written by the SDK's core, not the data converter: it holds the
      // patch id, a constant of the workflow code. Checked below to hold nothing else.
      const marker = v as { markerName?: string; details?: Record<string, { payloads?: { data?: Uint8Array }[] }> };
      if (key === 'markerRecordedEventAttributes' && marker.markerName === 'core_patch') {
        for (const d of Object.values(marker.details ?? {})) for (const p of d.payloads ?? []) patchMarkers.push(Buffer.from(p.data ?? []).toString());
        return;
      }
      if (key === 'payloads' && Array.isArray(v)) {
        for (const p of v) encodings.push(Buffer.from((p as { metadata: Record<string, Uint8Array> }).metadata.encoding ?? []).toString());
        return;
      }
      for (const [k, x] of Object.entries(v)) visit(x, k);
    };
    visit(history);
    assert.ok(encodings.length >= 5, `payloads seen: ${encodings.length}`);
    assert.deepEqual([...new Set(encodings)], [ENCODING], 'every payload in the history is encrypted');
    assert.ok(patchMarkers.length >= 1, 'the workflow records its analysis-queue patch marker');
    for (const m of patchMarkers) assert.match(m, /^"?[a-z0-9-]+"?$|^\{"patchId|^\{"id/, `a patch marker holds only its id: ${m}`);
    assert.ok(patchMarkers.every((m) => !m.includes(scanId) && !m.includes('requestedBy')), 'patch markers hold no scan data');
    const bytes = Buffer.from(rawInput.data!).toString('latin1');
    assert.ok(!bytes.includes('requestedBy') && !bytes.includes(scanId), 'the input is ciphertext');
  });

  const body = () => ({
    payloads: [
      {
        metadata: Object.fromEntries(Object.entries(rawInput.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(rawInput.data!).toString('base64'),
      },
    ],
  });
  const post = (path: string, b: unknown, headers: Record<string, string> = {}) =>
    app.request(path, { method: 'POST', body: JSON.stringify(b), headers: { 'content-type': 'application/json', ...headers } });

  test('the codec endpoint decodes for an operator, and only for an operator', async () => {
    assert.equal((await post('/codec/decode', body())).status, 401);
    assert.equal((await post('/codec/decode', body(), { authorization: 'Bearer nope' })).status, 401);
    assert.equal((await post('/codec/decode', body(), { authorization: `Bearer ${key.scanner}` })).status, 403);
    const res = await post('/codec/decode', body(), { authorization: `Bearer ${key.operator}` });
    assert.equal(res.status, 200);
    const decoded = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(Buffer.from(decoded.payloads[0]!.metadata.encoding!, 'base64').toString(), 'json/plain');
    const input = JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString());
    assert.equal(input.scanId, scanId);
    // Round trip through /encode.
    const enc = await post('/codec/encode', decoded, { authorization: `Bearer ${key.operator}` });
    const again = await post('/codec/decode', await enc.json(), { authorization: `Bearer ${key.operator}` });
    assert.equal(JSON.parse(Buffer.from(((await again.json()) as typeof decoded).payloads[0]!.data, 'base64').toString()).scanId, scanId);
    assert.equal((await post('/codec/decode', { payloads: 'x' }, { authorization: `Bearer ${key.operator}` })).status, 400);
  });

  test('a codec of another keyring cannot decode', async () => {
    const other = createEncryptionCodec(keyringFromKeys([randomBytes(32)]));
    await assert.rejects(other.decode([{ metadata: rawInput.metadata!, data: rawInput.data! }]), /not in the keyring/);
  });

  test('the Web UI: CORS for its origin, decode by the token URL', async () => {
    const pre = await app.request('/codec/decode', {
      method: 'OPTIONS',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    assert.equal(pre.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /X-Namespace/i);
    const evil = await app.request('/codec/decode', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const ok = await post(`/codec/ui/${h.payloads!.codec.uiToken}/decode`, body(), { origin: UI_ORIGIN });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal((await post('/codec/ui/wrong-token/decode', body())).status, 401);
    assert.equal((await post(`/codec/ui/${h.payloads!.codec.uiToken}/encode`, body())).status, 404, 'the token URL decodes only');
  });

  test('temporal workflow show --codec-endpoint shows the decoded history', async () => {
    const cli = await cliPath();
    const args = ['workflow', 'show', '--workflow-id', workflowId, '--address', h.address, '--namespace', h.namespace, '--output', 'json'];
    const firstPayload = (stdout: string) => {
      const p = JSON.parse(stdout).events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
      return { encoding: Buffer.from(p.metadata.encoding, 'base64').toString(), data: Buffer.from(p.data, 'base64').toString('latin1') };
    };
    const raw = firstPayload((await run(cli, args, { maxBuffer: 64 * 1024 * 1024 })).stdout);
    assert.equal(raw.encoding, ENCODING, 'without the codec the CLI shows ciphertext');
    const decoded = await run(cli, [...args, '--codec-endpoint', `${server.url}/codec`, '--codec-auth', `Bearer ${key.operator}`], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const plain = firstPayload(decoded.stdout);
    assert.equal(plain.encoding, 'json/plain', 'with the codec endpoint the CLI shows the workflow input');
    assert.equal(JSON.parse(plain.data).scanId, scanId);
    const denied = await run(cli, [...args, '--codec-endpoint', `${server.url}/codec`], { maxBuffer: 64 * 1024 * 1024 }).catch((e) => e);
    assert.ok(denied instanceof Error || firstPayload(denied.stdout).encoding === ENCODING, 'no operator key, no plaintext');
  });
});
