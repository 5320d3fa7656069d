// The non-flow checks (activities/engines/builtin/js/checks/): one positive and one negative per check, secrets
// never shown unmasked, the pattern verifier's verdicts, and incremental re-analysis giving the full run's results.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBuiltinVerifier } from '../../activities/engines/builtin/index.js';
import { planIncremental } from '../../activities/incremental.js';
import type { Candidate } from '../../activities/model.js';
import { applyUnifiedDiff } from '../../activities/patches/apply-diff.js';
import { analyse, APP, appWith, findings, memoryFiles, route } from './helpers.js';

const at = (cs: Candidate[]) => cs.map((c) => `${c.ruleId}@${c.location.file}:${c.location.startLine}`);
const only = (cs: Candidate[], rule: string) => cs.filter((c) => c.ruleId === rule);

async function verdicts(files: Record<string, string>) {
  const { candidates } = await analyse(files);
  const vs = await createBuiltinVerifier().verify({ files: memoryFiles(files), candidates });
  return candidates.map((c) => ({ c, v: vs.find((x) => x.candidateId === c.id)! }));
}

describe('insecure-jwt', () => {
  const head = `const jwt = require('jsonwebtoken');`;
  test('jwt.decode whose claims are trusted, with no verification of the token, is reported', async () => {
    const cs = only(await findings(appWith(`const claims = jwt.decode(req.headers.authorization);\n  if (claims.admin) res.send('hello admin');`, head)), 'insecure-jwt');
    assert.deepEqual(at(cs), ['insecure-jwt@routes.js:5']);
    assert.equal(cs[0].cwe, 'CWE-347');
    assert.equal(cs[0].evidence.analysis, 'pattern');
    assert.match(cs[0].patch!.diff, /\+const claims = jwt\.verify\(req\.headers\.authorization, process\.env\.JWT_SECRET, \{ algorithms: \['HS256'\] \}\);/);
  });

  test('decode of a token that is also verified, or decode only logged, is not reported', async () => {
    const verified = `const t = req.headers.authorization;\n  const header = jwt.decode(t, { complete: true });\n  const claims = jwt.verify(t, process.env.KEY, { algorithms: [header.header.alg === 'RS256' ? 'RS256' : 'HS256'] });\n  res.json(claims);`;
    assert.deepEqual(only(await findings(appWith(verified, head)), 'insecure-jwt'), []);
    const logged = `const claims = jwt.decode(req.headers.authorization);\n  console.log(claims);\n  res.end();`;
    assert.deepEqual(only(await findings(appWith(logged, head)), 'insecure-jwt'), []);
    const keySelection = `const kid = jwt.decode(req.query.t, { complete: true }).header.kid;\n  res.json({ kid });`;
    assert.deepEqual(only(await findings(appWith(keySelection, head)), 'insecure-jwt'), []);
  });

  test('"none" among the algorithms and a public key without pinned algorithms are reported; an HMAC secret is not', async () => {
    const files = appWith(
      `const a = jwt.verify(req.query.t, process.env.S, { algorithms: ['HS256', 'none'] });\n  const b = jwt.verify(req.query.t, PUBLIC_KEY);\n  const c = jwt.verify(req.query.t, process.env.S);\n  res.json({ a, b, c });`,
      `${head}\nconst PUBLIC_KEY = '-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\\n-----END PUBLIC KEY-----';`,
    );
    const cs = only(await findings(files), 'insecure-jwt');
    assert.deepEqual(at(cs), ['insecure-jwt@routes.js:6', 'insecure-jwt@routes.js:7']);
    assert.match(cs[0].title, /"none"/);
    assert.match(cs[1].title, /pin the algorithm/);
  });

  test('express-jwt without algorithms is reported for versions before 6 only', async () => {
    const files = (range: string) => ({
      'package.json': JSON.stringify({ dependencies: { 'express-jwt': range } }),
      'app.js': `const express = require('express');\nconst jwt = require('express-jwt');\nconst app = express();\napp.use(jwt({ secret: process.env.SECRET }));\napp.listen(3000);\n`,
    });
    assert.deepEqual(at(only(await findings(files('^5.3.1')), 'insecure-jwt')), ['insecure-jwt@app.js:4']);
    assert.deepEqual(only(await findings(files('^8.4.1')), 'insecure-jwt'), []);
  });
});

