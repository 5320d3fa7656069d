// One scan through the real workflow, a real worker and a real Temporal dev server, with the PostgreSQL
// store: findings at the expected lines, code search over the synced snapshot, decisions recorded and the
// scan completed, all read back from PostgreSQL (and no source code in the database files' tables).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openPostgresStore } from '../../activities/store/postgres-store.js';
import { decideUpdate, type ScanStatus } from '../../workflows/definitions.js';
import { testPostgres } from '../helpers/postgres.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const expected = (JSON.parse(readFileSync(join(fixtures, 'vulnerable-express.expected.json'), 'utf8')) as {
  expected: { cwe: string; file: string; line: number }[];
}).expected;
const approver = { tenant: 'default', roles: ['approver' as const], actor: 'alice' };

describe('scan pipeline on the PostgreSQL store', () => {
  let h: Harness;
  let url: string;
  before(async () => {
    url = await (await testPostgres()).freshDatabase('pipeline');
    h = await createHarness('pg-pipeline', { openStore: (crypto) => openPostgresStore({ url, crypto }) });
    await h.startWorker();
  });
  after(async () => h.close());

  test('a scan reaches its findings, takes decisions and completes, all kept in PostgreSQL', async () => {
    assert.equal(h.store.kind, 'postgres');
    const repo = gitRepoFromFixture(join(fixtures, 'vulnerable-express'), h.dir);
    const input = scanInput(h, repo);
    const handle = await startScan(h, input);
    const status = await waitForStage(handle, ['awaiting_decisions']);

    const findings = (await h.store.getArtifact('default', input.scanId, 'findings'))!;
    for (const e of expected) {
      assert.ok(
        findings.some((f) => f.cwe === e.cwe && f.location.file === e.file && f.location.startLine === e.line),
        `missing ${e.cwe} at ${e.file}:${e.line}; got ${findings.map((f) => `${f.cwe}@${f.location.file}:${f.location.startLine}`).join(', ')}`,
      );
    }
    assert.equal(status.findings.length, findings.length);
    assert.equal((await h.store.getScan('default', input.scanId))?.repoKey, repo);
    const hits = await h.store.searchCode('default', repo, undefined, 'gitLog', 5);
    assert.equal(hits[0]?.path, 'lib/exec.js', 'code search runs over the snapshot the scan synced');
    assert.match(hits[0]!.text, /execFile\('git'/);

    for (const f of findings) {
      await handle.executeUpdate(decideUpdate, { args: [{ findingId: f.id, decision: 'reject', ...approver, comment: 'not here' }] });
    }
    const result: ScanStatus = await handle.result();
    assert.equal(result.stage, 'completed');
    const decisions = await h.store.getScanDecisions('default', input.scanId);
    assert.deepEqual([...decisions.keys()].sort(), findings.map((f) => f.id).sort());
    assert.equal((await h.store.getLedger('default', repo)).size, new Set(findings.map((f) => f.fingerprint)).size);
    assert.ok(await h.store.getArtifact('default', input.scanId, 'report.json'));

    // The rows are in PostgreSQL, sealed: the fixture's code and paths appear in no column.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const counts = await client.query<{ scans: string; blobs: string; chunks: string }>(
        `SELECT (SELECT count(*) FROM scans) AS scans, (SELECT count(*) FROM blobs) AS blobs, (SELECT count(*) FROM code_chunks) AS chunks`,
      );
      assert.equal(Number(counts.rows[0]!.scans), 1);
      assert.ok(Number(counts.rows[0]!.blobs) >= 5 && Number(counts.rows[0]!.chunks) >= 5);
      const tables = ['blobs', 'snapshots', 'merkle_nodes', 'repo_trees', 'analysis_states', 'scans', 'artifacts', 'ledger', 'scan_decisions', 'code_chunks'];
      for (const table of tables) {
        const { rows } = await client.query<{ dump: string }>(`SELECT coalesce(string_agg(t::text, ' '), '') AS dump FROM ${table} t`);
        for (const secret of ['req.query', 'gitLog', 'ping -c 1', 'routes/admin.js', repo]) {
          assert.ok(!rows[0]!.dump.includes(secret) && !rows[0]!.dump.includes(Buffer.from(secret).toString('hex')), `${table} holds no "${secret}"`);
        }
      }
    } finally {
      await client.end();
    }
  });
});
