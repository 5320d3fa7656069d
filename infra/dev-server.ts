// Runs `temporal server start-dev` as a child process and makes sure Vigil's search attributes exist.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
// Types only: the client library loads after the server process is spawned (probeTemporal), so the server
// boots while this process loads it.
import type { Connection, ConnectionOptions } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
// Not re-exported from the package index; the SDK exports it for registering search attributes.
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/definitions.js';
import { withPrivateUmask, tightenSqliteFile } from './private-files.js';
import { ensureTemporalCli } from './temporal-cli.js';
import { mark } from './timings.js';
import { forwardLines } from './child-output.js';

export interface DevServerOptions {
  /** SQLite file for persistent state; omit for an in-memory server. */
  dbFile?: string;
  /** gRPC port; a free one when omitted. A port already in use is an error. */
  port?: number;
  /** Web UI port, or false for headless; a free one when omitted. */
  uiPort?: number | false;
  /** gRPC port to use when free (and `port` is omitted); otherwise, or on a clash, a free one. */
  preferredPort?: number;
  /** Web UI port to use when free (and `uiPort` is omitted); otherwise, or on a clash, a free one. */
  preferredUiPort?: number;
  /**
   * An extra namespace the server is started with, naming this DB file. The server counts as ready only
   * once the one answering on the port has it, so another server already listening there (say, another
   * data directory's) is never mistaken for ours: that would mix two data directories' scans.
   */
  identityNamespace?: string;
  namespace?: string;
  ip?: string;
  /** Receives every line the server prints. */
  log?: (line: string) => void;
  uiCodecEndpoint?: string;
  /** The `temporal` binary; resolved with ensureTemporalCli when omitted. */
  cliPath?: string;
  /** Defaults to Vigil's SEARCH_ATTRIBUTE_TYPES. */
  searchAttributes?: Record<string, string>;
  /** Called once the server process is spawned, before it answers: callers load what they need meanwhile. */
  onSpawned?: () => void;
  /** How long to wait for the server to answer (default 30 s). */
  readyTimeoutMs?: number;
  /** Temporal dynamic config values (`--dynamic-config-value name=value`); Temporal's defaults when omitted. */
  dynamicConfig?: Record<string, string | number | boolean>;
}

export interface DevServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DevServer {
  /** host:port of the gRPC frontend. */
  address: string;
  port: number;
  uiUrl?: string;
  namespace: string;
  pid: number;
  /** Absolute path of the SQLite file, undefined when in-memory. */
  dbFile?: string;
  /**
   * Settles when the server process has exited. A running server does not keep Node alive (its
   * watchdog stops it when Node exits), so only after stop()/kill() does awaiting this hold the loop.
   */
  exited: Promise<DevServerExit>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
  /** Sends a signal without waiting (tests use SIGKILL to simulate a crash); await `exited` after it. */
  kill(signal?: NodeJS.Signals): void;
}

const STOP_GRACE_MS = 10_000;
const OUTPUT_TAIL_LINES = 40;
const OUTPUT_HEAD_LINES = 8;

/** Starts a dev server and resolves once it answers gRPC and has Vigil's search attributes. */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cliPath = opts.cliPath ?? (await ensureTemporalCli({ log: opts.log }));
  // Free ports are found by binding port 0 and releasing it, so another process can grab one before
  // the server binds it; when we picked the ports ourselves, retry with fresh ones.
  // A preferred port is only tried first: once it clashed, free ones are used.
  const maxAttempts = 5;
  for (let attempt = 1; ; attempt++) {
    const ports = {
      port: opts.port ?? (attempt === 1 ? await freeOrUndefined(opts.preferredPort, opts.ip) : undefined),
      uiPort: opts.uiPort ?? (attempt === 1 ? await freeOrUndefined(opts.preferredUiPort, opts.ip) : undefined),
    };
    try {
      return await launch(cliPath, { ...opts, ...ports });
    } catch (err) {
      const choseFixedPorts = opts.port !== undefined || typeof opts.uiPort === 'number';
      if (!(err instanceof DevServerPortInUseError) || choseFixedPorts || attempt >= maxAttempts) throw err;
      opts.log?.(`Port clash while starting the Temporal dev server, retrying with other ports (${attempt}/${maxAttempts - 1}).`);
    }
  }
}

/** A port the server needed was taken (by any process) between choosing it and binding it. */
export class DevServerPortInUseError extends Error {}

async function freeOrUndefined(port: number | undefined, ip = '127.0.0.1'): Promise<number | undefined> {
  return port !== undefined && (await isPortFree(port, ip)) ? port : undefined;
}

