// Web sink classes (models/sinks-web.ts): ORM SQL, NoSQL, template injection, XSS, open redirect and log
// injection. Each case is a vulnerable/fixed pair: the fixed twin differs by the safe form or sanitiser,
// so "nothing reported" only counts when the vulnerable twin reports.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyUnifiedDiff } from '../../activities/patches/apply-diff.js';
import { APP, appWith, findings } from './helpers.js';

interface Pair {
  name: string;
  rule: string;
  head: string;
  vulnerable: string;
  /** Omitted when the pair only checks detection. */
  fixed?: string;
}

const MONGOOSE = "const mongoose = require('mongoose');\nconst User = mongoose.model('User', new mongoose.Schema({ name: String }));";
const MONGODB = "const { MongoClient } = require('mongodb');\nconst db = new MongoClient(process.env.URL).db('app');";

async function reported(files: Record<string, string>, rule: string): Promise<number> {
  return (await findings(files, rule)).length;
}

function pairs(group: string, list: Pair[]): void {
  describe(group, () => {
    for (const p of list) {
      test(p.name, async () => {
        const vuln = await findings(appWith(p.vulnerable, p.head), p.rule);
        assert.equal(vuln.length, 1, `${p.name}: expected one ${p.rule} finding on the vulnerable variant, got ${vuln.length}`);
        assert.equal(vuln[0].location.file, 'routes.js');
        if (p.fixed !== undefined) {
          const fixed = await findings(appWith(p.fixed, p.head), p.rule);
          assert.deepEqual(fixed.map((c) => `${c.ruleId}@${c.location.startLine}`), [], `${p.name}: the fixed variant is reported`);
        }
      });
    }
  });
}

pairs('sql-injection: ORMs and query builders', [
  {
    name: 'Sequelize.literal with concatenated text; a bound replacement is safe',
    rule: 'sql-injection',
    head: "const { Sequelize } = require('sequelize');\nconst sequelize = new Sequelize('sqlite::memory:');",
    vulnerable: "  res.json(await sequelize.models.Item.findAll({ order: Sequelize.literal('price ' + req.query.dir) }));",
    fixed: "  res.json(await sequelize.models.Item.findAll({ order: [['price', req.query.dir === 'desc' ? 'DESC' : 'ASC']] }));",
  },
  {
    name: 'sequelize.query concatenation; replacements are safe',
    rule: 'sql-injection',
    head: "const { Sequelize } = require('sequelize');\nconst sequelize = new Sequelize('sqlite::memory:');",
    vulnerable: "  res.json(await sequelize.query(\"SELECT * FROM items WHERE name = '\" + req.query.name + \"'\"));",
    fixed: "  res.json(await sequelize.query('SELECT * FROM items WHERE name = :name', { replacements: { name: req.query.name } }));",
  },
  {
    name: "knex('t').whereRaw on a query builder; bindings are safe",
    rule: 'sql-injection',
    head: "const knex = require('knex')({ client: 'pg' });",
    vulnerable: "  res.json(await knex('users').where('active', true).whereRaw(`name = '${req.query.name}'`));",
    fixed: "  res.json(await knex('users').where('active', true).whereRaw('name = ?', [req.query.name]));",
  },
  {
    name: 'knex.raw',
    rule: 'sql-injection',
    head: "const knex = require('knex')({ client: 'pg' });",
    vulnerable: "  res.json(await knex.raw('SELECT * FROM t WHERE id = ' + req.params.id));",
    fixed: "  res.json(await knex.raw('SELECT * FROM t WHERE id = ?', [req.params.id]));",
  },
  {
    name: 'TypeORM dataSource.query and getRepository().query',
    rule: 'sql-injection',
    head: "const { DataSource } = require('typeorm');\nconst dataSource = new DataSource({ type: 'postgres' });",
    vulnerable: "  res.json(await dataSource.getRepository('User').query(`SELECT * FROM users WHERE name = '${req.query.name}'`));",
    fixed: "  res.json(await dataSource.getRepository('User').query('SELECT * FROM users WHERE name = $1', [req.query.name]));",
  },
  {
    name: 'TypeORM repository injected into a class (recognised by name)',
    rule: 'sql-injection',
    head: "class UserService {\n  constructor(userRepository) { this.userRepository = userRepository; }\n  byName(name) { return this.userRepository.query(\"SELECT * FROM users WHERE name = '\" + name + \"'\"); }\n}\nconst service = new UserService();",
    vulnerable: '  res.json(await service.byName(req.query.name));',
    fixed: '  res.json(await service.byName(String(Number(req.query.name))));',
  },
  {
    name: 'TypeORM createQueryBuilder().where with concatenated text; :parameters are safe',
    rule: 'sql-injection',
    head: "const { DataSource } = require('typeorm');\nconst ds = new DataSource({ type: 'postgres' });",
    vulnerable: "  res.json(await ds.manager.createQueryBuilder('User', 'u').where(\"u.email = '\" + req.query.email + \"'\").getOne());",
    fixed: "  res.json(await ds.manager.createQueryBuilder('User', 'u').where('u.email = :email', { email: req.query.email }).getOne());",
  },
  {
    name: 'Prisma $queryRawUnsafe; the $queryRaw tagged template is safe',
    rule: 'sql-injection',
    head: "const { PrismaClient } = require('@prisma/client');\nconst prisma = new PrismaClient();",
    vulnerable: "  res.json(await prisma.$queryRawUnsafe('SELECT * FROM \"User\" WHERE id = ' + req.query.id));",
    fixed: '  res.json(await prisma.$queryRaw`SELECT * FROM "User" WHERE id = ${req.query.id}`);',
  },
  {
    name: 'Prisma $executeRawUnsafe in a transaction callback (receiver by name)',
    rule: 'sql-injection',
    head: "const { PrismaClient } = require('@prisma/client');\nconst prisma = new PrismaClient();",
    vulnerable: "  await prisma.$transaction(async (tx) => tx.$executeRawUnsafe(`DELETE FROM s WHERE t = '${req.body.t}'`));\n  res.end();",
    fixed: '  await prisma.$transaction(async (tx) => tx.$executeRaw`DELETE FROM s WHERE t = ${req.body.t}`);\n  res.end();',
  },
]);

