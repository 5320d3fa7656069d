// The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. ROUTE_DOCS is
// checked against the app's real routes by a test, so an undocumented route fails CI.
import { z } from 'zod';
import type { Role } from '../workflows/definitions.js';
import {
  createScanBodySchema,
  decisionBodySchema,
  decisionResultSchema,
  errorResponseSchema,
  findingParamsSchema,
  findingsQuerySchema,
  findingsResponseSchema,
  healthSchema,
  historyResponseSchema,
  bulkDecisionBodySchema,
  bulkDecisionResultSchema,
  listScansQuerySchema,
  principalResponseSchema,
  reportQuerySchema,
  scanAcceptedSchema,
  scanDetailSchema,
  scanEstimateSchema,
  scanListSchema,
  scanParamsSchema,
} from './routes/schemas.js';
import { eventsPageSchema, eventsQuerySchema, eventsStreamQuerySchema } from './routes/event-schemas.js';
import { guidanceParamsSchema, guidancePassageSchema } from './routes/schemas.js';
import { openScansConflictSchema, tenantDeletionBodySchema, tenantDeletionResultSchema } from './routes/tenant-schemas.js';

interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Default application/json; several when the client chooses (e.g. a report's format). */
  contentTypes?: string[];
  headers?: Record<string, HeaderDoc>;
}

interface HeaderDoc {
  description: string;
  required: boolean;
}

export interface RouteDoc {
  method: 'get' | 'post';
  /** Hono syntax (/v1/scans/:id). */
  path: string;
  summary: string;
  /** undefined: public; 'any': any valid key. */
  role?: Role | 'any';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number | `${number}XX`, ResponseDoc>;
}

const anyJson = z.unknown();