async function launch(cliPath: string, opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const dbFile = opts.dbFile ? path.resolve(opts.dbFile) : undefined;
  const attributes = opts.searchAttributes ?? SEARCH_ATTRIBUTE_TYPES;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  const [port, httpPort, metricsPort, pickedUiPort] = await freePorts(ip, 4);
  const grpcPort = opts.port ?? port;
  const uiPort = opts.uiPort === false ? undefined : (opts.uiPort ?? pickedUiPort);
  // Checked up front: with a Temporal server already on the port, the readiness probe would
  // happily talk to that one while ours dies.
  for (const [what, chosen] of [['gRPC', opts.port], ['UI', opts.uiPort]] as const) {
    if (typeof chosen === 'number' && !(await isPortFree(chosen, ip))) {
      throw new DevServerPortInUseError(`Cannot start the Temporal dev server: ${what} port ${ip}:${chosen} is already in use. Stop whatever listens there, or omit the port to use a free one.`);
    }
  }
  if (dbFile) {
    fs.mkdirSync(path.dirname(dbFile), { recursive: true, mode: 0o700 });
    tightenSqliteFile(dbFile); // an existing file left 0644 by an older version: the server's -wal/-shm copy its mode
  }

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(grpcPort)];
  args.push('--http-port', String(httpPort), '--metrics-port', String(metricsPort));
  args.push(...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (dbFile) args.push('--db-filename', dbFile);
  if (namespace !== 'default') args.push('--namespace', namespace); // "default" always exists
  // Created in the DB file before the server listens (start-dev adds missing namespaces on every start).
  if (opts.identityNamespace && opts.identityNamespace !== namespace) args.push('--namespace', opts.identityNamespace);
  if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  for (const [name, type] of Object.entries(attributes)) args.push('--search-attribute', `${name}=${type}`);
  args.push('--log-level', 'warn', '--color', 'never');
  for (const [name, value] of Object.entries(opts.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${name}=${JSON.stringify(value)}`);

  // Under a private umask the server creates its database (workflow histories) 0600.
  const child = withPrivateUmask(() => spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv() }));
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawned) throw new Error(`Could not run ${cliPath}: ${spawned.message}. Check TEMPORAL_CLI or the cached CLI build.`);
  const pid = child.pid!;
  mark('devserver.spawned');
  opts.onSpawned?.();

  const tail: string[] = [];
  const head: string[] = [];
  // A panic's goroutine dump pushes its first line (the bind error) out of the tail: remember it apart.
  let sawPortClash = false;
  const onLine = (line: string) => {
    // An internal service port (chosen by the CLI itself) taken by a server starting beside ours makes
    // start-dev panic during start-up; a fresh start picks other ports.
    if (/address already in use|^panic:/i.test(line)) sawPortClash = true;
    if (head.length < OUTPUT_HEAD_LINES) head.push(line);
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    opts.log?.(line);
  };
  forwardLines(child.stdout!, onLine);
  forwardLines(child.stderr!, onLine);

  let exitInfo: DevServerExit | undefined;
  const exited = new Promise<DevServerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  // 'close' comes after 'exit' once stdout/stderr are drained: error messages want the last lines.
  const outputDrained = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const watchdog = startWatchdog(pid);
  void exited.then(() => watchdog.kill('SIGKILL'));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (exitInfo) return;
      child.ref(); // keep the event loop alive until the exit is observed
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited; // resolves after Node has reaped the process, so no zombie is left
      clearTimeout(timer);
    })());

  const host = ip === '0.0.0.0' || ip === '::' ? '127.0.0.1' : ip;
  const address = `${host.includes(':') ? `[${host}]` : host}:${grpcPort}`;
  const describe = `Temporal dev server (pid ${pid}, ${address}, ${dbFile ?? 'in-memory'})`;
  const startupError = async (what: string) => {
    if (exitInfo) await Promise.race([outputDrained, sleep(1_000)]);
    const skipped = Math.max(0, head.length + tail.length - OUTPUT_TAIL_LINES - OUTPUT_HEAD_LINES);
    const output = head.length >= OUTPUT_HEAD_LINES && skipped > 0
      ? [...head, '…', ...tail].join('\n')
      : tail.join('\n');
    if (sawPortClash) {
      return new DevServerPortInUseError(`${describe} ${what}: a port is already in use. Pick other ports or omit them.\n${output}`);
    }
    const hint = dbFile && /database is locked|SQLITE_BUSY/i.test(output)
      ? `\nAnother Temporal server may be using ${dbFile}; stop it or use another data directory.`
      : '';
    return new Error(`${describe} ${what}.${hint}\nLast server output:\n${output || '(none)'}`);
  };

  try {
    const deadline = Date.now() + readyTimeoutMs;
    const connection = await waitUntilAnswering(address, deadline, () => exitInfo, startupError);
    mark('devserver.answering');
    const identity = opts.identityNamespace;
    if (identity && !(await retryUntil(deadline, () => exitInfo, startupError, () => hasNamespace(connection, identity)))) {
      await connection.close();
      // Ours would have it from its first answer on: this is another server that holds the port.
      throw new DevServerPortInUseError(
        `${describe}: another Temporal server already answers on ${address} (it lacks namespace ${identity}).`,
      );
    }
    try {
      await retryUntil(deadline, () => exitInfo, startupError, () =>
        ensureSearchAttributes(connection, namespace, attributes, { timeoutMs: Math.max(1000, deadline - Date.now()) }),
      );
    } finally {
      await connection.close();
    }
    if (exitInfo) throw await startupError('exited right after starting');
    mark('devserver.ready');
  } catch (err) {
    await stop();
    throw err;
  }
  // A running server must not keep its parent alive; the watchdog stops it when the parent exits.
  // (Only now: during startup the child is what keeps the event loop waiting for it.)
  child.unref();
  (child.stdout as unknown as net.Socket).unref();
  (child.stderr as unknown as net.Socket).unref();

  return {
    address,
    port: grpcPort,
    uiUrl: uiPort === undefined ? undefined : `http://${host.includes(':') ? `[${host}]` : host}:${uiPort}`,
    namespace,
    pid,
    dbFile,
    exited,
    stop,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      if (exitInfo) return;
      child.ref(); // callers usually await `exited` next; the unref'd child would not keep the loop alive
      child.kill(signal);
    },
  };
}

