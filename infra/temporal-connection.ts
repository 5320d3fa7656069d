// How Vigil's API, CLI and workers reach Temporal: an existing cluster (TEMPORAL_ADDRESS) or a local
// dev server shared by every Vigil process using the same data directory.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, ConnectionOptions, TLSConfig } from '@temporalio/client';
import { isPidAlive, vigilDataDir, withDirLock } from './data-dir.js';
import { ensureSearchAttributes, hasNamespace, isPermissionError, probeTemporal, startDevServer, type DevServer } from './dev-server.js';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/definitions.js';

export interface ConnectTemporalOptions {
  /** Where the local server's DB and state file live; defaults to vigilDataDir(). */
  dataDir?: string;
  /** Progress and warnings; defaults to stderr. */
  log?: (line: string) => void;
  /** Codec endpoint for the Web UI of a dev server this call starts (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** Called when this call has spawned the local dev server, while it boots (see DevServerOptions.onSpawned). */
  onServerSpawned?: () => void;
}

export interface TemporalHandle {
  connection: Connection;
  namespace: string;
  address: string;
  uiUrl?: string;
  /** Set only when this call started the local dev server. */
  devServer?: DevServer;
  /** Closes the connection; stops the dev server only if this call started it. Idempotent. */
  close(): Promise<void>;
}

/**
 * <dataDir>/temporal-server.json, written by the process that started the data directory's dev server
 * so other Vigil processes on that data directory reuse it. Each data directory has its own server on
 * its own ports: 7233/8233 when free, otherwise free ones, recorded here.
 */
interface ServerState {
  pid: number;
  ownerPid: number;
  address: string;
  grpcPort: number;
  uiPort?: number;
  uiUrl?: string;
  namespace: string;
  /** The namespace only this data directory's server has (see identityNamespace()); absent in old records. */
  identityNamespace?: string;
  dbFile: string;
  startedAt: string;
}

const LOCAL_NAMESPACE = 'default';
const DEFAULT_PORT = 7233;
const DEFAULT_UI_PORT = 8233;

export async function connectTemporal(opts: ConnectTemporalOptions = {}): Promise<TemporalHandle> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`[vigil] ${line}\n`));
  if (process.env.TEMPORAL_ADDRESS) return connectRemote(process.env.TEMPORAL_ADDRESS, log);
  const dataDir = opts.dataDir ? ensurePrivateDir(opts.dataDir) : vigilDataDir();
  // Serialise "is a server running? else start one" so two processes never open the same DB file.
  return withDirLock(path.join(dataDir, 'temporal-server.lock'), () => connectLocal(dataDir, log, opts), {
    purpose: 'start the local Temporal dev server',
    timeoutMs: 120_000,
    log,
  });
}

async function connectRemote(address: string, log: (line: string) => void): Promise<TemporalHandle> {
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  let connection: Connection;
  try {
    const { Connection } = await import('@temporalio/client');
    connection = await Connection.connect({ address, ...temporalTlsFromEnv() });
  } catch (err) {
    throw new Error(
      `Could not connect to Temporal at ${address} (TEMPORAL_ADDRESS): ${(err as Error).message}. Check the ` +
        `address and the TLS settings (TEMPORAL_TLS, TEMPORAL_TLS_CERT/KEY/CA, TEMPORAL_API_KEY), or unset ` +
        `TEMPORAL_ADDRESS to let Vigil run a local dev server.`,
      { cause: err },
    );
  }
  try {
    await ensureSearchAttributes(connection, namespace);
  } catch (err) {
    if (!isPermissionError(err)) {
      await connection.close();
      throw err;
    }
    // Temporal Cloud does not allow the operator API; attributes are managed in its UI or with tcld.
    log(
      `Warning: could not check or register search attributes on namespace ${namespace} (${(err as Error).message}). ` +
        `Make sure ${Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([n, t]) => `${n} (${t})`).join(', ')} exist, ` +
        `e.g. via the Temporal Cloud UI or \`tcld namespace search-attributes add\`.`,
    );
  }
  return { connection, namespace, address, close: once(() => connection.close()) };
}