describe('hardcoded-secret', () => {
  test('a literal key defined in config.js and used by jwt.sign in auth.js is reported at the literal, from the file that uses it', async () => {
    const files = {
      ...appWith(`res.json({ token: sign({ id: 1 }) });`, `const { sign } = require('./auth');`),
      'config.js': `module.exports = { jwt: { signingKey: 'acme-jwt-signing-key' } };\n`,
      'auth.js': `const jwt = require('jsonwebtoken');\nconst config = require('./config');\nexports.sign = (u) => jwt.sign(u, config.jwt.signingKey);\n`,
    };
    const cs = only(await findings(files), 'hardcoded-secret');
    assert.deepEqual(at(cs), ['hardcoded-secret@config.js:1']);
    assert.equal(cs[0].origin, 'auth.js');
    assert.deepEqual(cs[0].dependsOn, ['auth.js', 'config.js']);
    assert.deepEqual(cs[0].trace.map((s) => `${s.kind}@${s.file}:${s.line}`), ['step@config.js:1', 'sink@auth.js:3']);
    assert.equal(cs[0].patch, undefined, 'a diff would have to quote the secret');
  });

  test('known token formats and random-looking literals under secret names are reported in their own file', async () => {
    const files = {
      'config.js': `exports.github = 'ghp_${'a1B2c3D4e5'.repeat(4)}';\nexports.API_KEY = 'Zx8#kP2!vQ9@mW4$';\nexports.label = 'Zx8#kP2!vQ9@mW4$';\nclass Client {\n  clientSecret = 'q7Wm2Lx9Tz4Rv8Kp';\n}\nexports.Client = Client;\n`,
    };
    assert.deepEqual(at(only(await findings(files), 'hardcoded-secret')), ['hardcoded-secret@config.js:1', 'hardcoded-secret@config.js:2', 'hardcoded-secret@config.js:5']);
  });

  test('placeholders, documentation keys, env reads and test files are not reported', async () => {
    const files = {
      'config.js': `exports.apiKey = 'your-api-key-here';\nexports.aws = 'AKIAIOSFODNN7EXAMPLE';\nexports.jwtSecret = process.env.JWT_SECRET;\nexports.password = '';\nexports.token = 'changeme';\nexports.ACCESS_TOKEN = 'accessToken';\nexports.dbPassword = 'dbPassword';\nexports.SECRET = 'JWT_SECRET';\n`,
      'auth.js': `const jwt = require('jsonwebtoken');\nconst c = require('./config');\nexports.sign = (u) => jwt.sign(u, c.jwtSecret);\nexports.sign2 = (u) => jwt.sign(u, '<your secret>');\n`,
      'test/auth.test.js': `const jwt = require('jsonwebtoken');\nconst SECRET = 'q8Zr2LmX9vT4pW7k';\njwt.sign({}, SECRET);\n`,
    };
    assert.deepEqual(only(await findings(files), 'hardcoded-secret'), []);
  });

  test('an environment variable with a literal default is reported, and the verifier says uncertain', async () => {
    const files = { 'keys.js': `const jwt = require('jsonwebtoken');\nconst SECRET = process.env.JWT_SECRET || 'n7Gq2Vx9Lr4Tz8Kp';\nexports.sign = (u) => jwt.sign(u, SECRET);\n` };
    const rs = (await verdicts(files)).filter((r) => r.c.ruleId === 'hardcoded-secret');
    assert.deepEqual(rs.map((r) => [r.c.location.startLine, r.v.verdict]), [[2, 'uncertain']]);
    assert.match(rs[0].v.reasons[0], /only a default/);
  });

  test('secrets never appear unmasked in any candidate field', async () => {
    const secrets = ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'Zx8#kP2!vQ9@mW4$', 'acme-jwt-signing-key', `ghp_${'Q7w'.repeat(12)}`];
    const files = {
      ...appWith(`res.json({ token: sign({ id: 1 }), n: stripe.name, gh: GH });`, `const { sign } = require('./auth');\nconst stripe = require('stripe')('${secrets[0]}');\nconst GH = '${secrets[3]}';`),
      'config.js': `module.exports = { jwt: { signingKey: '${secrets[2]}' }, API_KEY: '${secrets[1]}' };\n`,
      'auth.js': `const jwt = require('jsonwebtoken');\nconst config = require('./config');\nexports.sign = (u) => jwt.sign(u, config.jwt.signingKey);\n`,
    };
    const rs = await verdicts(files);
    assert.equal(rs.filter((r) => r.c.ruleId === 'hardcoded-secret').length, 4);
    for (const { c, v } of rs) {
      const text = JSON.stringify({ c, v });
      for (const s of secrets) assert.ok(!text.includes(s), `${c.ruleId} ${c.title} shows a secret unmasked`);
    }
    const masked = rs.find((r) => r.c.location.file === 'config.js')!;
    assert.match(masked.c.trace[0].snippet!, /…\(\d+ chars\)/);
    assert.equal(masked.v.verdict, 'confirmed', masked.v.reasons.join(' '));
  });
});

