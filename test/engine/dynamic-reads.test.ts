// Reading a member under a key the analysis does not know (`table[name]`): the value is any one of the
// object's known members, so regexes, handlers and library functions kept in tables stay visible. Each
// flagged form is paired with a safe twin, so a silent "nothing found" cannot pass.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appWith, findings, summary } from './helpers.js';
import { join, type Value } from '../../activities/engines/builtin/values.js';

const regex = (source: string): Value => ({ flows: [], regex: { source, flags: '' } });

describe('join of two regexes', () => {
  test('keeps an exponential one, whichever comes first', () => {
    const safe = regex('^\\d+$');
    const polynomial = regex('\\s*a\\s*$');
    const catastrophic = regex('^(a+)+$');
    assert.equal(join(safe, catastrophic).regex?.source, '^(a+)+$');
    assert.equal(join(catastrophic, safe).regex?.source, '^(a+)+$');
    assert.equal(join(polynomial, catastrophic).regex?.source, '^(a+)+$');
    // Otherwise the first stays (a polynomial pattern does not displace it).
    assert.equal(join(safe, polynomial).regex?.source, '^\\d+$');
    assert.equal(join(polynomial, safe).regex?.source, '\\s*a\\s*$');
  });
});

describe('a member read under an unknown key', () => {
  const RULES = (crawler: string) => `const RULES = { digits: /^\\d+$/, crawler: ${crawler}, word: /^\\w+$/ };`;

  test('a regex table: the regex the key may pick is judged (the worst of them)', async () => {
    const body = `res.json({ ok: RULES[req.query.kind].test(req.query.text) });`;
    assert.deepEqual(summary(await findings(appWith(body, RULES('/^(\\w+\\s?)+$/')), 'redos')), ['redos@routes.js:5']);
    assert.deepEqual(summary(await findings(appWith(body, RULES('/^[\\w\\s]+$/')), 'redos')), []);
  });

  test('a table of parser records: the regex kept in the record the key picks is judged', async () => {
    const head = (day: string) => `const UNITS = { day: { exp: ${day}, ms: 864e5 }, hour: { exp: /^\\d+h$/, ms: 36e5 } };`;
    const body = `const m = UNITS[req.query.unit].exp.exec(req.query.value); res.json({ ms: m ? 1 : 0 });`;
    assert.deepEqual(summary(await findings(appWith(body, head('/^(\\d+)+d$/')), 'redos')), ['redos@routes.js:5']);
    assert.deepEqual(summary(await findings(appWith(body, head('/^\\d+d$/')), 'redos')), []);
  });

  test('a handler table called by a data-named key: each handler runs with the arguments', async () => {
    const head = `const { exec } = require('child_process');
const handlers = {
  list: (dir) => exec('ls -l ' + DIR_ARG),
  size: (dir) => Promise.resolve(dir.length),
};`;
    const body = `await handlers[req.query.type](req.query.arg); res.end();`;
    assert.deepEqual(summary(await findings(appWith(body, head.replace('DIR_ARG', 'dir')), 'command-injection')), ['command-injection@routes.js:4']);
    assert.deepEqual(summary(await findings(appWith(body, head.replace('DIR_ARG', "'/srv'")), 'command-injection')), []);
  });

  test('a table of library functions: the sink is called through the table', async () => {
    const head = `const cp = require('child_process');
const run = { shell: cp.exec, direct: cp.execFile };`;
    assert.deepEqual(summary(await findings(appWith(`run[req.query.how](req.query.cmd); res.end();`, head), 'command-injection')), ['command-injection@routes.js:6']);
    // Only the argument-list form in the table: nothing to report.
    const direct = `const cp = require('child_process');
const run = { direct: cp.execFile };`;
    assert.deepEqual(summary(await findings(appWith(`run[req.query.how]('ls', [req.query.cmd]); res.end();`, direct), 'command-injection')), []);
  });

  test('a table of constants stays an allow-list: the result is none of the request data', async () => {
    const head = `const { exec } = require('child_process');
const COMMANDS = { disk: 'df -h', load: 'uptime' };`;
    assert.deepEqual(summary(await findings(appWith(`exec(COMMANDS[req.query.what]); res.end();`, head), 'command-injection')), []);
  });

  test('members copied under the same unknown key (`out[k] = src[k]`) keep their names', async () => {
    const tools = (cmd: string) => ({
      'lib/impl.js': `const { exec } = require('child_process');\nmodule.exports = { archive: (name) => exec(${cmd}), version: () => '1.0' };\n`,
      'lib/index.js': `const impl = require('./impl');\nfor (const name of Object.keys(impl)) exports[name] = impl[name];\n`,
    });
    const body = `require('./lib').archive(req.query.name); res.end();`;
    assert.deepEqual(summary(await findings(appWith(body, '', tools("'tar czf out.tgz ' + name")), 'command-injection')), ['command-injection@lib/impl.js:2']);
    assert.deepEqual(summary(await findings(appWith(body, '', tools("'tar czf out.tgz data'")), 'command-injection')), []);
  });
});
