// Test-suite wrapper: `node --import tsx infra/run-with-temporal.ts -- <command...>`.
// Starts one in-memory Temporal dev server (unless TEMPORAL_ADDRESS is set), runs the command with
// TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / VIGIL_TEMPORAL_CLI exported, stops the server, and exits
// with the command's exit code.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { startDevServer, type DevServer } from './dev-server.js';
import { ensureTemporalCli } from './temporal-cli.js';

const log = (line: string) => process.stderr.write(`[vigil] ${line}\n`);

function parseCommand(argv: string[]): string[] {
  const dash = argv.indexOf('--');
  return dash >= 0 ? argv.slice(dash + 1) : argv;
}

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  if (command.length === 0) {
    log('usage: node --import tsx infra/run-with-temporal.ts -- <command> [args...]');
    return 2;
  }

  const env = { ...process.env };
  let server: DevServer | undefined;
  const serverOutput: string[] = [];
  if (env.TEMPORAL_ADDRESS) {
    // Tests that need a private server (kill/restart) still want the binary; not fatal without it.
    try {
      env.VIGIL_TEMPORAL_CLI = await ensureTemporalCli({ log });
    } catch (err) {
      log(`Warning: no Temporal CLI available (${(err as Error).message.split('\n')[0]}); tests that start their own server will fail.`);
    }
    env.TEMPORAL_NAMESPACE ||= 'default';
    log(`Using the Temporal server at ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE}) from TEMPORAL_ADDRESS.`);
  } else {
    const cliPath = await ensureTemporalCli({ log });
    server = await startDevServer({
      cliPath,
      uiPort: false,
      // Tests delete runs right after they close (tenant deletion). By default the server first waits until every
      // close task of a run is processed, which the dev server does lazily (30-80 s); deletion itself is the same.
      dynamicConfig: { 'history.transferProcessorEnsureCloseBeforeDelete': false },
      // Kept quiet (tests print enough); shown if the server dies while the command runs.
      log: (line) => {
        serverOutput.push(line);
        if (serverOutput.length > 40) serverOutput.shift();
      },
    });
    env.VIGIL_TEMPORAL_CLI = cliPath;
    env.TEMPORAL_ADDRESS = server.address;
    env.TEMPORAL_NAMESPACE = server.namespace;
    log(`Started in-memory Temporal dev server at ${server.address} (namespace ${server.namespace}, pid ${server.pid}) for: ${command.join(' ')}`);
  }

  const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
  let signalled = false;
  const forward = (signal: NodeJS.Signals) => {
    // A second signal means "stop now".
    child.kill(signalled ? 'SIGKILL' : signal);
    signalled = true;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);

  void server?.exited.then((exit) => {
    if (signalled) return; // Ctrl-C reaches the server too; that is not a crash
    log(`The Temporal dev server exited unexpectedly (${exit.signal ?? `code ${exit.code}`}) while the command ran. Last output:\n${serverOutput.join('\n')}`);
  });

  const code = await new Promise<number>((resolve) => {
    child.once('error', (err) => {
      log(`Could not run ${command[0]}: ${err.message}`);
      resolve(127);
    });
    child.once('exit', (exitCode, signal) => {
      resolve(exitCode ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0));
    });
  });
  signalled = true; // from here on the server stopping is expected
  await server?.stop();
  return code;
}

let exitCode: number;
try {
  exitCode = await main();
} catch (err) {
  log((err as Error).message);
  exitCode = 1;
}
// Explicit exit: nothing we started may keep the wrapper alive after the command finished.
process.exit(exitCode);
