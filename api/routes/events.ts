// /v1/events: the tenant's scan events from the outbox, paged by cursor (the outbox seq), and /v1/events/stream,
// the same as Server-Sent Events: `id:` is the cursor, so a client reconnecting with Last-Event-ID resumes
// exactly after the last event it got; a comment line every few seconds keeps proxies from closing an idle stream.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { isEventType } from '../../activities/events/types.js';
import { maskDeep } from '../../activities/secrets/mask.js';
import type { AppEnv, Services } from '../env.js';
import { ApiError } from '../http-errors.js';
import { eventsQuerySchema, eventsStreamQuerySchema } from './event-schemas.js';
import { validate } from './validate.js';

export interface EventsRouterOptions {
  /** How often a stream looks for new events (default 500 ms). */
  pollMs?: number;
  /** Heartbeat comment interval (default 15 s). */
  heartbeatMs?: number;
  /** A stream ends after this long (default 5 min); clients reconnect with Last-Event-ID and lose nothing. */
  maxStreamMs?: number;
  /** Ends every open stream (server shutdown). */
  shutdown?: AbortSignal;
}

const PAGE = 100;

/** A cursor is the decimal outbox position; anything else is a 400 naming the problem. */
export function parseCursor(raw: string | undefined, where: string): number {
  if (raw === undefined || raw === '') return 0;
  if (!/^\d{1,15}$/.test(raw)) {
    throw new ApiError(400, 'invalid_cursor', `${where} must be a cursor this API returned (a decimal number); start again without it.`);
  }
  return Number(raw);
}

export function parseTypes(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const list = [...new Set(raw.split(',').map((t) => t.trim()).filter(Boolean))];
  const unknown = list.filter((t) => !isEventType(t));
  if (unknown.length) {
    throw new ApiError(400, 'invalid_event_type', `Unknown event type ${JSON.stringify(unknown[0])}; the types are listed in the API document (GET /openapi.json).`, { unknown });
  }
  return list;
}

export function eventsRouter(s: Services, opts: EventsRouterOptions = {}) {
  const pollMs = opts.pollMs ?? 500;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxStreamMs = opts.maxStreamMs ?? 5 * 60_000;
  return new Hono<AppEnv>()
    .get('/', validate('query', eventsQuerySchema), async (c) => {
      const q = c.req.valid('query');
      const after = parseCursor(q.after, 'after');
      const records = await s.store.readEvents({ tenant: c.get('principal').tenant, after, limit: q.limit, types: parseTypes(q.type) });
      return c.json({
        events: records.map((r) => ({ cursor: String(r.seq), event: r.event })),
        next: String(records.length ? records[records.length - 1]!.seq : after),
      });
    })
    .get('/stream', validate('query', eventsStreamQuerySchema), async (c) => {
      const q = c.req.valid('query');
      const lastEventId = c.req.header('last-event-id');
      const after = lastEventId !== undefined ? parseCursor(lastEventId, 'Last-Event-ID') : parseCursor(q.after, 'after');
      const types = parseTypes(q.type);
      const accept = c.req.header('accept') ?? '';
      if (!/text\/event-stream/i.test(accept)) {
        throw new ApiError(406, 'not_acceptable', 'This is a Server-Sent Events stream: send "Accept: text/event-stream" (EventSource does), or page with GET /v1/events.');
      }
      const tenant = c.get('principal').tenant;
      return streamSSE(c, async (stream) => {
        let cursor = after;
        let open = true;
        const ended = new AbortController();
        const end = () => {
          open = false;
          ended.abort();
        };
        stream.onAbort(end);
        opts.shutdown?.addEventListener('abort', end, { once: true });
        const deadline = setTimeout(end, maxStreamMs);
        let lastWrite = Date.now();
        try {
          // Tell EventSource how soon to come back after the stream ends.
          await stream.writeSSE({ data: '', event: 'ready', id: String(cursor), retry: 1000 });
          while (open && !opts.shutdown?.aborted) {
            const records = await s.store.readEvents({ tenant, after: cursor, limit: PAGE, types });
            for (const r of records) {
              if (!open) break;
              // Streams bypass the response masking (it would buffer them): each message is masked here.
              await stream.writeSSE({ id: String(r.seq), data: JSON.stringify(maskDeep(r.event)) });
              cursor = r.seq;
              lastWrite = Date.now();
            }
            if (records.length === PAGE) continue;
            if (Date.now() - lastWrite >= heartbeatMs) {
              await stream.write(': heartbeat\n\n');
              lastWrite = Date.now();
            }
            await sleep(pollMs, ended.signal);
          }
        } finally {
          clearTimeout(deadline);
          opts.shutdown?.removeEventListener('abort', end);
        }
      });
    });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
