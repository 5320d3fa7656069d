// Temporal's persistence and visibility schemas on PostgreSQL, set up and brought to the server's version
// with Temporal's own SQL tool and the schemas embedded in it (schema/postgresql/v12/{temporal,visibility}
// of the go.temporal.io/server module). Safe to run again: update-schema applies only missing versions.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);

export interface SchemaTarget {
  sqlTool: string;
  host: string;
  port: number;
  user: string;
  /** Passed in the tool's environment (SQL_PASSWORD), never on its command line. */
  password: string;
  databases: { persistence: string; visibility: string };
  log?: (line: string) => void;
}

export async function setupTemporalSchemas(t: SchemaTarget): Promise<void> {
  await Promise.all([
    setupOne(t, t.databases.persistence, 'postgresql/v12/temporal'),
    setupOne(t, t.databases.visibility, 'postgresql/v12/visibility'),
  ]);
}

async function setupOne(t: SchemaTarget, database: string, schemaName: string): Promise<void> {
  const log = t.log ?? (() => {});
  const state = await schemaState(t, database);
  if (state === 'no-database') await sqlTool(t, database, ['create-database']);
  if (state !== 'versioned') await sqlTool(t, database, ['setup-schema', '-v', '0.0']);
  await sqlTool(t, database, ['update-schema', '--schema-name', schemaName]);
  log(`Temporal schema ${schemaName} is current in database ${database}.`);
}

/** Whether `database` exists and has the tool's schema_version table. */
async function schemaState(t: SchemaTarget, database: string): Promise<'no-database' | 'empty' | 'versioned'> {
  const url = (db: string) => `postgres://${encodeURIComponent(t.user)}:${encodeURIComponent(t.password)}@${t.host}:${t.port}/${db}`;
  const admin = new pg.Client({ connectionString: url('postgres') });
  admin.on('error', () => {});
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) return 'no-database';
  } finally {
    await admin.end().catch(() => {});
  }
  const db = new pg.Client({ connectionString: url(database) });
  db.on('error', () => {});
  await db.connect();
  try {
    const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('public.schema_version')::text AS t`);
    return rows[0]?.t ? 'versioned' : 'empty';
  } finally {
    await db.end().catch(() => {});
  }
}

async function sqlTool(t: SchemaTarget, database: string, command: string[]): Promise<void> {
  const args = ['--plugin', 'postgres12', '--ep', t.host, '-p', String(t.port), '-u', t.user, '--db', database, ...command];
  try {
    await execFileAsync(t.sqlTool, args, {
      env: { ...process.env, SQL_PASSWORD: t.password },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const out = `${e.stderr ?? ''}\n${e.stdout ?? ''}`.trim().split('\n').slice(-8).join('\n');
    throw new Error(`temporal-sql-tool ${command.join(' ')} on database ${database} failed: ${out || e.message}`, { cause: err });
  }
}
