// A throwaway PostgreSQL 15 server on a loopback port, for tests and for a person trying the PostgreSQL
// store or the Temporal cluster: `initdb` into a directory of the caller's (never the repository), a
// generated password (scram-sha-256, loopback TCP only, no Unix socket), started, waited for, stopped.
//
//   node --import tsx infra/postgres.ts start <dir> [--port N]   prints the URL; the server keeps running
//   node --import tsx infra/postgres.ts stop <dir>
//
// Layout of <dir>: data/ (the cluster), server.json (port, user, password; 0600), postgres.log (CLI only).
// PostgreSQL refuses to run as root: as root, initdb and the server run as the `postgres` system user
// (created by Debian's package; else `nobody`), which owns data/ and must be able to reach <dir>.
// Durability is traded for speed (fsync off): a clean stop or a killed server keeps its data, a crash of
// the machine may not. Production runs a real PostgreSQL (infra/deploy/).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { isPidAlive, vigilCacheDir, withDirLock } from './data-dir.js';
import { freePorts, isPortFree, startWatchdog } from './dev-server.js';
import { findOnPath } from './temporal-cli.js';
import { forwardLines, readTail } from './child-output.js';

const execFileAsync = promisify(execFile);

export const POSTGRES_MAJOR = 15;
const DEBIAN_PACKAGE = `postgresql-${POSTGRES_MAJOR}`;
const SUPERUSER = 'vigil';
const DATABASE = 'vigil';
const STOP_GRACE_MS = 10_000;
const OUTPUT_TAIL_LINES = 40;

export interface EnsurePostgresOptions {
  log?: (line: string) => void;
}

/** `VIGIL_POSTGRES_BIN` or Debian's `/usr/lib/postgresql/15/bin`. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.VIGIL_POSTGRES_BIN || `/usr/lib/postgresql/${POSTGRES_MAJOR}/bin`);
}

function hasServerBinaries(bin: string): boolean {
  return ['initdb', 'postgres'].every((name) => isExecutable(path.join(bin, name)));
}

/**
 * The directory holding PostgreSQL 15's `initdb` and `postgres`, installing Debian's `postgresql-15` on
 * first use (as root, or through `sudo -n`) under a lock, so parallel test files install it once.
 */
export async function ensurePostgres(opts: EnsurePostgresOptions = {}): Promise<string> {
  const log = opts.log ?? (() => {});
  const bin = postgresBinDir();
  if (hasServerBinaries(bin)) return bin;
  if (process.env.VIGIL_POSTGRES_BIN) {
    throw new Error(`VIGIL_POSTGRES_BIN is ${process.env.VIGIL_POSTGRES_BIN}, which holds no initdb and postgres. Point it at PostgreSQL ${POSTGRES_MAJOR}'s bin directory, or unset it.`);
  }
  return withDirLock(
    path.join(vigilCacheDir(), `postgresql-${POSTGRES_MAJOR}.lock`),
    async () => {
      if (hasServerBinaries(bin)) return bin; // installed while we waited
      const root = process.getuid?.() === 0;
      const sudo = root ? undefined : findOnPath('sudo');
      const aptGet = findOnPath('apt-get');
      if (!aptGet || (!root && !sudo)) {
        throw new Error(
          `PostgreSQL ${POSTGRES_MAJOR} is not installed (no ${bin}/postgres), and Vigil can only install it with apt-get as root or through sudo. ` +
            `Install it yourself (Debian/Ubuntu: apt-get install ${DEBIAN_PACKAGE}), or set VIGIL_POSTGRES_BIN to its bin directory.`,
        );
      }
      const as = (args: string[]): [string, string[]] => (root ? [aptGet, args] : [sudo!, ['-n', aptGet, ...args]]);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      log(`Installing ${DEBIAN_PACKAGE} with apt-get (once)...`);
      try {
        await run(...as(['install', '-y', '--no-install-recommends', DEBIAN_PACKAGE]), env);
      } catch {
        // A clean machine has no package lists yet.
        log('apt-get install failed; running apt-get update and retrying...');
        await run(...as(['update']), env);
        await run(...as(['install', '-y', '--no-install-recommends', DEBIAN_PACKAGE]), env);
      }
      if (!hasServerBinaries(bin)) throw new Error(`apt-get installed ${DEBIAN_PACKAGE}, but ${bin} still has no initdb and postgres.`);
      return bin;
    },
    { purpose: `install ${DEBIAN_PACKAGE}`, timeoutMs: 15 * 60_000, log },
  );
}

