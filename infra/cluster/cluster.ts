// A Temporal cluster (not the dev server) on PostgreSQL, on loopback ports, for tests and for a person trying
// Vigil's scale-out set-up: PostgreSQL 15 (infra/postgres.ts), Temporal's schemas set up with its own SQL
// tool, and the frontend, history, matching and worker services as four separate server processes.
//
//   node --import tsx infra/cluster/cluster.ts start <dir>   prints TEMPORAL_ADDRESS and VIGIL_DATABASE_URL; keeps running
//   node --import tsx infra/cluster/cluster.ts stop <dir>
//
// Layout of <dir> (keep it out of the repository): postgres/ (the database cluster, see infra/postgres.ts),
// config/cluster.yaml and dynamicconfig.yaml (the server's), logs/<service>.log, cluster.json (ports and pids;
// no secrets). The server binaries are built once with Go into the cache (server-binaries.ts).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import pg from 'pg';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/definitions.js';
import { isPidAlive } from '../data-dir.js';
import { ensureSearchAttributes, freePorts, isPortFree } from '../dev-server.js';
import { startPostgres, stopPostgres, type PostgresServer } from '../postgres.js';
import { setupTemporalSchemas } from './schema.js';
import { ensureTemporalServerBinaries } from './server-binaries.js';
import { DB_PASSWORD_ENV, renderDynamicConfig, renderServerConfig, type ClusterPorts } from './server-config.js';
import { TEMPORAL_SERVICES, logTail, spawnService, stopProcess, type ServiceProcess, type TemporalServiceName } from './services.js';

const HOST = '127.0.0.1';
const CONFIG_ENV = 'cluster';
const DATABASES = { persistence: 'temporal', visibility: 'temporal_visibility' };
const NAMESPACE = 'default';
const RETENTION = '3 days';
const HISTORY_SHARDS = 4;
const STATE_FILE = 'cluster.json';

export interface StartClusterOptions {
  /** Where everything lives (created; reused, with its data, when it holds a stopped cluster). */
  dir: string;
  /** Run on after this process exits (the CLI); stop with stopCluster(dir). Else stopped when this process dies. */
  detached?: boolean;
  log?: (line: string) => void;
  /** How long the services get to answer (default 180 s: the first start creates the shards). */
  readyTimeoutMs?: number;
}

/** Milliseconds each step of start-up took. */
export interface ClusterStartTimings {
  binaries: number;
  postgres: number;
  schema: number;
  /** Spawning the four services until the frontend answers and the namespace is registered. */
  services: number;
  /** Until a workflow can be started (history and matching have joined). */
  ready: number;
  total: number;
}

export interface TemporalCluster {
  dir: string;
  /** host:port of the frontend: what TEMPORAL_ADDRESS names. */
  address: string;
  namespace: string;
  postgres: PostgresServer;
  /** The `vigil` database on the same PostgreSQL, for VIGIL_STORE=postgres (holds the password: never log it). */
  databaseUrl: string;
  services: ServiceProcess[];
  timings: ClusterStartTimings;
  /** Stops PostgreSQL (fast shutdown) and starts it again on the same port; the services reconnect by themselves. */
  restartPostgres(): Promise<void>;
  /** Stops the services (SIGTERM, then SIGKILL after 15 s) and PostgreSQL. Idempotent. */
  stop(): Promise<void>;
}

interface ClusterState {
  address: string;
  namespace: string;
  ports: ClusterPorts;
  services: { name: TemporalServiceName; pid: number }[];
  postgresPort: number;
  startedAt: string;
}

const postgresDir = (dir: string) => path.join(dir, 'postgres');

