// Sources and route models beyond Express: Koa, Fastify, Hono, Next.js (App and Pages Router), WebSocket
// servers (ws, socket.io), and the library threat model. Each framework: a vulnerable handler is found with
// the right source label and route; a safe variant of the same handler is not.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Candidate } from '../../activities/model.js';
import { createBuiltinVerifier } from '../../activities/engines/builtin/index.js';
import { analyse, memoryFiles } from './helpers.js';

async function run(files: Record<string, string>): Promise<Candidate[]> {
  return (await analyse(files)).candidates;
}

/** The one candidate of `files`, with its verdict. */
async function only(files: Record<string, string>) {
  const cs = await run(files);
  assert.equal(cs.length, 1, `expected one candidate, got: ${cs.map((c) => `${c.ruleId}@${c.location.file}:${c.location.startLine}`).join(', ') || 'none'}`);
  const [v] = await createBuiltinVerifier().verify({ files: memoryFiles(files), candidates: cs });
  return { c: cs[0], v };
}

const at = (c: Candidate) => `${c.ruleId}@${c.location.file}:${c.location.startLine}`;

describe('mount prefixes', () => {
  test('an Express sub-application mounted on the app is served under its mount path', async () => {
    const cs = await run({
      'app.js': "const express = require('express');\nconst admin = require('./admin');\nconst app = express();\napp.use('/admin', admin);\napp.listen(1);\n",
      'admin.js': "const express = require('express');\nconst { exec } = require('child_process');\nconst admin = express();\nadmin.post('/run', (req, res) => exec(req.body.cmd));\nmodule.exports = admin;\n",
    });
    assert.deepEqual(cs.map((c) => c.evidence.route), ['POST /admin/run']);
  });
});

describe('Koa', () => {
  const server = (handler: string) => ({
    'server.js': `const Koa = require('koa');
const api = require('./api');
const app = new Koa();
app.use(api.routes()).use(api.allowedMethods());
app.listen(3000);
`,
    'api.js': `const Router = require('@koa/router');
const { exec, execFile } = require('child_process');
const router = new Router({ prefix: '/api' });
${handler}
module.exports = router;
`,
  });

  test('ctx.query reaches exec in a router mounted with its own prefix', async () => {
    const { c, v } = await only(server("router.get('/ping', async (ctx, next) => {\n  exec('ping -c 1 ' + ctx.query.host);\n});"));
    assert.equal(at(c), 'command-injection@api.js:5');
    assert.equal(c.evidence.sourceKind, 'ctx.query');
    assert.equal(c.evidence.route, 'GET /api/ping');
    assert.equal(c.evidence.reachableFromMountedRoute, true);
    assert.match(c.trace[0].label, /`ctx\.query\.host` \(the query string\)/);
    assert.equal(v.verdict, 'confirmed');
  });

  test('ctx.request.body, ctx.cookies.get() and named routes', async () => {
    const cs = await run(
      server("router.post('run', '/run', async (ctx) => {\n  exec(ctx.request.body.cmd);\n  exec('id ' + ctx.cookies.get('user'));\n});"),
    );
    assert.deepEqual(cs.map(at), ['command-injection@api.js:5', 'command-injection@api.js:6']);
    assert.deepEqual(cs.map((c) => c.evidence.sourceKind), ['ctx.request.body', 'ctx.cookies']);
    assert.ok(cs.every((c) => c.evidence.route === 'POST /api/run'));
  });

  test('safe: execFile with an argument array', async () => {
    assert.deepEqual(await run(server("router.get('/ping', async (ctx) => {\n  execFile('ping', ['-c', '1', ctx.query.host]);\n});")), []);
  });
});

