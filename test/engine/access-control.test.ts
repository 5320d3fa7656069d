// Access control reasoned from the application's own conventions: middleware chains (route, router `use`
// in registration order, mount, application), public-by-design routes, IDOR across services, mass
// assignment, client-only role checks, admin functions without a role check; their verdicts, patches and
// file dependencies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Candidate } from '../../activities/model.js';
import { createBuiltinVerifier } from '../../activities/engines/builtin/index.js';
import { applyUnifiedDiff } from '../../activities/patches/apply-diff.js';
import { analyse, memoryFiles } from './helpers.js';

const ACCESS_RULES = new Set(['missing-authorization', 'idor', 'mass-assignment', 'client-side-authorization', 'unprotected-admin', 'plaintext-password']);
const access = (cs: Candidate[]) => cs.filter((c) => ACCESS_RULES.has(c.ruleId));
const show = (cs: Candidate[]) => access(cs).map((c) => `${c.ruleId}@${c.location.file}:${c.location.startLine}`);

async function run(files: Record<string, string>) {
  const out = await analyse(files);
  const verdicts = await createBuiltinVerifier().verify({ files: memoryFiles(files), candidates: out.candidates });
  return access(out.candidates).map((c) => ({ c, v: verdicts.find((x) => x.candidateId === c.id)! }));
}

const APP = `const express = require('express');
const orders = require('./routes/orders');
const app = express();
app.use(express.json());
app.use('/api/orders', orders);
app.listen(3000);
`;

const AUTH = `function requireAuth(req, res, next) {
  if (!req.user) return res.status(401).json({ error: 'sign in' });
  next();
}
function requireRole(role) {
  return (req, res, next) => (req.user && req.user.role === role ? next() : res.sendStatus(403));
}
module.exports = { requireAuth, requireRole };
`;

const ORDER_MODEL = `const mongoose = require('mongoose');
module.exports = mongoose.model('Order', new mongoose.Schema({ user: String, total: Number, status: String }));
`;

/** A router file: `lines` are registrations after `const router = express.Router();`. */
const router = (lines: string[], head = '') => `const express = require('express');
const { requireAuth, requireRole } = require('../middleware/auth');
const Order = require('../models/order');
${head}
const router = express.Router();
${lines.join('\n')}
module.exports = router;
`;

const files = (routes: string, extra: Record<string, string> = {}) => ({
  'app.js': APP,
  'middleware/auth.js': AUTH,
  'models/order.js': ORDER_MODEL,
  'routes/orders.js': routes,
  ...extra,
});

const PROTECTED = [
  "router.get('/', requireAuth, async (req, res) => res.json(await Order.find({ user: req.user.id })));",
  "router.post('/', requireAuth, async (req, res) => res.json(await Order.create({ user: req.user.id, total: Number(req.body.total) })));",
  "router.get('/:id', requireAuth, async (req, res) => res.json(await Order.findOne({ _id: req.params.id, user: req.user.id })));",
];