export async function startCluster(opts: StartClusterOptions): Promise<TemporalCluster> {
  const log = opts.log ?? (() => {});
  const dir = path.resolve(opts.dir);
  // As root, PostgreSQL runs as another user that has to pass through <dir> to reach postgres/.
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  const running = readState(dir)?.services.filter((s) => isPidAlive(s.pid)) ?? [];
  if (running.length) {
    throw new Error(`A cluster is already running in ${dir} (pids ${running.map((s) => s.pid).join(', ')}). Stop it first: node --import tsx infra/cluster/cluster.ts stop ${dir}`);
  }
  const t0 = Date.now();
  const lap = (() => {
    let last = t0;
    return () => {
      const now = Date.now();
      const ms = now - last;
      last = now;
      return ms;
    };
  })();

  const bins = await ensureTemporalServerBinaries({ log });
  const binaries = lap();
  let postgres = await startPostgres({ dir: postgresDir(dir), detached: opts.detached, log: opts.detached ? undefined : () => {} });
  const pgTime = lap();
  const services: ServiceProcess[] = [];
  const stopAll = async () => {
    await Promise.all(services.map((s) => stopProcess(s.pid)));
    await postgres.stop();
  };
  try {
    await setupTemporalSchemas({
      sqlTool: bins.sqlTool,
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      password: postgres.password,
      databases: DATABASES,
      log,
    });
    const schema = lap();

    const [frontend, history, matching, worker, http] = await freePorts(HOST, 5);
    const [fm, hm, mm, wm] = await freeMembershipPorts(HOST, 4);
    const ports: ClusterPorts = {
      grpc: { frontend: frontend!, history: history!, matching: matching!, worker: worker! },
      membership: { frontend: fm!, history: hm!, matching: mm!, worker: wm! },
      frontendHttp: http!,
    };
    const configDir = path.join(dir, 'config');
    fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
    const dynamicConfigFile = path.join(dir, 'dynamicconfig.yaml');
    fs.writeFileSync(dynamicConfigFile, renderDynamicConfig(), { mode: 0o600 });
    fs.writeFileSync(
      path.join(configDir, `${CONFIG_ENV}.yaml`),
      renderServerConfig({
        host: HOST,
        postgres: { host: postgres.host, port: postgres.port, user: postgres.user },
        databases: DATABASES,
        ports,
        dynamicConfigFile,
        historyShards: HISTORY_SHARDS,
      }),
      { mode: 0o600 },
    );
    const address = `${HOST}:${ports.grpc.frontend}`;
    const env = { ...process.env, [DB_PASSWORD_ENV]: postgres.password };
    const spawnOne = (name: TemporalServiceName) => spawnService({ bin: bins.server, name, root: dir, configEnv: CONFIG_ENV, env, detached: opts.detached ?? false });
    // Every service writes the cluster's metadata record when it finds none, and on a fresh database all but
    // one of them would fail on the duplicate key: the frontend writes it first, the others start after.
    services.push(await spawnOne('frontend'));
    await waitFor(Date.now() + (opts.readyTimeoutMs ?? 180_000), services, 'the cluster metadata record', () => hasClusterMetadata(postgres));
    for (const name of TEMPORAL_SERVICES.filter((n) => n !== 'frontend')) services.push(await spawnOne(name));
    writeState(dir, {
      address,
      namespace: NAMESPACE,
      ports,
      services: services.map(({ name, pid }) => ({ name, pid })),
      postgresPort: postgres.port,
      startedAt: new Date().toISOString(),
    });
    log(`Temporal services started (${services.map((s) => `${s.name} pid ${s.pid}`).join(', ')}); frontend on ${address}.`);

    const deadline = t0 + binaries + (opts.readyTimeoutMs ?? 180_000);
    const connection = await waitFor(deadline, services, 'the frontend to answer', async () => {
      const { Connection } = await import('@temporalio/client');
      const c = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await c.workflowService.getSystemInfo({});
        return c;
      } catch (err) {
        await c.close();
        throw err;
      }
    });
    try {
      await waitFor(deadline, services, `namespace ${NAMESPACE}`, () => registerNamespace(connection, NAMESPACE));
      await ensureSearchAttributes(connection, NAMESPACE, SEARCH_ATTRIBUTE_TYPES, { timeoutMs: 30_000 });
      const servicesTime = lap();
      await waitFor(deadline, services, 'history and matching to accept a workflow', () => probeWorkflow(connection, NAMESPACE));
      const ready = lap();
      const timings: ClusterStartTimings = { binaries, postgres: pgTime, schema, services: servicesTime, ready, total: Date.now() - t0 };
      log(`Temporal cluster ready on ${address} in ${(timings.total / 1000).toFixed(1)} s (${describeTimings(timings)}).`);

      let stopping: Promise<void> | undefined;
      return {
        dir,
        address,
        namespace: NAMESPACE,
        get postgres() {
          return postgres;
        },
        databaseUrl: postgres.url,
        services,
        timings,
        async restartPostgres() {
          const port = postgres.port;
          await postgres.stop();
          postgres = await startPostgres({ dir: postgresDir(dir), port, detached: opts.detached, log: () => {} });
        },
        stop: () =>
          (stopping ??= (async () => {
            await stopAll();
            fs.rmSync(path.join(dir, STATE_FILE), { force: true });
          })()),
      };
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Stops the cluster in `dir` started by anyone (its cluster.json and PostgreSQL's postmaster.pid). */
export async function stopCluster(dir: string): Promise<boolean> {
  const abs = path.resolve(dir);
  const state = readState(abs);
  const stopped = state ? await Promise.all(state.services.map((s) => stopProcess(s.pid))) : [];
  const pg = await stopPostgres(postgresDir(abs));
  fs.rmSync(path.join(abs, STATE_FILE), { force: true });
  return stopped.some(Boolean) || pg;
}

export function describeTimings(t: ClusterStartTimings): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return `binaries ${s(t.binaries)}, PostgreSQL ${s(t.postgres)}, schemas ${s(t.schema)}, services and namespace ${s(t.services)}, history/matching ready ${s(t.ready)}`;
}

/** Retries `attempt` until it succeeds, the deadline passes, or a service exits (then its log says why). */
async function waitFor<T>(deadline: number, services: ServiceProcess[], what: string, attempt: () => Promise<T>): Promise<T> {
  let delay = 200;
  let lastError: unknown;
  for (;;) {
    const dead = services.find((s) => !isPidAlive(s.pid));
    if (dead) throw new Error(`The Temporal ${dead.name} service (pid ${dead.pid}) exited while waiting for ${what}. Its log (${dead.logFile}) ends:\n${logTail(dead.logFile)}`);
    try {
      return await attempt();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for ${what} on the Temporal cluster: ${(lastError as Error)?.message ?? lastError}. ` +
          `The services' logs are in ${path.dirname(services[0]!.logFile)}.`,
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 1_000);
  }
}

async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) });
  } catch (err) {
    if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS: registered by an earlier start */) throw err;
  }
  await connection.workflowService.describeNamespace({ namespace });
}