describe('weak-password-hash', () => {
  test('md5/sha1 of a password, bcrypt cost below 10 and weak PBKDF2 are reported', async () => {
    const head = `const crypto = require('crypto');\nconst bcrypt = require('bcrypt');\nconst md5 = require('md5');`;
    const body = [
      `const { password } = req.body;`,
      `const a = crypto.createHash('sha1').update(password).digest('hex');`,
      `const b = md5(req.body.password);`,
      `const c = await bcrypt.hash(password, 8);`,
      `const d = crypto.pbkdf2Sync(password, 'salt', 1000, 32, 'sha256');`,
      `res.json({ a, b, c, d });`,
    ].join('\n  ');
    const cs = only(await findings(appWith(body, head)), 'weak-password-hash');
    assert.deepEqual(at(cs), ['weak-password-hash@routes.js:8', 'weak-password-hash@routes.js:9', 'weak-password-hash@routes.js:10', 'weak-password-hash@routes.js:11', 'weak-password-hash@routes.js:11']);
    const patched = applyUnifiedDiff(appWith(body, head)['routes.js'], cs[2].patch!.diff);
    assert.ok(patched.ok && patched.text.includes('bcrypt.hash(password, 12)'));
  });

  test('sha256 of other data, reset tokens, and bcrypt at cost 12 are not reported', async () => {
    const head = `const crypto = require('crypto');\nconst bcrypt = require('bcrypt');`;
    const body = [
      `const etag = crypto.createHash('sha256').update(JSON.stringify(req.body)).digest('hex');`,
      `const resetTokenHash = crypto.createHash('sha256').update(req.body.passwordResetToken).digest('hex');`,
      `const h = await bcrypt.hash(req.body.password, 12);`,
      `res.json({ etag, resetTokenHash, h });`,
    ].join('\n  ');
    assert.deepEqual(only(await findings(appWith(body, head)), 'weak-password-hash'), []);
  });
});

