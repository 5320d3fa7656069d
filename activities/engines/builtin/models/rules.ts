// The vulnerability classes: identity, CWE, wording, and the attacker strings used to judge whether a
// string transformation (a regex replace, an allow-list regex) neutralises input for the class.
import type { RuleId } from './types.js';

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
};

export const RULE_IDS = Object.keys(RULES) as RuleId[];
