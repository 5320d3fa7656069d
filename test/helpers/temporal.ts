// Real Temporal for tests: the suite's server (TEMPORAL_ADDRESS, set by infra/run-with-temporal.ts) or,
// when a test file runs alone, a private in-memory dev server started once for this process.
import { after } from 'node:test';
import { Connection } from '@temporalio/client';
import { startDevServer, type DevServer, type DevServerOptions } from '../../infra/dev-server.js';
import { ensureTemporalCli } from '../../infra/temporal-cli.js';
import { connectTemporal } from '../../infra/temporal-connection.js';

export interface TestTemporal {
  connection: Connection;
  namespace: string;
  address: string;
}

interface Shared {
  temporal: TestTemporal;
  close(): Promise<void>;
}

let shared: Promise<Shared> | undefined;
let cli: Promise<string> | undefined;
const servers = new Set<DevServer>();

// Registered at import time, i.e. at the top level of the test file, so it runs after all its tests.
// Only under the test runner: elsewhere (e.g. a worker child process importing cliPath) calling
// after() would start a test harness and print TAP. Without the hook nothing hangs: servers are
// unref'd and their watchdogs stop them when the process exits.
if (process.env.NODE_TEST_CONTEXT || process.execArgv.some((arg) => arg === '--test' || arg.startsWith('--test-'))) {
  after(async () => {
    if (shared) await (await shared.catch(() => undefined))?.close();
    await Promise.all([...servers].map((server) => server.stop()));
  });
}
// Belt and braces for an exit that skips hooks; each server also has a watchdog for hard kills.
process.once('exit', () => {
  for (const server of servers) server.kill('SIGTERM');
});

/** A connection to Temporal for this test process; the same object on every call. */
export async function testTemporal(): Promise<TestTemporal> {
  shared ??= (async (): Promise<Shared> => {
    if (process.env.TEMPORAL_ADDRESS) {
      const handle = await connectTemporal({ log: () => {} });
      return { temporal: { connection: handle.connection, namespace: handle.namespace, address: handle.address }, close: handle.close };
    }
    const server = await startPrivateDevServer();
    const connection = await Connection.connect({ address: server.address });
    return {
      temporal: { connection, namespace: server.namespace, address: server.address },
      close: async () => {
        await connection.close();
        await server.stop();
      },
    };
  })();
  return (await shared).temporal;
}

/**
 * A dev server owned by the calling test (omit dbFile for in-memory), for tests that kill or restart
 * it. Headless, free ports unless opts say otherwise; stopped after the test file if still running.
 */
export async function startPrivateDevServer(dbFile?: string, opts: Omit<DevServerOptions, 'dbFile'> = {}): Promise<DevServer> {
  const server = await startDevServer({ uiPort: false, cliPath: await cliPath(), ...opts, dbFile });
  servers.add(server);
  void server.exited.then(() => servers.delete(server));
  return server;
}

/** Absolute path of the `temporal` binary (VIGIL_TEMPORAL_CLI from the wrapper, else resolved/built). */
export function cliPath(): Promise<string> {
  cli ??= ensureTemporalCli({ log: (line) => process.stderr.write(`[vigil] ${line}\n`) });
  return cli;
}
