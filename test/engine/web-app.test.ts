// Route-level web-application checks: CSRF on cookie-authenticated state changes (and state changes on GET),
// unlimited password/code checks, limiters keyed on forgeable headers, GraphQL introspection/IDE/batching,
// and the defences each one must respect (token middleware, SameSite, bearer-only APIs, limiters, env flags).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findings, summary } from './helpers.js';

const RULES = new Set(['csrf', 'missing-rate-limit', 'rate-limit-bypass', 'graphql-introspection']);
const run = async (files: Record<string, string>) => summary((await findings(files)).filter((c) => RULES.has(c.ruleId)));

/** An Express app whose router `routes.js` runs after `head` (application middleware). */
const app = (head: string, routes: string, extra: Record<string, string> = {}) => ({
  'app.js': `const express = require('express');
const session = require('express-session');
const cookieParser = require('cookie-parser');
const routes = require('./routes');
const app = express();
app.use(cookieParser());
${head}
app.use('/', routes);
app.listen(3000);
`,
  'routes.js': `const express = require('express');
const Profile = require('./profile');
const router = express.Router();
${routes}
module.exports = router;
`,
  'profile.js': 'module.exports = { updateOne: async () => {}, findOne: async () => ({}) };\n',
  ...extra,
});

const COOKIE_POST = `router.post('/email', async (req, res) => {
  const sid = req.cookies.sid;
  await Profile.updateOne({ sid }, { email: req.body.email });
  res.send('ok');
});`;

describe('csrf', () => {
  test('a cookie-authenticated POST that writes is reported at its handler', async () => {
    assert.deepEqual(await run(app('', COOKIE_POST)), ['csrf@routes.js:4']);
  });

  test('token middleware on the app, a SameSite=strict session cookie or a token check in the handler protect it', async () => {
    assert.deepEqual(await run(app("const csrf = require('csurf');\napp.use(csrf({ cookie: true }));", COOKIE_POST)), []);
    assert.deepEqual(await run(app("app.use(session({ secret: process.env.S, cookie: { sameSite: 'strict', httpOnly: true } }));", COOKIE_POST)), []);
    const checked = COOKIE_POST.replace("const sid = req.cookies.sid;", "if (req.body._csrf !== req.cookies.csrf_token) return res.sendStatus(403);\n  const sid = req.cookies.sid;");
    assert.deepEqual(await run(app('', checked)), []);
  });

  test('an API authenticated only by the Authorization header is not CSRF-able', async () => {
    const bearer = `router.post('/email', async (req, res) => {
  const user = verify(req.headers.authorization);
  await Profile.updateOne({ id: user.id }, { email: req.body.email });
  res.send('ok');
});
function verify(h) { return { id: h }; }`;
    assert.deepEqual(await run(app("app.use(session({ secret: process.env.S }));", bearer)), []);
  });

  test('a GET that only reads is not reported; a GET that writes is, even with SameSite=lax', async () => {
    const read = `router.get('/me', async (req, res) => res.json(await Profile.findOne({ sid: req.cookies.sid })));`;
    assert.deepEqual(await run(app('', read)), []);
    const write = `router.get('/newsletter/off', async (req, res) => {
  await Profile.updateOne({ sid: req.cookies.sid }, { newsletter: false });
  res.send('done');
});`;
    const lax = "app.use(session({ secret: process.env.S, cookie: { sameSite: 'lax' } }));";
    assert.deepEqual(await run(app(lax, write)), ['csrf@routes.js:4']);
    assert.deepEqual(await run(app(lax, COOKIE_POST)), []);
  });

  test('an express-graphql mount behind cookie middleware is reported when the schema has mutations', async () => {
    const files = (sdl: string) => ({
      'server.js': `const express = require('express');
const { graphqlHTTP } = require('express-graphql');
const { buildSchema } = require('graphql');
const app = express();
function fromCookie(req, res, next) {
  if (!req.cookies.token) return res.sendStatus(401);
  next();
}
const schema = buildSchema(\`${sdl}\`);
app.use('/graphql', fromCookie, graphqlHTTP({ schema, validationRules: [] }));
app.get('/', (req, res) => res.send('home'));
app.listen(3000);
`,
    });
    assert.deepEqual(await run(files('type Query { me: String } type Mutation { setEmail(email: String): String }')), ['csrf@server.js:10']);
    assert.deepEqual(await run(files('type Query { me: String }')), []);
  });
});

