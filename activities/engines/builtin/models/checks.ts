// Library knowledge for the non-flow checks (js/checks/): JWT, secrets, password hashing, weak randomness,
// cookies/sessions and CORS. The checks read only these rows; they name no library themselves.
import type { CalleeMatch } from './types.js';

const mod = (module: string, ...path: string[]): CalleeMatch => ({ kind: 'module', module, path });
const ctor = (module: string, ...path: string[]): CalleeMatch => ({ kind: 'module', module, path, construct: true });

// ---------------------------------------------------------------- JWT

/** Reading a token's claims without checking its signature. */
export const JWT_DECODERS: { match: CalleeMatch; tokenArg: number; label: string }[] = [
  { match: mod('jsonwebtoken', 'decode'), tokenArg: 0, label: 'jwt.decode' },
  { match: mod('jose', 'decodeJwt'), tokenArg: 0, label: 'jose.decodeJwt' },
];

/** Reading these does not use the decoded claims for a decision: logging them, or the header (key selection). */
export const JWT_NON_DECISION_USES = { loggers: ['console'], members: ['header'] };

/**
 * Verifying a token. `pinsByKey`: the library refuses an algorithm that does not fit the key type (jose), so a
 * missing algorithm list is not algorithm confusion there.
 */
export const JWT_VERIFIERS: { match: CalleeMatch; tokenArg: number; keyArg: number; optionsArg: number; pinsByKey: boolean; label: string }[] = [
  { match: mod('jsonwebtoken', 'verify'), tokenArg: 0, keyArg: 1, optionsArg: 2, pinsByKey: false, label: 'jwt.verify' },
  { match: mod('jose', 'jwtVerify'), tokenArg: 0, keyArg: 1, optionsArg: 2, pinsByKey: true, label: 'jose.jwtVerify' },
];

/** Express middleware that verifies tokens; before `requiredSince` (major version) `algorithms` was optional. */
export const JWT_MIDDLEWARE: { match: CalleeMatch; package: string; optionsArg: number; requiredSince: number; label: string }[] = [
  { match: mod('express-jwt'), package: 'express-jwt', optionsArg: 0, requiredSince: 6, label: 'express-jwt' },
  { match: mod('express-jwt', 'expressjwt'), package: 'express-jwt', optionsArg: 0, requiredSince: 6, label: 'express-jwt' },
];

/** Key material that is a public key or certificate (algorithm confusion: HS256 signed with the public key). */
export const PUBLIC_KEY_TEXT = /-----BEGIN (RSA |EC )?(PUBLIC KEY|CERTIFICATE)-----/;
/** File names that hold public keys, when the key is read from a file. */
export const PUBLIC_KEY_FILE = /(pub|\.crt|\.cer|cert)/i;
/** Calls whose result is a JWKS key source (a public key set). */
export const JWKS_SOURCES: CalleeMatch[] = [mod('jwks-rsa', 'expressJwtSecret'), mod('jwks-rsa', 'koaJwtSecret'), mod('jwks-rsa', 'passportJwtSecret'), mod('jose', 'createRemoteJWKSet')];
/** Calls that read a file's contents (key files). */
export const FILE_READERS: CalleeMatch[] = [mod('fs', 'readFileSync'), mod('fs', 'readFile'), mod('fs/promises', 'readFile')];

// ---------------------------------------------------------------- secrets

/** Where a key or password goes: argument `arg`, or property `prop` (a path) of that argument. */
export interface KeyParameter {
  match: CalleeMatch;
  arg: number;
  prop?: string[];
  label: string;
  /** Session secrets: a weak literal here is an insecure-cookie finding rather than a hard-coded secret. */
  session?: boolean;
  /** The environment variable a fix reads the value from. */
  env: string;
}

const dbPassword = (module: string, fns: string[], construct = false): KeyParameter[] =>
  fns.map((fn) => ({ match: construct ? ctor(module, fn) : mod(module, fn), arg: 0, prop: ['password'], label: `the database password of ${module}.${fn}()`, env: 'DB_PASSWORD' }));

