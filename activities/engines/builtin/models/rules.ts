// The vulnerability classes: identity, CWE, wording, and the attacker strings used to judge whether a
// string transformation (a regex replace, an allow-list regex) neutralises input for the class.
import type { CheckRuleId, RuleId } from './types.js';

export interface RuleModel {
  id: RuleId;
  cwe: string;
  title: string;
  /** Sentence fragments for explanations. */
  impact: string;
  fix: string;
  /** Attacker inputs; a transformation neutralises the class if `dangerous` is false for all its outputs. */
  samples: string[];
  dangerous(output: string): boolean;
}

export const RULES: Record<RuleId, RuleModel> = {
  'sql-injection': {
    id: 'sql-injection',
    cwe: 'CWE-89',
    title: 'SQL injection',
    impact: 'An attacker can change the meaning of the SQL statement and read or modify any data the database user can reach.',
    fix: 'Pass the value as a bound parameter (placeholder in the query text, value in the parameters array) instead of building the SQL string.',
    samples: ["x' OR '1'='1", 'x" OR 1=1 --', '1 OR 1=1', "x\\'; DROP TABLE t; --"],
    dangerous: (s) => /['"\\;]/.test(s) || /\s/.test(s),
  },
  'command-injection': {
    id: 'command-injection',
    cwe: 'CWE-78',
    title: 'OS command injection',
    impact: 'An attacker can run arbitrary commands on the server with the privileges of the Node.js process.',
    fix: 'Run the program directly with execFile/spawn and an argument array (no shell), and validate the arguments.',
    samples: ['x; id', 'x && id', 'x | id', 'x `id`', 'x $(id)', 'x\nid', "x' ; id"],
    dangerous: (s) => /[;&|`$\n<>'"(]/.test(s) || /\s/.test(s),
  },
  'path-traversal': {
    id: 'path-traversal',
    cwe: 'CWE-22',
    title: 'Path traversal',
    impact: 'An attacker can use "../" sequences or absolute paths to read or write files outside the intended directory.',
    fix: 'Resolve the path against the base directory and reject it unless it stays inside that directory.',
    samples: ['../../etc/passwd', '....//....//etc/passwd', '/etc/passwd', '..\\..\\windows\\win.ini', '..%2f..%2fetc'],
    dangerous: (s) => /\.\.[/\\]/.test(s) || /^[/\\]/.test(s),
  },
  'code-injection': {
    id: 'code-injection',
    cwe: 'CWE-94',
    title: 'Code injection',
    impact: 'An attacker can execute arbitrary JavaScript in the server process.',
    fix: 'Never evaluate request data as code; parse data with JSON.parse or map it onto a fixed set of operations.',
    samples: ['process.exit(1)', 'require("child_process").execSync("id")', '1;x', '`${x}`'],
    dangerous: (s) => /[()`;=[\]{}]/.test(s),
  },

  'nosql-injection': {
    id: 'nosql-injection',
    cwe: 'CWE-943',
    title: 'NoSQL injection',
    impact: 'An attacker can send query operators ({"$ne": null}, {"$gt": ""}) or JavaScript ($where) instead of a value, bypassing checks such as a password comparison or reading other users\' records.',
    fix: 'Coerce the value to the expected primitive type (String(x), Number(x)) or reject objects, and never pass request data to $where.',
    samples: ['{"$ne":null}', '{"$gt":""}', "'; return true; var x='", '$where'],
    dangerous: (s) => /[${}'";]/.test(s),
  },
  'template-injection': {
    id: 'template-injection',
    cwe: 'CWE-1336',
    title: 'Server-side template injection',
    impact: 'An attacker controls template source, which template engines compile to code: this usually means code execution on the server.',
    fix: 'Never compile request data as a template; pass it as data (a variable the template renders) to a fixed template.',
    samples: ['{{7*7}}', '<%= process.mainModule.require("child_process").execSync("id") %>', '#{7*7}', '${7*7}', '{{constructor.constructor("return process")()}}'],
    dangerous: (s) => /[{}<>%#$]/.test(s),
  },
  xss: {
    id: 'xss',
    cwe: 'CWE-79',
    title: 'Cross-site scripting',
    impact: 'An attacker can run script in other users\' browsers under this site\'s origin: steal sessions, act as the victim, rewrite pages.',
    fix: 'Encode the value for its HTML context (escape-html, a template engine that escapes by default) or sanitise HTML with DOMPurify; never mark request data as safe HTML.',
    samples: ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)", '<svg/onload=alert(1)>'],
    dangerous: (s) => /[<>"']/.test(s),
  },
  ssrf: {
    id: 'ssrf',
    cwe: 'CWE-918',
    title: 'Server-side request forgery',
    impact: 'An attacker makes the server send requests to hosts of their choosing: cloud metadata endpoints, internal services behind the firewall, local files.',
    fix: 'Allow-list the destination hosts and schemes (compare new URL(x).host against a fixed set) and refuse private, loopback and link-local addresses.',
    samples: ['http://169.254.169.254/latest/meta-data/', 'http://localhost:6379/', 'file:///etc/passwd', '//internal.example/', 'http://10.0.0.1/admin'],
    dangerous: (s) => /^\s*([a-z][a-z0-9+.-]*:|[/\\]{2})/i.test(s) || /(localhost|\d+\.\d+\.\d+\.\d+)/i.test(s),
  },
  'open-redirect': {
    id: 'open-redirect',
    cwe: 'CWE-601',
    title: 'Open redirect',
    impact: 'An attacker can make links on this site send users to a site of their choosing, a convincing first step for phishing and token theft.',
    fix: 'Redirect only to relative paths that start with a single "/" (not "//" or "/\\"), or to hosts on an allow-list.',
    samples: ['https://evil.example/', '//evil.example/', '/\\evil.example/', 'javascript:alert(1)', ' https://evil.example'],
    dangerous: (s) => /^\s*([a-z][a-z0-9+.-]*:|[/\\]{2}|\/\\)/i.test(s),
  },
  'unsafe-deserialization': {
    id: 'unsafe-deserialization',
    cwe: 'CWE-502',
    title: 'Deserialisation of untrusted data',
    impact: 'The deserialiser can instantiate functions or objects from the data: an attacker gets code execution on the server.',
    fix: 'Parse untrusted data with a data-only parser (JSON.parse, yaml.load with the default or JSON schema in js-yaml 4) and validate it against a schema.',
    samples: ['{"rce":"_$$ND_FUNC$$_function(){require(\'child_process\').exec(\'id\')}()"}', '!!js/function "function(){ return process }"', '!!js/eval "process.exit()"'],
    dangerous: (s) => /_\$\$ND_FUNC\$\$_|!!js\//.test(s),
  },
  xxe: {
    id: 'xxe',
    cwe: 'CWE-611',
    title: 'XML external entity expansion',
    impact: 'An attacker\'s XML can declare external entities the parser resolves: local files are read into the document, internal URLs are fetched, and entity expansion can exhaust memory.',
    fix: 'Parse untrusted XML with entity substitution and DTD loading off (libxmljs: noent false, nonet true; or a parser that never resolves external entities).',
    samples: ['<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', '<!DOCTYPE x SYSTEM "http://evil.example/x.dtd"><x/>'],
    dangerous: (s) => /<!(DOCTYPE|ENTITY)/i.test(s),
  },
  'prototype-pollution': {
    id: 'prototype-pollution',
    cwe: 'CWE-1321',
    title: 'Prototype pollution',
    impact: 'An attacker-chosen key such as "__proto__" writes to Object.prototype: every object in the process gains the property, which turns into privilege escalation (isAdmin), denial of service or code execution in gadgets.',
    fix: 'Skip "__proto__", "constructor" and "prototype" keys when merging or setting by path, or merge into objects created with Object.create(null) / use a Map.',
    samples: ['__proto__', 'constructor', 'prototype', '__proto__.isAdmin', 'constructor.prototype.isAdmin'],
    dangerous: (s) => /__proto__|constructor|prototype/.test(s),
  },
  redos: {
    id: 'redos',
    cwe: 'CWE-1333',
    title: 'Regular expression denial of service',
    impact: 'A regular expression with catastrophic backtracking (or one the attacker writes) blocks the event loop for seconds or minutes on a crafted input: one request stops the server.',
    fix: 'Escape user text before building a RegExp from it (escape-string-regexp, lodash.escapeRegExp), bound the input length, and rewrite patterns without nested quantifiers.',
    samples: ['(a+)+$', '(.*a){25}', '([a-z]+)*$', '(a|aa)+$'],
    dangerous: (s) => /[()*+?{}[\]|]/.test(s.replace(/\\./g, '')),
  },
  'log-injection': {
    id: 'log-injection',
    cwe: 'CWE-117',
    title: 'Log injection',
    impact: 'An attacker can write line breaks and control characters into logs: forge entries ("admin logged in"), hide their tracks, or attack log viewers with terminal escapes.',
    fix: 'Strip or encode CR, LF and control characters before logging request data (or log it as a structured field, which the logger encodes).',
    // Forged entries need a line break; removing CR/LF is the accepted fix (as in CodeQL's js/log-injection).
    samples: ['x\nINFO user=admin logged in', 'x\r\nWARN forged', 'x\rINFO overwritten'],
    dangerous: (s) => /[\r\n\u2028\u2029]/.test(s),
  },
};

/** Dataflow classes (a regex replace or test is judged against each one's samples). */
export const RULE_IDS = Object.keys(RULES) as RuleId[];

/** A class found without a source-to-sink flow (configuration, code patterns, access control). */
export interface CheckRuleModel {
  id: CheckRuleId;
  cwe: string;
  title: string;
  impact: string;
  fix: string;
}

export const CHECK_RULES: Record<CheckRuleId, CheckRuleModel> = {
  'insecure-jwt': {
    id: 'insecure-jwt',
    cwe: 'CWE-347',
    title: 'Insecure JWT handling',
    impact: 'A token whose signature is not verified (or may use the "none" algorithm, or an algorithm the attacker picks) can be forged: anyone can log in as anyone.',
    fix: 'Verify every token with jwt.verify and pin the accepted algorithms ({ algorithms: ["HS256"] }); keep the key out of the code.',
  },
  'hardcoded-secret': {
    id: 'hardcoded-secret',
    cwe: 'CWE-798',
    title: 'Hard-coded secret',
    impact: 'Everyone who can read the code (or the package, or the repository history) has the secret: tokens can be forged, services accessed as this application.',
    fix: 'Load the secret from the environment or a secret manager, and rotate the exposed one.',
  },
  'weak-password-hash': {
    id: 'weak-password-hash',
    cwe: 'CWE-916',
    title: 'Weak password hashing',
    impact: 'Passwords hashed with a fast, unsalted digest (MD5, SHA-1, SHA-256) are cracked in bulk from a leaked database with commodity GPUs.',
    fix: 'Hash passwords with a slow, salted password hash: bcrypt, scrypt or argon2 (crypto.scrypt is built in).',
  },
  'insecure-randomness': {
    id: 'insecure-randomness',
    cwe: 'CWE-338',
    title: 'Predictable security token',
    impact: 'Math.random is not a cryptographic generator: its output can be predicted from earlier values, so tokens, reset codes or session ids built from it can be guessed.',
    fix: 'Use crypto.randomBytes, crypto.randomUUID or crypto.randomInt for anything security-relevant.',
  },
  'insecure-cookie': {
    id: 'insecure-cookie',
    cwe: 'CWE-614',
    title: 'Insecure cookie or session settings',
    impact: 'Session cookies without httpOnly can be read by injected script; without secure they travel over plain HTTP; a weak or default session secret lets attackers forge sessions.',
    fix: 'Set httpOnly, secure and sameSite on session cookies, and load a strong session secret from the environment.',
  },
  'permissive-cors': {
    id: 'permissive-cors',
    cwe: 'CWE-942',
    title: 'Permissive CORS with credentials',
    impact: 'Any website can make credentialed requests to this API and read the responses: a visitor\'s data leaks to every page they open.',
    fix: 'Allow only a fixed list of trusted origins when credentials are allowed; never reflect the request Origin or combine "*" with credentials.',
  },
  'missing-authorization': {
    id: 'missing-authorization',
    cwe: 'CWE-862',
    title: 'Missing authorisation',
    impact: 'The route skips the authentication or authorisation check the application applies to its sibling routes: anyone can call it.',
    fix: 'Add the same authentication/authorisation middleware its sibling routes use (or mount it on the router for every route).',
  },
  idor: {
    id: 'idor',
    cwe: 'CWE-639',
    title: 'Insecure direct object reference',
    impact: 'The handler reads or changes a record by an id the client sends, without checking that it belongs to the signed-in user: any user can reach any other user\'s records by changing the id.',
    fix: 'Scope the lookup to the authenticated user (where: { id, ownerId: req.user.id }) or compare the record\'s owner with the user before using it.',
  },
  'mass-assignment': {
    id: 'mass-assignment',
    cwe: 'CWE-915',
    title: 'Mass assignment',
    impact: 'The request body is written into a model as a whole: a client can set fields it must not control, such as role, isAdmin or ownerId.',
    fix: 'Copy only the fields the client may set (pick an allow-list of properties) before creating or updating the record.',
  },
  'plaintext-password': {
    id: 'plaintext-password',
    cwe: 'CWE-256',
    title: 'Password stored or compared in plain text',
    impact: 'Passwords are kept as the user typed them: anyone who reads the database (a backup, an injection, an insider) has every user\'s password, which people reuse on other sites.',
    fix: 'Store only a slow salted hash (bcrypt, argon2, scrypt) of the password, and check a login with the library\'s compare function against the stored hash, never by looking the user up by the password.',
  },
  'client-side-authorization': {
    id: 'client-side-authorization',
    cwe: 'CWE-602',
    title: 'Authorisation enforced only on the client',
    impact: 'The front end hides the action from ordinary users, but the server does not check the role: anyone can call the endpoint directly.',
    fix: 'Enforce the same role check on the server route (middleware or an explicit check in the handler).',
  },
  'unprotected-admin': {
    id: 'unprotected-admin',
    cwe: 'CWE-285',
    title: 'Administrative function reachable by ordinary users',
    impact: 'An administrative route (user management, configuration, data export) is served without a role check: any user, or anyone at all, can use it.',
    fix: 'Require an administrator role on the route (the role middleware the application already has), not only authentication.',
  },
  csrf: {
    id: 'csrf',
    cwe: 'CWE-352',
    title: 'Cross-site request forgery',
    impact: 'The browser attaches the session cookie to requests any website makes: a page the signed-in user visits can submit this request (a form post, an image URL for a GET) and change their data in their name.',
    fix: 'Require an anti-CSRF token on state-changing requests (csurf/csrf-csrf/lusca for Express, @fastify/csrf-protection, koa-csrf), or set the session cookie with sameSite: "strict" or "lax"; never change state on GET.',
  },
  'missing-rate-limit': {
    id: 'missing-rate-limit',
    cwe: 'CWE-307',
    title: 'Authentication attempts are not rate limited',
    impact: 'Nothing limits how often a password or one-time code can be tried: an attacker guesses credentials by brute force or credential stuffing.',
    fix: 'Put a rate limiter on the route (express-rate-limit, rate-limiter-flexible, @fastify/rate-limit, koa-ratelimit), keyed on the client address and the account, and lock out after repeated failures.',
  },
  'rate-limit-bypass': {
    id: 'rate-limit-bypass',
    cwe: 'CWE-348',
    title: 'Rate limit keyed on a client-controlled header',
    impact: 'The limiter counts attempts per X-Forwarded-For (or a similar header) value, which the client chooses: sending a new value with every request resets the count, so the limit never applies.',
    fix: "Key the limiter on the connection's address (req.ip with Express's 'trust proxy' set to the exact number of proxies in front of the app), not on a forwarding header read directly.",
  },
  'graphql-introspection': {
    id: 'graphql-introspection',
    cwe: 'CWE-200',
    title: 'GraphQL introspection or IDE enabled in production',
    impact: 'Anyone can download the whole schema (every query, mutation, hidden field and argument) and explore it in a browser IDE: the map of the API that attacks start from.',
    fix: "Disable introspection and the IDE in production (Apollo: introspection: process.env.NODE_ENV !== 'production'; express-graphql/graphql-http: validationRules: [NoSchemaIntrospectionCustomRule], graphiql: false).",
  },
  'information-exposure': {
    id: 'information-exposure',
    cwe: 'CWE-200',
    title: 'Sensitive information in a response',
    impact: 'The response carries what no client should see (the server\'s whole environment with its keys and passwords, or a stored password hash): whoever calls it can take it.',
    fix: 'Answer with the fields the client needs, picked one by one; never send process.env or a record\'s password hash.',
  },
};

export const CHECK_RULE_IDS = Object.keys(CHECK_RULES) as CheckRuleId[];