async function hasClusterMetadata(postgres: PostgresServer): Promise<void> {
  const url = new URL(postgres.url);
  url.pathname = `/${DATABASES.persistence}`;
  const client = new pg.Client({ connectionString: url.toString() });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM cluster_metadata_info LIMIT 1');
    if (!rowCount) throw new Error('no cluster metadata record yet');
  } finally {
    await client.end().catch(() => {});
  }
}

/** Starts and terminates a workflow nobody serves: it passes only once history and matching have joined. */
async function probeWorkflow(connection: Connection, namespace: string): Promise<void> {
  const workflowId = `vigil-cluster-probe-${randomUUID()}`;
  await connection.workflowService.startWorkflowExecution({
    namespace,
    workflowId,
    workflowType: { name: 'vigil-cluster-probe' },
    taskQueue: { name: 'vigil-cluster-probe' },
    requestId: randomUUID(),
    identity: 'infra/cluster',
  });
  await connection.workflowService.terminateWorkflowExecution({
    namespace,
    workflowExecution: { workflowId },
    reason: 'readiness probe',
    identity: 'infra/cluster',
  });
}

/**
 * Free ports below 32768 for membership: the cluster_membership table keeps the port in a smallint, so the
 * kernel's ephemeral ports (32768 and up on Linux) fail the service at start.
 */
async function freeMembershipPorts(host: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let tries = 0; out.length < count; tries++) {
    if (tries > 500) throw new Error(`Found no ${count} free ports between 20000 and 32767 on ${host} for Temporal's membership.`);
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (!out.includes(port) && (await isPortFree(port, host))) out.push(port);
  }
  return out;
}

function readState(dir: string): ClusterState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

function writeState(dir: string, state: ClusterState): void {
  fs.writeFileSync(path.join(dir, STATE_FILE), JSON.stringify(state, null, 2), { mode: 0o600 });
}

async function cli(argv: string[]): Promise<number> {
  const [command, dir] = argv;
  if (!dir || (command !== 'start' && command !== 'stop')) {
    process.stderr.write('Usage: node --import tsx infra/cluster/cluster.ts start|stop <dir>\n');
    return 2;
  }
  const log = (line: string) => process.stderr.write(`[cluster] ${line}\n`);
  if (command === 'stop') {
    log((await stopCluster(dir)) ? `Stopped the cluster in ${path.resolve(dir)}.` : `No cluster was running in ${path.resolve(dir)}.`);
    return 0;
  }
  const cluster = await startCluster({ dir, detached: true, log });
  // What Vigil's processes need (the URL holds the throwaway database's password, as infra/postgres.ts prints it).
  process.stdout.write(`TEMPORAL_ADDRESS=${cluster.address}\nTEMPORAL_NAMESPACE=${cluster.namespace}\nVIGIL_STORE=postgres\nVIGIL_DATABASE_URL=${cluster.databaseUrl}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
