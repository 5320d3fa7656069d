// One error shape for every failure the API returns: {error: snake_code, message: what went wrong and what
// to do}. Expected failures throw ApiError; anything else becomes a logged 500 that reveals nothing.
import type { ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { Logger } from './env.js';
import { redactSecrets } from './auth/tokens.js';
import { isTemporalUnavailable } from './temporal-health.js';

export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
  }

  override getResponse(): Response {
    const body: ErrorBody = { error: this.code, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    return Response.json(body, { status: this.status, headers: this.headers });
  }
}

export function apiError(
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: unknown,
): ApiError {
  return new ApiError(status, code, message, details);
}

/** "body.source.path: expected string" lines, short enough to read in a terminal. */
export function summariseIssues(issues: readonly z.core.$ZodIssue[], target: string): string {
  return issues
    .slice(0, 10)
    .map((i) => `${[target, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}

const TARGET_NAMES: Record<string, string> = { json: 'body', query: 'query', param: 'path' };

/** The zod validator's single hook: every invalid input becomes the same 400. */
export function validationHook(
  result: { success: true } | { success: false; error: z.core.$ZodError },
  target: string,
): void {
  if (result.success) return;
  const where = TARGET_NAMES[target] ?? target;
  throw new ApiError(
    400,
    'invalid_request',
    `The request ${where} is invalid: ${summariseIssues(result.error.issues, where)}. Fix these fields and retry; GET /openapi.json describes every route.`,
    { issues: result.error.issues.map((i) => ({ path: [where, ...i.path.map(String)], message: i.message })) },
  );
}

// Framework-raised HTTPExceptions (e.g. from middleware we did not write) still get our shape.
const CODES_BY_STATUS: Record<number, [string, string]> = {
  400: ['bad_request', 'Check the request against GET /openapi.json.'],
  401: ['unauthorized', 'Send an API key as "Authorization: Bearer <key>".'],
  403: ['forbidden', 'Use a key with the needed role.'],
  404: ['not_found', 'Check the URL against GET /openapi.json.'],
  405: ['method_not_allowed', 'Check the method against GET /openapi.json.'],
  413: ['payload_too_large', 'Send a smaller request body.'],
  415: ['unsupported_media_type', 'Send JSON with "Content-Type: application/json".'],
};

/** Seconds a client should wait before retrying while a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

/** 503 temporal_unavailable: the one answer for every request that needs Temporal while it is down. */
export function temporalUnavailable(): ApiError {
  return new ApiError(
    503,
    'temporal_unavailable',
    `The Temporal server cannot be reached (or did not answer in time); check that it is running and reachable from the API, then retry in ${RETRY_AFTER_SECONDS} s. GET /healthz shows which dependency is down.`,
    undefined,
    { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  );
}

/** onTemporalDown hears of every request that found Temporal unreachable, so later ones can fail at once. */
export function createErrorHandler(logger: Logger, onTemporalDown: () => void = () => {}): ErrorHandler {
  return (err, c) => {
    if (err instanceof ApiError) return err.getResponse();
    if (err instanceof HTTPException && err.status < 500) {
      const [code, hint] = CODES_BY_STATUS[err.status] ?? ['request_failed', 'Check the request.'];
      const body: ErrorBody = { error: code, message: `${err.message || code}. ${hint}` };
      return c.json(body, err.status);
    }
    if (isTemporalUnavailable(err)) {
      onTemporalDown();
      logger.error('api.temporal_unavailable', { method: c.req.method, path: c.req.path });
      return temporalUnavailable().getResponse();
    }
    // Log method, path and the error only: never headers (they carry the bearer key) nor bodies.
    logger.error('api.unhandled_error', {
      method: c.req.method,
      path: c.req.path,
      error: redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err)),
    });
    const body: ErrorBody = {
      error: 'internal_error',
      message: 'The server failed to handle this request; it has been logged. Retry later, or ask an operator to check the API logs.',
    };
    return c.json(body, 500);
  };
}

export interface KnownRoute {
  method: string;
  /** Hono syntax (/v1/scans/:id). */
  path: string;
}

/** Matches a Hono route path with :params against a concrete path (a param is one non-empty segment). */
function routeMatcher(path: string): RegExp {
  const pattern = path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}/?$`);
}

/**
 * 404 for paths no route serves; 405 with an Allow header for a known path asked with a method it does
 * not support (HEAD is allowed wherever GET is: Hono answers it from the GET route).
 */
export function createNotFoundHandler(routes: readonly KnownRoute[]): NotFoundHandler {
  const known = routes.map((r) => ({ method: r.method.toUpperCase(), match: routeMatcher(r.path) }));
  return (c) => {
    const allowed = new Set(known.filter((r) => r.match.test(c.req.path)).map((r) => r.method));
    if (allowed.size > 0 && !allowed.has(c.req.method)) {
      if (allowed.has('GET')) allowed.add('HEAD');
      const allow = [...allowed].sort().join(', ');
      const body: ErrorBody = {
        error: 'method_not_allowed',
        message: `${c.req.method} is not supported on ${c.req.path}; use ${allow}. GET /openapi.json lists every route.`,
      };
      return c.json(body, 405, { Allow: allow });
    }
    const body: ErrorBody = {
      error: 'not_found',
      message: `No route for ${c.req.method} ${c.req.path}. GET /openapi.json lists every route.`,
    };
    return c.json(body, 404);
  };
}