describe('Fastify', () => {
  const files = (query: string) => ({
    'app.js': `const fastify = require('fastify')({ logger: true });
fastify.register(require('./routes/users'), { prefix: '/users' });
fastify.listen({ port: 3000 });
`,
    'routes/users.js': `const db = require('../db');
module.exports = async function users(app, opts) {
  app.get('/:id', { schema: {} }, async (request, reply) => {
    return ${query};
  });
};
`,
    'db.js': "const mysql = require('mysql2');\nmodule.exports = mysql.createPool({});\n",
  });

  test('a plugin registered with a prefix: request.params reaches the SQL text', async () => {
    const { c, v } = await only(files("db.query('SELECT * FROM users WHERE id = ' + request.params.id)"));
    assert.equal(at(c), 'sql-injection@routes/users.js:4');
    assert.equal(c.evidence.sourceKind, 'request.params');
    assert.equal(c.evidence.route, 'GET /users/:id');
    assert.equal(v.verdict, 'confirmed');
  });

  test('fastify.route({ method, url, handler }) and nested plugins', async () => {
    const cs = await run({
      'server.ts': `import Fastify from 'fastify';
import { v1 } from './v1';
const app = Fastify();
app.register(v1, { prefix: '/v1' });
app.listen({ port: 1 });
`,
      'v1.ts': `import { exec } from 'child_process';
import type { FastifyInstance } from 'fastify';
async function admin(f: FastifyInstance) {
  f.route({ method: ['POST'], url: '/run', handler: async (request) => exec(request.body.cmd) });
}
export async function v1(f: FastifyInstance) {
  f.register(admin, { prefix: '/admin' });
}
`,
    });
    assert.deepEqual(cs.map(at), ['command-injection@v1.ts:4']);
    assert.equal(cs[0].evidence.route, 'POST /v1/admin/run');
    assert.equal(cs[0].evidence.sourceKind, 'request.body');
    assert.equal(cs[0].evidence.reachableFromMountedRoute, true);
  });

  test('safe: a parameterised query', async () => {
    assert.deepEqual(await run(files("db.query('SELECT * FROM users WHERE id = ?', [request.params.id])")), []);
  });
});

describe('Hono', () => {
  const files = (body: string) => ({
    'src/index.ts': `import { Hono } from 'hono';
import { calc } from './calc';
const app = new Hono();
app.route('/calc', calc);
export default app;
`,
    'src/calc.ts': `import { Hono } from 'hono';
export const calc = new Hono();
calc.post('/:op', async (c) => {
${body}
});
`,
  });

  test('c.req.query() and await c.req.json() reach eval in a sub-app mounted with app.route', async () => {
    const cs = await run(files("  const { expr } = await c.req.json();\n  const scale = c.req.query('scale');\n  return c.json({ v: eval(expr + '*' + scale) });"));
    assert.deepEqual(cs.map(at), ['code-injection@src/calc.ts:6']);
    assert.equal(cs[0].evidence.sourceKind, 'c.req.json()');
    assert.equal(cs[0].evidence.route, 'POST /calc/:op');
    assert.match(cs[0].explanation, /c\.req\.query\(\) reaches it too/);
  });

  test("getCookie(c, name) from hono/cookie is input; a cookie the server set is not", async () => {
    const f = files("  const theme = getCookie(c, 'theme');\n  setCookie(c, 'seen', '1');\n  return c.json({ v: eval(theme) });");
    f['src/calc.ts'] = `import { getCookie, setCookie } from 'hono/cookie';\n${f['src/calc.ts']}`;
    const cs = await run(f);
    assert.deepEqual(cs.map(at), ['code-injection@src/calc.ts:7']);
    assert.equal(cs[0].evidence.sourceKind, 'getCookie(c)');
  });

  test('c.req.param() and c.req.header()', async () => {
    const cs = await run(files("  return c.json({ v: eval(c.req.param('op') + c.req.header('x-arg')) });"));
    assert.deepEqual(cs.map(at), ['code-injection@src/calc.ts:4']);
    assert.deepEqual([cs[0].evidence.sourceKind, cs[0].title.includes('c.req.param()')], ['c.req.param()', true]);
  });

  test('app.basePath() prefixes the routes of the instance it returns', async () => {
    const cs = await run({
      'worker.ts': `import { Hono } from 'hono';
const api = new Hono().basePath('/api/v2');
api.get('/calc', (c) => c.text(String(eval(c.req.query('q') ?? '0'))));
export default api;
`,
    });
    assert.deepEqual(cs.map((c) => `${at(c)} ${c.evidence.route}`), ['code-injection@worker.ts:3 GET /api/v2/calc']);
  });

  test('safe: JSON.parse instead of eval', async () => {
    assert.deepEqual(await run(files('  const { expr } = await c.req.json();\n  return c.json({ v: JSON.parse(expr) });')), []);
  });
});

