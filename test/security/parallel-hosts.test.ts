// Parallel `vigil scan` runs on one host (parallel CI jobs): each data directory gets its own Temporal
// dev server, on 7233 when free and on a free port otherwise, and never talks to another data
// directory's server. The real CLI as a user runs it, each process starting its own dev server (no
// TEMPORAL_ADDRESS), on tiny repositories.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../../activities/model.js';
import { isPidAlive } from '../../infra/data-dir.js';
import { hasNamespace } from '../../infra/dev-server.js';
import { connectTemporal, identityNamespace } from '../../infra/temporal-connection.js';
import { git } from '../helpers/scan-harness.js';

const bin = fileURLToPath(new URL('../../api/bin/vigil.js', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-parallel-'));
const DEFAULT_PORT = 7233;

// One file with a SQL injection the built-in engine reports as CWE-89.
const APP = `'use strict';
const express = require('express');
const mysql = require('mysql');
const pool = mysql.createPool({ host: 'db' });
const app = express();
app.get('/users', (req, res) => {
  pool.query("SELECT * FROM users WHERE name = '" + req.query.name + "'", (err, rows) => res.json(rows));
});
app.listen(3000);
`;

interface Run {
  name: string;
  dataDir: string;
  code: number | null;
  stdout: string;
  stderr: string;
  /** The gRPC port the CLI said its Temporal dev server uses. */
  port?: number;
  started: boolean;
}

function tinyRepo(name: string): string {
  const repo = path.join(tmp, `repo-${name}`);
  fs.mkdirSync(repo, { recursive: true });
  // Each repository's file has its own name, so findings from another data directory's scan would show.
  fs.writeFileSync(path.join(repo, `app-${name}.js`), APP);
  fs.writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name, dependencies: { express: '4.17.1', mysql: '2.18.1' } }));
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'initial');
  return repo;
}

/** The environment a user's shell would give the CLI: no suite Temporal server, its own data dir. */
function userEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_DATA_DIR: dataDir };
  for (const key of Object.keys(env)) if (key.startsWith('TEMPORAL_')) delete env[key];
  delete env.VIGIL_API_URL;
  delete env.NODE_TEST_CONTEXT;
  return env; // VIGIL_TEMPORAL_CLI (the already-built binary) is kept
}

function vigilScan(name: string, dataDir = path.join(tmp, `data-${name}`)): Promise<Run> {
  const repo = tinyRepo(name);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'scan', repo, '--format', 'json'], { env: userEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const m = /(Started local|Using this data directory's) Temporal dev server at 127\.0\.0\.1:(\d+)/.exec(stderr);
      resolve({ name, dataDir, code, stdout, stderr, port: m ? Number(m[2]) : undefined, started: m?.[1] === 'Started local' });
    });
  });
}

function assertScanned(run: Run): void {
  assert.equal(run.code, 0, `vigil scan on ${run.dataDir} failed:\n${run.stderr}`);
  const out = JSON.parse(run.stdout) as { scan: { stage: string }; findings: Finding[] };
  assert.equal(out.scan.stage, 'awaiting_decisions');
  assert.ok(out.findings.some((f) => f.cwe === 'CWE-89' && f.location.file === `app-${run.name}.js`), `no SQL injection found:\n${run.stdout}`);
  assert.deepEqual([...new Set(out.findings.map((f) => f.location.file))], [`app-${run.name}.js`], 'findings of another scan');
  assert.ok(run.port, `the CLI did not say which Temporal port it uses:\n${run.stderr}`);
}