describe('missing-rate-limit and rate-limit-bypass', () => {
  const login = (chain: string) => `const bcrypt = require('bcrypt');
router.post('/login', ${chain}async (req, res) => {
  const user = await Profile.findOne({ name: req.body.name });
  if (!user || !(await bcrypt.compare(req.body.password, user.hash))) return res.sendStatus(401);
  res.send('hi');
});`;

  test('a password check with no limiter is reported at the check; a limiter on the route or app clears it', async () => {
    assert.deepEqual(await run(app('', login(''))), ['missing-rate-limit@routes.js:7']);
    assert.deepEqual(await run(app("const rateLimit = require('express-rate-limit');\napp.use(rateLimit({ windowMs: 60000, max: 10 }));", login(''))), []);
    const routeLevel = login('slow, ').replace("const bcrypt", "const slow = require('express-slow-down')({ delayAfter: 3 });\nconst bcrypt");
    assert.deepEqual(await run(app('', routeLevel)), []);
  });

  test('a route that checks no password is not reported', async () => {
    assert.deepEqual(await run(app('', `router.post('/search', async (req, res) => res.json(await Profile.findOne({ name: req.body.q })));`)), []);
  });

  test('a limiter keyed on X-Forwarded-For is reported at the header read', async () => {
    const limiter = (key: string) => `function limiter(req, res, next) {
  const who = ${key};
  counts[who] = (counts[who] || 0) + 1;
  return counts[who] > 5 ? res.sendStatus(429) : next();
}
const counts = {};
`;
    assert.deepEqual(await run(app('', limiter("req.headers['x-forwarded-for']") + login('limiter, '))), ['rate-limit-bypass@routes.js:5']);
    assert.deepEqual(await run(app('', limiter('req.ip') + login('limiter, '))), []);
  });
});

describe('graphql-introspection', () => {
  const apollo = (opts: string) => ({
    'index.js': `const { ApolloServer } = require('apollo-server-express');
const server = new ApolloServer({ typeDefs: 'type Query { a: Int }', resolvers: {}, ${opts} });
module.exports = server;
`,
  });

  test('Apollo: explicit introspection or playground is reported; the production default and env-based flags are not', async () => {
    assert.deepEqual(await run(apollo('introspection: true')), ['graphql-introspection@index.js:2']);
    assert.deepEqual(await run(apollo('playground: true')), ['graphql-introspection@index.js:2']);
    assert.deepEqual(await run(apollo('')), []);
    assert.deepEqual(await run(apollo("introspection: process.env.NODE_ENV !== 'production'")), []);
  });

  test('Apollo batching switched on is a missing rate limit', async () => {
    assert.deepEqual(await run(apollo('allowBatchedHttpRequests: true')), ['missing-rate-limit@index.js:2']);
    assert.deepEqual(await run(apollo('allowBatchedHttpRequests: false')), []);
  });

  test('express-graphql answers introspection unless validation rules are given', async () => {
    const eg = (opts: string) => ({
      'app.js': `const express = require('express');
const { graphqlHTTP } = require('express-graphql');
const schema = require('./schema');
const app = express();
app.use('/gql', graphqlHTTP({ schema, ${opts} }));
app.listen(3000);
`,
      'schema.js': 'module.exports = {};\n',
    });
    assert.deepEqual(await run(eg('graphiql: false')), ['graphql-introspection@app.js:5']);
    assert.deepEqual(await run(eg("validationRules: [require('graphql').NoSchemaIntrospectionCustomRule]")), []);
  });
});
