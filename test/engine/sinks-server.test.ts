// Server sink classes (models/sinks-server.ts): SSRF, unsafe deserialisation, XXE, prototype pollution,
// ReDoS and zip slip. Each vulnerable form is paired with its safe twin, so a silent "nothing found"
// only passes when the twin is found.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyUnifiedDiff } from '../../activities/patches/apply-diff.js';
import { hostFixedBy } from '../../activities/engines/builtin/js/sink-conditions.js';
import { dependencyVersion, isVulnerable, lowestVersion, readManifests } from '../../activities/engines/builtin/js/manifests.js';
import { appWith, findings, memoryFiles, summary } from './helpers.js';

const pkg = (deps: Record<string, string>) => JSON.stringify({ name: 'app', dependencies: deps }, null, 2);

interface Pair {
  name: string;
  rule: string;
  head?: string;
  vulnerable: string;
  fixed: string;
  extra?: Record<string, string>;
  fixedExtra?: Record<string, string>;
}

const AXIOS = "const axios = require('axios');";
const HTTP = "const http = require('http');";
const YAML = "const yaml = require('js-yaml');";
const LIBXML = "const libxml = require('libxmljs');";
const MERGE = (guard: string) => `const settings = {};
function merge(target, source) {
  for (const key in source) {
    ${guard}
    if (typeof source[key] === 'object' && source[key] !== null) {
      if (!target[key]) target[key] = {};
      merge(target[key], source[key]);
    } else {
      target[key] = source[key];
    }
  }
  return target;
}`;
const ZIP = "const AdmZip = require('adm-zip');\nconst path = require('path');\nconst fs = require('fs');\nconst DEST = '/srv/uploads';";