describe('Next.js', () => {
  test('App Router: route.ts handlers are reachable by convention; searchParams and params are input', async () => {
    const cs = await run({
      'src/app/(public)/files/[name]/route.ts': `import fs from 'node:fs';
import path from 'node:path';
import type { NextRequest } from 'next/server';
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return new Response(fs.readFileSync(path.join('/srv/files', name)));
}
export const POST = async (request: Request) => {
  const dir = new URL(request.url).searchParams.get('dir');
  return Response.json(fs.readdirSync('/srv/' + dir));
};
export function helper(x: string) {
  return fs.readFileSync(x);
}
`,
    });
    assert.deepEqual(cs.map(at), ['path-traversal@src/app/(public)/files/[name]/route.ts:6', 'path-traversal@src/app/(public)/files/[name]/route.ts:10']);
    assert.deepEqual(cs.map((c) => c.evidence.route), ['GET /files/[name]', 'POST /files/[name]']);
    assert.deepEqual(cs.map((c) => c.evidence.sourceKind), ['params', 'request.url']);
    assert.ok(cs.every((c) => c.evidence.reachableFromMountedRoute));
  });

  test('App Router: request.json(), headers and cookies() from next/headers', async () => {
    const cs = await run({
      'app/api/run/route.js': `import { exec } from 'child_process';
import { cookies } from 'next/headers';
export async function POST(request) {
  const { task } = await request.json();
  exec('run ' + task);
  exec('as ' + request.headers.get('x-user'));
  exec('theme ' + cookies().get('theme').value);
  return Response.json({});
}
`,
    });
    assert.deepEqual(cs.map((c) => `${c.location.startLine}:${c.evidence.sourceKind}`), ['5:request.json()', '6:request.headers', '7:cookies().get()']);
  });

  test('Pages Router: pages/api default export (req, res)', async () => {
    const { c, v } = await only({
      'pages/api/users/[id].ts': `import db from '../../../lib/db';
export default async function handler(req, res) {
  const rows = await db.query('SELECT * FROM users WHERE id = ' + req.query.id);
  res.json(rows);
}
`,
      'lib/db.ts': "import { Pool } from 'pg';\nexport default new Pool();\n",
    });
    assert.equal(at(c), 'sql-injection@pages/api/users/[id].ts:3');
    assert.equal(c.evidence.route, 'ALL /api/users/[id]');
    assert.equal(c.evidence.sourceKind, 'req.query');
    assert.equal(v.verdict, 'confirmed');
    assert.ok(v.reasons.some((r) => /file-system routing/.test(r)));
  });

  test('safe: path.basename confines the file name; non-route files are not entries', async () => {
    const cs = await run({
      'app/files/[name]/route.ts': `import fs from 'node:fs';
import path from 'node:path';
export async function GET(request: Request, { params }) {
  return new Response(fs.readFileSync(path.join('/srv/files', path.basename(params.name))));
}
`,
      // A component beside the route is not served by itself (page.tsx is: see the App Router pages test).
      'app/files/[name]/preview.tsx': `import fs from 'node:fs';
export default function Preview({ params }) {
  return <pre>{fs.readFileSync('/srv/' + params.name, 'utf8')}</pre>;
}
`,
    });
    assert.deepEqual(cs.map(at), []);
  });

  test('App Router pages: params and searchParams (promises in Next 15) are URL input', async () => {
    const cs = await run({
      'app/files/[name]/page.tsx': `import fs from 'node:fs';
export default async function Page({ params, searchParams }) {
  const { name } = await params;
  const { v } = await searchParams;
  return <pre>{fs.readFileSync('/srv/' + name + '.' + v, 'utf8')}</pre>;
}
`,
    });
    assert.deepEqual(cs.map(at), ['path-traversal@app/files/[name]/page.tsx:5']);
    assert.equal(cs[0].evidence.route, 'GET /files/[name]');
  });

  test("Server Actions: every export of a 'use server' module is an endpoint; the same code without the directive is not", async () => {
    const action = `import { exec } from 'node:child_process';
export async function convert(formData: FormData) {
  exec('convert ' + formData.get('file') + ' out.png');
}
`;
    const [c] = await run({ 'app/actions.ts': `'use server';\n${action}` });
    assert.equal(at(c), 'command-injection@app/actions.ts:4');
    assert.equal(c.evidence.route, 'server action convert (app/actions.ts)');
    assert.equal(c.evidence.reachableFromMountedRoute, true);
    assert.deepEqual((await run({ 'app/helpers.ts': action })).filter((x) => x.evidence.reachableFromMountedRoute).map(at), []);
  });

  test("middleware: a redirect built on the request's own URL stays on the site; its query is input", async () => {
    const mw = (target: string) => ({
      'middleware.ts': `import { NextResponse } from 'next/server';
export function middleware(request) {
  return NextResponse.redirect(${target});
}
`,
    });
    assert.deepEqual((await run(mw("new URL('/login?next=' + encodeURIComponent(request.nextUrl.pathname), request.url)"))).map(at), []);
    assert.deepEqual((await run(mw("new URL(request.url).searchParams.get('next')"))).map(at), ['open-redirect@middleware.ts:3']);
    // The usual sign-in redirect: a copy of the request's own URL with another path.
    const clone = await run({
      'src/middleware.ts': `import { NextResponse } from 'next/server';
export function middleware(request) {
  const url = request.nextUrl.clone();
  url.pathname = '/signin';
  return NextResponse.redirect(url);
}
`,
    });
    assert.deepEqual(clone.map(at), []);
  });
});