pairs('nosql-injection', [
  {
    name: 'request body values in a Mongoose filter; String() coercion is safe',
    rule: 'nosql-injection',
    head: MONGOOSE,
    vulnerable: '  res.json(await User.findOne({ name: req.body.name, password: req.body.password }));',
    fixed: '  res.json(await User.findOne({ name: String(req.body.name), password: String(req.body.password) }));',
  },
  {
    name: "typeof x === 'string' guard",
    rule: 'nosql-injection',
    head: MONGOOSE,
    vulnerable: '  const { token } = req.body;\n  res.json(await User.findOne({ token }));',
    fixed: "  const { token } = req.body;\n  if (typeof token !== 'string') return res.status(400).end();\n  res.json(await User.findOne({ token }));",
  },
  {
    name: '{ $eq: x } compares literally',
    rule: 'nosql-injection',
    head: MONGOOSE,
    vulnerable: '  res.json(await User.find({ name: req.query.name }));',
    fixed: '  res.json(await User.find({ name: { $eq: req.query.name } }));',
  },
  {
    name: 'mongo-sanitize',
    rule: 'nosql-injection',
    head: `${MONGOOSE}\nconst sanitize = require('mongo-sanitize');`,
    vulnerable: '  res.json(await User.deleteMany(req.body.filter));',
    fixed: '  res.json(await User.deleteMany(sanitize(req.body.filter)));',
  },
  {
    name: '$where with request text (any source: it is code); a fixed filter is safe',
    rule: 'nosql-injection',
    head: MONGOOSE,
    vulnerable: "  res.json(await User.find({ $where: 'this.name == \"' + req.params.name + '\"' }));",
    fixed: '  res.json(await User.find({ name: req.params.name }));',
  },
  {
    name: "MongoDB driver: db.collection('x').findOne; mongoose.isValidObjectId guard",
    rule: 'nosql-injection',
    head: `${MONGODB}\nconst mongoose = require('mongoose');`,
    vulnerable: "  res.json(await db.collection('orders').findOne({ _id: req.body.id }));",
    fixed: "  if (!mongoose.isValidObjectId(req.body.id)) return res.status(400).end();\n  res.json(await db.collection('orders').findOne({ _id: req.body.id }));",
  },
  {
    name: 'nested operators inside $or arrays',
    rule: 'nosql-injection',
    head: MONGOOSE,
    vulnerable: '  res.json(await User.countDocuments({ $or: [{ email: req.body.login }, { name: req.body.login }] }));',
    fixed: '  const login = `${req.body.login}`;\n  res.json(await User.countDocuments({ $or: [{ email: login }, { name: login }] }));',
  },
]);