async function connectLocal(
  dataDir: string,
  log: (line: string) => void,
  { uiCodecEndpoint, onServerSpawned }: Pick<ConnectTemporalOptions, 'uiCodecEndpoint' | 'onServerSpawned'>,
): Promise<TemporalHandle> {
  const stateFile = path.join(dataDir, 'temporal-server.json');
  const dbFile = path.join(dataDir, 'temporal.db');
  const identity = identityNamespace(dataDir);
  const state = readState(stateFile);
  if (state) {
    const connection = await reachRecordedServer(state, dbFile, identity);
    if (connection) {
      try {
        await ensureSearchAttributes(connection, state.namespace);
      } catch (err) {
        await connection.close();
        throw err;
      }
      log(`Using this data directory's Temporal dev server at ${state.address} (pid ${state.pid}${state.uiUrl ? `, UI ${state.uiUrl}` : ''}).`);
      return {
        connection,
        namespace: state.namespace,
        address: state.address,
        uiUrl: state.uiUrl,
        close: once(() => connection.close()),
      };
    }
    log(`Ignoring stale ${stateFile} (server pid ${state.pid} is gone, not answering, or not this data directory's).`);
    fs.rmSync(stateFile, { force: true });
  }

  const devServer = await startDevServer({
    dbFile,
    namespace: LOCAL_NAMESPACE,
    identityNamespace: identity,
    // The well-known ports when free, so `temporal` CLI commands and bookmarks just work; otherwise
    // (another data directory's server has them, say) free ones, recorded in the state file.
    preferredPort: DEFAULT_PORT,
    preferredUiPort: DEFAULT_UI_PORT,
    // Generous: parallel CI jobs may start several servers at once on a small machine.
    readyTimeoutMs: 120_000,
    // The server's own output is kept for error messages; shown live only when debugging.
    log: process.env.VIGIL_DEBUG ? log : undefined,
    ...(uiCodecEndpoint ? { uiCodecEndpoint } : {}),
    ...(onServerSpawned ? { onSpawned: onServerSpawned } : {}),
  });
  let connection: Connection;
  try {
    const { Connection } = await import('@temporalio/client');
    connection = await Connection.connect({ address: devServer.address });
  } catch (err) {
    await devServer.stop();
    throw err;
  }
  writeState(stateFile, {
    pid: devServer.pid,
    ownerPid: process.pid,
    address: devServer.address,
    grpcPort: devServer.port,
    ...(devServer.uiUrl ? { uiPort: Number(new URL(devServer.uiUrl).port), uiUrl: devServer.uiUrl } : {}),
    namespace: devServer.namespace,
    identityNamespace: identity,
    dbFile,
    startedAt: new Date().toISOString(),
  });
  const moved = devServer.port === DEFAULT_PORT ? '' : ` (port ${DEFAULT_PORT} is taken)`;
  log(`Started local Temporal dev server at ${devServer.address}${moved}${devServer.uiUrl ? `, UI ${devServer.uiUrl}` : ''} (data ${dbFile}).`);
  return {
    connection,
    namespace: devServer.namespace,
    address: devServer.address,
    uiUrl: devServer.uiUrl,
    devServer,
    close: once(async () => {
      await connection.close();
      await devServer.stop();
      if (readState(stateFile)?.pid === devServer.pid) fs.rmSync(stateFile, { force: true });
    }),
  };
}

/**
 * A connection to the server the state file names, if it is still this data directory's: its pid is
 * alive (and, where /proc tells, is a server on our DB file), it answers, and it has our identity
 * namespace. Anything else on that address (a reused port, another data directory's server) is not used.
 */
async function reachRecordedServer(state: ServerState, dbFile: string, identity: string): Promise<Connection | undefined> {
  if (!isPidAlive(state.pid)) return undefined;
  const servesOurDb = processNamesFile(state.pid, dbFile);
  if (servesOurDb === false) return undefined; // the pid was reused by another process
  // Records from before identity namespaces can be trusted only on the process's word.
  if (state.identityNamespace !== identity && servesOurDb !== true) return undefined;
  // Ours and alive but slow (a busy host): wait for it rather than start a second server on its DB file.
  const deadline = Date.now() + (servesOurDb ? 30_000 : 3_000);
  let connection: Connection | undefined;
  while (!connection && isPidAlive(state.pid)) {
    connection = await probeTemporal({ address: state.address }, Math.max(1_000, Math.min(3_000, deadline - Date.now())));
    if (connection || Date.now() >= deadline) break;
    await sleep(250);
  }
  let ours = false;
  if (connection) {
    try {
      ours = state.identityNamespace !== identity || (await hasNamespace(connection, identity));
    } catch {
      ours = false;
    }
    if (!ours) await connection.close();
  }
  if (ours) return connection;
  if (servesOurDb && isPidAlive(state.pid)) {
    // Starting another server on the same DB file would corrupt it; the running one must go first.
    throw new Error(
      `This data directory's Temporal dev server (pid ${state.pid}, ${dbFile}) is running, but it does not answer as ` +
        `this data directory's server at ${state.address}. Stop it (kill ${state.pid}) and retry.`,
    );
  }
  return undefined;
}