describe('WebSocket servers', () => {
  test('ws: a message of a connection reaches exec', async () => {
    const { c, v } = await only({
      'server.js': `const { WebSocketServer } = require('ws');
const { handle } = require('./handlers');
const wss = new WebSocketServer({ port: 8080 });
wss.on('connection', (socket, req) => {
  socket.on('message', (data) => handle(JSON.parse(data)));
  socket.on('close', () => {});
});
`,
      'handlers.js': `const { exec } = require('child_process');
exports.handle = (msg) => exec('convert ' + msg.file + ' out.png');
`,
    });
    assert.equal(at(c), 'command-injection@handlers.js:2');
    assert.equal(c.evidence.sourceKind, 'ws.message');
    assert.equal(c.evidence.route, 'WebSocket message');
    assert.match(c.trace[0].label, /`data` \(a WebSocket message\)/);
    assert.equal(v.verdict, 'confirmed');
    assert.ok(v.reasons.some((r) => /a WebSocket message of a WebSocket connection/.test(r)));
    assert.ok(v.reasons.some((r) => /handles WebSocket message events/.test(r)));
  });

  test('socket.io: event payloads and the handshake query are input', async () => {
    const cs = await run({
      'io.ts': `import { Server } from 'socket.io';
import { execSync } from 'child_process';
const io = new Server(3000);
io.on('connection', (socket) => {
  execSync('join ' + socket.handshake.query.room);
  socket.on('convert', (payload, ack) => {
    ack(execSync('convert ' + payload.file));
  });
});
`,
    });
    assert.deepEqual(cs.map(at), ['command-injection@io.ts:5', 'command-injection@io.ts:7']);
    assert.deepEqual(cs.map((c) => c.evidence.route), ['socket.io connection', 'socket.io convert']);
    assert.deepEqual(cs.map((c) => c.evidence.sourceKind), ['socket.handshake.query', 'socket.io event']);
    assert.match(cs[1].trace[0].label, /`payload\.file` \(a socket\.io event payload\)/);
  });

  test('socket.io via require(...)(port): a destructured payload is labelled from its argument', async () => {
    const cs = await run({
      'io.js': "const io = require('socket.io')(3000);\nconst { exec } = require('child_process');\nio.on('connection', (socket) => {\n  socket.on('run', ({ cmd }) => exec(cmd));\n});\n",
    });
    assert.deepEqual(cs.map(at), ['command-injection@io.js:4']);
    assert.match(cs[0].trace[0].label, /^`\(argument 1\)\.cmd` \(a socket\.io event payload\) read in the socket\.io run handler$/);
  });

  test('handlers registered by a function the server passes itself to (registerHandlers(io))', async () => {
    const cs = await run({
      'server.js': "const { Server } = require('socket.io');\nconst register = require('./sockets');\nregister(new Server(3000));\n",
      'sockets.js': `const { exec } = require('child_process');
module.exports = function register(io) {
  io.on('connection', (socket) => socket.on('ping', (host) => exec('ping ' + host)));
};
`,
    });
    assert.deepEqual(cs.map((c) => `${at(c)} ${c.evidence.route} ${c.evidence.reachableFromMountedRoute}`), ['command-injection@sockets.js:3 socket.io ping true']);
  });

  test('safe: execFile with an argument array', async () => {
    const cs = await run({
      'server.js': `const { WebSocketServer } = require('ws');
const { execFile } = require('child_process');
const wss = new WebSocketServer({ port: 8080 });
wss.on('connection', (socket) => {
  socket.on('message', (data) => execFile('convert', [String(data), 'out.png']));
});
`,
    });
    assert.deepEqual(cs.map(at), []);
  });
});

