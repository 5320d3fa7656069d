// Webhooks as a sink of the outbox, against a real local HTTP server: every event delivered once (by id, in
// order) with a valid HMAC-SHA256 signature over "timestamp.body"; a failing receiver is retried with backoff
// and loses nothing; the per-sink cursor survives a restart of the relays; a private or loopback address is
// refused by the SSRF guard unless the operator allows the host. The relay loop itself is the generic one.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import type { CloudEvent, OutboxRecord } from '../../activities/events/cloud-event.js';
import { scanEvent } from '../../activities/events/make-event.js';
import { PartialDelivery, relay } from '../../activities/events/relay.js';
import { staticTenantSettings } from '../../activities/events/tenant-settings.js';
import { checkWebhookUrl, webhookDeliver, WebhookRefusedError } from '../../activities/events/webhook-sink.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import type { Store } from '../../activities/store/store.js';
import { startEventRelays, webhookSinkName } from '../../workers/event-relays.js';

const SECRET = randomBytes(32).toString('hex');
const event = (tenant: string, n: number) =>
  scanEvent(tenant, `scan-${n}`, 'dev.vigil.stage.started.v1', { scanId: `scan-${n}`, stage: 'snapshot' }, { key: 'snapshot' });

interface Received {
  id: string;
  body: string;
  timestamp: string;
  signature: string;
  type: string;
}

