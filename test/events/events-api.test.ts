// The read side: GET /v1/events (paged, tenant-scoped, typed 400s), the SSE stream (ids, Last-Event-ID resume,
// heartbeats, a clean end), and `vigil events` in local mode (the data directory's store) and remote mode (the
// API) — against a real API server, real Temporal client and a real SQLite store.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import type { CloudEvent } from '../../activities/events/cloud-event.js';
import { scanEvent } from '../../activities/events/make-event.js';
import { openConfiguredStore } from '../../activities/store/open-store.js';
import type { Store } from '../../activities/store/store.js';
import { createApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { loadKeyRegistry } from '../../api/auth/registry.js';
import { eventsCommand, sseMessages } from '../../api/cli/events-command.js';
import { eventsPageSchema } from '../../api/routes/event-schemas.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import { testTemporal } from '../helpers/temporal.js';

const stage = (tenant: string, scan: string, st: 'snapshot' | 'merkle_sync' | 'reasoning' | 'scoring') =>
  scanEvent(tenant, scan, 'dev.vigil.stage.started.v1', { scanId: scan, stage: st }, { key: st });
const started = (tenant: string, scan: string) => scanEvent(tenant, scan, 'dev.vigil.scan.started.v1', { scanId: scan, workflowId: 'w', runId: 'r' });

describe('events API, stream and CLI', () => {
  let dir: string;
  let store: Store;
  let server: ApiServer;
  const shutdown = new AbortController();
  const key = { acme: '', globex: '' };
  const saved = { ...process.env };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-events-api-'));
    // The data directory's own (encrypted) store, as `vigil serve` and the local CLI open it.
    process.env.VIGIL_DATA_DIR = dir;
    store = openConfiguredStore(dir, { VIGIL_DATA_DIR: dir });
    const keysFile = join(dir, 'api-keys.json');
    key.acme = (await createApiKey({ tenant: 'acme', roles: ['scanner'], name: 'acme-ci', keysFile })).key;
    key.globex = (await createApiKey({ tenant: 'globex', roles: ['operator'], name: 'globex', keysFile })).key;
    const t = await testTemporal();
    const app = createApp({
      temporal: new Client({ connection: t.connection, namespace: t.namespace }),
      store,
      keys: loadKeyRegistry({ keysFile, env: {} }),
      logger: { error: () => {} },
      events: { pollMs: 50, heartbeatMs: 200, maxStreamMs: 60_000, shutdown: shutdown.signal },
    });
    server = await startApiServer({ app, port: 0 });
    await store.appendEvents([started('acme', 's1'), stage('acme', 's1', 'snapshot'), started('globex', 'g1'), stage('acme', 's1', 'merkle_sync')]);
  });
  after(async () => {
    shutdown.abort();
    await server?.close();
    await store?.close();
    process.env = saved;
  });

  const get = async (path: string, k = key.acme, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${k}`, ...headers } });
    return { status: res.status, body: (await res.json()) as any };
  };

  test('GET /v1/events pages the tenant\'s events by cursor and filters by type', async () => {
    const all = await get('/v1/events');
    assert.equal(all.status, 200);
    eventsPageSchema.parse(all.body);
    assert.deepEqual(all.body.events.map((e: { event: CloudEvent }) => e.event.tenant), ['acme', 'acme', 'acme'], 'only the caller\'s tenant');
    assert.equal(all.body.next, all.body.events[2].cursor);
    const first = await get('/v1/events?limit=1');
    assert.equal(first.body.events.length, 1);
    const second = await get(`/v1/events?limit=2&after=${first.body.next}`);
    assert.deepEqual(second.body.events.map((e: { event: CloudEvent }) => e.event.id), all.body.events.slice(1).map((e: { event: CloudEvent }) => e.event.id));
    const empty = await get(`/v1/events?after=${all.body.next}`);
    assert.deepEqual(empty.body, { events: [], next: all.body.next }, 'an empty page keeps the cursor');
    const typed = await get('/v1/events?type=dev.vigil.stage.started.v1');
    assert.deepEqual(typed.body.events.map((e: { event: { data: { stage: string } } }) => e.event.data.stage), ['snapshot', 'merkle_sync']);
    const globex = await get('/v1/events', key.globex);
    assert.deepEqual(globex.body.events.map((e: { event: CloudEvent }) => e.event.subject), ['g1']);
  });

  test('bad cursors and types are typed 400s; no key is a 401', async () => {
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const r = await get(`/v1/events?after=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400, bad);
      assert.ok(['invalid_cursor', 'invalid_request'].includes(r.body.error), `${bad}: ${r.body.error}`);
    }
    assert.equal((await get('/v1/events?after=abc')).body.error, 'invalid_cursor');
    const t = await get('/v1/events?type=dev.vigil.nope.v1');
    assert.deepEqual([t.status, t.body.error], [400, 'invalid_event_type']);
    assert.equal((await get('/v1/events?limit=0')).status, 400);
    assert.equal((await fetch(`${server.url}/v1/events`)).status, 401);
    const s = await get('/v1/events/stream', key.acme, { accept: 'text/event-stream', 'last-event-id': 'x' });
    assert.deepEqual([s.status, s.body.error], [400, 'invalid_cursor']);
    const n = await get('/v1/events/stream', key.acme, { accept: 'application/json' });
    assert.deepEqual([n.status, n.body.error], [406, 'not_acceptable']);
  });

  /** Opens the stream and collects its messages until `until` says stop. */
  async function stream(headers: Record<string, string>, until: (m: { id?: string; data: string }[]) => boolean) {
    const stop = new AbortController();
    const res = await fetch(`${server.url}/v1/events/stream`, {
      headers: { authorization: `Bearer ${key.acme}`, accept: 'text/event-stream', ...headers },
      signal: stop.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const got: { id?: string; event?: string; data: string }[] = [];
    try {
      for await (const m of sseMessages(res.body!)) {
        if (m.event === 'ready') continue;
        got.push(m);
        if (until(got)) break;
      }
    } finally {
      stop.abort();
    }
    return { got };
  }

  test('the SSE stream sends events with their cursor as id, resumes after Last-Event-ID, and sends heartbeats', async () => {
    const { got } = await stream({}, (m) => m.length >= 3);
    const events = got.map((m) => JSON.parse(m.data) as CloudEvent);
    assert.deepEqual(events.map((e) => e.tenant), ['acme', 'acme', 'acme']);
    const page = await get('/v1/events');
    assert.deepEqual(got.map((m) => m.id), page.body.events.map((e: { cursor: string }) => e.cursor), 'id: is the cursor');

    // Resume after the first: the second and third, then a live event appended while the stream is open.
    const live = stage('acme', 's1', 'reasoning');
    setTimeout(() => void store.appendEvents([live]), 300);
    const resumed = await stream({ 'last-event-id': got[0]!.id! }, (m) => m.length >= 3);
    assert.deepEqual(
      resumed.got.map((m) => (JSON.parse(m.data) as CloudEvent).id),
      [events[1]!.id, events[2]!.id, live.id],
      'exactly what followed the last event seen, then what arrived live',
    );
  });

  test('an idle stream sends heartbeat comments and ends cleanly when the server shuts its streams', async () => {
    const last = (await get('/v1/events')).body.next as string;
    const res = await fetch(`${server.url}/v1/events/stream`, {
      headers: { authorization: `Bearer ${key.acme}`, accept: 'text/event-stream', 'last-event-id': last },
    });
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes(': heartbeat') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    assert.match(text, /^: heartbeat$/m, 'a comment line while idle');
    assert.doesNotMatch(text, /^data: \{/m, 'no event after the cursor');
    // Server shutdown: the stream ends (the read finishes) instead of holding the server open.
    shutdown.abort();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
  });

  test('vigil events: local mode reads the store, remote mode the API; --type and --format json', async () => {
    // Local: no API announced for the data directory.
    delete process.env.VIGIL_API_URL;
    process.env.VIGIL_TENANT = 'acme';
    const lines: string[] = [];
    assert.equal(await eventsCommand(['--format', 'json'], (t) => lines.push(t)), 0);
    const local = lines.join('').trim().split('\n').map((l) => JSON.parse(l) as CloudEvent);
    assert.ok(local.length >= 3 && local.every((e) => e.tenant === 'acme'));
    const text: string[] = [];
    await eventsCommand(['--type', 'stage.started'], (t) => text.push(t));
    assert.match(text.join(''), /^\d+\t\S+\tstage\.started\ts1\tsnapshot$/m);
    assert.ok(!text.join('').includes('scan.started'));

    // Remote: the same events through the API (a separate store handle on the same file proves nothing local is read).
    process.env.VIGIL_API_URL = server.url;
    process.env.VIGIL_API_KEY = key.acme;
    const remote: string[] = [];
    assert.equal(await eventsCommand(['--format', 'json', '--limit', '2'], (t) => remote.push(t)), 0);
    assert.deepEqual(remote.join('').trim().split('\n').map((l) => (JSON.parse(l) as CloudEvent).id), local.slice(0, 2).map((e) => e.id));
    await assert.rejects(eventsCommand(['--type', 'nope']), /Unknown event type/);
  });
});
