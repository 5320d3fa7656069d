// The codec endpoint (Temporal's remote codec protocol), so operators can read encrypted workflow
// history: `temporal workflow show --codec-endpoint <api>/codec --codec-auth "Bearer <operator key>"`, and
// the Web UI via `--ui-codec-endpoint <api>/codec/ui/<token>` (decode only; the UI cannot send headers).
//   POST /codec/encode | /codec/decode   {"payloads":[{"metadata":{"k":"<base64>"},"data":"<base64>"}]}
import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AppEnv } from '../env.js';
import { authenticate, requireRole } from '../auth/middleware.js';
import type { KeyRegistry } from '../auth/registry.js';
import { ApiError } from '../http-errors.js';

export interface CodecRouterDeps {
  codec: PayloadCodec & { uiToken?: string };
  keys: KeyRegistry;
  /** Browser origins allowed to call the endpoint (the Temporal Web UI's). */
  corsOrigins: string[];
  maxBodyBytes?: number;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/=_-]*$/, 'base64');
const bodySchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })),
});

type JsonPayload = z.infer<typeof bodySchema>['payloads'][number];

function fromJson(p: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = new Uint8Array(Buffer.from(v, 'base64'));
  return { metadata, data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')) };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

export function codecRouter(deps: CodecRouterDeps) {
  const app = new Hono<AppEnv>();
  app.use(
    '*',
    cors({
      origin: (origin) => (deps.corsOrigins.includes(origin) ? origin : null),
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Namespace'],
      credentials: true,
      maxAge: 600,
    }),
  );
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? 8 * 1024 * 1024,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', 'The codec request is too large; decode fewer payloads at once.');
      },
    }),
  );

  const run = (op: 'encode' | 'decode') => async (c: { req: { json(): Promise<unknown> }; json(v: unknown): Response }) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError(400, 'invalid_request', 'The body must be JSON: {"payloads":[{"metadata":{...},"data":"<base64>"}]}.');
    }
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError(400, 'invalid_request', `The body must be {"payloads":[{"metadata":{...},"data":"<base64>"}]}: ${parsed.error.issues[0]?.message}.`);
    }
    let out: Payload[];
    try {
      out = await deps.codec[op](parsed.data.payloads.map(fromJson));
    } catch (err) {
      throw new ApiError(400, 'codec_failed', `Could not ${op} the payloads: ${(err as Error).message}`);
    }
    return c.json({ payloads: out.map(toJson) });
  };

  const operator = [authenticate(deps.keys), requireRole('operator')] as const;
  app.post('/encode', ...operator, run('encode'));
  app.post('/decode', ...operator, run('decode'));
  // The Web UI form: decode only, authorised by the token in the path.
  app.post('/ui/:token/decode', async (c, next) => {
    const want = deps.codec.uiToken;
    const got = Buffer.from(c.req.param('token'));
    if (!want || got.length !== want.length || !timingSafeEqual(got, Buffer.from(want))) {
      throw new ApiError(401, 'unauthorized', 'The codec token in the URL is not recognised; use the endpoint `vigil serve` printed.');
    }
    await next();
  }, run('decode'));
  return app;
}