/** Pids of processes whose command line names this data directory's Temporal DB (Linux /proc). */
function serversOn(dataDir: string): number[] {
  const dbFile = path.join(dataDir, 'temporal.db');
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(dbFile)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Every dev server a run left behind is killed (and reported: the CLI stops the one it started). */
function reap(runs: Run[]): number[] {
  const left = runs.flatMap((r) => serversOn(r.dataDir));
  for (const pid of left) process.kill(pid, 'SIGKILL');
  return left;
}

/** Holds `port` with a plain TCP listener (not Temporal) if nobody does yet; either way it is taken. */
async function occupy(port: number): Promise<net.Server | undefined> {
  const server = net.createServer((socket) => socket.destroy());
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined)); // already taken by someone else: just as good
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('parallel vigil scan runs on one host', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  for (const { count, blockDefault } of [
    { count: 2, blockDefault: false },
    { count: 8, blockDefault: false },
    { count: 2, blockDefault: true },
  ]) {
    test(`${count} scans at once on ${count} data directories${blockDefault ? `, with ${DEFAULT_PORT} held by a plain TCP listener` : ''} all succeed`, async (t) => {
      const blocker = blockDefault ? await occupy(DEFAULT_PORT) : undefined;
      const started = Date.now();
      const runs = await Promise.all(Array.from({ length: count }, (_, i) => vigilScan(`${count}${blockDefault ? 'b' : ''}-${i}`)));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      blocker?.close();
      const leftBehind = reap(runs);
      t.diagnostic(`${count} concurrent scans took ${seconds} s; ports ${runs.map((r) => r.port).join(', ')}`);

      for (const run of runs) assertScanned(run);
      for (const run of runs) assert.ok(run.started, `${run.dataDir} did not start its own server:\n${run.stderr}`);
      assert.equal(new Set(runs.map((r) => r.port)).size, count, `two data directories shared a port: ${runs.map((r) => r.port)}`);
      if (blockDefault) assert.ok(runs.every((r) => r.port !== DEFAULT_PORT), 'a scan claims the port held by another listener');
      for (const run of runs.filter((r) => r.port !== DEFAULT_PORT)) assert.match(run.stderr, new RegExp(`port ${DEFAULT_PORT} is taken`));
      assert.deepEqual(leftBehind, [], 'a CLI left its dev server running');
      for (const run of runs) assert.equal(fs.existsSync(path.join(run.dataDir, 'temporal-server.json')), false, 'stale server record left');
    });
  }

  test('a scan on a data directory whose server is running reuses that server, and only that one', async (t) => {
    const dataDir = path.join(tmp, 'data-shared');
    const other = path.join(tmp, 'data-other');
    // This process starts data-directory servers itself, as `vigil` does: not the suite's server.
    const suiteAddress = process.env.TEMPORAL_ADDRESS;
    delete process.env.TEMPORAL_ADDRESS;
    t.after(() => {
      if (suiteAddress !== undefined) process.env.TEMPORAL_ADDRESS = suiteAddress;
    });
    const owner = await connectTemporal({ dataDir, log: () => {} });
    const bystander = await connectTemporal({ dataDir: other, log: () => {} });
    try {
      assert.ok(owner.devServer && bystander.devServer);
      const record = JSON.parse(fs.readFileSync(path.join(dataDir, 'temporal-server.json'), 'utf8'));
      assert.equal(record.pid, owner.devServer.pid);
      assert.equal(record.grpcPort, owner.devServer.port);
      assert.equal(record.identityNamespace, identityNamespace(dataDir));
      assert.notEqual(identityNamespace(other), identityNamespace(dataDir));
      // What tells the servers apart: only a data directory's own server has its identity namespace.
      assert.equal(await hasNamespace(owner.connection, identityNamespace(dataDir)), true);
      assert.equal(await hasNamespace(bystander.connection, identityNamespace(dataDir)), false);
      for (const file of ['temporal-server.json', 'temporal-identity']) assert.equal(fs.statSync(path.join(dataDir, file)).mode & 0o777, 0o600, file);

      // Two processes starting the same data directory's server at once end with one server.
      const same = path.join(tmp, 'data-same');
      const pair = await Promise.all([connectTemporal({ dataDir: same, log: () => {} }), connectTemporal({ dataDir: same, log: () => {} })]);
      assert.equal(pair.filter((h) => h.devServer).length, 1, 'not exactly one of two concurrent starts started a server');
      assert.equal(pair[0].address, pair[1].address);
      assert.equal(serversOn(same).length, 1);
      for (const h of [...pair].sort((a) => (a.devServer ? 1 : -1))) await h.close();
      assert.deepEqual(serversOn(same), []);

      const run = await vigilScan('shared', dataDir);
      assertScanned(run);
      assert.equal(run.started, false, `a second server was started for the same data directory:\n${run.stderr}`);
      assert.equal(run.port, owner.devServer.port);
      assert.deepEqual(serversOn(dataDir), [owner.devServer.pid], 'not exactly one server on the shared data directory');
      assert.ok(isPidAlive(owner.devServer.pid), "the guest CLI stopped the owner's server");

      // A record naming our live server but another data directory's address (say, a port since reused):
      // an error naming our pid, never a connection to the other server nor a second server on our DB.
      const recordFile = path.join(dataDir, 'temporal-server.json');
      fs.writeFileSync(recordFile, JSON.stringify({ ...record, address: bystander.address }));
      await assert.rejects(connectTemporal({ dataDir, log: () => {} }), new RegExp(`server \\(pid ${owner.devServer.pid},.*kill ${owner.devServer.pid}`));
      assert.deepEqual(serversOn(dataDir), [owner.devServer.pid]);
      fs.writeFileSync(recordFile, JSON.stringify(record));

      // A data directory whose record names another data directory's server: that record is stale.
      const victim = path.join(tmp, 'data-victim');
      fs.mkdirSync(victim, { recursive: true });
      const forged = { ...record, pid: bystander.devServer.pid, address: bystander.address, dbFile: path.join(victim, 'temporal.db') };
      fs.writeFileSync(path.join(victim, 'temporal-server.json'), JSON.stringify({ ...forged, identityNamespace: identityNamespace(victim) }));
      const lines: string[] = [];
      const own = await connectTemporal({ dataDir: victim, log: (l) => lines.push(l) });
      try {
        assert.ok(own.devServer, "did not start the victim's own server");
        assert.notEqual(own.address, bystander.address, "connected to another data directory's server");
        assert.ok(lines.some((l) => /Ignoring stale/.test(l)), lines.join(' | '));
      } finally {
        await own.close();
      }
    } finally {
      await owner.close();
      await bystander.close();
    }
    assert.deepEqual(serversOn(dataDir), []);
  });
});