export const KEY_PARAMETERS: KeyParameter[] = [
  { match: mod('jsonwebtoken', 'sign'), arg: 1, label: 'the signing key of jwt.sign()', env: 'JWT_SECRET' },
  { match: mod('jsonwebtoken', 'verify'), arg: 1, label: 'the verification key of jwt.verify()', env: 'JWT_SECRET' },
  { match: mod('express-jwt'), arg: 0, prop: ['secret'], label: 'the secret of express-jwt', env: 'JWT_SECRET' },
  { match: mod('express-jwt', 'expressjwt'), arg: 0, prop: ['secret'], label: 'the secret of express-jwt', env: 'JWT_SECRET' },
  { match: mod('express-session'), arg: 0, prop: ['secret'], label: 'the session secret of express-session', session: true, env: 'SESSION_SECRET' },
  { match: mod('express-session'), arg: 0, prop: ['secret', '*'], label: 'the session secret of express-session', session: true, env: 'SESSION_SECRET' },
  { match: mod('cookie-session'), arg: 0, prop: ['secret'], label: 'the signing secret of cookie-session', session: true, env: 'SESSION_SECRET' },
  { match: mod('cookie-session'), arg: 0, prop: ['keys', '*'], label: 'a signing key of cookie-session', session: true, env: 'SESSION_SECRET' },
  { match: mod('cookie-parser'), arg: 0, label: 'the cookie signing secret of cookie-parser', session: true, env: 'COOKIE_SECRET' },
  { match: mod('crypto', 'createHmac'), arg: 1, label: 'the HMAC key of crypto.createHmac()', env: 'HMAC_KEY' },
  { match: mod('crypto', 'createCipheriv'), arg: 1, label: 'the cipher key of crypto.createCipheriv()', env: 'ENCRYPTION_KEY' },
  { match: mod('crypto', 'createDecipheriv'), arg: 1, label: 'the cipher key of crypto.createDecipheriv()', env: 'ENCRYPTION_KEY' },
  { match: mod('crypto', 'createCipher'), arg: 1, label: 'the password of crypto.createCipher()', env: 'ENCRYPTION_KEY' },
  ...['passport-google-oauth20', 'passport-google-oauth2', 'passport-github', 'passport-github2', 'passport-facebook', 'passport-oauth2', 'passport-gitlab2'].map(
    (module): KeyParameter => ({ match: ctor(module, 'Strategy'), arg: 0, prop: ['clientSecret'], label: `the OAuth client secret of ${module}`, env: 'OAUTH_CLIENT_SECRET' }),
  ),
  { match: ctor('passport-twitter', 'Strategy'), arg: 0, prop: ['consumerSecret'], label: 'the OAuth consumer secret of passport-twitter', env: 'OAUTH_CLIENT_SECRET' },
  { match: ctor('passport-jwt', 'Strategy'), arg: 0, prop: ['secretOrKey'], label: 'the key of passport-jwt', env: 'JWT_SECRET' },
  ...dbPassword('mysql', ['createConnection', 'createPool']),
  ...dbPassword('mysql2', ['createConnection', 'createPool']),
  ...dbPassword('mysql2/promise', ['createConnection', 'createPool']),
  ...dbPassword('pg', ['Pool', 'Client'], true),
  { match: ctor('sequelize'), arg: 2, label: 'the database password of new Sequelize()', env: 'DB_PASSWORD' },
  { match: ctor('sequelize', 'Sequelize'), arg: 2, label: 'the database password of new Sequelize()', env: 'DB_PASSWORD' },
  { match: mod('knex'), arg: 0, prop: ['connection', 'password'], label: 'the database password of knex()', env: 'DB_PASSWORD' },
  { match: mod('redis', 'createClient'), arg: 0, prop: ['password'], label: 'the Redis password of redis.createClient()', env: 'REDIS_PASSWORD' },
  { match: ctor('ioredis'), arg: 0, prop: ['password'], label: 'the Redis password of new Redis()', env: 'REDIS_PASSWORD' },
  { match: mod('nodemailer', 'createTransport'), arg: 0, prop: ['auth', 'pass'], label: 'the SMTP password of nodemailer', env: 'SMTP_PASSWORD' },
  { match: mod('stripe'), arg: 0, label: 'the Stripe API key', env: 'STRIPE_SECRET_KEY' },
  { match: ctor('stripe'), arg: 0, label: 'the Stripe API key', env: 'STRIPE_SECRET_KEY' },
  { match: ctor('openai'), arg: 0, prop: ['apiKey'], label: 'the OpenAI API key', env: 'OPENAI_API_KEY' },
  { match: ctor('openai', 'OpenAI'), arg: 0, prop: ['apiKey'], label: 'the OpenAI API key', env: 'OPENAI_API_KEY' },
  { match: mod('@sendgrid/mail', 'setApiKey'), arg: 0, label: 'the SendGrid API key', env: 'SENDGRID_API_KEY' },
  ...['S3', 'DynamoDB', 'SES', 'SQS', 'config', 'Credentials'].map(
    (svc): KeyParameter => ({ match: ctor('aws-sdk', svc), arg: 0, prop: ['secretAccessKey'], label: `the AWS secret access key of aws-sdk ${svc}`, env: 'AWS_SECRET_ACCESS_KEY' }),
  ),
];

