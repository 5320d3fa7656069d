// Real PostgreSQL for tests: one throwaway PostgreSQL 15 per test process (infra/postgres.ts), started on
// first use in a temporary directory and stopped after the file's tests. Each caller gets its own database.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { startPostgres, type PostgresServer } from '../../infra/postgres.js';

export interface TestPostgres {
  server: PostgresServer;
  /** How long starting it took (initdb included), for the report. */
  startMs: number;
  /** A new, empty database on the server; its URL (holds the password). */
  freshDatabase(prefix?: string): Promise<string>;
}

let shared: Promise<TestPostgres> | undefined;
let cleanup: (() => Promise<void>) | undefined;

// Registered at import time, i.e. at the top level of the test file, so it runs after all its tests (an
// after() called inside a test would belong to that test). The server's watchdog stops it if we die.
after(async () => {
  await shared?.catch(() => undefined);
  await cleanup?.();
});

/** The process's PostgreSQL; the same object on every call. */
export function testPostgres(): Promise<TestPostgres> {
  shared ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-test-'));
    const started = Date.now();
    const server = await startPostgres({ dir, log: (line) => process.env.VIGIL_TEST_VERBOSE && process.stderr.write(`[postgres] ${line}\n`) });
    const startMs = Date.now() - started;
    cleanup = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    let n = 0;
    return {
      server,
      startMs,
      freshDatabase: (prefix = 'test') => server.createDatabase(`${prefix}_${++n}_${randomBytes(4).toString('hex')}`),
    };
  })();
  return shared;
}
