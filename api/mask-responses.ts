// Every /v1 response leaves through the one secrets masking (activities/secrets/mask.ts): findings, their
// trace snippets and patch diffs, scans, reports, history and error messages alike. Routes need not
// remember it; the stored data (which apply uses) is not touched.
import type { MiddlewareHandler } from 'hono';
import { maskDeep, maskText } from '../activities/secrets/mask.js';

export function maskResponses(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (!res.body) return;
    const type = res.headers.get('content-type') ?? '';
    // A stream (Server-Sent Events) is never buffered: the events router masks each message as it sends it.
    if (/^text\/event-stream/i.test(type)) return;
    const json = /[/+]json\b/i.test(type);
    if (!json && !/^text\//i.test(type)) return;
    const text = await res.text();
    let body = text;
    if (json) {
      try {
        body = JSON.stringify(maskDeep(JSON.parse(text)));
      } catch {
        body = maskText(text); // not JSON after all: mask it as text
      }
    } else body = maskText(text);
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    // Unset first: Hono merges the old response's headers (its content-length among them) into a new one.
    c.res = undefined;
    c.res = new Response(body, { status: res.status, statusText: res.statusText, headers });
  };
}