/** The server gets no TEMPORAL_* variables: the CLI reads some of them as client settings. */
function serverEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_')));
}

async function waitUntilAnswering(
  address: string,
  deadline: number,
  exitInfo: () => DevServerExit | undefined,
  startupError: (what: string) => Promise<Error>,
): Promise<Connection> {
  let delay = 100;
  for (;;) {
    const exit = exitInfo();
    if (exit) throw await startupError(`exited (${exit.signal ?? `code ${exit.code}`}) before becoming ready`);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw await startupError('did not answer gRPC before the startup timeout (readyTimeoutMs, default 30 s)');
    const connection = await probeTemporal({ address }, Math.min(2_000, remaining));
    if (connection) return connection;
    await sleep(delay);
    delay = Math.min(delay * 2, 1_000);
  }
}

async function retryUntil<T>(
  deadline: number,
  exitInfo: () => DevServerExit | undefined,
  startupError: (what: string) => Promise<Error>,
  fn: () => Promise<T>,
): Promise<T> {
  let delay = 200;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const exit = exitInfo();
      if (exit) throw await startupError(`exited (${exit.signal ?? `code ${exit.code}`}) while registering search attributes`);
      if (Date.now() + delay > deadline) throw err;
      await sleep(delay);
      delay = Math.min(delay * 2, 1_000);
    }
  }
}

/**
 * One connection attempt (Connection.connect = open channel + getSystemInfo) bounded by timeoutMs.
 * Returns undefined instead of throwing, and closes the channel of a failed attempt.
 */
export async function probeTemporal(options: ConnectionOptions, timeoutMs: number): Promise<Connection | undefined> {
  const { Connection } = await import('@temporalio/client');
  const connection = Connection.lazy({ ...options, connectTimeout: timeoutMs });
  try {
    await connection.ensureConnected();
    return connection;
  } catch {
    await connection.close();
    return undefined;
  }
}

/**
 * True if the server behind `connection` has `namespace`; false when it answers that it does not.
 * Other failures (server not answering) throw.
 */
export async function hasNamespace(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch (err) {
    if (grpcCode(err) === GRPC_NOT_FOUND) return false;
    throw err;
  }
}

// gRPC status codes (stable by spec; grpc-js is not a direct dependency of Vigil).
const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNIMPLEMENTED = 12;
const GRPC_UNAUTHENTICATED = 16;

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'number' ? code : undefined;
}