describe('nosql-injection: what is not an operator injection', () => {
  test('path parameters and headers are always strings', async () => {
    assert.equal(await reported(appWith("  res.json(await User.findOne({ name: req.params.name, lang: req.headers['accept-language'] }));", MONGOOSE), 'nosql-injection'), 0);
  });
  test('a PascalCase receiver in a program without a Mongo library is not a model (Sequelize where objects)', async () => {
    const head = "const { Sequelize } = require('sequelize');\nconst User = require('./user-model');";
    assert.equal(await reported(appWith('  res.json(await User.findOne({ where: { name: req.body.name } }));', head), 'nosql-injection'), 0);
    assert.equal(await reported(appWith('  res.json(await User.findOne({ where: { name: req.body.name } }));', MONGOOSE), 'nosql-injection'), 1);
  });
  test('express-mongo-sanitize middleware strips operators from every request', async () => {
    const files = appWith('  res.json(await User.findOne({ name: req.body.name }));', MONGOOSE);
    assert.equal(await reported(files, 'nosql-injection'), 1);
    files['app.js'] = APP.replace("const app = express();\n", "const app = express();\napp.use(require('express-mongo-sanitize')());\n");
    assert.equal(await reported(files, 'nosql-injection'), 0);
  });
  test('taint crosses files: route → service → model', async () => {
    const files = {
      'app.js': APP,
      'routes.js': "const router = require('express').Router();\nconst { login } = require('./auth');\nrouter.post('/login', async (req, res) => res.json(await login(req.body.user, req.body.pass)));\nmodule.exports = router;\n",
      'auth.js': "const User = require('./user');\nexports.login = (user, pass) => User.findOne({ user, pass });\n",
      'user.js': "const mongoose = require('mongoose');\nmodule.exports = mongoose.model('User', new mongoose.Schema({}));\n",
    };
    const [f] = await findings(files, 'nosql-injection');
    assert.equal(f?.location.file, 'auth.js');
    assert.ok(new Set(f.trace.map((s) => s.file)).size >= 2);
  });
});

pairs('template-injection: request data as template source', [
  { name: 'ejs.render', rule: 'template-injection', head: "const ejs = require('ejs');", vulnerable: '  res.send(ejs.render(req.body.tpl, {}));', fixed: "  res.send(ejs.render('<p><%= msg %></p>', { msg: req.body.tpl }));" },
  { name: 'ejs.compile', rule: 'template-injection', head: "const ejs = require('ejs');", vulnerable: '  res.send(ejs.compile(req.body.tpl)({}));' },
  { name: 'pug.render / pug.compile', rule: 'template-injection', head: "const pug = require('pug');", vulnerable: "  res.send(pug.render('p ' + req.query.msg));", fixed: "  res.send(pug.render('p= msg', { msg: req.query.msg }));" },
  { name: 'Handlebars.compile (ESM default import)', rule: 'template-injection', head: "import Handlebars from 'handlebars';", vulnerable: '  res.send(Handlebars.compile(req.query.t)({}));', fixed: "  res.send(Handlebars.compile('{{t}}')({ t: req.query.t }));" },
  { name: 'nunjucks.renderString', rule: 'template-injection', head: "const nunjucks = require('nunjucks');", vulnerable: '  res.send(nunjucks.renderString(req.body.t, {}));', fixed: "  res.send(nunjucks.renderString('{{ t }}', { t: req.body.t }));" },
  { name: 'lodash _.template', rule: 'template-injection', head: "const _ = require('lodash');", vulnerable: '  res.send(_.template(req.query.t)({}));' },
  { name: 'doT.template', rule: 'template-injection', head: "const doT = require('dot');", vulnerable: '  res.send(doT.template(req.query.t)({}));' },
  { name: 'Mustache.render of the template argument', rule: 'template-injection', head: "const Mustache = require('mustache');", vulnerable: '  res.send(Mustache.render(req.query.t, {}));', fixed: "  res.send(Mustache.render('{{t}}', { t: req.query.t }));" },
]);

