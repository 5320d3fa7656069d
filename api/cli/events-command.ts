// `vigil events [--follow] [--type T,T] [--format text|json] [--after CURSOR] [--limit N]`: the tenant's scan
// events. With a running API (VIGIL_API_URL or `vigil serve`) they come from GET /v1/events and, following,
// from the SSE stream (resumed with Last-Event-ID when it ends); without one, from the data directory's store
// (tenant VIGIL_TENANT, default `default`), polled while following. No Temporal server is needed either way.
import { parseArgs } from 'node:util';
import type { CloudEvent, OutboxRecord } from '../../activities/events/cloud-event.js';
import { EVENT_TYPES } from '../../activities/events/types.js';
import { vigilDataDir } from '../../infra/data-dir.js';
import { runningApi } from './choose-backend.js';
import { CliError } from './cli-error.js';

export const EVENTS_USAGE = 'vigil events [--follow] [--type TYPE,TYPE…] [--format text|json] [--after CURSOR] [--limit N]';

interface EventFeed {
  page(after: number, limit: number): Promise<OutboxRecord[]>;
  /** Every event after `after`, as they come, until `signal` aborts. */
  follow(after: number, signal: AbortSignal): AsyncIterable<OutboxRecord>;
  close(): Promise<void>;
}

export async function eventsCommand(args: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      follow: { type: 'boolean', short: 'f' },
      type: { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
      after: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  if (positionals.length) throw new CliError(`events takes no arguments.\nUsage: ${EVENTS_USAGE}`);
  if (values.format !== 'text' && values.format !== 'json') throw new CliError(`--format must be text or json (got ${values.format}).`);
  const types = (values.type ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  for (const t of types) {
    // Short names are accepted: finding.created means dev.vigil.finding.created.v1.
    if (!EVENT_TYPES.includes(qualify(t) as never)) throw new CliError(`Unknown event type "${t}"; the types are: ${EVENT_TYPES.join(', ')}.`);
  }
  const wanted = types.map(qualify);
  const after = values.after === undefined ? 0 : Number(values.after);
  if (!Number.isSafeInteger(after) || after < 0) throw new CliError(`--after must be a cursor vigil printed (a number), not "${values.after}".`);
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 1)) throw new CliError(`--limit must be a whole number of at least 1.`);

  const feed = await openFeed(wanted);
  const print = (r: OutboxRecord) => out(values.format === 'json' ? `${JSON.stringify(r.event)}\n` : `${formatEvent(r)}\n`);
  try {
    let cursor = after;
    let printed = 0;
    // What is already there, page by page.
    for (;;) {
      const page = await feed.page(cursor, Math.min(500, limit - printed));
      for (const r of page) print(r);
      printed += page.length;
      if (page.length) cursor = page[page.length - 1]!.seq;
      if (page.length === 0 || printed >= limit) break;
    }
    if (!values.follow || printed >= limit) return 0;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      for await (const r of feed.follow(cursor, stop.signal)) {
        print(r);
        if (++printed >= limit) break;
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return 0;
  } finally {
    await feed.close();
  }
}

function qualify(t: string): string {
  return t.startsWith('dev.vigil.') ? t : `dev.vigil.${t}.v1`;
}

/** One line: cursor, time, type (short), scan, and what happened. */
export function formatEvent(r: OutboxRecord): string {
  const e = r.event as CloudEvent<Record<string, unknown>>;
  const d = e.data;
  const short = e.type.replace(/^dev\.vigil\./, '').replace(/\.v\d+$/, '');
  const what =
    short === 'finding.created'
      ? `${d.severity} ${d.ruleId} (${d.cwe}) ${d.file}:${d.line} ${d.findingId}`
      : short === 'decision.recorded'
        ? `${d.decision} ${d.findingId} by ${d.actor}`
        : short.startsWith('stage.')
          ? `${d.stage}${d.counts ? ` ${Object.entries(d.counts as Record<string, number>).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}${d.errorType ? ` ${d.errorType}` : ''}`
          : short === 'patch.applied'
            ? `${d.applied} applied${d.branch ? ` on ${d.branch}` : ''}${d.commit ? ` (${String(d.commit).slice(0, 12)})` : ''}`
            : short === 'scan.completed'
              ? `${d.findings} findings, ${d.approved} approved, ${d.rejected} rejected`
              : short === 'scan.failed'
                ? `in ${d.stage}: ${d.errorType}`
                : '';
  return `${r.seq}\t${e.time}\t${short}\t${e.subject}${what ? `\t${what}` : ''}`;
}

async function openFeed(types: string[]): Promise<EventFeed> {
  const dataDir = vigilDataDir();
  const api = await runningApi(dataDir);
  return api ? remoteFeed(api.url, api.key, types) : localFeed(dataDir, types);
}

async function localFeed(dataDir: string, types: string[]): Promise<EventFeed> {
  const { openConfiguredStore } = await import('../../activities/store/open-store.js');
  const store = openConfiguredStore(dataDir);
  const tenant = process.env.VIGIL_TENANT ?? 'default';
  const read = (after: number, limit: number) => store.readEvents({ tenant, after, limit, types: types.length ? types : undefined });
  return {
    page: read,
    async *follow(after, signal) {
      let cursor = after;
      while (!signal.aborted) {
        const page = await read(cursor, 500);
        for (const r of page) yield r;
        if (page.length) cursor = page[page.length - 1]!.seq;
        else await sleep(500, signal);
      }
    },
    close: () => store.close(),
  };
}

function remoteFeed(baseUrl: string, key: string, types: string[]): EventFeed {
  const typeParam = types.length ? `&type=${encodeURIComponent(types.join(','))}` : '';
  return {
    async page(after, limit) {
      const res = await fetch(new URL(`/v1/events?after=${after}&limit=${limit}${typeParam}`, baseUrl), { headers: { authorization: `Bearer ${key}` } });
      const body = (await res.json().catch(() => ({}))) as { events?: { cursor: string; event: CloudEvent }[]; message?: string };
      if (!res.ok) throw new CliError(`GET /v1/events failed (${res.status}): ${body.message ?? 'no message'}`);
      return (body.events ?? []).map((e) => ({ seq: Number(e.cursor), event: e.event }));
    },
    async *follow(after, signal) {
      let cursor = after;
      while (!signal.aborted) {
        let res: Response;
        try {
          res = await fetch(new URL(`/v1/events/stream?after=${cursor}${typeParam}`, baseUrl), {
            headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', 'last-event-id': String(cursor) },
            signal,
          });
        } catch (err) {
          if (signal.aborted) return;
          await sleep(1000, signal); // the server restarting: come back after the last event seen
          continue;
        }
        if (!res.ok || !res.body) throw new CliError(`GET /v1/events/stream failed (${res.status}): ${await res.text().catch(() => '')}`);
        try {
          for await (const m of sseMessages(res.body)) {
            if (m.event || m.id === undefined || !m.data) continue; // `ready` and comments
            const seq = Number(m.id);
            cursor = seq;
            yield { seq, event: JSON.parse(m.data) as CloudEvent };
          }
        } catch (err) {
          if (signal.aborted) return;
        }
        // The stream ended (its lifetime, or a restart): reconnect after the last event seen.
      }
    },
    async close() {},
  };
}

/** Server-Sent Events messages from a response body (id, event, data; comments skipped). */
export async function* sseMessages(body: ReadableStream<Uint8Array>): AsyncIterable<{ id?: string; event?: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const m: { id?: string; event?: string; data: string } = { data: '' };
      let any = false;
      for (const line of block.split(/\r?\n/)) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        any = true;
        if (field === 'id') m.id = value;
        else if (field === 'event') m.event = value;
        else if (field === 'data') m.data = m.data ? `${m.data}\n${value}` : value;
      }
      if (any) yield m;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
