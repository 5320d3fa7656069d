// One Temporal service (frontend, history, matching or worker) as its own `temporal-server start --service`
// process, its output in <dir>/logs/<service>.log.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPidAlive } from '../data-dir.js';
import { startWatchdog } from '../dev-server.js';

export const TEMPORAL_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type TemporalServiceName = (typeof TEMPORAL_SERVICES)[number];

/** The server stops its services in order on SIGTERM within a few seconds; past this it is killed. */
export const SERVICE_STOP_GRACE_MS = 15_000;

export interface ServiceProcess {
  name: TemporalServiceName;
  pid: number;
  logFile: string;
}

export interface SpawnServiceOptions {
  bin: string;
  name: TemporalServiceName;
  /** The cluster directory: config/<env>.yaml under it, logs/ beside it. */
  root: string;
  configEnv: string;
  env: NodeJS.ProcessEnv;
  /** Outlive this process (the CLI); else a watchdog stops the service when this process dies. */
  detached: boolean;
}

export async function spawnService(opts: SpawnServiceOptions): Promise<ServiceProcess> {
  const logDir = path.join(opts.root, 'logs');
  fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const logFile = path.join(logDir, `${opts.name}.log`);
  const fd = fs.openSync(logFile, 'a', 0o600);
  const child = spawn(
    opts.bin,
    ['--root', opts.root, '--config', 'config', '--env', opts.configEnv, '--allow-no-auth', 'start', '--service', opts.name],
    { cwd: opts.root, env: opts.env, stdio: ['ignore', fd, fd], detached: opts.detached },
  );
  fs.closeSync(fd);
  const error = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (error) throw new Error(`Could not run ${opts.bin} for the ${opts.name} service: ${error.message}.`);
  child.unref();
  if (!opts.detached) startWatchdog(child.pid!);
  return { name: opts.name, pid: child.pid!, logFile };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. False if it was not running. */
export async function stopProcess(pid: number, graceMs = SERVICE_STOP_GRACE_MS): Promise<boolean> {
  if (!isPidAlive(pid)) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + graceMs;
  while (isPidAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isPidAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone in between
    }
    while (isPidAlive(pid)) await sleep(50);
  }
  return true;
}

/** The last lines of a service's log, for errors. */
export function logTail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