pairs('xss: HTML built from request input', [
  { name: 'res.send of concatenated HTML; escape-html', rule: 'xss', head: "const escape = require('escape-html');", vulnerable: "  res.send('<h1>' + req.query.name + '</h1>');", fixed: "  res.send('<h1>' + escape(req.query.name) + '</h1>');" },
  { name: 'res.status(200).send of a template string; he.encode', rule: 'xss', head: "const he = require('he');", vulnerable: '  res.status(200).send(`<p>${req.query.q}</p>`);', fixed: '  res.status(200).send(`<p>${he.encode(req.query.q)}</p>`);' },
  { name: 'res.send of a request string as is; lodash.escape', rule: 'xss', head: "const _ = require('lodash');", vulnerable: '  res.send(req.query.msg);', fixed: '  res.send(_.escape(req.query.msg));' },
  { name: 'validator.escape', rule: 'xss', head: "const validator = require('validator');", vulnerable: "  res.send('Hi ' + req.body.name);", fixed: "  res.send('Hi ' + validator.escape(req.body.name));" },
  { name: 'DOMPurify.sanitize (isomorphic-dompurify)', rule: 'xss', head: "const DOMPurify = require('isomorphic-dompurify');", vulnerable: '  res.send(`<div>${req.body.bio}</div>`);', fixed: '  res.send(`<div>${DOMPurify.sanitize(req.body.bio)}</div>`);' },
  { name: 'sanitize-html', rule: 'xss', head: "const sanitizeHtml = require('sanitize-html');", vulnerable: '  res.send(`<div>${req.body.bio}</div>`);', fixed: '  res.send(`<div>${sanitizeHtml(req.body.bio)}</div>`);' },
  { name: 'xss.filterXSS', rule: 'xss', head: "const { filterXSS } = require('xss');", vulnerable: '  res.send(`<div>${req.body.bio}</div>`);', fixed: '  res.send(`<div>${filterXSS(req.body.bio)}</div>`);' },
  { name: 'a response typed as plain text is not HTML', rule: 'xss', head: '', vulnerable: "  res.send('Hello ' + req.query.name);", fixed: "  res.type('text/plain');\n  res.send('Hello ' + req.query.name);" },
  { name: 'a local escape function (replace chain) is judged as a whole', rule: 'xss', head: "function esc(s) {\n  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\"/g, '&quot;').replace(/'/g, '&#39;');\n}", vulnerable: "  res.send('<b>' + req.query.n + '</b>');", fixed: "  res.send('<b>' + esc(req.query.n) + '</b>');" },
  { name: 'res.write of HTML (text that looks like markup)', rule: 'xss', head: '', vulnerable: "  res.write('<li>' + req.query.item + '</li>');\n  res.end();", fixed: "  res.write('item: ' + req.query.item);\n  res.end();" },
  { name: 'new Handlebars.SafeString(input)', rule: 'xss', head: "const Handlebars = require('handlebars');\nconst page = Handlebars.compile('<p>{{bio}}</p>');", vulnerable: '  res.send(page({ bio: new Handlebars.SafeString(req.body.bio) }));', fixed: '  res.send(page({ bio: req.body.bio }));' },
  { name: 'Handlebars template compiled with noEscape: true', rule: 'xss', head: "const Handlebars = require('handlebars');", vulnerable: "  const t = Handlebars.compile('<p>{{bio}}</p>', { noEscape: true });\n  res.send(t({ bio: req.body.bio }));", fixed: "  const t = Handlebars.compile('<p>{{bio}}</p>');\n  res.send(t({ bio: req.body.bio }));" },
  { name: 'nunjucks environment with autoescape: false', rule: 'xss', head: "const nunjucks = require('nunjucks');", vulnerable: "  const env = nunjucks.configure('views', { autoescape: false });\n  res.send(env.render('bio.njk', { bio: req.body.bio }));", fixed: "  const env = nunjucks.configure('views', { autoescape: true });\n  res.send(env.render('bio.njk', { bio: req.body.bio }));" },
]);