const pairs: Pair[] = [
  // SSRF
  { name: 'fetch of a request URL vs a URL under a fixed host', rule: 'ssrf', vulnerable: '  const r = await fetch(req.query.url);\n  res.json(await r.json());', fixed: '  const r = await fetch(`https://api.example.com/users/${req.query.id}`);\n  res.json(await r.json());' },
  { name: "'http://' + host vs a fixed host + path", rule: 'ssrf', head: AXIOS, vulnerable: "  const r = await axios.get('http://' + req.query.host + '/status');\n  res.json(r.data);", fixed: "  const r = await axios.get('http://status.internal/' + req.query.host);\n  res.json(r.data);" },
  { name: 'tainted base in `${base}${path}` vs a configured base', rule: 'ssrf', head: "const got = require('got');\nconst API = process.env.API_BASE;", vulnerable: '  const r = await got(`${req.body.base}${req.body.path}`);\n  res.json(r.body);', fixed: '  const r = await got(`${API}/items/${req.body.path}`);\n  res.json(r.body);' },
  { name: 'http.get options: hostname vs path', rule: 'ssrf', head: HTTP, vulnerable: "  http.get({ hostname: req.query.h, path: '/x' }, (r) => r.pipe(res));", fixed: "  http.get({ hostname: 'api.example.com', path: '/x/' + req.query.h }, (r) => r.pipe(res));" },
  { name: 'axios({ url }) config vs an allow-listed host', rule: 'ssrf', head: `${AXIOS}\nconst ALLOWED = ['api.example.com'];`, vulnerable: "  const u = req.body.url;\n  const r = await axios({ url: u, method: 'get' });\n  res.json(r.data);", fixed: "  const u = req.body.url;\n  if (!ALLOWED.includes(new URL(u).hostname)) return res.sendStatus(400);\n  const r = await axios({ url: u, method: 'get' });\n  res.json(r.data);" },
  { name: 'parsed URL origin compared with a constant', rule: 'ssrf', head: "const ORIGIN = 'https://api.example.com';", vulnerable: '  const parsed = new URL(req.query.url);\n  const r = await fetch(parsed);\n  res.json(await r.json());', fixed: '  const parsed = new URL(req.query.url);\n  if (parsed.origin !== ORIGIN) return res.sendStatus(400);\n  const r = await fetch(parsed);\n  res.json(await r.json());' },
  { name: 'host variable from new URL() checked against an allow-list', rule: 'ssrf', head: `${AXIOS}\nconst HOSTS = new Set(['api.example.com']);`, vulnerable: '  const target = req.query.url;\n  const host = new URL(target).hostname;\n  const r = await axios.get(target);\n  res.json({ host, data: r.data });', fixed: '  const target = req.query.url;\n  const host = new URL(target).hostname;\n  if (!HOSTS.has(host)) return res.sendStatus(403);\n  const r = await axios.get(target);\n  res.json({ host, data: r.data });' },
  { name: 'url.parse(u).host compared with a constant', rule: 'ssrf', head: `${AXIOS}\nconst url = require('url');`, vulnerable: "  const r = await axios.post(req.body.callback, { ok: true });\n  res.json(r.data);", fixed: "  if (url.parse(req.body.callback).host !== 'hooks.example.com') return res.sendStatus(403);\n  const r = await axios.post(req.body.callback, { ok: true });\n  res.json(r.data);" },
  { name: 'axios.create() instance: absolute URL overrides baseURL; a path does not', rule: 'ssrf', head: `${AXIOS}\nconst api = axios.create({ baseURL: 'https://api.example.com' });`, vulnerable: '  const r = await api.get(req.query.path);\n  res.json(r.data);', fixed: "  const r = await api.get('/users/' + req.query.path);\n  res.json(r.data);" },
  // Unsafe deserialisation
  { name: 'node-serialize unserialize vs JSON.parse', rule: 'unsafe-deserialization', head: "const serialize = require('node-serialize');", vulnerable: '  res.json(serialize.unserialize(req.cookies.profile));', fixed: '  res.json(JSON.parse(req.cookies.profile));' },
  { name: 'js-yaml 3 load vs load with JSON_SCHEMA', rule: 'unsafe-deserialization', head: YAML, vulnerable: '  res.json(yaml.load(req.body.doc));', fixed: '  res.json(yaml.load(req.body.doc, { schema: yaml.JSON_SCHEMA }));', extra: { 'package.json': pkg({ 'js-yaml': '^3.14.0' }) } },
  { name: 'js-yaml 3 load vs safeLoad', rule: 'unsafe-deserialization', head: YAML, vulnerable: '  res.json(yaml.load(req.body.doc));', fixed: '  res.json(yaml.safeLoad(req.body.doc));', extra: { 'package.json': pkg({ 'js-yaml': '~3.13.1' }) } },
  { name: 'js-yaml load: version 3 (package.json) vs version 4', rule: 'unsafe-deserialization', head: YAML, vulnerable: '  res.json(yaml.load(req.body.doc));', fixed: '  res.json(yaml.load(req.body.doc));', extra: { 'package.json': pkg({ 'js-yaml': '3.14.1' }) }, fixedExtra: { 'package.json': pkg({ 'js-yaml': '^4.1.0' }) } },
  { name: 'js-yaml 4 with js-yaml-js-types vs the default schema', rule: 'unsafe-deserialization', head: `${YAML}\nconst types = require('js-yaml-js-types').all;\nconst schema = yaml.DEFAULT_SCHEMA.extend(types);`, vulnerable: '  res.json(yaml.load(req.body.doc, { schema }));', fixed: '  res.json(yaml.load(req.body.doc));', extra: { 'package.json': pkg({ 'js-yaml': '^4.1.0' }) } },
  // XXE
  { name: 'libxmljs noent: true vs noent: false', rule: 'xxe', head: LIBXML, vulnerable: '  const doc = libxml.parseXml(req.body.xml, { noent: true });\n  res.json({ n: doc.childNodes().length });', fixed: '  const doc = libxml.parseXml(req.body.xml, { noent: false });\n  res.json({ n: doc.childNodes().length });' },
  { name: 'libxmljs2 dtdload vs defaults', rule: 'xxe', head: "const libxml = require('libxmljs2');", vulnerable: '  const doc = libxml.parseXmlString(req.body, { dtdload: true });\n  res.json({ n: doc.childNodes().length });', fixed: '  const doc = libxml.parseXmlString(req.body);\n  res.json({ n: doc.childNodes().length });' },
  // Prototype pollution
  { name: 'recursive merge vs a key guard', rule: 'prototype-pollution', head: MERGE(''), vulnerable: '  merge(settings, req.body);\n  res.json(settings);', fixed: '  merge(settings, req.body);\n  res.json(settings);' },
  { name: 'lodash merge: 4.17.4 vs 4.17.21', rule: 'prototype-pollution', head: "const _ = require('lodash');\nconst settings = {};", vulnerable: '  _.merge(settings, req.body);\n  res.json(settings);', fixed: '  _.merge(settings, req.body);\n  res.json(settings);', extra: { 'package.json': pkg({ lodash: '4.17.4' }) }, fixedExtra: { 'package.json': pkg({ lodash: '^4.17.21' }) } },
  { name: 'two-level write obj[a][b] vs an allow-listed first key', rule: 'prototype-pollution', head: "const store = {};\nconst SECTIONS = ['ui', 'mail'];", vulnerable: '  const { section, key, value } = req.body;\n  store[section][key] = value;\n  res.json(store);', fixed: '  const { section, key, value } = req.body;\n  if (!SECTIONS.includes(section)) return res.sendStatus(400);\n  store[section][key] = value;\n  res.json(store);' },
  { name: 'set-by-path walk vs keys rejected with a Set', rule: 'prototype-pollution', head: "const prefs = {};\nconst BAD = new Set(['__proto__', 'constructor', 'prototype']);", vulnerable: "  let cur = prefs;\n  for (const k of req.body.path.split('.')) {\n    cur = cur[k] || (cur[k] = {});\n  }\n  cur[req.body.leaf] = req.body.value;\n  res.json(prefs);", fixed: "  let cur = prefs;\n  for (const k of req.body.path.split('.')) {\n    if (BAD.has(k)) return res.sendStatus(400);\n    cur = cur[k] || (cur[k] = {});\n  }\n  if (BAD.has(req.body.leaf)) return res.sendStatus(400);\n  cur[req.body.leaf] = req.body.value;\n  res.json(prefs);" },
  { name: 'recursive merge vs keys rejected with an array includes', rule: 'prototype-pollution', head: MERGE(''), vulnerable: '  merge(settings, req.body);\n  res.json(settings);', fixed: '  merge(settings, req.body);\n  res.json(settings);' },
  // ReDoS
  { name: 'new RegExp(request text) vs escaped text', rule: 'redos', head: "const escapeRegExp = require('escape-string-regexp');\nconst items = ['a'];", vulnerable: "  const re = new RegExp('^' + req.query.q);\n  res.json(items.filter((i) => re.test(i)));", fixed: "  const re = new RegExp('^' + escapeRegExp(req.query.q));\n  res.json(items.filter((i) => re.test(i)));" },
  { name: 'RegExp from text vs metacharacters escaped by replace', rule: 'redos', head: "const items = ['a'];", vulnerable: '  const re = RegExp(req.query.q, "i");\n  res.json(items.filter((i) => re.test(i)));', fixed: "  const re = RegExp(req.query.q.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&'), 'i');\n  res.json(items.filter((i) => re.test(i)));" },
  { name: 'catastrophic literal with test() vs a linear one', rule: 'redos', vulnerable: '  res.json({ ok: /^(\\w+\\s?)*$/.test(req.query.name) });', fixed: '  res.json({ ok: /^[\\w\\s]*$/.test(req.query.name) });' },
  { name: 'catastrophic literal with String#match vs a linear one', rule: 'redos', head: "const EMAIL = /^([a-z0-9._-]+)+@example\\.com$/;\nconst SAFE_EMAIL = /^[a-z0-9._-]+@example\\.com$/;", vulnerable: '  res.json({ ok: !!req.body.email.match(EMAIL) });', fixed: '  res.json({ ok: !!req.body.email.match(SAFE_EMAIL) });' },
  // Zip slip
  { name: 'adm-zip entry names joined and written vs resolve + startsWith confinement', rule: 'path-traversal', head: ZIP, vulnerable: '  const zip = new AdmZip(req.file.buffer);\n  zip.getEntries().forEach((entry) => {\n    const target = path.join(DEST, entry.entryName);\n    fs.writeFileSync(target, entry.getData());\n  });\n  res.sendStatus(204);', fixed: '  const zip = new AdmZip(req.file.buffer);\n  zip.getEntries().forEach((entry) => {\n    const target = path.resolve(DEST, entry.entryName);\n    if (!target.startsWith(DEST + path.sep)) return;\n    fs.writeFileSync(target, entry.getData());\n  });\n  res.sendStatus(204);' },
  {
    name: 'yauzl entry.fileName (callback style) vs path.basename',
    rule: 'path-traversal',
    head: "const yauzl = require('yauzl');\nconst path = require('path');\nconst fs = require('fs');\nconst DEST = '/srv/x';",
    vulnerable: "  yauzl.fromBuffer(req.file.buffer, { lazyEntries: true }, (err, zipfile) => {\n    zipfile.on('entry', (entry) => {\n      const out = path.join(DEST, entry.fileName);\n      zipfile.openReadStream(entry, (e, stream) => stream.pipe(fs.createWriteStream(out)));\n    });\n  });\n  res.sendStatus(202);",
    fixed: "  yauzl.fromBuffer(req.file.buffer, { lazyEntries: true }, (err, zipfile) => {\n    zipfile.on('entry', (entry) => {\n      const out = path.join(DEST, path.basename(entry.fileName));\n      zipfile.openReadStream(entry, (e, stream) => stream.pipe(fs.createWriteStream(out)));\n    });\n  });\n  res.sendStatus(202);",
  },
  {
    name: "unzipper.Parse() stream, on('entry') vs resolve + startsWith",
    rule: 'path-traversal',
    head: "const unzipper = require('unzipper');\nconst { Readable } = require('stream');\nconst path = require('path');\nconst fs = require('fs');\nconst DEST = '/srv/x';",
    vulnerable: "  Readable.from(req.file.buffer)\n    .pipe(unzipper.Parse())\n    .on('entry', (entry) => {\n      const out = path.join(DEST, entry.path);\n      entry.pipe(fs.createWriteStream(out));\n    });\n  res.sendStatus(202);",
    fixed: "  Readable.from(req.file.buffer)\n    .pipe(unzipper.Parse())\n    .on('entry', (entry) => {\n      const out = path.resolve(DEST, entry.path);\n      if (!out.startsWith(DEST + path.sep)) return entry.autodrain();\n      entry.pipe(fs.createWriteStream(out));\n    });\n  res.sendStatus(202);",
  },
];

