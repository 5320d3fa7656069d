// Secrets never leave Vigil in plaintext, and what it keeps on disk is encrypted and private. A real
// `vigil serve` (API + worker, JSON logs into <dataDir>/serve.log) on a persistent Temporal dev server
// (its SQLite file in the data directory) scans a repository whose SQL injection sits next to a hard-coded
// database password and a Stripe live key, so the proposed patch's context lines quote both.
//  - every exit (findings, scan, reports, history, logs, CLI output) carries the masked form, never the secret;
//  - the stored patch keeps them (apply still works): only outgoing text is masked;
//  - a decision's comment and actor name are not in the dev server's database file (payloads encrypted by default);
//  - every file in the data directory is 0600, every directory 0700.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../../activities/model.js';
import { maskText } from '../../activities/secrets/mask.js';
import { mask } from '../../activities/secrets/rules.js';
import { openConfiguredStore } from '../../activities/store/open-store.js';
import { createApiKey } from '../../api/auth/keys-file.js';
import { formatFindings, OUTPUT_FORMATS } from '../../api/cli/format.js';
import type { DevServer } from '../../infra/dev-server.js';
import { createJsonLogging } from '../../workers/json-log.js';
import { maskingLogger } from '../../workers/masking-logger.js';
import { startPrivateDevServer } from '../helpers/temporal.js';

const bin = fileURLToPath(new URL('../../api/bin/vigil.js', import.meta.url));

const DB_PASSWORD = 'Xk9#mQ2vL7pR4wZt';
const STRIPE_KEY = 'sk_live_51HqLyjWDarjtT1zdp7dcQ9';
const SECRETS = [DB_PASSWORD, STRIPE_KEY];
const COMMENT = 'UNIQUE-COMMENT-xyz-5f1c';
const ACTOR = 'reviewer-UNIQUE-ACTOR-8d2e';

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
}

/** An Express app whose SQL injection has the hard-coded secrets within the patch's three context lines. */
function leakyRepo(parent: string): string {
  const repo = mkdtempSync(join(parent, 'repo-'));
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'shop', dependencies: { express: '^4.19.0', mysql: '^2.18.1' } }));
  writeFileSync(
    join(repo, 'server.js'),
    [
      "'use strict';",
      "const express = require('express');",
      "const mysql = require('mysql');",
      'const app = express();',
      `const stripe = require('stripe')('${STRIPE_KEY}');`,
      `const pool = mysql.createPool({ host: 'localhost', user: 'shop', password: '${DB_PASSWORD}', database: 'shop' });`,
      "app.get('/users', (req, res) => {",
      `  pool.query("SELECT id, name FROM users WHERE name = '" + req.query.name + "'", (err, rows) => res.json(rows));`,
      '});',
      "app.post('/charge', (req, res) => stripe.charges.create({ amount: 100 }).then(() => res.end()));",
      'app.listen(3000);',
      '',
    ].join('\n'),
  );
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'initial');
  return repo;
}