async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await execFileAsync(cmd, args, { env, timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const tail = (e.stderr ?? '').trim().split('\n').slice(-5).join('\n');
    throw new Error(`\`${cmd} ${args.join(' ')}\` failed: ${tail || e.message}. Check the package mirror (apt sources) and retry.`, { cause: err });
  }
}

export interface StartPostgresOptions {
  /** Where the cluster lives (created 0700; reused when it already holds one). Keep it out of the repository. */
  dir: string;
  /** Loopback port; else the port this directory used last when free, else a free one. */
  port?: number;
  /** Run on after this process exits (the CLI); stop it with stopPostgres(dir). Output goes to <dir>/postgres.log. */
  detached?: boolean;
  log?: (line: string) => void;
  /** How long to wait for connections (default 60 s). */
  readyTimeoutMs?: number;
}

export interface PostgresServer {
  /** postgres://vigil:<password>@127.0.0.1:<port>/vigil — holds the password: never log it. */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  dir: string;
  pid: number;
  /** Settles when the server has exited (only observed for servers this process started attached). */
  exited: Promise<void>;
  /** Fast shutdown (SIGINT), SIGKILL after 10 s; resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
  /** A signal without waiting (tests simulate a crash with SIGKILL). */
  kill(signal?: NodeJS.Signals): void;
  /** Creates an empty database (name: [a-z0-9_]) and returns its URL. */
  createDatabase(name: string): Promise<string>;
}

interface ServerState {
  port?: number;
  user: string;
  password: string;
}

interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

const stateFile = (dir: string) => path.join(dir, 'server.json');
const dataDirOf = (dir: string) => path.join(dir, 'data');

/** Starts (initialising on first use) the cluster in `opts.dir`; resolves once it accepts connections. */
export async function startPostgres(opts: StartPostgresOptions): Promise<PostgresServer> {
  const log = opts.log ?? (() => {});
  const bin = await ensurePostgres({ log });
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const runAs = process.getuid?.() === 0 ? await unprivilegedUser() : undefined;
  if (runAs) {
    // The server user has to pass through <dir> to reach data/, but needs no listing of it.
    fs.chmodSync(dir, 0o711);
    assertReachable(dir, runAs);
  }
  const state = await initCluster(bin, dir, runAs, log);
  const host = '127.0.0.1';
  for (let attempt = 1; ; attempt++) {
    const preferred = opts.port ?? (attempt === 1 && state.port && (await isPortFree(state.port, host)) ? state.port : undefined);
    const port = preferred ?? (await freePorts(host, 1))[0]!;
    writeState(dir, { ...state, port });
    try {
      return await launch(bin, dir, host, port, state, runAs, opts);
    } catch (err) {
      if (!(err instanceof PostgresPortInUseError) || opts.port !== undefined || attempt >= 5) throw err;
      log(`Port ${port} was taken while PostgreSQL started; retrying with another (${attempt}/4).`);
    }
  }
}

/** Stops the cluster in `dir` started by anyone (its postmaster.pid): fast shutdown, SIGKILL after 10 s. */
export async function stopPostgres(dir: string, graceMs = STOP_GRACE_MS): Promise<boolean> {
  const pid = postmasterPid(path.resolve(dir));
  if (pid === undefined || !isPidAlive(pid)) return false;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + graceMs;
  while (isPidAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isPidAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isPidAlive(pid)) await sleep(50);
  }
  return true;
}

/** A connection URL for `database` on the cluster described by `state`. */
function urlOf(host: string, port: number, state: ServerState, database: string): string {
  return `postgres://${encodeURIComponent(state.user)}:${encodeURIComponent(state.password)}@${host}:${port}/${database}`;
}

function postmasterPid(dir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDirOf(dir), 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function readState(dir: string): ServerState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dir), 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
}

function writeState(dir: string, state: ServerState): void {
  fs.writeFileSync(stateFile(dir), JSON.stringify(state), { mode: 0o600 });
}

