// The worker process's event relays: one relay per configured webhook (tenants file), each with its own
// cursor (`webhook:<tenant>:<id>`), reconciled with the file as it changes. Other sinks (Kafka) are started
// beside them through `extra`, with the same relay loop (activities/events/relay.ts).
import type { EventOutbox } from '../activities/events/cloud-event.js';
import { relay, type Deliver, type RelayOptions, type RelaySink } from '../activities/events/relay.js';
import type { TenantSettings, WebhookConfig } from '../activities/events/tenant-settings.js';
import { webhookDeliver } from '../activities/events/webhook-sink.js';

export interface EventRelaysOptions {
  outbox: EventOutbox;
  settings: Pick<TenantSettings, 'webhooks'>;
  env?: NodeJS.ProcessEnv;
  /** How often the webhook list is re-read (default 5 s). */
  reconcileMs?: number;
  relay?: Omit<RelayOptions, 'signal' | 'onError'>;
  /** Sinks beyond webhooks, run until stop(). */
  extra?: { sink: RelaySink; deliver: Deliver }[];
  log?: (line: string) => void;
}

export interface EventRelays {
  /** The sinks relaying now (their cursor names). */
  running(): string[];
  stop(): Promise<void>;
}

export function webhookSinkName(hook: Pick<WebhookConfig, 'tenant' | 'id'>): string {
  return `webhook:${hook.tenant}:${hook.id}`;
}

export function startEventRelays(opts: EventRelaysOptions): EventRelays {
  const log = opts.log ?? ((line: string) => console.error(line));
  const live = new Map<string, { fingerprint: string; stop: AbortController; done: Promise<void> }>();

  const start = (name: string, fingerprint: string, sink: RelaySink, deliver: Deliver) => {
    const stop = new AbortController();
    const done = relay(opts.outbox, sink, deliver, {
      ...opts.relay,
      signal: stop.signal,
      // The error says which sink and why (never the secret or the full URL); retries go on with backoff.
      onError: (err, attempt, delayMs) => log(`vigil events: ${name}: ${(err as Error).message ?? String(err)} (attempt ${attempt}, retrying in ${delayMs} ms)`),
    });
    live.set(name, { fingerprint, stop, done });
  };

  const reconcile = () => {
    let hooks: WebhookConfig[];
    try {
      hooks = opts.settings.webhooks();
    } catch (err) {
      log(`vigil events: tenants file not read: ${(err as Error).message}`);
      return;
    }
    const wanted = new Map(hooks.map((h) => [webhookSinkName(h), h]));
    for (const [name, r] of live) {
      const h = wanted.get(name);
      if (name.startsWith('webhook:') && (!h || JSON.stringify(h) !== r.fingerprint)) {
        r.stop.abort();
        live.delete(name);
      }
    }
    for (const [name, h] of wanted) {
      if (live.has(name)) continue;
      start(name, JSON.stringify(h), { name, tenant: h.tenant, types: h.types }, webhookDeliver(h, { env: opts.env }));
    }
  };

  for (const e of opts.extra ?? []) start(e.sink.name, '', e.sink, e.deliver);
  reconcile();
  const timer = setInterval(reconcile, opts.reconcileMs ?? 5_000);
  timer.unref();

  return {
    running: () => [...live.keys()],
    async stop() {
      clearInterval(timer);
      const all = [...live.values()];
      live.clear();
      for (const r of all) r.stop.abort();
      await Promise.all(all.map((r) => r.done));
    },
  };
}
