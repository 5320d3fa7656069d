// The request URL is input in Express too (req is Node's IncomingMessage): read whole, through
// url.parse(req.url, true).query or new URL(req.url, base).searchParams. It cannot forge a log line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appWith, findings, summary } from './helpers.js';

const HEAD = "const url = require('url');\nconst mysql = require('mysql');\nconst db = mysql.createConnection({});";
const reads = [
  'url.parse(req.url, true).query.id',
  "new URL(req.originalUrl, 'http://localhost').searchParams.get('id')",
  'req.path.split("/")[2]',
];

for (const read of reads) {
  test(`${read} reaches SQL text; the parameterised query is clean`, async () => {
    const vulnerable = summary(await findings(appWith(`  const id = ${read};\n  db.query("SELECT * FROM t WHERE id = '" + id + "'");`, HEAD)));
    assert.deepEqual(vulnerable, ['sql-injection@routes.js:8']);
    const fixed = summary(await findings(appWith(`  const id = ${read};\n  db.query('SELECT * FROM t WHERE id = ?', [id]);`, HEAD)));
    assert.deepEqual(fixed, []);
  });
}

test('the URL written to a log is no log injection; a query value is', async () => {
  assert.deepEqual(summary(await findings(appWith('  console.log(`${req.method} ${req.originalUrl} ${req.path}`);', HEAD))), []);
  assert.deepEqual(summary(await findings(appWith('  console.log(`search ${req.query.q}`);', HEAD))), ['log-injection@routes.js:7']);
});