// The guarded merge's safe twin differs in the module head, not the handler.
const GUARDED_HEADS: Record<string, string> = {
  'recursive merge vs a key guard': MERGE("if (key === '__proto__' || key === 'constructor') continue;"),
  'recursive merge vs keys rejected with an array includes': MERGE("if (['__proto__', 'prototype'].includes(key)) continue;"),
};

describe('server sink classes: vulnerable vs safe forms', () => {
  for (const p of pairs) {
    test(`${p.rule}: ${p.name}`, async () => {
      const vuln = await findings(appWith(p.vulnerable, p.head ?? '', p.extra ?? {}), p.rule);
      assert.equal(vuln.length, 1, `vulnerable form: ${JSON.stringify(summary(vuln))}`);
      const fixedHead = GUARDED_HEADS[p.name] ?? p.head ?? '';
      const safe = await findings(appWith(p.fixed, fixedHead, p.fixedExtra ?? p.extra ?? {}), p.rule);
      assert.deepEqual(summary(safe), [], 'safe form');
    });
  }
});

describe('server sink classes: traces and evidence', () => {
  test('the version-dependent finding names the version and depends on package.json', async () => {
    const [c] = await findings(appWith('  res.json(yaml.load(req.body.doc));', YAML, { 'package.json': pkg({ 'js-yaml': '^3.14.0' }) }), 'unsafe-deserialization');
    assert.match(c.trace[c.trace.length - 1].label, /js-yaml \^3\.14\.0 in package\.json/);
    assert.ok(c.dependsOn.includes('package.json'), `dependsOn: ${c.dependsOn.join(', ')}`);
  });

  test('a lockfile pin wins over the declared range', async () => {
    const lock = JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/js-yaml': { version: '4.1.0' } } });
    const out = await findings(appWith('  res.json(yaml.load(req.body.doc));', YAML, { 'package.json': pkg({ 'js-yaml': '>=3.0.0' }), 'package-lock.json': lock }), 'unsafe-deserialization');
    assert.deepEqual(summary(out), []);
  });

  test('a nested package.json governs the files below it', async () => {
    const files = {
      'package.json': pkg({ lodash: '^4.17.21' }),
      'services/api/package.json': pkg({ lodash: '4.17.10' }),
      'services/api/app.js': "const express = require('express');\nconst _ = require('lodash');\nconst app = express();\nconst s = {};\napp.post('/x', (req, res) => { _.merge(s, req.body); res.json(s); });\napp.listen(1);\n",
      'web/app.js': "const express = require('express');\nconst _ = require('lodash');\nconst app = express();\nconst s = {};\napp.post('/x', (req, res) => { _.merge(s, req.body); res.json(s); });\napp.listen(1);\n",
    };
    assert.deepEqual(summary(await findings(files, 'prototype-pollution')), ['prototype-pollution@services/api/app.js:5']);
  });

  test('ReDoS on a literal names the culprit repetition', async () => {
    const [c] = await findings(appWith('  res.json({ ok: /^(\\w+\\s?)*$/.test(req.query.name) });'), 'redos');
    assert.match(c.trace[c.trace.length - 1].label, /`\(\\w\+\\s\?\)\*` can match the same text in exponentially many ways/);
  });

  test('zip slip: the trace explains that entry names come from the archive', async () => {
    const body = '  const zip = new AdmZip(req.file.buffer);\n  const entries = zip.getEntries();\n  for (const entry of entries) {\n    const target = path.join(DEST, entry.entryName);\n    fs.writeFileSync(target, entry.getData());\n  }\n  res.sendStatus(204);';
    const [c] = await findings(appWith(body, ZIP), 'path-traversal');
    assert.ok(c.trace.some((s) => /archive's entries .* chosen by whoever built the archive/.test(s.label)), c.trace.map((s) => s.label).join('\n'));
  });

  test('checks that do not protect keep the finding: "__proto__" alone, hasOwnProperty, deny-lists, protocol checks', async () => {
    for (const guard of ["if (key === '__proto__') continue;", 'if (!Object.prototype.hasOwnProperty.call(source, key)) continue;', 'if (Object.hasOwn(target, key)) continue;']) {
      const out = await findings(appWith('  merge(settings, req.body);\n  res.json(settings);', MERGE(guard)), 'prototype-pollution');
      assert.equal(out.length, 1, guard);
    }
    const blocked = "  if (BLOCKED.includes(new URL(req.query.u).hostname)) return res.sendStatus(403);\n  const r = await fetch(req.query.u);\n  res.json(await r.json());";
    assert.equal((await findings(appWith(blocked, "const BLOCKED = ['169.254.169.254'];"), 'ssrf')).length, 1, 'a deny-list');
    const protocol = "  if (new URL(req.query.u).protocol !== 'https:') return res.sendStatus(403);\n  const r = await fetch(req.query.u);\n  res.json(await r.json());";
    assert.equal((await findings(appWith(protocol), 'ssrf')).length, 1, 'a protocol check');
  });

  test('Object.assign and a single computed write are not pollution', async () => {
    const out = await findings(appWith('  const o = {};\n  o[req.body.k] = req.body.v;\n  Object.assign(o, req.body);\n  res.json(o);'), 'prototype-pollution');
    assert.deepEqual(summary(out), []);
  });
});

describe('server sink classes: patches', () => {
  const patched = async (files: Record<string, string>, rule: string) => {
    const [c] = await findings(files, rule);
    assert.ok(c?.patch, `no patch for ${rule}`);
    const r = applyUnifiedDiff(files[c.patch.file], c.patch.diff);
    assert.ok(r.ok, 'the patch applies');
    const after = await findings({ ...files, [c.patch.file]: r.text }, rule);
    assert.deepEqual(summary(after), [], 'the finding is gone after the patch');
    return r.text;
  };

  test('js-yaml: load gets the JSON schema', async () => {
    const text = await patched(appWith('  res.json(yaml.load(req.body.doc));', YAML, { 'package.json': pkg({ 'js-yaml': '^3.0.0' }) }), 'unsafe-deserialization');
    assert.match(text, /yaml\.load\(req\.body\.doc, \{ schema: yaml\.JSON_SCHEMA \}\)/);
  });

  test('libxmljs: noent turned off', async () => {
    const text = await patched(appWith('  const doc = libxml.parseXml(req.body.xml, { noent: true, noblanks: true });\n  res.json({ n: doc.childNodes().length });', LIBXML), 'xxe');
    assert.match(text, /\{ noent: false, noblanks: true \}/);
  });

  test('RegExp: the request text is escaped', async () => {
    const text = await patched(appWith("  const re = new RegExp('^' + req.query.q + '$', 'i');\n  res.json({ ok: re.test('x') });"), 'redos');
    assert.match(text, /new RegExp\('\^' \+ String\(req\.query\.q\)\.replace\(/);
  });

  test('recursive merge: a key guard at the top of the loop', async () => {
    const text = await patched(appWith('  merge(settings, req.body);\n  res.json(settings);', MERGE('')), 'prototype-pollution');
    assert.match(text, /if \(key === '__proto__' \|\| key === 'constructor' \|\| key === 'prototype'\) continue;/);
  });
});

describe('server sink classes: building blocks', () => {
  test('hostFixedBy: which URL prefixes fix the destination host', () => {
    const fixed = ['https://api.example.com/', 'https://api.example.com?q=', '/api/', '\u0000/users/', '\u0000://api.example.com/'];
    const open = ['', 'https://api.example.com', 'http://', '//', '/', '\u0000://', 'https://api.example.com.'];
    for (const p of fixed) assert.equal(hostFixedBy(p, false), true, JSON.stringify(p));
    for (const p of open) assert.equal(hostFixedBy(p, false), false, JSON.stringify(p));
    assert.equal(hostFixedBy('\u0000/users/', true), false, 'request data before the path may be the host');
  });

  test('versions: lowest version of a range, and fixes per release line', () => {
    assert.deepEqual(lowestVersion('^3.13.1'), [3, 13, 1]);
    assert.deepEqual(lowestVersion('>=3.0.0 <4'), [3, 0, 0]);
    assert.deepEqual(lowestVersion('4.x || 3.x'), [3, 0, 0]);
    assert.equal(lowestVersion('latest'), undefined);
    assert.equal(isVulnerable([4, 17, 15], ['4.17.20']), true);
    assert.equal(isVulnerable([4, 17, 21], ['4.17.20']), false);
    assert.equal(isVulnerable([3, 10, 1], ['4.17.11']), true);
    // set-value: fixed on 2.x (backport) and 4.x.
    assert.equal(isVulnerable([2, 0, 1], ['2.0.1', '3.0.3', '4.0.1']), false);
    assert.equal(isVulnerable([3, 0, 2], ['2.0.1', '3.0.3', '4.0.1']), true);
    assert.equal(isVulnerable([5, 0, 0], ['2.0.1', '3.0.3', '4.0.1']), false);
  });

  test('dependencyVersion reads the nearest manifest and the lockfile', () => {
    const m = readManifests(memoryFiles({ 'package.json': pkg({ 'js-yaml': '^3.1.0' }), 'a/package.json': pkg({}), 'a/package-lock.json': JSON.stringify({ dependencies: { 'js-yaml': { version: '3.14.1' } } }) }));
    assert.deepEqual(dependencyVersion(m, 'src/x.js', 'js-yaml')?.version, [3, 1, 0]);
    assert.equal(dependencyVersion(m, 'a/b/x.js', 'js-yaml')?.version.join('.'), '3.14.1');
    assert.equal(dependencyVersion(m, 'src/x.js', 'lodash'), undefined);
  });
});
