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