/** A webhook receiver that records what it accepted; `failNext` answers 503 to that many requests first. */
async function receiver() {
  const accepted: Received[] = [];
  let failNext = 0;
  let requests = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end('down');
        return;
      }
      accepted.push({
        id: String(req.headers['x-vigil-event-id']),
        body: Buffer.concat(chunks).toString('utf8'),
        timestamp: String(req.headers['x-vigil-timestamp']),
        signature: String(req.headers['x-vigil-signature']),
        type: String(req.headers['content-type']),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/vigil`,
    accepted,
    fail(n: number) {
      failNext = n;
    },
    requests: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until(pred: () => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a receiver does: recompute the HMAC over "timestamp.body" and compare. */
function verify(r: Received, secret: string): boolean {
  const expected = `sha256=${createHmac('sha256', secret).update(`${r.timestamp}.${r.body}`).digest('hex')}`;
  return expected === r.signature;
}

describe('webhooks', () => {
  let store: Store;
  let rx: Awaited<ReturnType<typeof receiver>>;
  const env = { VIGIL_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' };
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-webhooks-'));
    store = openSqliteStore(join(dir, 'vigil.db'), { crypto: createStoreCrypto(keyringFromKeys([randomBytes(32)])) });
    rx = await receiver();
  });
  after(async () => {
    await rx.close();
    await store.close();
  });

  test('signed, in order, once each; retried with backoff while the receiver fails; the cursor survives a restart', async () => {
    const settings = staticTenantSettings({ tenants: { acme: { webhooks: [{ id: 'siem', url: rx.url, secret: SECRET }] } } });
    const first = [1, 2, 3].map((n) => event('acme', n));
    await store.appendEvents([...first, event('globex', 9)]);
    rx.fail(3); // the receiver is down for the first three requests
    const errors: string[] = [];
    let relays = startEventRelays({ outbox: store, settings, env, relay: { pollMs: 20, backoff: { initialMs: 20, maxMs: 100 } }, log: (l) => errors.push(l) });
    await until(() => rx.accepted.length >= 3, 'the first three events');
    assert.deepEqual(rx.accepted.map((r) => r.id), first.map((e) => e.id), 'in order, each once, only the tenant\'s');
    assert.ok(errors.length >= 3 && errors.every((l) => /answered 503/.test(l) && /retrying in \d+ ms/.test(l)), errors.join('\n'));
    assert.ok(!errors.join('\n').includes(SECRET) && !errors.join('\n').includes('/hooks/vigil'), 'logs name the host, never the secret or path');
    for (const r of rx.accepted) {
      assert.ok(verify(r, SECRET), 'the signature verifies');
      assert.ok(!verify(r, 'x'.repeat(32)), 'and only with the secret');
      assert.ok(Math.abs(Number(r.timestamp) - Date.now() / 1000) < 60, 'a current timestamp');
      assert.match(r.type, /^application\/cloudevents\+json/);
      assert.deepEqual(JSON.parse(r.body), first.find((e) => e.id === r.id));
    }
    // A tampered body fails verification.
    assert.ok(!verify({ ...rx.accepted[0]!, body: rx.accepted[0]!.body.replace('snapshot', 'reasoning') }, SECRET));

    // Restart (a worker restart): the cursor is in the store, so only new events go out.
    await relays.stop();
    const cursor = await store.getSinkCursor(webhookSinkName({ tenant: 'acme', id: 'siem' }));
    assert.equal(cursor, (await store.readEvents({ tenant: 'acme', limit: 10 }))[2]!.seq);
    const later = [4, 5].map((n) => event('acme', n));
    await store.appendEvents(later);
    relays = startEventRelays({ outbox: store, settings, env, relay: { pollMs: 20 }, log: () => {} });
    await until(() => rx.accepted.length >= 5, 'the two later events');
    await new Promise((r) => setTimeout(r, 200));
    await relays.stop();
    assert.deepEqual(rx.accepted.map((r) => r.id), [...first, ...later].map((e) => e.id), 'nothing delivered twice, nothing lost');
  });

  test('the SSRF guard refuses private, loopback, link-local and metadata addresses', async () => {
    for (const url of [
      'http://10.0.0.7/hook',
      'http://192.168.1.1/hook',
      'http://127.0.0.1:9/hook',
      'http://[::1]/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://metadata.google.internal/',
      'http://localhost/hook',
    ]) {
      await assert.rejects(checkWebhookUrl(url, {}), (err: Error) => err instanceof WebhookRefusedError && /refused/.test(err.message), url);
    }
    await assert.rejects(checkWebhookUrl('ftp://example.com/x', {}), WebhookRefusedError);
    await assert.rejects(checkWebhookUrl('https://user:pw@example.com/x', {}), /credentials/);
    // The operator's allow-list lets a listed host through, and only it.
    assert.equal((await checkWebhookUrl('http://127.0.0.1:9/hook', { VIGIL_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' })).host, '127.0.0.1');
    await assert.rejects(checkWebhookUrl('http://10.0.0.7/hook', { VIGIL_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' }), WebhookRefusedError);
  });

  test('a webhook to a private address delivers nothing: its relay keeps the events and logs the refusal', async () => {
    const before = rx.requests();
    await store.appendEvents([event('initech', 1)]);
    // The receiver really listens on loopback; without the allow-list the guard must stop the request.
    const settings = staticTenantSettings({ tenants: { initech: { webhooks: [{ id: 'inner', url: rx.url, secret: SECRET }] } } });
    const logs: string[] = [];
    const relays = startEventRelays({ outbox: store, settings, env: {}, relay: { pollMs: 20, backoff: { initialMs: 20, maxMs: 50 } }, log: (l) => logs.push(l) });
    await until(() => logs.length >= 2, 'the refusal to be logged');
    await relays.stop();
    assert.equal(rx.requests(), before, 'no request reached the private address');
    assert.match(logs[0]!, /refused: 127\.0\.0\.1 is a loopback address/);
    assert.equal(await store.getSinkCursor('webhook:initech:inner'), 0, 'nothing counted as delivered');
  });

  test('relay: partial delivery keeps its progress; an outbox failure is retried; stop() ends it', async () => {
    const seen: number[] = [];
    let calls = 0;
    const stop = new AbortController();
    const running = relay(
      store,
      { name: 'test:partial', tenant: 'acme' },
      async (records: OutboxRecord[]) => {
        calls++;
        if (calls === 1) {
          seen.push(records[0]!.seq);
          throw new PartialDelivery(records[0]!.seq, new Error('second one failed'));
        }
        seen.push(...records.map((r) => r.seq));
      },
      { signal: stop.signal, pollMs: 10, backoff: { initialMs: 5, maxMs: 10 } },
    );
    const all = (await store.readEvents({ tenant: 'acme', limit: 100 })).map((r) => r.seq);
    await until(() => seen.length >= all.length, 'every event');
    stop.abort();
    await running;
    assert.deepEqual(seen, all, 'the first event is not sent again after the partial delivery');
    assert.equal(await store.getSinkCursor('test:partial'), all[all.length - 1]);
  });

  test('a non-2xx answer is an error that names the host only, and the event is delivered on the next try', async () => {
    rx.fail(1);
    const deliver = webhookDeliver({ url: rx.url, secret: SECRET }, { env });
    const rec: OutboxRecord = { seq: 1, event: event('acme', 77) as CloudEvent };
    await assert.rejects(deliver([rec]), (err: Error) => /127\.0\.0\.1:\d+ answered 503/.test(err.message) && !err.message.includes('/hooks/vigil'));
    await deliver([rec]);
    assert.equal(rx.accepted[rx.accepted.length - 1]!.id, rec.event.id);
  });
});