describe('insecure-randomness', () => {
  const utils = `function randomString(n) {\n  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';\n  let s = '';\n  for (let i = 0; i < n; i++) s += chars[Math.floor(Math.random() * chars.length)];\n  return s;\n}\nmodule.exports = { randomString };\n`;
  test('Math.random from a helper in another file reaching a reset token is reported, with a patch to crypto', async () => {
    const files = appWith(`const resetToken = randomString(20);\n  res.json({ ok: resetToken.length > 0 });`, `const { randomString } = require('./utils');`, { 'utils.js': utils });
    const cs = only(await findings(files), 'insecure-randomness');
    assert.deepEqual(at(cs), ['insecure-randomness@routes.js:5']);
    assert.deepEqual(cs[0].trace.map((s) => `${s.kind}@${s.file}:${s.line}`), ['source@utils.js:4', 'step@utils.js:5', 'sink@routes.js:5']);
    assert.deepEqual(cs[0].dependsOn, ['routes.js', 'utils.js']);
    const patched = applyUnifiedDiff(files['routes.js'], cs[0].patch!.diff);
    assert.ok(patched.ok);
    assert.match(patched.text, /const crypto = require\('crypto'\);/);
    assert.deepEqual(only(await findings({ ...files, 'routes.js': patched.text }), 'insecure-randomness'), []);
  });

  test('Math.random for jitter, sampling or file names is not reported', async () => {
    const body = `setTimeout(() => res.end(), Math.random() * 100);\n  const sample = Math.random() < 0.1;\n  const fileName = randomString(8) + '.png';\n  res.json({ sample, fileName });`;
    assert.deepEqual(only(await findings(appWith(body, `const { randomString } = require('./utils');`, { 'utils.js': utils })), 'insecure-randomness'), []);
  });

  test('a token built character by character in a loop is reported (without a patch)', async () => {
    const body = `const chars = 'abcdef0123456789';\n  let token = '';\n  for (let i = 0; i < 32; i++) token += chars[Math.floor(Math.random() * chars.length)];\n  res.json({ token });`;
    const cs = only(await findings(appWith(body)), 'insecure-randomness');
    assert.deepEqual(at(cs), ['insecure-randomness@routes.js:7']);
    assert.equal(cs[0].patch, undefined);
  });

  test('a security-named generator is reported once, in its own file', async () => {
    const files = appWith(`const token = generateToken();\n  res.json({ token });`, `const { generateToken } = require('./tokens');`, {
      'tokens.js': `exports.generateToken = () => Math.random().toString(36).slice(2);\n`,
    });
    assert.deepEqual(at(only(await findings(files), 'insecure-randomness')), ['insecure-randomness@tokens.js:1']);
  });
});

describe('insecure-cookie', () => {
  test('a default session secret, cookie flags switched off and an auth cookie without httpOnly are reported', async () => {
    const files = {
      'app.js': `const express = require('express');\nconst session = require('express-session');\nconst app = express();\napp.use(session({ secret: 'keyboard cat', cookie: { httpOnly: false } }));\napp.get('/login', (req, res) => {\n  res.cookie('session_token', 'x', { secure: true });\n  res.cookie('theme', 'dark');\n  res.end();\n});\napp.listen(3000);\n`,
    };
    const cs = only(await findings(files), 'insecure-cookie');
    assert.deepEqual(at(cs), ['insecure-cookie@app.js:4', 'insecure-cookie@app.js:4', 'insecure-cookie@app.js:6']);
    for (const c of cs) assert.ok(!JSON.stringify({ ...c, patch: undefined }).includes('keyboard cat'), 'the session secret is masked in texts');
    const secretFix = cs.find((c) => /secret/.test(c.title))!.patch!;
    const fixed = applyUnifiedDiff(files['app.js'], secretFix.diff);
    assert.ok(fixed.ok && fixed.text.includes('secret: process.env.SESSION_SECRET') && fixed.text.includes("throw new Error('SESSION_SECRET is not set"));
  });

  test('a strong secret from the environment, protective flags and non-auth cookies are not reported', async () => {
    const files = {
      'app.js': `const express = require('express');\nconst session = require('express-session');\nconst app = express();\napp.use(session({ secret: process.env.SESSION_SECRET, cookie: { httpOnly: true, secure: true, sameSite: 'lax' } }));\napp.get('/login', (req, res) => {\n  res.cookie('sid', 'x', { httpOnly: true, secure: true });\n  res.cookie('theme', 'dark');\n  res.end();\n});\napp.listen(3000);\n`,
    };
    assert.deepEqual(only(await findings(files), 'insecure-cookie'), []);
  });
});

