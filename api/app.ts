// The HTTP API as a Hono app built from its dependencies, so tests call app.request() with a real
// Temporal client and store and no port. One router per resource, one error shape, auth on /v1.
import type { Client } from '@temporalio/client';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { loadGuidanceLibrary, type GuidanceLibrary } from '../activities/retrieval/guidance-docs.js';
import { NO_PATHS, type PathPolicy } from '../activities/scan-roots.js';
import type { Store } from '../activities/store/store.js';
import type { DecisionVectorStore } from '../activities/retrieval/vector-store.js';
import { authenticate } from './auth/middleware.js';
import type { KeyRegistry } from './auth/registry.js';
import { consoleLogger, DEFAULT_API_CONFIG, type ApiConfig, type AppEnv, type Logger, type Services } from './env.js';
import { ApiError, createErrorHandler, createNotFoundHandler, temporalUnavailable } from './http-errors.js';
import { maskResponses } from './mask-responses.js';
import { ROUTE_DOCS } from './openapi.js';
import { codecRouter, type CodecRouterDeps } from './routes/codec.js';
import { dashboardAssets, principalRouter } from './routes/dashboard.js';
import { findingsRouter } from './routes/findings.js';
import { guidanceRouter } from './routes/guidance.js';
import { historyRouter } from './routes/history.js';
import { eventsRouter, type EventsRouterOptions } from './routes/events.js';
import { metaRouter } from './routes/meta.js';
import { reportsRouter } from './routes/reports.js';
import { scansRouter } from './routes/scans.js';
import { tenantRouter } from './routes/tenant.js';
import { createTemporalHealth, type TemporalHealth } from './temporal-health.js';

export interface AppDeps {
  /** A client bound to the namespace scans run in. */
  temporal: Client;
  store: Store;
  keys: KeyRegistry;
  config?: Partial<ApiConfig>;
  logger?: Logger;
  /** The Temporal payload codec, served at /codec for operators (Web UI and `temporal --codec-endpoint`). */
  codec?: CodecRouterDeps['codec'];
  /** Browser origins allowed to call /codec (the Temporal Web UI's). */
  codecCorsOrigins?: string[];
  /**
   * Local directories path sources may name (VIGIL_SCAN_ROOTS) and what is never scanned (the data
   * directory). Omitted: path sources are refused with 403.
   */
  paths?: PathPolicy;
  /** Temporal's health as the API sees it; defaults to one probing the client's connection. */
  temporalHealth?: TemporalHealth;
  /** The decision memory's vector store, so deleting a tenant's data deletes its vectors too. */
  vectors?: DecisionVectorStore;
  /** The event stream's timings, and the signal that ends open streams when the server shuts down. */
  events?: EventsRouterOptions;
  /** The security guidance served at /v1/guidance/:id; default: the repository's, read on first request. */
  guidance?: GuidanceLibrary;
}

export function createApp(deps: AppDeps): AppType {
  const services: Services = {
    temporal: deps.temporal,
    store: deps.store,
    keys: deps.keys,
    config: { ...DEFAULT_API_CONFIG, ...deps.config },
    logger: deps.logger ?? consoleLogger,
    paths: deps.paths ?? NO_PATHS,
    temporalHealth: deps.temporalHealth ?? createTemporalHealth(deps.temporal.connection),
    guidance: memoised(() => deps.guidance ?? loadGuidanceLibrary()),
    ...(deps.vectors ? { vectors: deps.vectors } : {}),
  };
  const health = services.temporalHealth;
  const app = new Hono<AppEnv>();
  app.onError(createErrorHandler(services.logger, () => health.markDown()));
  app.notFound(createNotFoundHandler(ROUTE_DOCS));

  // The codec endpoint has its own CORS, auth (operator role) and a larger body limit: mount it first.
  if (deps.codec) {
    app.route('/codec', codecRouter({ codec: deps.codec, keys: deps.keys, corsOrigins: deps.codecCorsOrigins ?? [] }));
  }
  // Secrets in any response text are masked (outermost, so error bodies are masked too).
  app.use('/v1/*', maskResponses());
  // Authenticate before reading any body, so anonymous callers cannot make us buffer one.
  app.use('/v1/*', authenticate(services.keys));
  const maxKiB = Math.round(services.config.maxBodyBytes / 1024);
  app.use(
    '*',
    bodyLimit({
      maxSize: services.config.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `The request body is over ${maxKiB} KiB; send a smaller body.`);
      },
    }),
  );

  // While Temporal is known to be down, scan routes answer 503 at once (a probe at most once a second
  // decides when it is back) instead of each waiting out its own deadline.
  const temporalGuard: MiddlewareHandler<AppEnv> = async (_c, next) => {
    if (!health.knownUp() && !(await health.check()).ok) throw temporalUnavailable();
    await next();
  };
  app.use('/v1/scans', temporalGuard);
  app.use('/v1/scans/*', temporalGuard);

  return mountRoutes(app, services, deps.events);
}

/**
 * The routes, chained so their types add up: AppType (below) is every route with its inputs and JSON
 * answers, which the CLI's remote mode calls through Hono's typed client. The order is the mounting order.
 */
function mountRoutes(app: Hono<AppEnv>, services: Services, events?: EventsRouterOptions) {
  const dashboard = dashboardAssets();
  return app
    .route('/', metaRouter(services))
    .use('/dashboard', dashboard)
    .use('/dashboard/*', dashboard)
    .route('/v1/me', principalRouter())
    .route('/v1/scans', scansRouter(services))
    .route('/v1/scans', findingsRouter(services))
    .route('/v1/scans', historyRouter(services))
    .route('/v1/scans', reportsRouter(services))
    .route('/v1/events', eventsRouter(services, events))
    .route('/v1/guidance', guidanceRouter(services.guidance))
    .route('/v1/tenant', tenantRouter(services));
}

/** A value computed on first use (a failure is not kept: the next call tries again). */
function memoised<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

/** The API's routes as types, for `hc<AppType>(url)` (hono/client). Import it with `import type` only. */
export type AppType = ReturnType<typeof mountRoutes>;
