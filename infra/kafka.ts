// A throwaway Apache Kafka broker (KRaft, one node acting as broker and controller) on loopback ports, for
// the event-stream tests, the benchmark and a person trying the Kafka publisher. The jars come from Maven
// Central through Maven (`org.apache.kafka:kafka_2.13` and `kafka-tools`) into a cache outside the repository
// (<cache>/kafka/<version>/libs); after the first fetch nothing touches the network.
//
//   node --import tsx infra/kafka.ts start <dir> [--port N] [--sasl]   prints the bootstrap address; keeps running
//   node --import tsx infra/kafka.ts stop <dir>
//
// Layout of <dir>: data/ (the log and the KRaft metadata), server.properties, broker.json (ports, cluster id,
// generated SASL users; 0600), broker.pid, kafka.log (CLI only). With --sasl the client listener takes
// SASL/PLAIN only, with two generated users: `admin` (super user) and `vigil` (for the publisher).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Admin } from '../activities/events/kafka-client.js';
import { isPidAlive, vigilCacheDir, withDirLock } from './data-dir.js';
import { freePorts, isPortFree, startWatchdog } from './dev-server.js';
import { findOnPath } from './temporal-cli.js';
import { forwardLines, readTail } from './child-output.js';

const execFileAsync = promisify(execFile);

export const KAFKA_VERSION = '4.4.0';
const SCALA_VERSION = '2.13';
/** Kafka's distribution ships log4j2 as SLF4J 1.x's binding; Maven's compile scope leaves it out, and without it the broker logs nothing. */
const LOG4J_VERSION = '2.25.5';
/** A single-node broker can take over a minute to stop on SIGTERM; after this it is killed. */
const STOP_GRACE_MS = 15_000;
const OUTPUT_TAIL_LINES = 60;
const LOG4J2_CONFIG = fileURLToPath(new URL('./kafka/log4j2.properties', import.meta.url));

export interface KafkaSaslUsers {
  mechanism: 'PLAIN';
  /** Super user (creates topics and ACLs). */
  admin: { username: string; password: string };
  /** An ordinary user: what the publisher connects as. Under the authorizer it may do only what ACLs allow. */
  user: { username: string; password: string };
}

export interface StartKafkaOptions {
  /** Where the broker keeps its data (created 0700; reused, with its ports and users, when it holds one). */
  dir: string;
  /** Client port; else the one this directory used last when free, else a free one. */
  port?: number;
  /** Client listener SASL/PLAIN only, with generated users (kept in broker.json). Fixed when the directory is formatted. */
  sasl?: boolean;
  /** With sasl: Kafka's StandardAuthorizer; `admin` is a super user, everyone else needs ACLs. */
  authorizer?: boolean;
  /** Extra server.properties entries (e.g. message.max.bytes). */
  properties?: Record<string, string>;
  /** Run on after this process exits (the CLI); stop it with stopKafka(dir). Output goes to <dir>/kafka.log. */
  detached?: boolean;
  log?: (line: string) => void;
  /** How long to wait for a metadata request to succeed (default 90 s). */
  readyTimeoutMs?: number;
}

export interface KafkaBroker {
  /** host:port of the client listener. */
  bootstrap: string;
  host: string;
  port: number;
  /** Present when started with sasl; holds passwords: never log them. */
  sasl?: KafkaSaslUsers;
  dir: string;
  pid: number;
  /** Settles when the broker has exited (only observed for brokers this process started attached). */
  exited: Promise<void>;
  /** SIGTERM, SIGKILL after `graceMs` (default 15 s); resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** A signal without waiting. */
  kill(signal?: NodeJS.Signals): void;
}

interface BrokerState {
  port?: number;
  controllerPort?: number;
  clusterId: string;
  sasl?: KafkaSaslUsers;
  authorizer?: boolean;
}