describe('permissive-cors', () => {
  const corsApp = (opts: string) => `const express = require('express');\nconst cors = require('cors');\nconst app = express();\napp.use(cors(${opts}));\napp.listen(3000);\n`;
  test('any origin (true, /.*/, an always-yes callback) together with credentials is reported', async () => {
    for (const origin of ['true', '/.*/', '(origin, cb) => cb(null, true)', "'*'"]) {
      const cs = only(await findings({ 'app.js': corsApp(`{ origin: ${origin}, credentials: true }`) }), 'permissive-cors');
      assert.deepEqual(at(cs), ['permissive-cors@app.js:4'], origin);
    }
  });

  test('cors() without credentials, or with an allow-list, is not reported', async () => {
    for (const opts of ['', "{ origin: '*' }", "{ origin: ['https://app.example'], credentials: true }", '{ origin: (o, cb) => cb(null, ALLOWED.includes(o)), credentials: true }']) {
      assert.deepEqual(only(await findings({ 'app.js': corsApp(opts) }), 'permissive-cors'), [], opts);
    }
  });

  test('a middleware reflecting the Origin header with credentials is reported; behind an allow-list check it is not', async () => {
    const mw = (guard: boolean) =>
      `module.exports = (req, res, next) => {\n  const origin = req.headers.origin;\n  ${guard ? 'if (ALLOWED.has(origin)) ' : ''}res.header('Access-Control-Allow-Origin', origin);\n  res.header('Access-Control-Allow-Credentials', 'true');\n  next();\n};\n`;
    const app = `const express = require('express');\nconst mw = require('./mw');\nconst app = express();\napp.use(mw);\napp.listen(3000);\n`;
    assert.deepEqual(at(only(await findings({ 'app.js': app, 'mw.js': mw(false) }), 'permissive-cors')), ['permissive-cors@mw.js:3']);
    assert.deepEqual(only(await findings({ 'app.js': app, 'mw.js': mw(true) }), 'permissive-cors'), []);
  });
});

describe('pattern verifier', () => {
  test('test code is rejected, production code confirmed, changed code uncertain', async () => {
    const cors = `const express = require('express');\nconst cors = require('cors');\nconst app = express();\napp.use(cors({ origin: true, credentials: true }));\n`;
    const rs = await verdicts({ 'app.js': cors, 'test/app.test.js': cors });
    assert.deepEqual(rs.map((r) => `${r.c.location.file}:${r.v.verdict}`).sort(), ['app.js:confirmed', 'test/app.test.js:rejected']);
    const { candidates } = await analyse({ 'app.js': cors });
    const [v] = await createBuiltinVerifier().verify({ files: memoryFiles({ 'app.js': cors.replace('origin: true', 'origin: true ') }), candidates });
    assert.equal(v.verdict, 'uncertain');
  });
});

test('incremental: re-analysing the changed files and their dependents gives the full run', async () => {
  const v1: Record<string, string> = {
    'app.js': APP,
    'routes.js': route(`res.json({ t: sign({ id: 1 }), r: resetToken() });`, `const { sign } = require('./auth');\nconst { resetToken } = require('./reset');`),
    'config.js': `module.exports = { signingKey: 'acme-jwt-signing-key' };\n`,
    'auth.js': `const jwt = require('jsonwebtoken');\nconst config = require('./config');\nexports.sign = (u) => jwt.sign(u, config.signingKey);\n`,
    'rand.js': `exports.rand = () => Math.random().toString(36).slice(2);\n`,
    'reset.js': `const { rand } = require('./rand');\nexports.resetToken = () => {\n  const token = rand();\n  return token;\n};\n`,
  };
  const changes: Record<string, string>[] = [
    { 'config.js': `module.exports = { signingKey: process.env.SIGNING_KEY };\n` },
    { 'rand.js': `const crypto = require('crypto');\nexports.rand = () => crypto.randomBytes(16).toString('hex');\n` },
    { 'auth.js': `const jwt = require('jsonwebtoken');\nexports.sign = (u) => jwt.sign(u, process.env.K);\n` },
  ];
  let files = v1;
  let state = { engine: 'builtin', engineVersion: '1', ...(await analyse(files)) };
  assert.deepEqual(state.candidates.map((c) => c.ruleId).sort(), ['hardcoded-secret', 'insecure-randomness']);
  for (const change of changes) {
    const next = { ...files, ...change };
    const plan = planIncremental(state, { added: [], changed: Object.keys(change), removed: [] }, new Set(Object.keys(next)));
    const fresh = await analyse(next, [...plan.scope]);
    const incremental = [...plan.carried, ...fresh.candidates].sort((a, b) => a.id.localeCompare(b.id));
    const full = await analyse(next);
    assert.deepEqual(incremental, [...full.candidates].sort((a, b) => a.id.localeCompare(b.id)), `after changing ${Object.keys(change)}`);
    files = next;
    state = { ...state, ...full };
  }
});