describe('xss: what is not HTML', () => {
  test('objects are sent as JSON: res.send({...}), res.json, res.send(req.body)', async () => {
    assert.equal(await reported(appWith('  res.send({ name: req.query.name });\n  res.json(req.query.name);\n  res.send(req.body);'), 'xss'), 0);
  });
  test('res.render escapes by default', async () => {
    assert.equal(await reported(appWith("  res.render('profile', { name: req.query.name });"), 'xss'), 0);
  });
  test('Koa ctx.body: HTML when it starts with "<" (or with request data); text/plain otherwise', async () => {
    const koa = (body: string) => ({
      'app.js': `const Koa = require('koa');\nconst Router = require('@koa/router');\nconst app = new Koa();\nconst router = new Router();\nrouter.get('/x', (ctx) => {\n  ${body}\n});\napp.use(router.routes());\n`,
    });
    assert.equal(await reported(koa('ctx.body = `<p>${ctx.query.name}</p>`;'), 'xss'), 1);
    assert.equal(await reported(koa('ctx.body = ctx.query.name;'), 'xss'), 1);
    assert.equal(await reported(koa("ctx.body = 'Hello ' + ctx.query.name;"), 'xss'), 0);
    assert.equal(await reported(koa("ctx.type = 'html';\n  ctx.body = 'Hello ' + ctx.query.name;"), 'xss'), 1);
  });
  test('Fastify reply.send is text/plain unless typed as HTML; Hono c.html is HTML', async () => {
    const fastify = (body: string) => ({ 'app.js': `const fastify = require('fastify')();\nfastify.get('/x', async (request, reply) => {\n  ${body}\n});\n` });
    assert.equal(await reported(fastify("return reply.send('<p>' + request.query.q + '</p>');"), 'xss'), 0);
    assert.equal(await reported(fastify("return reply.type('text/html').send('<p>' + request.query.q + '</p>');"), 'xss'), 1);
    const hono = { 'app.js': "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/x', (c) => c.html('<p>' + c.req.query('q') + '</p>'));\nexport default app;\n" };
    assert.equal(await reported(hono, 'xss'), 1);
  });
});

describe('xss: React server-side rendering', () => {
  const files = (html: string) => ({
    'app.js': "const express = require('express');\nconst pages = require('./pages');\nconst app = express();\napp.use('/', pages);\n",
    'pages.jsx': "const router = require('express').Router();\nconst { renderToString } = require('react-dom/server');\nconst Profile = require('./Profile');\nrouter.get('/p', (req, res) => res.send(renderToString(<Profile bio={req.query.bio} />)));\nmodule.exports = router;\n",
    'Profile.jsx': `const DOMPurify = require('isomorphic-dompurify');\nmodule.exports = function Profile({ bio }) {\n  return <div className="bio" dangerouslySetInnerHTML={{ __html: ${html} }} />;\n};\n`,
  });
  test('dangerouslySetInnerHTML in a component rendered with request props; DOMPurify.sanitize is safe', async () => {
    const [f, ...rest] = await findings(files('bio'), 'xss');
    assert.equal(rest.length, 0);
    assert.equal(`${f?.location.file}:${f?.location.startLine}`, 'Profile.jsx:3');
    assert.ok(f.trace.some((s) => s.file === 'pages.jsx'));
    assert.equal(await reported(files('DOMPurify.sanitize(bio)'), 'xss'), 0);
  });
  test('JSX text children are escaped by React', async () => {
    const page = files('bio');
    page['Profile.jsx'] = 'module.exports = function Profile({ bio }) {\n  return <div className="bio">{bio}</div>;\n};\n';
    assert.equal(await reported(page, 'xss'), 0);
  });
});

