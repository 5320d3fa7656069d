// Webhooks: each event POSTed as a CloudEvent (structured mode) to the tenant's URL, signed so the receiver
// can check it came from Vigil and is fresh:
//   X-Vigil-Timestamp: <unix seconds>
//   X-Vigil-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the webhook's secret>
//   X-Vigil-Event-Id:  <event id> (receivers dedupe on it: delivery is at-least-once)
// The URL gets the SSRF guard git sources get: its host must be, and resolve to, public addresses only
// (VIGIL_WEBHOOK_ALLOW_HOSTS lists exceptions), and the request is pinned to the address that was checked,
// so a DNS answer that changes between the check and the connection (rebinding) cannot redirect it.
// Redirects are not followed; any answer but 2xx is a failure, retried by the relay with backoff.
import { createHmac } from 'node:crypto';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkGitHost } from '../git/host-guard.js';
import type { OutboxRecord } from './cloud-event.js';
import { PartialDelivery, type Deliver } from './relay.js';
import type { WebhookConfig } from './tenant-settings.js';

export const WEBHOOK_ALLOW_HOSTS_ENV = 'VIGIL_WEBHOOK_ALLOW_HOSTS';
/** A webhook URL the SSRF guard refuses (or that is malformed): delivery to it is not attempted. */
export class WebhookRefusedError extends Error {
  readonly type = 'WebhookRefusedError';
  constructor(message: string) {
    super(message);
    this.name = 'WebhookRefusedError';
  }
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What the URL may connect to: throws WebhookRefusedError for a private, loopback, link-local or metadata host. */
export async function checkWebhookUrl(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ host: string; port: number; address?: string; tls: boolean }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookRefusedError('A webhook URL is not a valid URL; fix it in the tenants file.');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new WebhookRefusedError(`A webhook URL must be http or https, not ${parsed.protocol.replace(':', '')}.`);
  }
  if (parsed.username || parsed.password) {
    throw new WebhookRefusedError('A webhook URL must not carry credentials; the signature authenticates Vigil.');
  }
  const protocol = parsed.protocol.slice(0, -1);
  try {
    // The git guard, with the webhook allow-list: same address ranges, same DNS check.
    const checked = await checkGitHost(url, protocol, { env: { VIGIL_GIT_ALLOW_HOSTS: env[WEBHOOK_ALLOW_HOSTS_ENV] ?? '' } });
    return { host: checked!.host, port: checked!.port ?? (protocol === 'https' ? 443 : 80), address: checked!.address, tls: protocol === 'https' };
  } catch (err) {
    const type = (err as { type?: string }).type;
    const why = (err as Error).message.replace(/^git URL "[^"]*" is refused: /, '').replace(/\. Vigil clones.*$/s, '');
    throw new WebhookRefusedError(
      type === 'GitUnreachableError'
        ? `Webhook host ${safeOrigin(parsed)} does not resolve; check the URL in the tenants file.`
        : `Webhook URL ${safeOrigin(parsed)} is refused: ${why}. Webhooks go to public addresses only; an operator can allow a host with ${WEBHOOK_ALLOW_HOSTS_ENV}.`,
    );
  }
}

function safeOrigin(u: URL): string {
  return `${u.protocol}//${u.host}`;
}

export interface WebhookDeliverOptions {
  env?: NodeJS.ProcessEnv;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

/** A Deliver for the relay: one signed POST per event, in order; stops at the first failure (the relay retries from there). */
export function webhookDeliver(hook: Pick<WebhookConfig, 'url' | 'secret'>, opts: WebhookDeliverOptions = {}): Deliver {
  return async (records: OutboxRecord[]) => {
    // Checked once per batch: a host whose DNS now points inside is refused before anything is sent.
    const target = await checkWebhookUrl(hook.url, opts.env);
    let delivered: number | undefined;
    for (const r of records) {
      try {
        await post(hook, target, r, opts.timeoutMs ?? 10_000);
      } catch (err) {
        if (delivered === undefined) throw err;
        throw new PartialDelivery(delivered, err);
      }
      delivered = r.seq;
    }
  };
}

function post(
  hook: Pick<WebhookConfig, 'url' | 'secret'>,
  target: { address?: string; tls: boolean },
  record: OutboxRecord,
  timeoutMs: number,
): Promise<void> {
  const body = JSON.stringify(record.event);
  const timestamp = Math.floor(Date.now() / 1000);
  const url = new URL(hook.url);
  // Pinned: the connection goes to the address the guard checked, whatever DNS says now.
  const lookup: LookupFunction | undefined = target.address
    ? (_host, options, cb) => {
        const family = target.address!.includes(':') ? 6 : 4;
        if ((options as { all?: boolean }).all) (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: target.address!, family }]);
        else cb(null, target.address!, family);
      }
    : undefined;
  const options: RequestOptions = {
    method: 'POST',
    headers: {
      'content-type': 'application/cloudevents+json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'user-agent': 'vigil-webhooks/1',
      'x-vigil-timestamp': String(timestamp),
      'x-vigil-signature': signWebhook(hook.secret, timestamp, body),
      'x-vigil-event-id': record.event.id,
    },
    timeout: timeoutMs,
    ...(lookup ? { lookup } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (target.tls ? httpsRequest : httpRequest)(url, options, (res) => {
      res.resume(); // the answer's body is not read: only its status counts
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`Webhook ${url.protocol}//${url.host} answered ${status} to event ${record.event.id}; it will be retried.`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`Webhook ${url.protocol}//${url.host} did not answer within ${timeoutMs} ms; it will be retried.`)));
    req.on('error', reject);
    req.end(body);
  });
}