export const ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'Health of the API and of what it depends on (Temporal, the store).',
    responses: {
      200: { description: 'The API and every dependency answer.', schema: healthSchema },
      503: {
        description: 'A dependency is down; its entry says which and what to check.',
        schema: healthSchema,
        headers: { 'Retry-After': { description: 'Seconds to wait before asking again.', required: true } },
      },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document.',
    responses: { 200: { description: 'OpenAPI 3.1 document.', schema: anyJson } },
  },
  {
    method: 'get',
    path: '/v1/me',
    summary: "Who the API key is: its name, tenant and roles (the dashboard shows approve controls only to approvers).",
    role: 'any',
    responses: { 200: { description: 'The caller.', schema: principalResponseSchema } },
  },
  {
    method: 'post',
    path: '/v1/scans',
    summary: "Start a scan of a local directory or a git URL (joins the running scan of the same revision).",
    role: 'scanner',
    body: createScanBodySchema,
    responses: {
      201: { description: 'Scan started.', schema: scanAcceptedSchema },
      200: {
        description:
          'The same repository and revision is already being scanned; its scan is returned. With "estimate": true: the estimate ' +
          '(planned passes, tokens low/expected/high, cost range per model, the assumptions), after the threat-model pass; no research runs.',
        schema: z.union([scanAcceptedSchema, scanEstimateSchema]),
      },
      400: {
        description:
          'Invalid input (invalid_request: e.g. a negative or non-numeric claude.maxCostUsd, or "estimate" without "engine": "claude"; malformed_json, ' +
          'invalid_source, disallowed_source, credentials_in_url), or a git host that does not resolve (git_host_unresolvable).',
        schema: errorResponseSchema,
      },
      403: {
        description:
          'The key lacks the scanner role (forbidden); the git host is, or resolves to, a loopback, private, link-local, metadata or ' +
          'reserved address (git_host_refused); or the path (or file-protocol git URL) is not under a directory this ' +
          "key may scan (path_not_allowed): path sources need the server's VIGIL_SCAN_ROOTS and are narrowed by the key's " +
          '"roots" in the keys file; the data directory, /proc, /sys and /dev are never scanned. The message says how to allow a path.',
        schema: errorResponseSchema,
      },
      409: { description: 'A workflow Vigil did not start holds this scan\'s id (workflow_id_conflict).', schema: errorResponseSchema },
      422: {
        description: 'An estimate could not be made: no worker offers the Claude engine (engine_not_configured), or its threat-model pass failed (estimate_failed).',
        schema: errorResponseSchema,
      },
      503: {
        description: 'Temporal is unavailable, or no estimate arrived in time (estimate_timeout: no worker picked it up).',
        schema: errorResponseSchema,
        headers: { 'Retry-After': { description: 'Seconds to wait before asking again.', required: true } },
      },
      '4XX': { description: 'Any other refused source or request, in the error shape.', schema: errorResponseSchema },
    },
  },
  {
    method: 'get',
    path: '/v1/scans',
    summary: "List the tenant's scans (from Temporal visibility, eventually consistent).",
    role: 'any',
    query: listScansQuerySchema,
    responses: { 200: { description: 'Scans, newest first.', schema: scanListSchema } },
  },
  {
    method: 'get',
    path: '/v1/scans/:id',
    summary: "A scan's execution status, stage, counts and finding states.",
    role: 'any',
    params: scanParamsSchema,
    responses: { 200: { description: 'The scan.', schema: scanDetailSchema } },
  },
  {
    method: 'get',
    path: '/v1/scans/:id/findings',
    summary: "A scan's findings with their current decisions.",
    role: 'any',
    params: scanParamsSchema,
    query: findingsQuerySchema,
    responses: {
      200: {
        description:
          'Findings. Secrets in any text (titles, explanations, trace snippets, patch diffs and their context lines) are ' +
          'masked as `abcd…(N chars)`, so a diff shown here does not apply as is; approving a finding applies the stored, unmasked patch.',
        schema: findingsResponseSchema,
      },
      409: { description: 'The scan has not been scored yet (not_ready).', schema: errorResponseSchema },
    },
  },
  {
    method: 'post',
    path: '/v1/scans/:id/findings/:findingId/decision',
    summary: 'Approve or reject a finding (a repeated identical decision is a no-op).',
    role: 'approver',
    params: findingParamsSchema,
    body: decisionBodySchema,
    responses: {
      200: { description: 'The decision as recorded; changed is false for a repeat.', schema: decisionResultSchema },
      403: {
        description:
          "The key lacks the approver role (forbidden), or an approval would write a branch into a repository outside the key's " +
          'roots (path_not_allowed); nothing is recorded.',
        schema: errorResponseSchema,
      },
      409: {
        description: 'already_decided (details.existing), not_awaiting_decisions or scan_not_running.',
        schema: errorResponseSchema,
      },
      503: {
        description: 'No worker took the decision in time (worker_unavailable), or Temporal cannot be reached (temporal_unavailable).',
        schema: errorResponseSchema,
        headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true } },
      },
    },
  },
  {
    method: 'post',
    path: '/v1/scans/:id/decisions',
    summary:
      'Approve or reject many findings at once, by ids or by a filter (rule, CWE, path prefix, severities; combined). ' +
      'Findings already decided the other way are listed as conflicts and keep their decision; dryRun only counts.',
    role: 'approver',
    params: scanParamsSchema,
    body: bulkDecisionBodySchema,
    responses: {
      200: { description: 'What the decision changed (or would change, on a dry run).', schema: bulkDecisionResultSchema },
      403: {
        description:
          "The key lacks the approver role (forbidden), or an approval would write a branch into a repository outside the key's " +
          'roots (path_not_allowed); nothing is recorded.',
        schema: errorResponseSchema,
      },
      404: { description: "Unknown scan, another tenant's, or finding ids the scan does not have (not_found, details.unknownIds).", schema: errorResponseSchema },
      409: { description: 'not_ready, not_awaiting_decisions or scan_not_running.', schema: errorResponseSchema },
      422: { description: 'The ids or filter select no finding of the scan (no_match).', schema: errorResponseSchema },
      503: {
        description: 'No worker took the decision in time (worker_unavailable), or Temporal cannot be reached (temporal_unavailable).',
        schema: errorResponseSchema,
        headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true } },
      },
    },
  },
  {
    method: 'get',
    path: '/v1/scans/:id/history',
    summary: "The scan workflow's Temporal event history.",
    role: 'operator',
    params: scanParamsSchema,
    responses: { 200: { description: 'Events, oldest first.', schema: historyResponseSchema } },
  },
  {
    method: 'get',
    path: '/v1/scans/:id/report',
    summary: "The scan's final report, as Vigil JSON, SARIF 2.1.0 (application/sarif+json) or Markdown (text/markdown).",
    role: 'any',
    params: scanParamsSchema,
    query: reportQuerySchema,
    responses: {
      200: {
        description: 'The report, with secrets masked in every text (a masked patch diff does not apply as is).',
        schema: anyJson,
        contentTypes: ['application/json', 'application/sarif+json', 'text/markdown'],
      },
      409: { description: 'The report has not been written yet (not_ready).', schema: errorResponseSchema },
    },
  },
  {
    method: 'get',
    path: '/v1/events',
    summary:
      "The tenant's scan events (CloudEvents 1.0, JSON), oldest first, paged by cursor: scan requested/started/completed/failed, " +
      'stage started/completed/failed, finding created, decision recorded, patch applied. No code or secrets are in any event.',
    role: 'any',
    query: eventsQuerySchema,
    responses: {
      200: { description: 'A page of events and the cursor to continue from.', schema: eventsPageSchema },
      400: {
        description: 'A cursor this API did not return (invalid_cursor), an unknown event type (invalid_event_type), or another bad parameter (invalid_request).',
        schema: errorResponseSchema,
      },
    },
  },
  {
    method: 'get',
    path: '/v1/events/stream',
    summary:
      "The tenant's scan events as Server-Sent Events: `id:` is the event's cursor (reconnect with Last-Event-ID to resume after it), " +
      '`data:` the CloudEvent; a comment line every 15 s while idle. The stream ends after a few minutes (EventSource reconnects).',
    role: 'any',
    query: eventsStreamQuerySchema,
    responses: {
      200: { description: 'The event stream.', schema: z.string(), contentTypes: ['text/event-stream'] },
      400: {
        description: 'A bad cursor in `after` or Last-Event-ID (invalid_cursor), an unknown event type (invalid_event_type), or another bad parameter.',
        schema: errorResponseSchema,
      },
      406: { description: 'The request does not accept text/event-stream (not_acceptable).', schema: errorResponseSchema },
    },
  },
  {
    method: 'get',
    path: '/v1/guidance/:id',
    summary: "A passage of Vigil's security guidance (a finding's guidance.id), as Markdown. The same for every tenant.",
    role: 'any',
    params: guidanceParamsSchema,
    responses: {
      200: { description: 'The passage: its document, heading path and Markdown.', schema: guidancePassageSchema },
      404: { description: 'No passage has this id (not_found).', schema: errorResponseSchema },
    },
  },
  {
    method: 'post',
    path: '/v1/tenant/delete',
    summary:
      "Delete all of the caller's tenant's data: scans, snapshots, code, findings, artefacts, decisions, remembered decision vectors, its " +
      'events in the outbox and its workflow runs in Temporal; then record a dev.vigil.tenant.deleted.v1 event (counts only). Irreversible. ' +
      "The tenant's API keys are kept (they are in the keys file). Repeating it is harmless.",
    role: 'admin',
    body: tenantDeletionBodySchema,
    responses: {
      200: { description: 'Deleted; the counts of what was (a repeated deletion counts zeros).', schema: tenantDeletionResultSchema },
      400: {
        description:
          'No "confirm" (confirmation_required), "confirm" is not this key\'s tenant (confirmation_mismatch), malformed JSON or an unknown field.',
        schema: errorResponseSchema,
      },
      403: { description: "The key lacks the admin role (forbidden); no key has it unless an operator lists it in the key's roles.", schema: errorResponseSchema },
      409: {
        description: 'Scans of the tenant are still running or awaiting decisions (scans_open, listed in details.scans); nothing was deleted. Send "cancelRunning": true to cancel them first.',
        schema: openScansConflictSchema,
      },
      415: { description: 'The body is not JSON (unsupported_media_type).', schema: errorResponseSchema },
      503: {
        description: 'Temporal is unavailable, or cancelled scans did not close in time (scans_did_not_close); nothing of the store was deleted, retry.',
        schema: errorResponseSchema,
        headers: { 'Retry-After': { description: 'Seconds to wait before asking again.', required: true } },
      },
    },
  },
];

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, ...fieldSchema } = jsonSchema(field as z.ZodType, 'input');
    return {
      name,
      in: where,
      required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: fieldSchema,
    };
  });
}