/**
 * The name of a namespace only this data directory's dev server has: `vigil-<random>`, kept in
 * <dataDir>/temporal-identity. Random rather than derived from the path, so no other server can be
 * set up to pass for ours by someone who only knows where the data directory is.
 */
export function identityNamespace(dataDir: string): string {
  const file = path.join(dataDir, 'temporal-identity');
  try {
    const name = fs.readFileSync(file, 'utf8').trim();
    if (/^vigil-[0-9a-f]{32}$/.test(name)) return name;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // Callers hold the data directory's server lock, so no one else writes it meanwhile.
  const name = `vigil-${randomBytes(16).toString('hex')}`;
  writePrivateFile(file, `${name}\n`);
  return name;
}

/**
 * Linux: whether the process's command line names `file` (our server was started with
 * --db-filename <file>). Undefined where /proc is not available or not readable.
 */
function processNamesFile(pid: number, file: string): boolean | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(file);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? false : undefined;
  }
}

/**
 * TLS / API-key options from the environment: TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (PEM file paths,
 * mTLS), TEMPORAL_TLS_CA (server CA), TEMPORAL_TLS_SERVER_NAME, TEMPORAL_API_KEY (implies TLS), and
 * TEMPORAL_TLS=true|false to force TLS on or off.
 */
export function temporalTlsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<ConnectionOptions, 'tls' | 'apiKey'> {
  const { TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: serverName } = env;
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  if (!!cert !== !!key) {
    throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together (PEM file paths of the client certificate and its key).');
  }
  const forced = parseBool(env.TEMPORAL_TLS, 'TEMPORAL_TLS');
  if (forced === false && (cert || ca)) {
    throw new Error('TEMPORAL_TLS=false conflicts with TEMPORAL_TLS_CERT/TEMPORAL_TLS_CA; unset one of them.');
  }
  const useTls = forced ?? Boolean(cert || ca || serverName || apiKey);
  if (!useTls) return apiKey ? { apiKey } : {};
  const tls: TLSConfig = {};
  if (cert && key) tls.clientCertPair = { crt: readPem(cert, 'TEMPORAL_TLS_CERT'), key: readPem(key, 'TEMPORAL_TLS_KEY') };
  if (ca) tls.serverRootCACertificate = readPem(ca, 'TEMPORAL_TLS_CA');
  if (serverName) tls.serverNameOverride = serverName;
  return apiKey ? { tls, apiKey } : { tls };
}

/** Deep link into the Temporal Web UI: the run's history, or the workflow id's runs when no run id is known. */
export function temporalUiWorkflowUrl(uiUrl: string, namespace: string, workflowId: string, runId?: string): string {
  const base = `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows`;
  if (runId) return `${base}/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
  return `${base}?query=${encodeURIComponent(`WorkflowId="${workflowId}"`)}`;
}

function readPem(file: string, variable: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${variable}=${file} cannot be read (${(err as Error).message}); it must be the path of a PEM file.`);
  }
}

function parseBool(value: string | undefined, variable: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`${variable}=${value} is not a boolean; use true or false.`);
}

function readState(file: string): ServerState | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as ServerState;
    return typeof state.pid === 'number' && typeof state.address === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

function writeState(file: string, state: ServerState): void {
  writePrivateFile(file, JSON.stringify(state, null, 2) + '\n');
}

/** Write-then-rename so readers never see a half-written file; 0600 like the rest of the data directory. */
function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function ensurePrivateDir(dir: string): string {
  const abs = path.resolve(dir);
  fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
  return abs;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
