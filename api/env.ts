// What every router and middleware shares: the Hono env type, the services a router receives, the API's
// settings and its logger. Its own module so routers depend on it, not on the app that mounts them.
import type { Client } from '@temporalio/client';
import type { GuidanceLibrary } from '../activities/retrieval/guidance-docs.js';
import type { PathPolicy } from '../activities/scan-roots.js';
import type { Store } from '../activities/store/store.js';
import type { DecisionVectorStore } from '../activities/retrieval/vector-store.js';
import { maskDeep } from '../activities/secrets/mask.js';
import { TASK_QUEUE } from '../workflows/definitions.js';
import type { KeyRegistry, Principal } from './auth/registry.js';
import type { TemporalHealth } from './temporal-health.js';

export interface Logger {
  error(event: string, fields: Record<string, unknown>): void;
}

/** One JSON line per event on stderr. Callers pass fields that are safe to log (never keys or bodies); secrets are masked anyway. */
export const consoleLogger: Logger = {
  error: (event, fields) => console.error(JSON.stringify(maskDeep({ level: 'error', time: new Date().toISOString(), event, ...fields }))),
};

export interface ApiConfig {
  /** Where scan workflows are started; workers must poll the same queue. */
  taskQueue: string;
  /** How long a status query may wait for a worker before the API answers from stored data. */
  queryTimeoutMs: number;
  /** How long a decision may wait for the workflow to accept and complete it. */
  updateTimeoutMs: number;
  maxBodyBytes: number;
  /** Base URL of the Temporal Web UI (e.g. http://localhost:8233); scans then link to their workflow. */
  temporalUiUrl?: string;
  /** The git settings scan requests are checked against (GIT_ALLOW_PROTOCOL, VIGIL_GIT_ALLOW_HOSTS); default process.env. */
  gitEnv?: NodeJS.ProcessEnv;
}

export const DEFAULT_API_CONFIG: ApiConfig = {
  taskQueue: TASK_QUEUE,
  queryTimeoutMs: 3_000,
  updateTimeoutMs: 15_000,
  maxBodyBytes: 64 * 1024,
};

/** What routers receive: the dependencies with defaults filled in. */
export interface Services {
  temporal: Client;
  store: Store;
  keys: KeyRegistry;
  config: ApiConfig;
  logger: Logger;
  paths: PathPolicy;
  temporalHealth: TemporalHealth;
  /** Vigil's security guidance (the same for every tenant), read on first use. */
  guidance: () => GuidanceLibrary;
  /** The decision memory's vectors, deleted with the tenant's data. */
  vectors?: DecisionVectorStore;
}

export type AppEnv = { Variables: { principal: Principal } };
