// Rule text for the CWEs Vigil's engines report. SARIF consumers show rule help next to every result, so
// it describes the weakness and its fix in general; the finding's own explanation goes in the result.

export interface CweInfo {
  name: string;
  summary: string;
  fix: string;
}

const CWES: Record<number, CweInfo> = {
  22: {
    name: 'Path traversal',
    summary: 'A file path built from untrusted input can escape the intended directory (for example with "../").',
    fix: 'Resolve the path and check it stays inside an allowed base directory, or map user input to a fixed set of files.',
  },
  77: {
    name: 'Command injection',
    summary: 'Untrusted input reaches a command that a shell or interpreter executes.',
    fix: 'Avoid building commands from input; pass arguments as an array to an API that does not invoke a shell.',
  },
  78: {
    name: 'OS command injection',
    summary: 'Untrusted input is interpolated into an operating system command run through a shell.',
    fix: 'Use execFile/spawn with an argument array and no shell, and validate arguments against an allow-list.',
  },
  79: {
    name: 'Cross-site scripting',
    summary: 'Untrusted input is written into an HTML response without encoding, so it can run script in a victim\'s browser.',
    fix: 'Encode output for its HTML context (or use a template engine that escapes by default) and set a restrictive Content-Security-Policy.',
  },
  89: {
    name: 'SQL injection',
    summary: 'Untrusted input is concatenated into an SQL statement, so it can change the query.',
    fix: 'Use parameterised queries or prepared statements; never build SQL text from input.',
  },
  94: {
    name: 'Code injection',
    summary: 'Untrusted input is evaluated as code (eval, Function, vm).',
    fix: 'Do not evaluate input; parse data with a data-only parser such as JSON.parse.',
  },
  95: {
    name: 'Eval injection',
    summary: 'Untrusted input reaches eval or an equivalent dynamic code evaluation.',
    fix: 'Remove the dynamic evaluation or restrict input to a fixed set of values.',
  },
  502: {
    name: 'Deserialization of untrusted data',
    summary: 'Untrusted data is deserialised by a mechanism that can instantiate objects or run code.',
    fix: 'Deserialise only with data-only formats (JSON) and validate the result against a schema.',
  },
  601: {
    name: 'Open redirect',
    summary: 'A redirect target comes from untrusted input, so users can be sent to an attacker\'s site.',
    fix: 'Redirect only to relative paths or to hosts on an allow-list.',
  },
  611: {
    name: 'XML external entity expansion',
    summary: 'An XML parser resolves external entities in untrusted documents.',
    fix: 'Disable DTDs and external entity resolution in the parser.',
  },
  117: {
    name: 'Log injection',
    summary: 'Untrusted input with line breaks or control characters is written to a log, so entries can be forged.',
    fix: 'Strip or encode CR, LF and control characters, or log untrusted values as structured fields.',
  },
  285: {
    name: 'Improper authorisation',
    summary: 'An administrative function is served without checking that the caller holds the required role.',
    fix: 'Require the administrator role on the route, on the server.',
  },
  306: {
    name: 'Missing authentication for critical function',
    summary: 'A function that needs an authenticated caller is served to anyone.',
    fix: 'Require authentication on the route, the way its sibling routes do.',
  },
  338: {
    name: 'Cryptographically weak pseudo-random number generator',
    summary: 'A security token is generated with a predictable generator such as Math.random.',
    fix: 'Use a cryptographic generator (crypto.randomBytes, crypto.randomUUID, crypto.randomInt).',
  },
  347: {
    name: 'Improper verification of cryptographic signature',
    summary: 'A signed token (JWT) is accepted without verifying its signature, or with an algorithm the attacker can choose.',
    fix: 'Verify every token and pin the accepted algorithms; never trust jwt.decode output.',
  },
  602: {
    name: 'Client-side enforcement of server-side security',
    summary: 'Only the front end checks the user\'s role before an action; the server accepts the request from anyone.',
    fix: 'Enforce the check on the server route.',
  },
  614: {
    name: 'Sensitive cookie without secure attributes',
    summary: 'A session cookie lacks secure/httpOnly/sameSite, or the session secret is weak.',
    fix: 'Set httpOnly, secure and sameSite on session cookies and load a strong secret from the environment.',
  },
  639: {
    name: 'Authorisation bypass through user-controlled key',
    summary: 'A record is read or changed by a client-supplied id without checking that it belongs to the caller (IDOR).',
    fix: 'Scope lookups to the authenticated user or check ownership before use.',
  },
  798: {
    name: 'Use of hard-coded credentials',
    summary: 'A secret, key or password is written in the source code.',
    fix: 'Load secrets from the environment or a secret manager, and rotate any secret that was committed.',
  },
  862: {
    name: 'Missing authorisation',
    summary: 'A route lacks the authorisation check that comparable routes of the application have.',
    fix: 'Apply the application\'s authorisation middleware to the route.',
  },
  915: {
    name: 'Mass assignment',
    summary: 'Request data is written into a model object as a whole, so a client can set fields such as role or owner.',
    fix: 'Copy only allow-listed fields from the request into the model.',
  },
  916: {
    name: 'Password hash with insufficient computational effort',
    summary: 'Passwords are hashed with a fast digest (MD5, SHA-1, SHA-256), often unsalted.',
    fix: 'Use bcrypt, scrypt or argon2 with a per-password salt.',
  },
  942: {
    name: 'Permissive cross-domain policy',
    summary: 'CORS allows credentialed requests from any origin (reflected Origin or a wildcard).',
    fix: 'Allow credentials only for a fixed list of trusted origins.',
  },
  1336: {
    name: 'Server-side template injection',
    summary: 'Untrusted input is compiled as template source by a template engine.',
    fix: 'Render fixed templates and pass untrusted input as data.',
  },
  918: {
    name: 'Server-side request forgery',
    summary: 'The server fetches a URL taken from untrusted input, reaching internal services.',
    fix: 'Allow-list destination hosts and schemes, and block private and link-local addresses after DNS resolution.',
  },
  943: {
    name: 'NoSQL injection',
    summary: 'Untrusted input becomes part of a NoSQL query object or operator.',
    fix: 'Validate input types (reject objects where strings are expected) and build queries from fixed operators.',
  },
  1321: {
    name: 'Prototype pollution',
    summary: 'Untrusted keys such as "__proto__" are merged into objects, changing the behaviour of every object.',
    fix: 'Reject "__proto__", "constructor" and "prototype" keys, or merge into objects created with Object.create(null).',
  },
  1333: {
    name: 'Inefficient regular expression',
    summary: 'A regular expression with catastrophic backtracking runs on untrusted input (ReDoS).',
    fix: 'Rewrite the expression without nested quantifiers or bound the input length.',
  },
};

/** The CWE number in "CWE-89", "cwe-089" or "89"; undefined when there is none. */
export function cweNumber(cwe: string): number | undefined {
  const m = /(\d+)/.exec(cwe);
  return m ? Number(m[1]) : undefined;
}

export function cweInfo(cwe: string): CweInfo | undefined {
  const n = cweNumber(cwe);
  return n === undefined ? undefined : CWES[n];
}

export function cweUri(cwe: string): string | undefined {
  const n = cweNumber(cwe);
  return n === undefined ? undefined : `https://cwe.mitre.org/data/definitions/${n}.html`;
}