test('a carefully configured application gets no pattern finding', async () => {
  const files = {
    'app.js': `const express = require('express');
const session = require('express-session');
const cors = require('cors');
const cookieParser = require('cookie-parser');
const auth = require('./routes/auth');
const config = require('./config');

const app = express();
app.use(cookieParser(config.cookieSecret));
app.use(cors({ origin: config.allowedOrigins, credentials: true }));
app.use(session({ secret: config.sessionSecret, resave: false, saveUninitialized: false, cookie: { httpOnly: true, secure: true, sameSite: 'lax' } }));
app.use('/auth', auth);
app.listen(config.port);
`,
    'config.js': `function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(name + ' is not set');
  return v;
}
module.exports = {
  port: Number(process.env.PORT || 3000),
  sessionSecret: required('SESSION_SECRET'),
  cookieSecret: required('COOKIE_SECRET'),
  jwtSecret: required('JWT_SECRET'),
  allowedOrigins: ['https://app.example.com'],
  passwordField: 'password',
  tokenHeader: 'x-access-token',
};
`,
    'routes/auth.js': `const express = require('express');
const crypto = require('crypto');
const bcrypt = require('bcrypt');
const jwt = require('jsonwebtoken');
const config = require('../config');
const users = require('../services/users');

const router = express.Router();

router.post('/register', async (req, res) => {
  const passwordHash = await bcrypt.hash(req.body.password, 12);
  const user = await users.create(String(req.body.email), passwordHash);
  res.status(201).json({ id: user.id });
});

router.post('/login', async (req, res) => {
  const user = await users.byEmail(String(req.body.email));
  if (!user || !(await bcrypt.compare(String(req.body.password), user.passwordHash))) return res.status(401).end();
  const token = jwt.sign({ sub: user.id }, config.jwtSecret, { algorithm: 'HS256', expiresIn: '15m' });
  res.cookie('access_token', token, { httpOnly: true, secure: true, sameSite: 'strict' });
  res.json({ ok: true });
});

router.post('/reset', async (req, res) => {
  const resetToken = crypto.randomBytes(32).toString('hex');
  const resetTokenHash = crypto.createHash('sha256').update(resetToken).digest('hex');
  await users.saveReset(String(req.body.email), resetTokenHash);
  res.status(202).end();
});

router.get('/me', (req, res) => {
  const claims = jwt.verify(req.cookies.access_token, config.jwtSecret, { algorithms: ['HS256'] });
  res.json({ id: claims.sub, retryIn: Math.round(Math.random() * 1000) });
});

module.exports = router;
`,
    'services/users.js': `const rows = new Map();
exports.create = async (email, passwordHash) => { rows.set(email, { id: rows.size + 1, email, passwordHash }); return rows.get(email); };
exports.byEmail = async (email) => rows.get(email);
exports.saveReset = async (email, hash) => { const u = rows.get(email); if (u) u.resetHash = hash; };
`,
  };
  const cs = (await analyse(files)).candidates.filter((c) => c.evidence.analysis === 'pattern');
  assert.deepEqual(at(cs), []);
});