pairs('open-redirect', [
  { name: 'res.redirect(request URL)', rule: 'open-redirect', head: '', vulnerable: '  res.redirect(req.query.next);', fixed: "  res.redirect('/home');" },
  { name: "'/' + x is still //evil; a constant https origin prefix is safe", rule: 'open-redirect', head: '', vulnerable: "  res.redirect('/' + req.query.next);", fixed: "  res.redirect('https://app.example.com/' + req.query.next);" },
  { name: "startsWith('/') && !startsWith('//') guard", rule: 'open-redirect', head: '', vulnerable: "  const n = req.query.next;\n  res.redirect(n);", fixed: "  const n = req.query.next;\n  if (n.startsWith('/') && !n.startsWith('//')) return res.redirect(n);\n  res.redirect('/');" },
  { name: 'anchored regex guard', rule: 'open-redirect', head: '', vulnerable: '  res.redirect(302, req.query.next);', fixed: "  if (!/^\\/[a-z0-9/_-]*$/i.test(req.query.next)) return res.redirect('/');\n  res.redirect(302, req.query.next);" },
  { name: 'allow-list', rule: 'open-redirect', head: "const TARGETS = ['/home', '/settings'];", vulnerable: '  res.redirect(req.body.to);', fixed: "  if (!TARGETS.includes(req.body.to)) return res.status(400).end();\n  res.redirect(req.body.to);" },
  { name: 'new URL(x, base).origin === base check', rule: 'open-redirect', head: "const BASE = 'https://app.example.com';", vulnerable: '  const url = new URL(req.query.next, BASE);\n  res.redirect(url.href);', fixed: "  const url = new URL(req.query.next, BASE);\n  if (url.origin !== BASE) return res.status(400).end();\n  res.redirect(url.href);" },
  { name: "res.setHeader('Location', x)", rule: 'open-redirect', head: '', vulnerable: "  res.statusCode = 302;\n  res.setHeader('Location', req.query.u);\n  res.end();", fixed: "  res.statusCode = 302;\n  res.setHeader('X-Target', req.query.u);\n  res.end();" },
  { name: 'res.writeHead(302, { Location: x })', rule: 'open-redirect', head: '', vulnerable: '  res.writeHead(302, { Location: req.query.u });\n  res.end();', fixed: "  res.writeHead(302, { Location: '/u/' + encodeURIComponent(req.query.u) });\n  res.end();" },
]);

describe('open-redirect: half a check', () => {
  test("startsWith('/') alone lets //evil.example through: reported, with the bypass as evidence", async () => {
    const [f] = await findings(appWith("  const n = req.query.next;\n  if (n.startsWith('/')) return res.redirect(n);\n  res.redirect('/');"), 'open-redirect');
    assert.ok(f);
    assert.ok(f.evidence.sanitisersOnPath?.some((s) => /without excluding "\/\/"/.test(s)), JSON.stringify(f.evidence));
  });
});

describe('open-redirect: across functions', () => {
  test('a same-site prefix added where the URL is built cuts the flow; a bare "/" prefix does not', async () => {
    const files = (build: string) => ({
      'app.js': APP,
      'routes.js': `const router = require('express').Router();\nconst { go } = require('./nav');\nrouter.get('/x', (req, res) => go(res, ${build}));\nmodule.exports = router;\n`,
      'nav.js': 'exports.go = (res, url) => res.redirect(url);\n',
    });
    const [f] = await findings(files("'/' + req.query.to"), 'open-redirect');
    assert.equal(f?.location.file, 'nav.js');
    assert.ok(new Set(f.trace.map((s) => s.file)).size >= 2);
    assert.equal(await reported(files("'/orders/' + req.query.to"), 'open-redirect'), 0);
  });
});