async function initCluster(bin: string, dir: string, runAs: RunAs | undefined, log: (line: string) => void): Promise<ServerState> {
  const data = dataDirOf(dir);
  const existing = readState(dir);
  if (existing && fs.existsSync(path.join(data, 'PG_VERSION'))) return existing;
  // A half-made cluster from an interrupted initdb is thrown away: nothing in it can matter yet.
  fs.rmSync(data, { recursive: true, force: true });
  fs.mkdirSync(data, { mode: 0o700 });
  const state: ServerState = { user: SUPERUSER, password: randomBytes(18).toString('base64url') };
  const pwfile = path.join(dir, `.pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, `${state.password}\n`, { mode: 0o600 });
  if (runAs) {
    fs.chownSync(data, runAs.uid, runAs.gid);
    fs.chownSync(pwfile, runAs.uid, runAs.gid);
  }
  log(`Initialising a PostgreSQL ${POSTGRES_MAJOR} cluster in ${data}${runAs ? ` (as user ${runAs.name})` : ''}...`);
  try {
    await execFileAsync(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024, ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}), env: serverEnv() },
    );
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`initdb failed in ${data}: ${(e.stderr ?? '').trim().split('\n').slice(-5).join('\n') || e.message}`, { cause: err });
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  writeState(dir, state);
  return state;
}

/** A port clash between choosing the port and the server binding it. */
class PostgresPortInUseError extends Error {}

async function launch(
  bin: string,
  dir: string,
  host: string,
  port: number,
  state: ServerState,
  runAs: RunAs | undefined,
  opts: StartPostgresOptions,
): Promise<PostgresServer> {
  const log = opts.log ?? (() => {});
  const data = dataDirOf(dir);
  const args = [
    '-D', data, '-p', String(port),
    '-c', `listen_addresses=${host}`,
    '-c', 'unix_socket_directories=', // TCP on loopback only: no socket file in /var/run or /tmp
    '-c', 'max_connections=200', // several workers, API replicas and Temporal services each keep a pool
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', // a throwaway cluster
  ];
  const tail: string[] = [];
  let logFd: number | undefined;
  if (opts.detached) {
    logFd = fs.openSync(path.join(dir, 'postgres.log'), 'a', 0o600);
    if (runAs) fs.fchownSync(logFd, runAs.uid, runAs.gid);
  }
  const child: ChildProcess = spawn(path.join(bin, 'postgres'), args, {
    stdio: opts.detached ? ['ignore', logFd!, logFd!] : ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
    env: serverEnv(),
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  if (logFd !== undefined) fs.closeSync(logFd);
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawnError) throw new Error(`Could not run ${bin}/postgres: ${spawnError.message}.`);
  const pid = child.pid!;
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    log(line);
  };
  if (!opts.detached) {
    forwardLines(child.stdout!, onLine);
    forwardLines(child.stderr!, onLine);
  }
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => ((gone = true), resolve())));
  const watchdog = opts.detached ? undefined : startWatchdog(pid);
  void exited.then(() => watchdog?.kill('SIGKILL'));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (gone) return;
      child.ref();
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    })());

  const describe = `PostgreSQL ${POSTGRES_MAJOR} (pid ${pid}, ${host}:${port}, ${data})`;
  const output = () => (opts.detached ? readTail(path.join(dir, 'postgres.log'), OUTPUT_TAIL_LINES) : tail.join('\n'));
  try {
    await waitUntilReady({ host, port, state, data, deadline: Date.now() + (opts.readyTimeoutMs ?? 60_000), isGone: () => gone, describe, output });
    await createDatabaseIfMissing(urlOf(host, port, state, 'postgres'), DATABASE);
  } catch (err) {
    if (opts.detached) await stopPostgres(dir);
    else await stop();
    throw err;
  }
  if (opts.detached) {
    child.unref();
  } else {
    // A running server must not keep its parent alive; the watchdog stops it when the parent exits.
    child.unref();
    (child.stdout as unknown as net.Socket).unref();
    (child.stderr as unknown as net.Socket).unref();
  }
  return {
    url: urlOf(host, port, state, DATABASE),
    host,
    port,
    user: state.user,
    password: state.password,
    database: DATABASE,
    dir,
    pid,
    exited,
    stop: opts.detached ? async () => void (await stopPostgres(dir)) : stop,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      if (gone) return;
      child.ref();
      child.kill(signal);
    },
    async createDatabase(name) {
      if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`database name "${name}" must be 1-63 of [a-z0-9_].`);
      await createDatabaseIfMissing(urlOf(host, port, state, 'postgres'), name);
      return urlOf(host, port, state, name);
    },
  };
}

async function waitUntilReady(p: {
  host: string;
  port: number;
  state: ServerState;
  data: string;
  deadline: number;
  isGone: () => boolean;
  describe: string;
  output: () => string;
}): Promise<void> {
  let delay = 50;
  for (;;) {
    if (p.isGone()) {
      const out = p.output();
      if (/could not bind|Address already in use/i.test(out)) throw new PostgresPortInUseError(`${p.describe}: the port is already in use.\n${out}`);
      throw new Error(`${p.describe} exited before accepting connections.\nLast server output:\n${out || '(none)'}`);
    }
    if (Date.now() > p.deadline) throw new Error(`${p.describe} did not accept connections before the startup timeout.\nLast server output:\n${p.output() || '(none)'}`);
    const client = new pg.Client({ connectionString: urlOf(p.host, p.port, p.state, 'postgres'), connectionTimeoutMillis: 2_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      // Another server on the port (ours failed to bind) would not have our data directory.
      const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
      if (path.resolve(rows[0]!.data_directory) !== path.resolve(p.data)) {
        throw new PostgresPortInUseError(`${p.describe}: another PostgreSQL server (${rows[0]!.data_directory}) answers on port ${p.port}.`);
      }
      return;
    } catch (err) {
      if (err instanceof PostgresPortInUseError) throw err;
      // Not up yet (refused, or "the database system is starting up"): try again.
    } finally {
      await client.end().catch(() => {});
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 500);
  }
}

async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    try {
      await client.query(`CREATE DATABASE ${name}`); // name checked by the callers: [a-z0-9_]
    } catch (err) {
      // Created by a concurrent caller in the meantime: fine.
      if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505') throw err;
    }
  } finally {
    await client.end();
  }
}

/** PostgreSQL's own settings come from the command line: no PG* variables of the caller leak in. */
function serverEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PG')));
  return { ...env, LC_ALL: 'C' };
}

/** Debian's `postgres` system user, else `nobody`: who runs the server when we are root. */
async function unprivilegedUser(): Promise<RunAs> {
  for (const name of ['postgres', 'nobody']) {
    try {
      const { stdout } = await execFileAsync('getent', ['passwd', name]);
      const [, , uid, gid] = stdout.trim().split(':');
      if (uid && gid && Number(uid) !== 0) return { name, uid: Number(uid), gid: Number(gid) };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error('Running as root, but there is no `postgres` or `nobody` user to run PostgreSQL as (it refuses to run as root). Create one, or run as a normal user.');
}

/** As root, every directory above `dir` must let the server user through (x for others, or owned by it). */
function assertReachable(dir: string, runAs: RunAs): void {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const through = st.uid === runAs.uid ? st.mode & 0o100 : st.gid === runAs.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!through) {
      throw new Error(
        `PostgreSQL runs as user ${runAs.name} (it refuses root), which cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}) to reach ${dir}. ` +
          `Put the cluster somewhere it can reach (e.g. under /tmp or /var/tmp), or allow it through (chmod o+x ${d}).`,
      );
    }
    if (d === path.dirname(d)) return;
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, dir, ...rest] = argv;
  const log = (line: string) => process.stderr.write(`[vigil] ${line}\n`);
  if ((command !== 'start' && command !== 'stop') || !dir) {
    log('usage: node --import tsx infra/postgres.ts start <dir> [--port N]   (prints the connection URL)');
    log('       node --import tsx infra/postgres.ts stop <dir>');
    return 2;
  }
  if (command === 'stop') {
    log((await stopPostgres(dir)) ? `Stopped PostgreSQL in ${path.resolve(dir)}.` : `No PostgreSQL running in ${path.resolve(dir)}.`);
    return 0;
  }
  const at = rest.indexOf('--port');
  const port = at >= 0 ? Number(rest[at + 1]) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    log(`--port must be a TCP port number, got ${rest[at + 1]}.`);
    return 2;
  }
  const running = postmasterPid(path.resolve(dir));
  if (running !== undefined && isPidAlive(running)) {
    log(`PostgreSQL already runs in ${path.resolve(dir)} (pid ${running}); stop it first.`);
    return 1;
  }
  const started = Date.now();
  const server = await startPostgres({ dir, port, detached: true, log });
  log(`PostgreSQL ${POSTGRES_MAJOR} ready on ${server.host}:${server.port} in ${Date.now() - started} ms (pid ${server.pid}); log in ${path.join(server.dir, 'postgres.log')}.`);
  // The URL (with its password) on stdout only, for VIGIL_DATABASE_URL=$(...); it is also in server.json.
  process.stdout.write(`${server.url}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`[vigil] ${err.message}\n`);
      process.exit(1);
    },
  );
}