/** Token formats that are secrets wherever they appear. */
export const SECRET_FORMATS: { id: string; pattern: RegExp; label: string; env: string }[] = [
  { id: 'aws-access-key-id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, label: 'an AWS access key id', env: 'AWS_ACCESS_KEY_ID' },
  { id: 'github-token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, label: 'a GitHub token', env: 'GITHUB_TOKEN' },
  { id: 'github-pat', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,}\b/, label: 'a GitHub fine-grained token', env: 'GITHUB_TOKEN' },
  { id: 'slack-token', pattern: /\bxox[bpa]-[A-Za-z0-9-]{10,}\b/, label: 'a Slack token', env: 'SLACK_TOKEN' },
  { id: 'stripe-live-key', pattern: /\b[sr]k_live_[A-Za-z0-9]{16,}\b/, label: 'a Stripe live secret key', env: 'STRIPE_SECRET_KEY' },
  { id: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/, label: 'a Google API key', env: 'GOOGLE_API_KEY' },
  { id: 'sendgrid-key', pattern: /\bSG\.[\w-]{22}\.[\w-]{43}\b/, label: 'a SendGrid API key', env: 'SENDGRID_API_KEY' },
  { id: 'private-key', pattern: /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/, label: 'a PEM private key', env: 'PRIVATE_KEY' },
];

/** A cheap pre-test every format above passes (most literals are short words): length and a distinctive part. */
export const SECRET_FORMAT_MIN_LENGTH = 20;
export const SECRET_FORMAT_HINT = /AKIA|ASIA|gh[pousr]_|github_pat_|xox[bpa]-|k_live_|AIza|SG\.|PRIVATE KEY/;

/**
 * Variable/property names that hold secrets (matched on the name lower-cased without separators, at its end:
 * JWT_SECRET, dbPassword, stripeApiKey). A literal under such a name is reported when it looks random.
 */
export const SECRET_NAME_ENDINGS = [
  'secret', 'secretkey', 'password', 'passwd', 'pwd', 'apikey', 'apisecret', 'accesskey', 'secretaccesskey', 'privatekey',
  'token', 'authtoken', 'accesstoken', 'refreshtoken', 'signingkey', 'encryptionkey', 'hmackey', 'clientsecret', 'masterkey',
];
/** Names that end like a secret but hold something else (a label, a field name, a length). */
export const NOT_SECRET_NAMES = /(field|label|name|key(s)?name|header|param|length|len|min|max|url|uri|path|regex|pattern|policy|type|prefix|message|msg|error|hint|placeholder|column|attr|env|var|expir\w*|ttl)$/i;

/** Values that stand for "put the real secret here": never reported as hard-coded secrets. */
export const PLACEHOLDER =
  /^(|x+|\*+|\.+|-+|changeme|change[-_ ]?me|change[-_ ]?this.*|replace[-_ ]?(me|this).*|todo|tbd|fixme|dummy.*|example.*|sample.*|placeholder.*|<[^>]*>|\{\{.*\}\}|\$\{.*\}|%\w+%|your[-_ ]?.*|insert[-_ ].*|enter[-_ ].*|none|null|undefined|test|testing)$/i;
/** Parts that mark documentation values (the AWS docs key AKIAIOSFODNN7EXAMPLE). */
export const PLACEHOLDER_PART = /example|placeholder|dummy|changeme|your[-_]?(secret|key|token|password)|xxxxxx/i;

/** Well-known default secrets from documentation and tutorials (session secrets, JWT keys). */
export const DEFAULT_SECRETS = ['keyboard cat', 'secret', 'shhhhh', 'shhhhhhared-secret', 'mysecret', 'my secret', 'my-secret', 'supersecret', 'super secret', 'secretkey', 'secret-key', 'session-secret', 'sessionsecret', 's3cr3t', 'password', 'default', 'abc123', '123456'];
/** Session/cookie secrets shorter than this are weak (guessable offline from a signed cookie). */
export const MIN_SESSION_SECRET = 16;

/** Environment reads: `process.env.X` (a literal joined with one is a fallback default). */
export const ENV_READ = { module: '<global>', root: 'process', member: 'env' };

// ---------------------------------------------------------------- password hashing

/** Fast digests: fine for data, wrong for passwords. */
export const FAST_DIGESTS = /^(md4|md5|sha1|sha-1|sha224|sha256|sha-256|sha384|sha512|sha-512|sha3-\d+|ripemd160|rmd160)$/i;
export const HASH_FACTORIES: CalleeMatch[] = [mod('crypto', 'createHash')];
export const HASH_UPDATE_METHODS = ['update'];
/** One-call digest functions (npm packages), argument 0 is the data. */
export const DIGEST_FUNCTIONS: { match: CalleeMatch; label: string }[] = [
  { match: mod('md5'), label: 'md5()' },
  { match: mod('js-md5'), label: 'md5()' },
  { match: mod('blueimp-md5'), label: 'md5()' },
  { match: mod('sha1'), label: 'sha1()' },
  { match: mod('js-sha256'), label: 'sha256()' },
  { match: mod('js-sha256', 'sha256'), label: 'sha256()' },
  ...['MD5', 'SHA1', 'SHA256', 'SHA512', 'SHA3'].map((fn) => ({ match: mod('crypto-js', fn), label: `CryptoJS.${fn}()` })),
  ...['MD5', 'SHA1', 'SHA256', 'SHA512'].map((fn) => ({ match: mod(`crypto-js/${fn.toLowerCase()}`), label: `CryptoJS.${fn}()` })),
];
/** bcrypt cost arguments: `arg` is the cost (rounds) when it is a number. */
export const BCRYPT_COST: { match: CalleeMatch; arg: number; label: string }[] = ['bcrypt', 'bcryptjs'].flatMap((m) => [
  { match: mod(m, 'hash'), arg: 1, label: `${m}.hash` },
  { match: mod(m, 'hashSync'), arg: 1, label: `${m}.hashSync` },
  { match: mod(m, 'genSalt'), arg: 0, label: `${m}.genSalt` },
  { match: mod(m, 'genSaltSync'), arg: 0, label: `${m}.genSaltSync` },
]);
export const MIN_BCRYPT_COST = 10;
export const PBKDF2: { match: CalleeMatch; saltArg: number; iterationsArg: number; label: string }[] = [
  { match: mod('crypto', 'pbkdf2'), saltArg: 1, iterationsArg: 2, label: 'crypto.pbkdf2' },
  { match: mod('crypto', 'pbkdf2Sync'), saltArg: 1, iterationsArg: 2, label: 'crypto.pbkdf2Sync' },
];
/** OWASP's floor for PBKDF2 (SHA-256 needs 600k today; below 100k is clearly too fast). */
export const MIN_PBKDF2_ITERATIONS = 100_000;
/** Names of password data (lower-cased), and names that contain "password" but are not one (reset tokens). */
export const PASSWORD_NAME = /(password|passwd|passwort|pwd|passphrase)$|^pass$/i;
export const NOT_PASSWORD_NAME = /(token|reset|hash|hashed|salt|length|policy|field|confirm(ation)?Sent|url)/i;

// ---------------------------------------------------------------- randomness

/** Non-cryptographic generators: their output is predictable. */
export const WEAK_RANDOM: { match: CalleeMatch; label: string }[] = [
  { match: { kind: 'global', name: 'Math', path: ['random'] }, label: 'Math.random()' },
  { match: mod('lodash', 'random'), label: '_.random()' },
  { match: mod('crypto', 'pseudoRandomBytes'), label: 'crypto.pseudoRandomBytes()' },
];
/** Names of values that must be unguessable (variables, properties, functions returning them, cookies). */
export const SECURITY_VALUE_NAME =
  /(token|secret|passw(or)?d|otp|nonce|salt|session_?id|^sid|reset_?key|(reset|verification|verify|auth|confirm|confirmation|sms|login|invite|activation|email|one_?time)_?code|api_?key|csrf|xsrf|magic_?link|activation_?key|^code|^pin)$/i;
/** Names that match SECURITY_VALUE_NAME's endings but are not security values. */
export const NOT_SECURITY_VALUE_NAME = /(csrf_?field|token_?type|tokenizer|tokens?_?count)$/i;

// ---------------------------------------------------------------- cookies and sessions

export const SESSION_MIDDLEWARE: { match: CalleeMatch; optionsArg: number; cookieProp?: string; label: string }[] = [
  { match: mod('express-session'), optionsArg: 0, cookieProp: 'cookie', label: 'express-session' },
  { match: mod('cookie-session'), optionsArg: 0, label: 'cookie-session' },
];
/** `res.cookie(name, value, options)` and friends; `httpOnlyByDefault`: the framework sets httpOnly unless told not to. */
export const COOKIE_SETTERS: { match: CalleeMatch; nameArg: number; optionsArg: number; httpOnlyByDefault: boolean; label: string }[] = [
  {
    match: { kind: 'method', receiverType: 'express.response', methods: ['cookie'], receiverNames: /^(res|response)$/, symbolicMethods: ['cookie'] },
    nameArg: 0,
    optionsArg: 2,
    httpOnlyByDefault: false,
    label: 'res.cookie',
  },
  {
    match: { kind: 'method', receiverType: 'fastify.reply', methods: ['setCookie'], receiverNames: /^(reply|res)$/, symbolicMethods: ['setCookie'] },
    nameArg: 0,
    optionsArg: 2,
    httpOnlyByDefault: false,
    label: 'reply.setCookie',
  },
  // Koa's ctx.cookies.set: httpOnly is on unless switched off.
  { match: { kind: 'method', receiverType: 'koa.cookies', methods: ['set'], receiverNames: /^cookies$/ }, nameArg: 0, optionsArg: 2, httpOnlyByDefault: true, label: 'ctx.cookies.set' },
];
/** Method names that set a cookie from (name, value): the value of an auth cookie is a security value (randomness). */
export const COOKIE_VALUE_METHODS = ['cookie', 'setCookie'];
/** Cookie names that carry authentication (a session id, a token). */
export const AUTH_COOKIE_NAME = /(sess|sid|token|jwt|auth|login|remember|access|refresh|identity|user_?id|connect\.sid)/i;

// ---------------------------------------------------------------- CORS

export const CORS_MIDDLEWARE: { match: CalleeMatch; optionsArg: number; label: string }[] = [{ match: mod('cors'), optionsArg: 0, label: 'cors' }];
/** Methods that set a response header: (name, value) or ({ name: value }). */
export const HEADER_SETTERS: { match: CalleeMatch }[] = [
  { match: { kind: 'method', receiverType: 'express.response', methods: ['setHeader', 'header', 'set', 'append'], receiverNames: /^(res|response)$/, symbolicMethods: ['setHeader', 'header'] } },
];
export const ALLOW_ORIGIN_HEADER = 'access-control-allow-origin';
export const ALLOW_CREDENTIALS_HEADER = 'access-control-allow-credentials';
/** Request members that hold the Origin header: req.headers.origin, req.get('origin'), req.header('origin'). */
export const ORIGIN_HEADER_METHODS = ['get', 'header'];
