// `vigil serve`: Temporal (the data directory's dev server, or TEMPORAL_ADDRESS), a scan worker and the
// HTTP API in one process; `vigil serve --no-worker` is an API replica beside `vigil worker` processes.
// It announces itself in <dataDir>/serve.json so the CLI can use its API.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PathPolicy } from '../../activities/scan-roots.js';
import { openConfiguredStore } from '../../activities/store/open-store.js';
import { openConfiguredVectorStore } from '../../activities/retrieval/open-vector-store.js';
import { vigilDataDir } from '../../infra/data-dir.js';
import { tightenMode } from '../../infra/private-files.js';
import { connectTemporal, temporalTlsFromEnv } from '../../infra/temporal-connection.js';
import { TASK_QUEUE, analysisTaskQueue } from '../../workflows/definitions.js';
import { payloadEncryptionFromEnv } from '../../workers/codec/data-converter.js';
import { createDataDirWorker } from '../../workers/data-dir-worker.js';
import { startConfiguredKafkaPublisher } from '../../workers/kafka-relay.js';
import { KafkaConfigError } from '../../activities/events/kafka-config.js';
import { createApp } from '../app.js';
import { ensureAdminKey } from '../auth/keys-file.js';
import { loadKeyRegistry } from '../auth/registry.js';
import { describePathPolicy, pathPolicyFromEnv } from '../auth/scan-roots-config.js';
import { startApiServer } from '../server.js';
import { apiConnectionOptions } from '../temporal-health.js';
import { SERVE_STATE_FILE } from './choose-backend.js';
import { createJsonLogging, logFormatFromEnv } from '../../workers/json-log.js';
import { CliError } from './cli-error.js';
import { maskingLogger } from '../../workers/masking-logger.js';

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: process.env.VIGIL_PORT ?? '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      // An API replica: scans run on `vigil worker` processes polling the same cluster.
      'no-worker': { type: 'boolean', default: false },
    },
  });
  const withWorker = !values['no-worker'];
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number (got ${values.port}).`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const dataDir = vigilDataDir();
  const admin = await ensureAdminKey(dataDir);
  if (admin.created) log(`vigil: created an admin API key for tenant "default"; it is in ${admin.keyPath}`);

  // Encrypted payloads: the Web UI decodes through our codec endpoint (decode-only token in the URL).
  const payloads = payloadEncryptionFromEnv(dataDir);
  const apiHost = values.host === '0.0.0.0' || values.host === '::' ? '127.0.0.1' : values.host;
  const uiCodecEndpoint = payloads && port !== 0 ? `http://${apiHost}:${port}/codec/ui/${payloads.codec.uiToken}` : undefined;
  const keys = loadKeyRegistry({ dataDir, onReloadError: (err) => log(`vigil: keys file not reloaded: ${err.message}`) });
  // Which local directories path sources may name; a bad entry stops the server before it starts anything.
  let paths: PathPolicy;
  try {
    paths = pathPolicyFromEnv({ env: process.env, dataDir, keysFile: keys.keysFile });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const temporal = await connectTemporal({ dataDir, log, uiCodecEndpoint });
  const store = openConfiguredStore(dataDir);
  // Decision vectors, for tenant deletion (the worker's decision memory opens its own connection).
  const vectors = openConfiguredVectorStore(dataDir);
  // Relays the event outbox to Kafka when VIGIL_KAFKA_BROKERS is set; a bad setting stops the server here.
  // Publishers run where workers run (like the webhook relays): API replicas (--no-worker) would only add
  // competing publishers of the same cursor, hence duplicates.
  let publisher: ReturnType<typeof startConfiguredKafkaPublisher>;
  try {
    publisher = withWorker ? startConfiguredKafkaPublisher(store, log) : undefined;
  } catch (err) {
    if (err instanceof KafkaConfigError) throw new CliError(err.message);
    throw err;
  }
  // VIGIL_LOG_FORMAT=json: the worker logs JSON lines on stderr, each about a scan carrying its scanId.
  const jsonLogs = logFormatFromEnv() === 'json' ? createJsonLogging() : undefined;
  Runtime.install({ logger: jsonLogs?.logger ?? maskingLogger(new DefaultLogger('INFO')) });
  const scanWorker = withWorker
    ? await createDataDirWorker({
        address: temporal.address,
        dataDir,
        namespace: temporal.namespace,
        store,
        dataConverter: payloads?.dataConverter,
        ...(jsonLogs ? { onExecute: jsonLogs.onExecute } : {}),
        paths: { policy: paths, tenantRoots: (tenant) => keys.tenantRoots(tenant) },
        relayEvents: true,
      })
    : undefined;
  // The API's own connection fails fast (short deadlines, few retries) so requests get a 503 within
  // about a second while Temporal is down; the worker keeps the patient defaults.
  const apiConnection = await Connection.connect({
    address: temporal.address,
    ...(process.env.TEMPORAL_ADDRESS ? temporalTlsFromEnv() : {}),
    ...apiConnectionOptions(),
  });
  const client = new Client({ connection: apiConnection, namespace: temporal.namespace, dataConverter: payloads?.dataConverter });
  // Ends open event streams at shutdown, so closing the server does not wait for their clients.
  const streams = new AbortController();
  const app = createApp({
    events: { shutdown: streams.signal },
    temporal: client,
    store,
    vectors,
    keys,
    paths,
    ...(payloads ? { codec: payloads.codec, codecCorsOrigins: codecOrigins(temporal.uiUrl) } : {}),
    config: { taskQueue: TASK_QUEUE, ...(temporal.uiUrl ? { temporalUiUrl: temporal.uiUrl } : {}) },
  });
  const server = await startApiServer({ app, port, hostname: values.host });
  const stateFile = join(dataDir, SERVE_STATE_FILE);
  writeFileSync(stateFile, JSON.stringify({ url: server.url, pid: process.pid }), { mode: 0o600 });
  tightenMode(stateFile); // the mode above applies only when the file is new

  log(`vigil: API on ${server.url} (OpenAPI at ${server.url}/openapi.json); review dashboard at ${server.url}/dashboard/`);
  if (payloads) log(`vigil: Temporal payloads are encrypted; codec endpoint ${server.url}/codec (operator key), Web UI decodes via ${uiCodecEndpoint ? 'its codec endpoint' : 'a codec endpoint you configure'}`);
  log(`vigil: ${describePathPolicy(paths)}`);
  log(`vigil: Temporal at ${temporal.address}${temporal.uiUrl ? `, Web UI at ${temporal.uiUrl}` : ''}`);
  if (scanWorker) {
    log(`vigil: worker serving task queues ${TASK_QUEUE} and ${analysisTaskQueue(TASK_QUEUE)}; Ctrl-C to stop`);
  } else {
    log(
      `vigil: no worker in this process (--no-worker): scans run on \`vigil worker\` processes polling ${TASK_QUEUE} on ${temporal.address}` +
        `${process.env.TEMPORAL_ADDRESS ? '' : ' (this data directory\'s dev server: start one with the same VIGIL_DATA_DIR)'}; Ctrl-C to stop`,
    );
  }

  const running = scanWorker?.worker.run();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    running?.catch(() => resolve());
  });
  log('vigil: shutting down');
  rmSync(stateFile, { force: true });
  streams.abort();
  await server.close();
  // close() shuts the worker down before waiting for it; a crash it stopped with is reported here.
  await scanWorker?.close(
    running?.catch((err: Error) => {
      log(`vigil: worker stopped with ${err.message}`);
    }),
  );
  await publisher?.stop();
  await store.close();
  await vectors.close();
  await apiConnection.close();
  await temporal.close();
  return 0;
}

/** The Web UI's origin (as localhost and 127.0.0.1) plus VIGIL_CODEC_CORS_ORIGINS (comma-separated). */
function codecOrigins(uiUrl: string | undefined): string[] {
  const out = (process.env.VIGIL_CODEC_CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (uiUrl) {
    const u = new URL(uiUrl);
    out.push(u.origin);
    for (const host of ['localhost', '127.0.0.1']) out.push(`${u.protocol}//${host}${u.port ? `:${u.port}` : ''}`);
  }
  return [...new Set(out)];
}
