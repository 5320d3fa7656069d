// How Vigil's API, CLI and workers reach Temporal: an existing cluster (TEMPORAL_ADDRESS) or a local
// dev server shared by every Vigil process using the same data directory.
import fs from 'node:fs';
import path from 'node:path';
import { Connection, type ConnectionOptions, type TLSConfig } from '@temporalio/client';
import { isPidAlive, vigilDataDir, withDirLock } from './data-dir.js';
import { ensureSearchAttributes, isPortFree, isPermissionError, probeTemporal, startDevServer, type DevServer } from './dev-server.js';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/definitions.js';

export interface ConnectTemporalOptions {
  /** Where the local server's DB and state file live; defaults to vigilDataDir(). */
  dataDir?: string;
  /** Progress and warnings; defaults to stderr. */
  log?: (line: string) => void;
  /** Codec endpoint for the Web UI of a dev server this call starts (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
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

/** Written by the process that owns the local dev server, so other Vigil processes reuse it. */
interface ServerState {
  pid: number;
  ownerPid: number;
  address: string;
  uiUrl?: string;
  namespace: string;
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
  return withDirLock(path.join(dataDir, 'temporal-server.lock'), () => connectLocal(dataDir, log, opts.uiCodecEndpoint), {
    purpose: 'start the local Temporal dev server',
    timeoutMs: 120_000,
    log,
  });
}

async function connectRemote(address: string, log: (line: string) => void): Promise<TemporalHandle> {
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  let connection: Connection;
  try {
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

async function connectLocal(dataDir: string, log: (line: string) => void, uiCodecEndpoint?: string): Promise<TemporalHandle> {
  const stateFile = path.join(dataDir, 'temporal-server.json');
  const state = readState(stateFile);
  if (state) {
    const connection = isPidAlive(state.pid) ? await probeTemporal({ address: state.address }, 3_000) : undefined;
    if (connection) {
      try {
        await ensureSearchAttributes(connection, state.namespace);
      } catch (err) {
        await connection.close();
        throw err;
      }
      return {
        connection,
        namespace: state.namespace,
        address: state.address,
        uiUrl: state.uiUrl,
        close: once(() => connection.close()),
      };
    }
    log(`Ignoring stale ${stateFile} (server pid ${state.pid} is gone or not answering).`);
    fs.rmSync(stateFile, { force: true });
  }

  const dbFile = path.join(dataDir, 'temporal.db');
  const devServer = await startDevServer({
    dbFile,
    namespace: LOCAL_NAMESPACE,
    // The well-known ports when free, so `temporal` CLI commands and bookmarks just work.
    port: (await isPortFree(DEFAULT_PORT)) ? DEFAULT_PORT : undefined,
    uiPort: (await isPortFree(DEFAULT_UI_PORT)) ? DEFAULT_UI_PORT : undefined,
    // The server's own output is kept for error messages; shown live only when debugging.
    log: process.env.VIGIL_DEBUG ? log : undefined,
    ...(uiCodecEndpoint ? { uiCodecEndpoint } : {}),
  });
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: devServer.address });
  } catch (err) {
    await devServer.stop();
    throw err;
  }
  writeState(stateFile, {
    pid: devServer.pid,
    ownerPid: process.pid,
    address: devServer.address,
    uiUrl: devServer.uiUrl,
    namespace: devServer.namespace,
    dbFile,
    startedAt: new Date().toISOString(),
  });
  log(`Started local Temporal dev server at ${devServer.address}${devServer.uiUrl ? `, UI ${devServer.uiUrl}` : ''} (data ${dbFile}).`);
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
  // Write-then-rename so readers never see a half-written file.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
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