function assertMasked(where: string, text: string, opts: { expectMasked?: boolean } = {}) {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} holds the secret ${mask(secret)} in plaintext`);
  if (opts.expectMasked !== false) assert.ok(text.includes(mask(STRIPE_KEY)), `${where} shows the masked key ${mask(STRIPE_KEY)}`);
}

describe('secrets exposure: masked at every exit, encrypted payloads, private files', () => {
  let dir: string;
  let dataDir: string;
  let repo: string;
  let server: DevServer;
  let serve: ChildProcess;
  let url = '';
  let adminKey = '';
  let scanId = '';
  let workflowId = '';
  const serveLog = () => join(dataDir, 'serve.log');

  const api = async (method: string, path: string, body?: unknown, key = adminKey) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const raw = Buffer.from(await res.arrayBuffer()).toString('utf8');
    return { status: res.status, raw, json: () => JSON.parse(raw) };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
    dataDir = join(dir, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    repo = leakyRepo(dir);
    server = await startPrivateDevServer(join(dataDir, 'temporal.db'));
    // Files an older Vigil (or a shell redirect) left world-readable: serve must tighten them.
    closeSync(openSync(join(dataDir, 'statcache.db'), 'w', 0o644));
    const logFd = openSync(serveLog(), 'a', 0o644);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
      VIGIL_DATA_DIR: dataDir,
      VIGIL_LOG_FORMAT: 'json',
      VIGIL_SCAN_ROOTS: dir,
    };
    for (const k of ['VIGIL_API_URL', 'NODE_TEST_CONTEXT', 'VIGIL_ENCRYPT_PAYLOADS', 'VIGIL_MASTER_KEY', 'VIGIL_MASTER_KEY_FILE', 'VIGIL_SQLITE_FILE', 'VIGIL_STORE']) delete env[k];
    serve = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    const stateFile = join(dataDir, 'serve.json');
    const deadline = Date.now() + 90_000;
    while (!existsSync(stateFile)) {
      assert.ok(Date.now() < deadline && serve.exitCode === null, `serve did not start: ${readFileSync(serveLog(), 'utf8')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    url = JSON.parse(readFileSync(stateFile, 'utf8')).url;
    adminKey = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();

    const started = await api('POST', '/v1/scans', { source: { path: repo } });
    assert.equal(started.status, 201, started.raw);
    ({ scanId, workflowId } = started.json());
    const until = Date.now() + 120_000;
    for (;;) {
      const s = await api('GET', `/v1/scans/${scanId}`);
      if (s.json().stage === 'awaiting_decisions') break;
      assert.ok(Date.now() < until && s.json().stage !== 'failed', `scan did not reach awaiting_decisions: ${s.raw}`);
      await new Promise((r) => setTimeout(r, 300));
    }

    // The reviewer: a key with a name that must not end up readable in Temporal's database.
    const reviewer = (await createApiKey({ tenant: 'default', roles: ['approver'], name: ACTOR, keysFile: join(dataDir, 'api-keys.json') })).key;
    for (const deadlineMe = Date.now() + 10_000; (await api('GET', '/v1/me', undefined, reviewer)).status !== 200; ) {
      assert.ok(Date.now() < deadlineMe, 'the new key was not picked up');
      await new Promise((r) => setTimeout(r, 200));
    }
    const findings = (await api('GET', `/v1/scans/${scanId}/findings`)).json().findings as Finding[];
    const sqli = findings.find((f) => f.cwe === 'CWE-89' && f.patch);
    assert.ok(sqli, `the SQL injection has a patch: ${findings.map((f) => f.cwe).join(', ')}`);
    for (const f of findings) {
      const body = f.id === sqli.id ? { decision: 'approve', comment: COMMENT } : { decision: 'reject', comment: `${COMMENT} (reject)` };
      const d = await api('POST', `/v1/scans/${scanId}/findings/${f.id}/decision`, body, reviewer);
      assert.equal(d.status, 200, d.raw);
    }
    for (const untilDone = Date.now() + 120_000; ; ) {
      const s = await api('GET', `/v1/scans/${scanId}`);
      if (s.json().stage === 'completed') break;
      assert.ok(Date.now() < untilDone && s.json().stage !== 'failed', `scan did not complete: ${s.raw}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  });

  after(async () => {
    if (serve && serve.exitCode === null) {
      serve.kill('SIGTERM');
      await new Promise((r) => serve.once('exit', r));
    }
    await server?.stop();
  });

  test('the stored patch keeps the real text (apply needs it): the approved fix is on the branch, secrets intact', async () => {
    const store = openConfiguredStore(dataDir, { VIGIL_DATA_DIR: dataDir });
    try {
      const stored = (await store.getArtifact('default', scanId, 'findings'))!;
      const diffs = stored.map((f) => f.patch?.diff ?? '').join('\n');
      assert.ok(diffs.includes(STRIPE_KEY) && diffs.includes(DB_PASSWORD), `the stored patch context quotes both secrets (precondition): ${diffs}`);
    } finally {
      await store.close();
    }
    const branch = git(repo, 'branch', '--list', 'vigil/*', '--format=%(refname:short)').trim();
    assert.ok(branch, 'apply made a branch');
    const fixed = git(repo, 'show', `${branch}:server.js`);
    assert.ok(fixed.includes(STRIPE_KEY) && !fixed.includes("+ req.query.name + \"'\""), 'the real (unmasked) patch applied');
  });

  const exits: { name: string; path: string; expectMasked?: boolean }[] = [
    { name: 'GET findings (diffs, context lines, trace snippets: the dashboard reads these)', path: '/findings' },
    { name: 'GET findings?status=approved', path: '/findings?status=approved' },
    { name: 'GET scan', path: '', expectMasked: false },
    { name: 'report json', path: '/report?format=json' },
    { name: 'report sarif', path: '/report?format=sarif' },
    { name: 'report markdown', path: '/report?format=markdown' },
    { name: 'history (what `vigil history` shows through the API)', path: '/history', expectMasked: false },
  ];
  for (const exit of exits) {
    test(`exit: ${exit.name}`, async () => {
      const res = await api('GET', `/v1/scans/${scanId}${exit.path}`);
      assert.equal(res.status, 200, res.raw);
      assertMasked(exit.name, res.raw, { expectMasked: exit.expectMasked });
    });
  }

  test('exit: CLI output of the stored findings, every format', async () => {
    const store = openConfiguredStore(dataDir, { VIGIL_DATA_DIR: dataDir });
    try {
      const stored = (await store.getArtifact('default', scanId, 'findings'))!;
      for (const format of OUTPUT_FORMATS) {
        const out = formatFindings(stored, format, { scanId, tenant: 'default', repoKey: repo, stage: 'completed' });
        assertMasked(`vigil scan --format ${format}`, out, { expectMasked: format !== 'table' });
      }
    } finally {
      await store.close();
    }
  });

  test('exit: the worker and API logs of the whole scan (serve.log, JSON lines)', () => {
    const log = readFileSync(serveLog(), 'utf8');
    assert.match(log, /"scanId":"scn_/, 'the log holds the scan');
    assertMasked('serve.log', log, { expectMasked: false });
  });

  test('exit: loggers mask what they are given (an activity failure quoting the file)', () => {
    const quoted = `Activity failed: cannot parse server.js near const stripe = require('stripe')('${STRIPE_KEY}'); password='${DB_PASSWORD}'`;
    const lines: string[] = [];
    const json = createJsonLogging({ write: (l) => lines.push(l) });
    json.logger.error(quoted, { sdkComponent: 'activity', error: new Error(quoted), detail: { source: `DB_PASSWORD = '${DB_PASSWORD}'` } });
    assertMasked('JSON log line', lines.join('\n'));
    const seen: string[] = [];
    const text = maskingLogger({
      log: (_level, message, meta) => seen.push(message, String((meta?.error as Error)?.message), JSON.stringify(meta?.detail)),
      trace() {}, debug() {}, info() {}, warn() {}, error() {},
    });
    text.warn(quoted, { error: new Error(quoted), detail: { stripe: STRIPE_KEY } });
    assertMasked('text log line', seen.join('\n'));
  });

  test('encrypted by default: the comment and the actor name are not in the dev server database', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const files = readdirSync(dataDir).filter((f) => f.startsWith('temporal.db'));
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(dataDir, f))));
    assert.ok(bytes.includes(workflowId), `the file holds the scan's workflow (${files.join(', ')}): we read the right database`);
    assert.ok(!bytes.includes(COMMENT), 'the decision comment is not stored in plaintext');
    assert.ok(!bytes.includes(ACTOR), 'the actor name is not stored in plaintext');
  });

  test('data directory: every file 0600, every directory 0700', () => {
    const wrong: string[] = [];
    const walk = (d: string) => {
      const st = statSync(d);
      if ((st.mode & 0o777) !== 0o700) wrong.push(`${d}/ ${(st.mode & 0o777).toString(8)}`);
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        const s = statSync(p);
        if (s.isDirectory()) walk(p);
        else if ((s.mode & 0o777) !== 0o600) wrong.push(`${p} ${(s.mode & 0o777).toString(8)}`);
      }
    };
    walk(dataDir);
    const names = readdirSync(dataDir);
    for (const expected of ['vigil.db', 'statcache.db', 'serve.log', 'admin.key', 'api-keys.json', 'master.key', 'temporal.db', 'serve.json']) {
      assert.ok(names.includes(expected), `${expected} is in the data directory (${names.join(', ')})`);
    }
    assert.deepEqual(wrong, []);
  });

  test('maskText is idempotent and leaves code that only names secrets alone', () => {
    const line = `const stripe = require('stripe')('${STRIPE_KEY}'); const k = process.env.STRIPE_KEY; password: string;`;
    const once = maskText(line);
    assert.equal(maskText(once), once);
    assert.ok(once.includes('process.env.STRIPE_KEY') && once.includes('password: string'));
  });
});