const stateFile = (dir: string) => path.join(dir, 'broker.json');
const pidFile = (dir: string) => path.join(dir, 'broker.pid');
const dataDirOf = (dir: string) => path.join(dir, 'data');
const classpathOf = (libs: string) => `${libs}${path.sep}*`;

/** The directory holding Kafka's jars, fetched with Maven on first use (under a lock, so parallel tests fetch once). */
export async function ensureKafka(opts: { log?: (line: string) => void } = {}): Promise<string> {
  const log = opts.log ?? (() => {});
  const home = path.join(vigilCacheDir(), 'kafka', KAFKA_VERSION);
  const libs = path.join(home, 'libs');
  const complete = path.join(home, '.complete');
  // The marker names the pom it was fetched for, so a change of the jar list fetches again.
  const fetched = () => fs.existsSync(complete) && fs.readFileSync(complete, 'utf8').startsWith(pomHash());
  if (fetched()) return libs;
  fs.mkdirSync(home, { recursive: true });
  return withDirLock(
    path.join(home, '.lock'),
    async () => {
      if (fetched()) return libs; // fetched while we waited
      const mvn = findOnPath('mvn');
      if (!mvn) {
        throw new Error(`Kafka ${KAFKA_VERSION}'s jars are not in ${libs} and Maven (mvn) is not installed to fetch them. Install Maven (Debian: apt-get install maven) and Java 17+.`);
      }
      const pom = path.join(home, 'pom.xml');
      fs.writeFileSync(pom, brokerPom());
      const staging = path.join(home, 'libs.partial');
      fs.rmSync(staging, { recursive: true, force: true });
      log(`Fetching Apache Kafka ${KAFKA_VERSION} (kafka_${SCALA_VERSION}, kafka-tools) from Maven Central into ${libs} (once)...`);
      const started = Date.now();
      try {
        await execFileAsync(mvn, ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`], {
          cwd: home,
          timeout: 15 * 60_000,
          maxBuffer: 32 * 1024 * 1024,
        });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
        throw new Error(`Maven could not fetch Kafka ${KAFKA_VERSION}: ${tail || e.message}\nCheck network access to Maven Central (or your mirror in ~/.m2/settings.xml) and retry.`, { cause: err });
      }
      fs.rmSync(libs, { recursive: true, force: true });
      fs.renameSync(staging, libs);
      fs.writeFileSync(complete, `${pomHash()} ${new Date().toISOString()} ${fs.readdirSync(libs).length} jars\n`);
      log(`Fetched ${fs.readdirSync(libs).length} jars in ${Date.now() - started} ms.`);
      return libs;
    },
    { purpose: `fetch Kafka ${KAFKA_VERSION}`, timeoutMs: 20 * 60_000, log },
  );
}

function pomHash(): string {
  return createHash('sha256').update(brokerPom()).digest('hex').slice(0, 16);
}

function brokerPom(): string {
  const dep = (artifact: string, group = 'org.apache.kafka', version = KAFKA_VERSION) =>
    `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.vigil</groupId><artifactId>kafka-broker</artifactId><version>${KAFKA_VERSION}</version><packaging>pom</packaging>
  <dependencies>
${dep(`kafka_${SCALA_VERSION}`)}
${dep('kafka-tools')}
${dep('log4j-slf4j-impl', 'org.apache.logging.log4j', LOG4J_VERSION)}
  </dependencies>
</project>
`;
}

/** Starts (formatting on first use) the broker in `opts.dir`; resolves once a metadata request succeeds. */
export async function startKafka(opts: StartKafkaOptions): Promise<KafkaBroker> {
  const log = opts.log ?? (() => {});
  if (!findOnPath('java')) throw new Error('Java (17 or newer) is not installed; Kafka needs it. Debian: apt-get install openjdk-17-jre-headless.');
  const libs = await ensureKafka({ log });
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const running = readPid(dir);
  // Never start a second broker on a directory (or the ports) a dying one still holds.
  if (running !== undefined && isPidAlive(running)) throw new Error(`A Kafka broker still runs in ${dir} (pid ${running}); stop it first (infra/kafka.ts stop ${dir}).`);
  const state = readState(dir) ?? newState(opts);
  if (opts.sasl !== undefined && Boolean(state.sasl) !== opts.sasl) {
    throw new Error(`The broker in ${dir} was set up ${state.sasl ? 'with' : 'without'} SASL; use another directory (or remove this one) to start it ${opts.sasl ? 'with' : 'without'}.`);
  }
  const host = '127.0.0.1';
  for (let attempt = 1; ; attempt++) {
    const reuse = attempt === 1 && state.port && state.controllerPort && (await isPortFree(state.port, host)) && (await isPortFree(state.controllerPort, host));
    let [port, controllerPort] = reuse ? [state.port!, state.controllerPort!] : await freePorts(host, 2);
    if (opts.port !== undefined) {
      if (!(await isPortFree(opts.port, host))) throw new Error(`Port ${opts.port} on ${host} is in use (perhaps by a broker still shutting down); choose another or wait.`);
      port = opts.port;
      if (controllerPort === port) [controllerPort] = await freePorts(host, 1);
    }
    const current: BrokerState = { ...state, port: port!, controllerPort: controllerPort! };
    writeState(dir, current);
    fs.writeFileSync(path.join(dir, 'server.properties'), serverProperties(dir, host, current, opts.properties ?? {}), { mode: 0o600 });
    await formatIfNeeded(libs, dir, current, log);
    try {
      return await launch(libs, dir, host, current, opts);
    } catch (err) {
      if (!(err instanceof KafkaPortInUseError) || opts.port !== undefined || attempt >= 5) throw err;
      log(`A port was taken while Kafka started; retrying with others (${attempt}/4).`);
    }
  }
}

/** Stops the broker in `dir` started by anyone (its broker.pid): SIGTERM, SIGKILL after the grace period. */
export async function stopKafka(dir: string, graceMs = STOP_GRACE_MS): Promise<boolean> {
  const pid = readPid(path.resolve(dir));
  if (pid === undefined || !isPidAlive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isPidAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isPidAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isPidAlive(pid)) await sleep(50);
  }
  fs.rmSync(pidFile(path.resolve(dir)), { force: true });
  return true;
}

function newState(opts: StartKafkaOptions): BrokerState {
  const secret = () => randomBytes(18).toString('base64url');
  return {
    clusterId: clusterId(),
    ...(opts.sasl
      ? { sasl: { mechanism: 'PLAIN' as const, admin: { username: 'admin', password: secret() }, user: { username: 'vigil', password: secret() } } }
      : {}),
    ...(opts.sasl && opts.authorizer ? { authorizer: true } : {}),
  };
}

/** Kafka's cluster ids are 16 random bytes in URL-safe base64; Kafka itself avoids ones starting with '-'. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(dir: string, host: string, s: BrokerState, extra: Record<string, string>): string {
  const client = s.sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@${host}:${s.controllerPort}`,
    listeners: `${client}://${host}:${s.port},CONTROLLER://${host}:${s.controllerPort}`,
    'advertised.listeners': `${client}://${host}:${s.port}`,
    'listener.security.protocol.map': `CONTROLLER:PLAINTEXT,${client}:${client}`,
    'inter.broker.listener.name': client,
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': dataDirOf(dir),
    'num.partitions': '3',
    'default.replication.factor': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    // Topics are created on purpose (the publisher does, when allowed), never by a metadata request.
    'auto.create.topics.enable': 'false',
  };
  if (s.sasl) {
    const { admin, user } = s.sasl;
    props['sasl.enabled.mechanisms'] = 'PLAIN';
    props['sasl.mechanism.inter.broker.protocol'] = 'PLAIN';
    props[`listener.name.${client.toLowerCase()}.plain.sasl.jaas.config`] =
      `org.apache.kafka.common.security.plain.PlainLoginModule required username="${admin.username}" password="${admin.password}" ` +
      `user_${admin.username}="${admin.password}" user_${user.username}="${user.password}";`;
  }
  if (s.authorizer) {
    props['authorizer.class.name'] = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
    // The controller listener is plaintext on loopback; the broker reaches its own controller there as ANONYMOUS.
    props['super.users'] = `User:${s.sasl!.admin.username};User:ANONYMOUS`;
    props['allow.everyone.if.no.acl.found'] = 'false';
  }
  Object.assign(props, extra);
  return `# Written by infra/kafka.ts; rewritten on every start.\n${Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

async function formatIfNeeded(libs: string, dir: string, s: BrokerState, log: (line: string) => void): Promise<void> {
  if (fs.existsSync(path.join(dataDirOf(dir), 'meta.properties'))) return;
  // A half-formatted directory from an interrupted run holds nothing that matters yet.
  fs.rmSync(dataDirOf(dir), { recursive: true, force: true });
  log(`Formatting a KRaft log directory in ${dataDirOf(dir)}...`);
  try {
    await execFileAsync(
      'java',
      ['-Xmx256m', `-Dlog4j2.configurationFile=${LOG4J2_CONFIG}`, '-cp', classpathOf(libs), 'kafka.tools.StorageTool', 'format', '-t', s.clusterId, '-c', path.join(dir, 'server.properties')],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`Formatting Kafka's storage in ${dataDirOf(dir)} failed: ${`${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-6).join('\n') || e.message}`, { cause: err });
  }
}

/** A port clash between choosing the ports and the broker binding them. */
class KafkaPortInUseError extends Error {}

async function launch(libs: string, dir: string, host: string, s: BrokerState, opts: StartKafkaOptions): Promise<KafkaBroker> {
  const log = opts.log ?? (() => {});
  const tail: string[] = [];
  const logFd = opts.detached ? fs.openSync(path.join(dir, 'kafka.log'), 'a', 0o600) : undefined;
  const child: ChildProcess = spawn(
    'java',
    ['-Xms256m', '-Xmx512m', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${LOG4J2_CONFIG}`, '-cp', classpathOf(libs), 'kafka.Kafka', path.join(dir, 'server.properties')],
    { stdio: opts.detached ? ['ignore', logFd!, logFd!] : ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false, cwd: dir },
  );
  if (logFd !== undefined) fs.closeSync(logFd);
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawnError) throw new Error(`Could not run java: ${spawnError.message}.`);
  const pid = child.pid!;
  fs.writeFileSync(pidFile(dir), `${pid}\n`);
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
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      if (readPid(dir) === pid) fs.rmSync(pidFile(dir), { force: true });
      resolve();
    }),
  );
  const watchdog = opts.detached ? undefined : startWatchdog(pid);
  void exited.then(() => watchdog?.kill('SIGKILL'));

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = STOP_GRACE_MS): Promise<void> =>
    (stopping ??= (async () => {
      if (gone) return;
      child.ref();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    })());

  const describe = `Kafka ${KAFKA_VERSION} (pid ${pid}, ${host}:${s.port}, ${dir})`;
  const output = () => (opts.detached ? readTail(path.join(dir, 'kafka.log'), OUTPUT_TAIL_LINES) : tail.join('\n'));
  try {
    await waitUntilReady({ host, port: s.port!, sasl: s.sasl, deadline: Date.now() + (opts.readyTimeoutMs ?? 90_000), isGone: () => gone, describe, output });
  } catch (err) {
    if (opts.detached) await stopKafka(dir);
    else await stop();
    throw err;
  }
  // A running broker must not keep its parent alive; the watchdog stops it when the parent exits.
  child.unref();
  if (!opts.detached) {
    (child.stdout as unknown as net.Socket).unref();
    (child.stderr as unknown as net.Socket).unref();
  }
  return {
    bootstrap: `${host}:${s.port}`,
    host,
    port: s.port!,
    ...(s.sasl ? { sasl: s.sasl } : {}),
    dir,
    pid,
    exited,
    stop: opts.detached ? async (graceMs?: number) => void (await stopKafka(dir, graceMs)) : stop,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      if (gone) return;
      child.ref();
      child.kill(signal);
    },
  };
}

async function waitUntilReady(p: {
  host: string;
  port: number;
  sasl?: KafkaSaslUsers;
  deadline: number;
  isGone: () => boolean;
  describe: string;
  output: () => string;
}): Promise<void> {
  let delay = 200;
  for (;;) {
    if (p.isGone()) {
      const out = p.output();
      if (/Address already in use|BindException/i.test(out)) throw new KafkaPortInUseError(`${p.describe}: a port is already in use.\n${out}`);
      throw new Error(`${p.describe} exited before it was ready.\nLast broker output:\n${out || '(none)'}`);
    }
    if (Date.now() > p.deadline) throw new Error(`${p.describe} did not answer a metadata request before the startup timeout.\nLast broker output:\n${p.output() || '(none)'}`);
    if (await answersMetadata(p.host, p.port, p.sasl)) return;
    await sleep(delay);
    delay = Math.min(delay * 2, 1_000);
  }
}

/** True once the broker answers a metadata request listing itself (it is registered and unfenced). */
async function answersMetadata(host: string, port: number, sasl?: KafkaSaslUsers): Promise<boolean> {
  const admin = new Admin({
    clientId: 'vigil-kafka-ready',
    bootstrapBrokers: [`${host}:${port}`],
    retries: 0,
    connectTimeout: 2_000,
    timeout: 5_000,
    ...(sasl ? { sasl: { mechanism: sasl.mechanism, username: sasl.admin.username, password: sasl.admin.password } } : {}),
  });
  try {
    const metadata = await admin.metadata({ topics: [] });
    return metadata.brokers.size > 0;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => {});
  }
}

function readState(dir: string): BrokerState | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(stateFile(dir), 'utf8')) as BrokerState;
    return fs.existsSync(path.join(dataDirOf(dir), 'meta.properties')) ? state : undefined;
  } catch {
    return undefined;
  }
}

function writeState(dir: string, state: BrokerState): void {
  fs.writeFileSync(stateFile(dir), JSON.stringify(state), { mode: 0o600 });
}

function readPid(dir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(dir), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, dir, ...rest] = argv;
  const log = (line: string) => process.stderr.write(`[vigil] ${line}\n`);
  if ((command !== 'start' && command !== 'stop') || !dir) {
    log('usage: node --import tsx infra/kafka.ts start <dir> [--port N] [--sasl]   (prints the bootstrap address)');
    log('       node --import tsx infra/kafka.ts stop <dir>');
    return 2;
  }
  if (command === 'stop') {
    log((await stopKafka(dir)) ? `Stopped Kafka in ${path.resolve(dir)}.` : `No Kafka broker running in ${path.resolve(dir)}.`);
    return 0;
  }
  const at = rest.indexOf('--port');
  const port = at >= 0 ? Number(rest[at + 1]) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    log(`--port must be a TCP port number, got ${rest[at + 1]}.`);
    return 2;
  }
  const started = Date.now();
  const broker = await startKafka({ dir, port, sasl: rest.includes('--sasl'), detached: true, log });
  log(`Kafka ${KAFKA_VERSION} ready on ${broker.bootstrap} in ${Date.now() - started} ms (pid ${broker.pid}); log in ${path.join(broker.dir, 'kafka.log')}.`);
  if (broker.sasl) log(`SASL/PLAIN users (user "${broker.sasl.user.username}" for Vigil) are in ${stateFile(broker.dir)}.`);
  process.stdout.write(`${broker.bootstrap}\n`);
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
