// The one masking of secrets for every text that leaves Vigil: API responses, reports, CLI output, history
// and logs. Stored data stays as it is (apply needs the real patch); what is shown is masked. Detection uses
// the rules of the engine's hard-coded-secrets check (rules.ts): known token formats (AWS, GitHub, Slack,
// Stripe, Google, SendGrid, PEM private keys), credentials in URLs, and a random-looking value assigned to a
// secret's name (`DB_PASSWORD = "…"`, `password: '…'`, `"apiKey": "…"`, `TOKEN=…` in an env file).
// A secret becomes its first four characters and its length, e.g. `sk_l…(32 chars)`; masking is idempotent.
import { SECRET_FORMATS } from '../engines/builtin/models/checks.js';
import { isPlaceholder, isSecretAssignment, mask, MASKED_FORM } from './rules.js';

const globalOf = (re: RegExp) => new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);

/** Token formats, anywhere in the text (PEM blocks are handled separately: their body spans lines). */
const FORMATS = SECRET_FORMATS.filter((f) => f.id !== 'private-key').map((f) => globalOf(f.pattern));

/** A private key block, to its END line or, cut short, to the end of the text. */
const PEM_BLOCK = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
const PEM_BODY_RUN = /[A-Za-z0-9+/=]{16,}/g;

/** `scheme://user:password@host`. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]+:)([^\s@/'"`]+)@/gi;

/**
 * `name = value`, `name: value`, `"name": "value"`, `name := value`, `name => value`, `name || 'value'`:
 * name optionally quoted, value quoted (any quote, escapes allowed) or a bare token (env and YAML files).
 */
const ASSIGNMENT =
  /(["'`]?)([A-Za-z_$][\w$.-]*)\1(\s*(?::=|=>|===?|\|\||\?\?|[=:])\s*)(?:(["'`])((?:\\.|(?!\4)[^\\\n])*)\4|([^\s"'`,;#&|()}\]]+))/g;

/** A bare value that is code, not a secret: an identifier or a dotted path (`process.env.TOKEN`, `string`). */
const CODE_REFERENCE = /^[A-Za-z_$][A-Za-z_$]*(\.[A-Za-z_$][\w$]*)*$/;

function maskAssignments(text: string): string {
  let out = '';
  let last = 0;
  const re = new RegExp(ASSIGNMENT.source, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [whole, q1, name, op, q2, quoted, bare] = m as unknown as [string, string, string, string, string | undefined, string | undefined, string | undefined];
    const value = quoted ?? bare ?? '';
    if (MASKED_FORM.test(value) || (bare !== undefined && CODE_REFERENCE.test(bare)) || !isSecretAssignment(name, value)) {
      // Not a secret here; the value may itself name one (`SECRET = process.env.JWT_SECRET || '…'`): rescan after the name.
      re.lastIndex = m.index + q1.length + name.length;
      continue;
    }
    out += text.slice(last, m.index) + (q2 !== undefined ? `${q1}${name}${q1}${op}${q2}${mask(value)}${q2}` : `${q1}${name}${q1}${op}${mask(value)}`);
    last = m.index + whole.length;
  }
  return out + text.slice(last);
}

/** `text` with every secret the rules recognise masked. */
export function maskText(text: string): string {
  if (text.length < 6) return text;
  let out = text.replace(PEM_BLOCK, (block) => block.replace(PEM_BODY_RUN, (run) => mask(run)));
  for (const re of FORMATS) out = out.replace(re, (token) => (isPlaceholder(token) ? token : mask(token)));
  out = out.replace(URL_CREDENTIALS, (whole, head: string, password: string) =>
    password.length < 3 || isPlaceholder(password) || MASKED_FORM.test(password) ? whole : `${head}${mask(password)}@`,
  );
  return maskAssignments(out);
}

/** Every string in a JSON-like value masked (keys kept), as a new value; non-strings are kept as they are. */
export function maskDeep<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskText(value);
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  if (value instanceof Date || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = walk(v, depth + 1);
  return out;
}