describe('open-redirect: other frameworks', () => {
  test('Koa ctx.redirect, Fastify reply.redirect, Hono c.redirect', async () => {
    const koa = { 'app.js': "const Koa = require('koa');\nconst Router = require('@koa/router');\nconst app = new Koa();\nconst router = new Router();\nrouter.get('/go', (ctx) => ctx.redirect(ctx.query.to));\napp.use(router.routes());\n" };
    const fastify = { 'app.js': "const fastify = require('fastify')();\nfastify.get('/go', async (request, reply) => reply.redirect(request.query.to));\n" };
    const hono = { 'app.js': "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/go', (c) => c.redirect(c.req.query('to')));\nexport default app;\n" };
    for (const files of [koa, fastify, hono]) assert.equal(await reported(files, 'open-redirect'), 1, Object.values(files)[0]);
  });
  test('Next.js: NextResponse.redirect and redirect() from next/navigation in route handlers', async () => {
    const files = {
      'app/api/go/route.js': "import { NextResponse } from 'next/server';\nexport async function GET(request) {\n  const to = request.nextUrl.searchParams.get('to');\n  return NextResponse.redirect(new URL(to, request.url));\n}\n",
      'app/api/login/route.js': "import { redirect } from 'next/navigation';\nexport async function POST(request) {\n  const form = await request.formData();\n  redirect(form.get('next'));\n}\n",
    };
    const got = (await findings(files, 'open-redirect')).map((c) => `${c.location.file}:${c.location.startLine}`);
    assert.deepEqual(got, ['app/api/go/route.js:4', 'app/api/login/route.js:4']);
  });
});

pairs('log-injection', [
  { name: 'console.log with a concatenated message; JSON.stringify is safe', rule: 'log-injection', head: '', vulnerable: "  console.log('login: ' + req.body.user);", fixed: "  console.log('login: ' + JSON.stringify(req.body.user));" },
  { name: 'console.error with a request string argument; control characters stripped', rule: 'log-injection', head: '', vulnerable: "  console.error('bad input', req.query.q);", fixed: "  console.error('bad input', req.query.q.replace(/[\\u0000-\\u001f\\u007f]/g, ''));" },
  { name: 'winston message vs a structured field', rule: 'log-injection', head: "const winston = require('winston');\nconst logger = winston.createLogger({});", vulnerable: '  logger.info(`user ${req.body.user} logged in`);', fixed: "  logger.info('user logged in', { user: req.body.user });" },
  { name: 'pino: the merging object is structured, the message is text', rule: 'log-injection', head: "const pino = require('pino');\nconst log = pino();", vulnerable: "  log.warn('search for ' + req.query.q);", fixed: "  log.warn({ q: req.query.q }, 'search');" },
  { name: 'bunyan / log4js loggers', rule: 'log-injection', head: "const log4js = require('log4js');\nconst logger = log4js.getLogger('app');", vulnerable: "  logger.error('failed: ' + req.headers['x-job']);", fixed: "  logger.error('failed: ' + encodeURIComponent(req.headers['x-job']));" },
  { name: 'debug() loggers', rule: 'log-injection', head: "const debug = require('debug')('app:http');", vulnerable: "  debug('query %s', req.query.q);", fixed: "  debug('query %o', { q: req.query.q });" },
  { name: 'console.log of a structured object is inspected (escaped)', rule: 'log-injection', head: '', vulnerable: "  console.info(`q=${req.query.q}`);", fixed: '  console.info({ q: req.query.q });' },
]);

