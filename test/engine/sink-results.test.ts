// What a sink's call returns: most sinks' results are not the attacker's text (rows, a process), but a regex
// match run on the text — itself a ReDoS sink when the pattern backtracks — returns pieces of that text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appWith, findings, summary } from './helpers.js';

const handler = (pattern: string) =>
  [
    '  var item = req.body.content;',
    `  var imgRegex = ${pattern};`,
    "  if (typeof (item) == 'string' && item.match(imgRegex)) {",
    '    var url = item.match(imgRegex)[1];',
    "    exec('identify ' + url, function () {}); // line 9",
    '  }',
  ].join('\n');
const HEAD = "const { exec } = require('child_process');";

test('a match by a backtracking pattern is a ReDoS sink and its groups still carry the text to exec', async () => {
  const found = summary(await findings(appWith(handler(String.raw`/\!\[alt text\]\((http.*)\s\".*/`), HEAD)));
  assert.ok(found.includes('command-injection@routes.js:9'), found.join(', '));
  assert.ok(found.some((f) => f.startsWith('redos@routes.js:')), found.join(', '));
});

test('a match by a linear anchored pattern is no sink; its groups still carry the text', async () => {
  const found = summary(await findings(appWith(handler(String.raw`/^!\[alt\]\((https?:\/\/[a-z.]+)\)$/`), HEAD)));
  assert.deepEqual(found, ['command-injection@routes.js:9']);
});

test('a database call is a sink whose rows are not the request text', async () => {
  const body = "  const rows = await db.query('SELECT * FROM t WHERE a = ' + req.query.a);\n  exec('echo ' + rows.length);";
  const found = summary(await findings(appWith(body, `${HEAD}\nconst mysql = require('mysql');\nconst db = mysql.createConnection({});`)));
  assert.deepEqual(found.filter((f) => f.startsWith('command-injection')), []);
  assert.ok(found.some((f) => f.startsWith('sql-injection@')), found.join(', '));
});