describe("Node's http server", () => {
  test('http.createServer(handler): req.url is input; an Express app handed to createServer is not a handler', async () => {
    const { c, v } = await only({
      'server.js': `const http = require('http');
const fs = require('fs');
const app = require('express')();
http.createServer(app).listen(3000);
const files = http.createServer((req, res) => {
  fs.createReadStream('./public' + req.url).pipe(res);
});
files.listen(8080);
`,
    });
    assert.equal(at(c), 'path-traversal@server.js:6');
    assert.deepEqual([c.evidence.sourceKind, c.evidence.route, v.verdict], ['req.url', 'HTTP server request', 'confirmed']);
  });
});

describe('library threat model', () => {
  const lib = {
    'package.json': JSON.stringify({ name: 'tiny-users', main: 'dist/index.js', types: 'dist/index.d.ts' }),
    'src/index.ts': "export { findUser } from './users';\nexport * as admin from './admin';\n",
    'src/users.ts': `import mysql from 'mysql2';
const pool = mysql.createPool({});
export function findUser(name: string) {
  return pool.query("SELECT * FROM users WHERE name = '" + name + "'");
}
export function internalOnly(sql: string) {
  return pool.query(sql);
}
`,
    'src/admin.ts': "import { execSync } from 'child_process';\nexport const backup = (dir: string) => execSync(`tar czf backup.tgz ${dir}`);\n",
  };

  test("parameters of the package's exported functions are sources (main → src, re-exports)", async () => {
    const out = await analyse(lib);
    const cs = out.candidates;
    assert.deepEqual(cs.map(at), ['command-injection@src/admin.ts:2', 'sql-injection@src/users.ts:4']);
    assert.deepEqual(cs.map((c) => c.evidence.libraryExport), ['admin.backup', 'findUser']);
    assert.ok(cs.every((c) => c.evidence.sourceKind === 'library-api' && c.dependsOn.includes('package.json')));
    assert.match(cs[1].trace[0].label, /`name` \(a parameter of the exported function `findUser`\)/);
    const verdicts = await createBuiltinVerifier().verify({ files: memoryFiles(lib), candidates: cs });
    for (const v of verdicts) {
      assert.equal(v.verdict, 'confirmed');
      assert.ok(v.reasons.some((r) => /exported API of a library/.test(r)));
    }
  });

  test('conditional exports map to the sources too', async () => {
    const files = { ...lib, 'package.json': JSON.stringify({ name: 'tiny-users', exports: { '.': { types: './dist/index.d.ts', import: './dist/index.mjs' } } }) };
    assert.deepEqual((await run(files)).map(at), ['command-injection@src/admin.ts:2', 'sql-injection@src/users.ts:4']);
  });

  test('an application (it serves routes) does not treat its exports as input', async () => {
    const app = {
      ...lib,
      'package.json': JSON.stringify({ name: 'users-api', main: 'src/server.js' }),
      'src/server.js': "const express = require('express');\nconst app = express();\napp.get('/health', (req, res) => res.send('ok'));\napp.listen(3000);\n",
    };
    assert.deepEqual(await run(app), []);
  });

  test('CommonJS: module.exports objects and functions; an example server does not make it an application', async () => {
    const cs = await run({
      'package.json': JSON.stringify({ name: 'shellish', main: 'index.js' }),
      'index.js': `const { exec } = require('child_process');
const util = require('./lib/util');
function run(cmd, cb) { exec('sh -c ' + util.quote(cmd), cb); }
module.exports = { run, util };
`,
      'lib/util.js': "exports.quote = (s) => \"'\" + s + \"'\";\nexports.open = function open(file) { return require('fs').readFileSync(file); };\n",
      'lib/internal.js': "module.exports = (cmd) => require('child_process').execSync(cmd);\n",
      'examples/server.js': "const express = require('express');\nconst { run } = require('..');\nconst app = express();\napp.get('/x', (req, res) => run('ls'));\napp.listen(1);\n",
    });
    // util.open reads the file its caller names: that is its API, not a flaw (LIBRARY_INPUT_CLASSES).
    assert.deepEqual(cs.map(at), ['command-injection@index.js:3']);
    assert.deepEqual(cs.map((c) => c.evidence.libraryExport), ['run']);
    const single = await run({
      'package.json': JSON.stringify({ name: 'one', main: 'index.js' }),
      'index.js': "const { exec } = require('child_process');\nmodule.exports = function runIt(cmd) { return exec(cmd); };\n",
    });
    assert.deepEqual(single.map((c) => c.evidence.libraryExport), ['runIt']);
  });

  test('a project without main/exports is not a library', async () => {
    assert.deepEqual(await run({ ...lib, 'package.json': JSON.stringify({ name: 'scripts', private: true }) }), []);
  });
});