describe('access control: missing authorisation', () => {
  test('a route without the middleware most siblings use, with the evidence and a patch', async () => {
    const src = router([...PROTECTED, "router.delete('/:id', async (req, res) => res.json(await Order.deleteMany({ status: 'void' })));"]);
    const [hit, ...rest] = await run(files(src));
    assert.deepEqual(rest.map((x) => x.c.ruleId), []);
    assert.equal(hit.c.ruleId, 'missing-authorization');
    assert.equal(hit.c.cwe, 'CWE-862');
    assert.equal(hit.c.location.file, 'routes/orders.js');
    assert.equal(hit.c.location.startLine, 9);
    assert.match(hit.c.explanation, /3 of 4 routes in routes\/orders\.js use `requireAuth`; `DELETE \/api\/orders\/:id`/);
    assert.equal(hit.c.evidence.analysis, 'access-control');
    assert.equal(hit.c.evidence.route, 'DELETE /api/orders/:id');
    assert.equal(hit.v.verdict, 'confirmed', hit.v.reasons.join(' | '));
    assert.ok(hit.c.dependsOn.includes('middleware/auth.js') && hit.c.dependsOn.includes('routes/orders.js'));
    assert.match(hit.c.patch!.diff, /\+router\.delete\('\/:id', requireAuth, async/);
  });

  test('router.use(requireAuth) protects only what is registered after it', async () => {
    const src = router([
      "router.get('/export', async (req, res) => res.json(await Order.find({ status: 'paid' })));",
      'router.use(requireAuth);',
      "router.get('/', async (req, res) => res.json(await Order.find({ user: req.user.id })));",
      "router.get('/:id', async (req, res) => res.json(await Order.findOne({ _id: req.params.id, user: req.user.id })));",
    ]);
    const found = await run(files(src));
    assert.deepEqual(found.map((x) => `${x.c.ruleId}:${x.c.location.startLine}`), ['missing-authorization:6']);
    assert.match(found[0].c.explanation, /registered before `requireAuth` is applied \(routes\/orders\.js:7\)/);
  });

  test('mount-level and app-level middleware protect every route below them', async () => {
    const src = router([
      "router.get('/', async (req, res) => res.json(await Order.find({ user: req.user.id })));",
      "router.delete('/:id', async (req, res) => res.json(await Order.deleteOne({ _id: req.params.id, user: req.user.id })));",
    ]);
    const mounted = APP.replace("app.use('/api/orders', orders);", "app.use('/api/orders', require('./middleware/auth').requireAuth, orders);");
    assert.deepEqual(show((await analyse({ ...files(src), 'app.js': mounted })).candidates), []);
    const appLevel = APP.replace("app.use('/api/orders', orders);", "app.use(require('passport').authenticate('jwt', { session: false }));\napp.use('/api/orders', orders);");
    assert.deepEqual(show((await analyse({ ...files(src), 'app.js': appLevel })).candidates), []);
  });

  test('public-by-design routes are not reported: login, signup, health, webhooks, password reset', async () => {
    const src = router([
      ...PROTECTED,
      "router.post('/login', (req, res) => res.end());",
      "router.post('/signup', (req, res) => res.end());",
      "router.get('/health', (req, res) => res.send('ok'));",
      "router.post('/webhooks/stripe', (req, res) => res.end());",
      "router.post('/password-reset', (req, res) => res.end());",
    ]);
    assert.deepEqual(show((await analyse(files(src))).candidates), []);
  });

  test('no convention, no finding: one protected route of three, or an app with no authentication at all', async () => {
    const few = router([
      PROTECTED[0],
      "router.get('/open', async (req, res) => res.json(await Order.find({ status: 'open' })));",
      "router.get('/paid', async (req, res) => res.json(await Order.find({ status: 'paid' })));",
    ]);
    assert.deepEqual(show((await analyse(files(few))).candidates), []);
    const none = router(PROTECTED.map((l) => l.replace('requireAuth, ', '')));
    assert.deepEqual(show((await analyse(files(none))).candidates), []);
  });

  test('Fastify: route options (`preHandler`, `handler`) and plugin hooks are chains too', async () => {
    const verify = 'exports.verify = async (request, reply) => { if (!request.user) return reply.code(401).send(); };\n';
    const server = `const Fastify = require('fastify');
const { verify } = require('./auth');
const app = Fastify();
app.route({ method: 'GET', url: '/a', preHandler: verify, handler: async (request) => ({ a: request.user.id }) });
app.route({ method: 'GET', url: '/b', preHandler: [verify], handler: async (request) => ({ b: request.user.id }) });
app.route({ method: 'POST', url: '/c', preHandler: verify, handler: async () => ({ c: 1 }) });
app.route({ method: 'DELETE', url: '/d', handler: async () => ({ d: 1 }) });
app.register(async (scope) => {
  scope.addHook('onRequest', verify);
  scope.delete('/e', async () => ({ e: 1 }));
});
app.listen({ port: 3000 });
`;
    const found = await run({ 'server.js': server, 'auth.js': verify });
    assert.deepEqual(found.map((x) => `${x.c.ruleId}@${x.c.location.startLine}`), ['missing-authorization@7']);
    assert.match(found[0].c.explanation, /routes in server\.js use `verify`; `DELETE \/d`/);
  });

  test('an inline check in the handler counts as authentication', async () => {
    const src = router([...PROTECTED, "router.delete('/:id', async (req, res) => { if (!req.user) return res.sendStatus(401); res.json(await Order.deleteOne({ _id: req.params.id, user: req.user.id })); });"]);
    assert.deepEqual(show((await analyse(files(src))).candidates), []);
  });
});

const SERVICE = (body: string) => `const Order = require('../models/order');
${body}
module.exports = { get };
`;

describe('access control: IDOR', () => {
  const routeVia = router(
    ["router.use(requireAuth);", "router.get('/:id', async (req, res) => res.json(await svc.get(req.params.id, req.user.id)));"],
    "const svc = require('../services/orders');",
  );

  test('a client id reaches a lookup in a service, with nothing tying the record to the user', async () => {
    const found = await run(files(routeVia, { 'services/orders.js': SERVICE('async function get(id, userId) {\n  return Order.findById(id);\n}') }));
    assert.deepEqual(found.map((x) => `${x.c.ruleId}@${x.c.location.file}:${x.c.location.startLine}`), ['idor@services/orders.js:3']);
    const { c, v } = found[0];
    assert.equal(c.cwe, 'CWE-639');
    assert.equal(c.origin, 'routes/orders.js');
    assert.ok(new Set(c.trace.map((s) => s.file)).size >= 2, 'the trace crosses files');
    assert.ok(c.dependsOn.includes('models/order.js') && c.dependsOn.includes('services/orders.js'));
    assert.match(c.explanation, /`user` \(models\/order\.js:2\)/);
    // The user's id is handed to the service, which never uses it: nothing checks ownership.
    assert.equal(v.verdict, 'confirmed', v.reasons.join(' | '));
    assert.equal(c.evidence.accessControl?.ownerField, 'user');
  });

  test('scoped by the user inside the service, or compared with the user after the load: no finding', async () => {
    const scoped = SERVICE('async function get(id, userId) {\n  return Order.findOne({ _id: id, user: userId });\n}');
    assert.deepEqual(show((await analyse(files(routeVia, { 'services/orders.js': scoped }))).candidates), []);
    const compared = SERVICE("async function get(id, userId) {\n  const o = await Order.findById(id);\n  if (String(o.user) !== userId) throw new Error('forbidden');\n  return o;\n}");
    assert.deepEqual(show((await analyse(files(routeVia, { 'services/orders.js': compared }))).candidates), []);
  });

  test('role or ownership middleware, or a record no user owns: no finding', async () => {
    const svc = { 'services/orders.js': SERVICE('async function get(id) {\n  return Order.findById(id);\n}') };
    const admin = routeVia.replace("router.get('/:id', async", "router.get('/:id', requireRole('admin'), async");
    assert.deepEqual(show((await analyse(files(admin, svc))).candidates), []);
    const owner = routeVia.replace("router.get('/:id', async", "router.get('/:id', checkOwnership, async").replace('const svc', 'const { checkOwnership } = require("../middleware/own");\nconst svc');
    assert.deepEqual(show((await analyse(files(owner, svc))).candidates), []);
    const catalogue = "const mongoose = require('mongoose');\nmodule.exports = mongoose.model('Order', new mongoose.Schema({ sku: String, price: Number }));\n";
    assert.deepEqual(show((await analyse({ ...files(routeVia, svc), 'models/order.js': catalogue })).candidates), []);
  });

  test('Prisma: the delegate names the model, schema.prisma says who owns it', async () => {
    const src = router(
      ['router.use(requireAuth);', "router.get('/:docId', async (req, res) => res.json(await prisma.document.findUnique({ where: { id: req.params.docId } })));", "router.get('/', async (req, res) => res.json(await prisma.document.findMany({ where: { ownerId: req.user.id } })));"],
      "const { PrismaClient } = require('@prisma/client');\nconst prisma = new PrismaClient();",
    );
    const schema = 'model Document {\n  id      String @id @default(cuid())\n  title   String\n  ownerId String\n  owner   User   @relation(fields: [ownerId], references: [id])\n}\n\nmodel Tag {\n  id   Int    @id\n  name String\n}\n';
    const found = await run(files(src, { 'prisma/schema.prisma': schema }));
    assert.deepEqual(found.map((x) => `${x.c.ruleId}@${x.c.location.startLine}`), ['idor@8']);
    assert.equal(found[0].c.evidence.accessControl?.ownerField, 'ownerId');
    assert.ok(found[0].c.dependsOn.includes('prisma/schema.prisma'));
    assert.equal(found[0].v.verdict, 'confirmed', found[0].v.reasons.join(' | '));
    const tags = src.replace('prisma.document.findUnique', 'prisma.tag.findUnique');
    assert.deepEqual(show((await analyse(files(tags, { 'prisma/schema.prisma': schema }))).candidates), []);
  });

  test('confirmed, with a scoping patch, when the handler loads the record itself', async () => {
    const src = router(["router.use(requireAuth);", "router.get('/:id', async (req, res) => {\n  const order = await Order.findById(req.params.id);\n  res.json(order);\n});"]);
    const [{ c, v }] = await run(files(src));
    assert.equal(c.ruleId, 'idor');
    assert.equal(v.verdict, 'confirmed', v.reasons.join(' | '));
    assert.match(c.patch!.diff, /\+ {2}const order = await Order\.findOne\(\{ _id: req\.params\.id, user: req\.user\.id \}\);/);
  });
});

describe('access control: mass assignment', () => {
  const USER = "const mongoose = require('mongoose');\nmodule.exports = mongoose.model('User', new mongoose.Schema({ name: String, bio: String, role: String, isAdmin: Boolean }));\n";
  const profile = (body: string) =>
    files(router(['router.use(requireAuth);', `router.put('/me', async (req, res) => {\n${body}\n  res.end();\n});`], "const User = require('../models/user');"), { 'models/user.js': USER });

  test('the whole body, or a spread of it, into a model with privileged fields', async () => {
    for (const body of ['  await User.findByIdAndUpdate(req.user.id, req.body);', '  await User.create({ ...req.body, owner: req.user.id });', '  const user = await User.findById(req.user.id);\n  Object.assign(user, req.body);\n  await user.save();']) {
      const found = await run(profile(body));
      assert.deepEqual(found.map((x) => x.c.ruleId), ['mass-assignment'], body);
      assert.equal(found[0].c.cwe, 'CWE-915');
      assert.match(found[0].c.explanation, /`role`, `isAdmin`/);
      assert.equal(found[0].v.verdict, 'confirmed', found[0].v.reasons.join(' | '));
    }
  });

  test('picked fields, a validating schema or a model without privileged fields: no finding', async () => {
    for (const body of [
      '  const { name, bio } = req.body;\n  await User.findByIdAndUpdate(req.user.id, { name, bio });',
      "  await User.findByIdAndUpdate(req.user.id, _.pick(req.body, ['name', 'bio']));",
      '  await User.findByIdAndUpdate(req.user.id, schema.parse(req.body));',
      // Not a record: a body hashed for a signature check.
      "  const sig = require('crypto').createHmac('sha256', process.env.SECRET).update(req.body).digest('hex');\n  await User.findByIdAndUpdate(req.user.id, { sig });",
    ]) {
      assert.deepEqual(show((await analyse(profile(body))).candidates), [], body);
    }
    const plain = { ...profile('  await User.findByIdAndUpdate(req.user.id, req.body);'), 'models/user.js': USER.replace(', role: String, isAdmin: Boolean', '') };
    assert.deepEqual(show((await analyse(plain)).candidates), []);
  });

  test('the engine patch copies only the allowed fields and the finding disappears', async () => {
    const f = profile('  await User.create(req.body);');
    const [{ c }] = await run(f);
    assert.match(c.patch!.diff, /\+ {2}await User\.create\(\{ name: req\.body\.name, bio: req\.body\.bio \}\);/);
    const applied = applyUnifiedDiff(f[c.patch!.file as keyof typeof f], c.patch!.diff);
    assert.ok(applied.ok);
    assert.deepEqual(show((await analyse({ ...f, [c.patch!.file]: applied.text })).candidates), []);
  });
});

describe('access control: client-side authorisation and admin functions', () => {
  const server = router([...PROTECTED, "router.delete('/:id', requireAuth, async (req, res) => res.json(await Order.deleteOne({ _id: req.params.id })));", "router.get('/admin/audit', requireAuth, requireRole('admin'), (req, res) => res.json([]));"]);
  const client = (cond: string) => ({
    'client/src/OrderRow.jsx': `export function OrderRow({ order, me }) {\n  return <tr>{${cond} && <button onClick={() => fetch('/api/orders/' + order.id, { method: 'DELETE' })}>Void</button>}</tr>;\n}\n`,
  });

  test('an action hidden behind a role check in the front end, served without one', async () => {
    const found = await run(files(server, client("me.role === 'admin'")));
    assert.deepEqual(found.map((x) => `${x.c.ruleId}@${x.c.location.file}:${x.c.location.startLine}`), ['client-side-authorization@routes/orders.js:9']);
    const { c, v } = found[0];
    assert.equal(c.cwe, 'CWE-602');
    assert.equal(c.trace[0].file, 'client/src/OrderRow.jsx');
    assert.equal(v.verdict, 'confirmed', v.reasons.join(' | '));
    assert.match(c.patch!.diff, /\+router\.delete\('\/:id', requireAuth, requireRole\('admin'\), async/);
  });

  test('no role in the front-end condition, or a role check on the server: no client-side finding', async () => {
    // Without the front end's hint the route is meant for every user: the unscoped delete is an IDOR instead.
    assert.deepEqual(show((await analyse(files(server, client('order.open')))).candidates), ['idor@routes/orders.js:9']);
    const guarded = server.replace("router.delete('/:id', requireAuth, async", "router.delete('/:id', requireAuth, requireRole('admin'), async");
    assert.deepEqual(show((await analyse(files(guarded, client("me.role === 'admin'")))).candidates), []);
  });

  test('an admin route with authentication but no role check; role middleware elsewhere makes it certain', async () => {
    const src = router([...PROTECTED, "router.get('/admin/export', requireAuth, async (req, res) => res.json(await Order.find({})));", "router.get('/admin/audit', requireAuth, requireRole('admin'), (req, res) => res.json([]));"]);
    const found = await run(files(src));
    assert.deepEqual(found.map((x) => `${x.c.ruleId}@${x.c.location.startLine}`), ['unprotected-admin@9']);
    assert.equal(found[0].v.verdict, 'confirmed', found[0].v.reasons.join(' | '));
    assert.match(found[0].c.explanation, /`requireRole\('admin'\)` \(routes\/orders\.js:10\)/);
    // A role test inside the handler is a role check too.
    const inline = src.replace("requireAuth, async (req, res) => res.json(await Order.find({})));", "requireAuth, async (req, res) => { if (req.user.role !== 'admin') return res.sendStatus(403); res.json(await Order.find({})); });");
    assert.deepEqual(show((await analyse(files(inline))).candidates), []);
  });
});

describe('access control: identity flows and incremental analysis', () => {
  test("the signed-in user's identity is not attacker input: no injection finding from req.user", async () => {
    const src = router(["router.get('/', requireAuth, (req, res) => require('./db').query('SELECT * FROM orders WHERE owner = ' + req.user.id, () => res.end()));"]);
    const out = await analyse(files(src));
    assert.deepEqual(out.candidates.map((c) => c.ruleId), []);
  });

  test('a scoped re-analysis of the route file yields the same access-control candidates', async () => {
    const f = files(router([...PROTECTED, "router.delete('/:id', async (req, res) => res.json(await Order.deleteMany({ status: 'void' })));"]));
    const full = access((await analyse(f)).candidates);
    const scoped = access((await analyse(f, ['routes/orders.js'])).candidates);
    assert.equal(full.length, 1);
    assert.deepEqual(scoped, full);
    assert.deepEqual(access((await analyse(f, ['middleware/auth.js'])).candidates), []);
  });

  test('test code is rejected by the verifier', async () => {
    const f = files(router([...PROTECTED, "router.delete('/:id', async (req, res) => res.json(await Order.deleteMany({ status: 'void' })));"]));
    const moved: Record<string, string> = {};
    for (const [k, v] of Object.entries(f)) moved[`test/fixtures/${k}`] = v;
    const found = await run(moved);
    assert.equal(found.length, 1);
    assert.equal(found[0].v.verdict, 'rejected');
  });
});