describe('patches for the web classes apply and remove their finding', () => {
  const cases: { name: string; rule: string; files: Record<string, string>; contains: string }[] = [
    { name: 'xss: escape the interpolated value (local helper)', rule: 'xss', files: appWith('  res.send(`<h1>${req.query.name}</h1>`);'), contains: 'res.send(`<h1>${escapeHtml(req.query.name)}</h1>`);' },
    { name: 'xss: escape-html when the file has it', rule: 'xss', files: appWith("  res.send('<p>' + req.query.q + '</p>');", "const escape = require('escape-html');"), contains: "res.send('<p>' + escape(req.query.q) + '</p>');" },
    { name: 'open redirect: same-site paths only', rule: 'open-redirect', files: appWith('  res.redirect(req.query.next);'), contains: "res.redirect(typeof req.query.next === 'string' && /^\\/(?![\\/\\\\\\s])\\S*$/.test(req.query.next) ? req.query.next : '/');" },
    { name: 'log injection: strip control characters', rule: 'log-injection', files: appWith("  console.log('user ' + req.body.user);"), contains: "console.log('user ' + String(req.body.user).replace(/[\\u0000-\\u001f\\u007f\\u2028\\u2029]/g, ' '));" },
    { name: 'nosql: coerce filter values to strings', rule: 'nosql-injection', files: appWith('  const { email } = req.body;\n  res.json(await User.findOne({ email, code: req.body.code }));', MONGOOSE), contains: 'User.findOne({ email: String(email), code: String(req.body.code) })' },
    { name: 'sql: knex whereRaw bindings', rule: 'sql-injection', files: appWith("  res.json(await knex('t').whereRaw(\"a = '\" + req.query.a + \"'\"));", "const knex = require('knex')({ client: 'pg' });"), contains: "knex('t').whereRaw('a = ?', [req.query.a])" },
    { name: 'sql: Prisma $queryRawUnsafe → $queryRaw tagged template', rule: 'sql-injection', files: appWith("  res.json(await prisma.$queryRawUnsafe(\"SELECT * FROM u WHERE n = '\" + req.query.n + \"'\"));", "const { PrismaClient } = require('@prisma/client');\nconst prisma = new PrismaClient();"), contains: 'prisma.$queryRaw`SELECT * FROM u WHERE n = ${req.query.n}`' },
    {
      name: 'xss: Koa ctx.body assignment',
      rule: 'xss',
      files: { 'app.js': "const Koa = require('koa');\nconst Router = require('@koa/router');\nconst app = new Koa();\nconst router = new Router();\nrouter.get('/x', (ctx) => {\n  ctx.body = '<p>' + ctx.query.q + '</p>';\n});\napp.use(router.routes());\n" },
      contains: "ctx.body = '<p>' + escapeHtml(ctx.query.q) + '</p>';",
    },
    {
      name: 'sql: TypeORM query builder condition → :named parameters',
      rule: 'sql-injection',
      files: appWith("  res.json(await ds.createQueryBuilder('User', 'u').where(\"u.name = '\" + req.query.name + \"'\").getMany());", "const { DataSource } = require('typeorm');\nconst ds = new DataSource({});"),
      contains: ".where('u.name = :param1', { param1: req.query.name })",
    },
    {
      name: 'sql: sequelize.query through an imported client → replacements',
      rule: 'sql-injection',
      files: {
        ...appWith("  res.json(await db.query('SELECT * FROM t WHERE a = ' + req.query.a));", "const db = require('./db');"),
        'db.js': "const { Sequelize } = require('sequelize');\nmodule.exports = new Sequelize('sqlite::memory:');\n",
      },
      contains: "db.query('SELECT * FROM t WHERE a = ?', { replacements: [req.query.a] })",
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const [f] = await findings(c.files, c.rule);
      assert.ok(f?.patch, `${c.name}: no patch offered`);
      const applied = applyUnifiedDiff(c.files[f.patch.file], f.patch.diff);
      assert.ok(applied.ok, `${c.name}: the patch does not apply`);
      assert.ok(applied.text.includes(c.contains), `${c.name}: patched file lacks ${c.contains}\n${applied.text}`);
      assert.equal(await reported({ ...c.files, [f.patch.file]: applied.text }, c.rule), 0, `${c.name}: still reported after the patch`);
    });
  }
  test('no mechanical fix for a page built by a function (escaping it would break its markup)', async () => {
    const [f] = await findings(appWith("  res.send(page(req.query.q));", "const page = (q) => '<h1>' + q + '</h1>';"), 'xss');
    assert.ok(f);
    assert.equal(f.patch, undefined);
  });
});