const errorRef = { $ref: '#/components/schemas/Error' };
const retryAfter: Record<string, HeaderDoc> = { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true } };
const wwwAuthenticate: Record<string, HeaderDoc> = { 'WWW-Authenticate': { description: 'Bearer realm="vigil".', required: true } };

function responseDoc(doc: ResponseDoc) {
  const schema = doc.schema === errorResponseSchema ? errorRef : doc.schema ? jsonSchema(doc.schema, 'output') : undefined;
  return {
    description: doc.description,
    ...(doc.headers
      ? { headers: Object.fromEntries(Object.entries(doc.headers).map(([name, h]) => [name, { ...h, schema: { type: 'string' } }])) }
      : {}),
    ...(schema ? { content: Object.fromEntries((doc.contentTypes ?? ['application/json']).map((type) => [type, { schema }])) } : {}),
  };
}

function operation(route: RouteDoc) {
  const responses: Record<string, unknown> = {};
  for (const [status, doc] of Object.entries(route.responses)) responses[status] = responseDoc(doc);
  // The failures every route of its kind can have, in the one error shape.
  const common: Record<string, Omit<ResponseDoc, 'schema'>> = {};
  if (route.params || route.query || route.body) {
    common[400] = { description: 'Invalid input (invalid_request, malformed_json, invalid_source, disallowed_source, ...).' };
  }
  if (route.role) common[401] = { description: 'Missing or unknown API key (unauthorized).', headers: wwwAuthenticate };
  if (route.role && route.role !== 'any') {
    common[403] = { description: `The key may not do this: it lacks the ${route.role} role (forbidden), or what it asks for is outside what its tenant may reach.` };
  }
  if (route.params) common[404] = { description: "Unknown scan or finding, or another tenant's (not_found)." };
  if (route.body) {
    common[413] = { description: 'Body over the size limit (payload_too_large).' };
    common[415] = { description: 'Body is not JSON (unsupported_media_type).' };
  }
  common[500] = { description: 'Unexpected failure, logged server-side (internal_error).' };
  if (route.path.startsWith('/v1/scans')) {
    common[503] = { description: 'Temporal cannot be reached or did not answer in time (temporal_unavailable).', headers: retryAfter };
  }
  for (const [status, doc] of Object.entries(common)) responses[status] ??= responseDoc({ ...doc, schema: errorResponseSchema });

  return {
    operationId: `${route.method}${route.path.replace(/\/:?([a-zA-Z]+)/g, (_, w: string) => w[0].toUpperCase() + w.slice(1)).replace(/[^A-Za-z0-9]/g, '')}`,
    summary: route.summary,
    ...(route.role ? { 'x-vigil-role': route.role } : { security: [] }),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
      : {}),
    responses,
  };
}

/** Hono's /v1/scans/:id as OpenAPI's /v1/scans/{id}. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTE_DOCS) {
    (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route);
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Vigil API',
      version: '1',
      description:
        'Start security scans, follow them, and decide on their findings. Every /v1 route takes an API key ' +
        '("Authorization: Bearer vgl_..."), bound to one tenant and a set of roles (scanner, approver, operator). ' +
        'Secrets found in any response text are masked (first characters and length).',
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Vigil API key (vgl_...).' } },
      schemas: { Error: jsonSchema(errorResponseSchema, 'output') },
    },
    security: [{ apiKey: [] }],
    paths,
  };
  return cached;
}
