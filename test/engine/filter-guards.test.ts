// Elements kept by `filter` with an inline guard are refined by that guard, as inside `if (guard(x))`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appWith, findings, summary } from './helpers.js';

const head = `const db = require('./db');`;
const dbFile = { 'db.js': `const mysql = require('mysql2');\nmodule.exports = mysql.createPool({});\n` };
const insert = (filter: string) => `
  const columns = Object.keys(req.body)${filter};
  await db.query('INSERT INTO items (' + columns.join(', ') + ') VALUES (?)', [1]);
  res.json({ ok: true });`;

test('filter without a guard: request keys reach the SQL text', async () => {
  const cs = await findings(appWith(insert(''), head, dbFile), 'sql-injection');
  assert.deepEqual(summary(cs), ['sql-injection@routes.js:7']);
});

test('filter with an anchored allow-list regex keeps only safe identifiers', async () => {
  assert.deepEqual(await findings(appWith(insert('.filter((c) => /^[a-z_]+$/.test(c))'), head, dbFile), 'sql-injection'), []);
  assert.deepEqual(await findings(appWith(insert('.filter(function (c) { return ALLOWED.includes(c); })'), `${head}\nconst ALLOWED = ['name', 'price'];`, dbFile), 'sql-injection'), []);
});

test('a filter that is not a guard still reports', async () => {
  const cs = await findings(appWith(insert('.filter((c) => c.length > 0)'), head, dbFile), 'sql-injection');
  assert.deepEqual(summary(cs), ['sql-injection@routes.js:7']);
  const loose = await findings(appWith(insert('.filter((c) => /[a-z]/.test(c))'), head, dbFile), 'sql-injection');
  assert.deepEqual(summary(loose), ['sql-injection@routes.js:7'], 'an unanchored regex lets anything with one letter through');
});