/** True for errors a managed service (e.g. Temporal Cloud) returns when the operator API is not ours to use. */
export function isPermissionError(err: unknown): boolean {
  const code = grpcCode(err);
  return code === GRPC_PERMISSION_DENIED || code === GRPC_UNAUTHENTICATED || code === GRPC_UNIMPLEMENTED;
}

/**
 * Registers missing search attributes on `namespace` and waits until the server lists them. Needed
 * even for the dev server: start-dev ignores `--search-attribute` when reopening an existing DB file.
 * Returns the names it added.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  attributes: Record<string, string> = SEARCH_ATTRIBUTE_TYPES,
  opts: { timeoutMs?: number } = {},
): Promise<string[]> {
  const wanted = Object.entries(attributes).map(([name, type]) => ({ name, type, code: indexedValueType(name, type) }));
  const existing = await listCustomSearchAttributes(connection, namespace);
  const missing = wanted.filter(({ name }) => existing[name] === undefined);
  for (const { name, type, code } of wanted) {
    const have = existing[name];
    if (have !== undefined && have !== code) {
      throw new Error(
        `Search attribute ${name} exists on namespace ${namespace} with type ${typeName(have)}, but Vigil needs ${type}. ` +
          `Remove it (temporal operator search-attribute remove --name ${name}) or use another namespace.`,
      );
    }
  }
  if (missing.length === 0) return [];

  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(({ name, code }) => [name, code])),
    });
  } catch (err) {
    // Another process registering the same attributes concurrently is fine.
    if (grpcCode(err) !== GRPC_ALREADY_EXISTS) throw err;
  }

  // Registration can take a moment to become visible; callers start workflows with these right after.
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const now = await listCustomSearchAttributes(connection, namespace);
    const absent = missing.filter(({ name }) => now[name] === undefined).map(({ name }) => name);
    if (absent.length === 0) return missing.map(({ name }) => name);
    if (Date.now() > deadline) {
      throw new Error(`Search attributes ${absent.join(', ')} were added to namespace ${namespace} but are still not listed; check the server's visibility store.`);
    }
    await sleep(200);
  }
}

async function listCustomSearchAttributes(connection: Connection, namespace: string): Promise<Record<string, number>> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return (response.customAttributes ?? {}) as Record<string, number>;
}

/** 'Keyword' / 'KeywordList' (CLI spelling, as in SEARCH_ATTRIBUTE_TYPES) -> the proto enum value. */
function indexedValueType(name: string, type: string): number {
  const sdkName = type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() as SearchAttributeType;
  const code = Object.values(SearchAttributeType).includes(sdkName) ? encodeSearchAttributeIndexedValueType(sdkName) : undefined;
  if (code === undefined) {
    throw new Error(`Search attribute ${name} has unknown type ${type}; use one of Text, Keyword, Int, Double, Bool, Datetime, KeywordList.`);
  }
  return code;
}

function typeName(code: number): string {
  return Object.values(SearchAttributeType).find((t) => encodeSearchAttributeIndexedValueType(t) === code) ?? `#${code}`;
}

/** Finds `count` distinct free TCP ports on `ip` (all held open together so they differ). */
export async function freePorts(ip: string, count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, ip, () => resolve());
      });
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** True if nothing listens on ip:port (a bind attempt succeeds). */
export function isPortFree(port: number, ip = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, ip, () => server.close(() => resolve(true)));
  });
}

/**
 * A tiny Node process that SIGTERMs (then SIGKILLs) the server when its stdin closes, i.e. when our
 * process dies, even by SIGKILL, which no exit handler can catch. It ignores SIGINT/SIGHUP so a
 * Ctrl-C reaching the whole process group still leaves it to clean up after a graceful parent.
 */
const WATCHDOG_SOURCE = `
const pid = Number(process.argv[1]);
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
const gone = () => { try { process.kill(pid, 0); return false; } catch { return true; } };
const reap = () => {
  try { process.kill(pid, 'SIGTERM'); } catch {}
  const started = Date.now();
  setInterval(() => {
    if (gone()) process.exit(0);
    if (Date.now() - started > ${STOP_GRACE_MS}) { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }
  }, 200);
};
process.stdin.on('end', reap);
process.stdin.on('error', reap);
process.stdin.resume();
`;

export function startWatchdog(pid: number): ChildProcess {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // no loaders (tsx) needed for plain JS; keeps it quick and small
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(pid)], { stdio: ['pipe', 'ignore', 'ignore'], env });
  watchdog.on('error', () => {}); // best effort: without it the server still stops via stop()/the wrapper
  watchdog.unref();
  (watchdog.stdin as unknown as net.Socket).unref();
  return watchdog;
}
