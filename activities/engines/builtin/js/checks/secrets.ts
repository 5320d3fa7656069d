// Hard-coded secrets (CWE-798), two ways:
//  - in the literal's own file: a known token format (AWS, GitHub, Slack, Stripe, Google, SendGrid, PEM private
//    keys), or a random-looking literal under a secret's name (JWT_SECRET = '…', { apiKey: '…' });
//  - where it is used: a literal the interpreter traced (through variables, config objects and imports) to
//    the key parameter of a library (jwt.sign, createHmac, session secrets, database passwords …). That finding
//    is reported from the file that uses the key, so it is recomputed whenever that file or the literal's file
//    changes; it is left out when the literal's own file already reports it.
// A literal default of an environment variable (`process.env.JWT_SECRET || 'dev-secret'`) is reported, with a
// caveat: it is what runs wherever the variable is missing, so it is a real risk, but not a certain one.
// Secrets are never copied into a candidate: texts show the first four characters and the length.
// No patch is offered for a strong secret: a diff must quote the line it removes, i.e. the secret itself.
import ts from 'typescript';
import {
  DEFAULT_SECRETS, KEY_PARAMETERS, SECRET_FORMAT_HINT, SECRET_FORMAT_MIN_LENGTH, MIN_SESSION_SECRET, NOT_SECRET_NAMES, SECRET_FORMATS, SECRET_NAME_ENDINGS, type KeyParameter,
} from '../../models/checks.js';
import { siteKey, type Site, type Value } from '../../values.js';
import { indexRows, matchesCallee } from '../callee-match.js';
import { isSecretAssignment } from '../../../../secrets/rules.js';
import { entropy, isPlaceholder, literalOf, isTestFile, knownText, mask, nameText, propAt, readsEnv, siteOfNode, strip, type CheckContext, type PatternFinding } from './common.js';

export { isSecretName, looksLikeSecret } from '../../../../secrets/rules.js';

/** Weak session secrets are insecure-cookie findings (cookies.ts), not hard-coded secrets. */
export function isWeakSessionSecret(text: string): boolean {
  return DEFAULT_SECRETS.includes(text.toLowerCase()) || text.length < MIN_SESSION_SECRET || entropy(text) < 3.0;
}

/** The name a literal is stored under: `const X = lit`, `{ X: lit }`, `o.X = lit`, also through `env || lit`. */
function holderName(lit: ts.Node): { name?: string; fallback: boolean } {
  let node: ts.Node = lit;
  let fallback = false;
  let p = node.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p))) (node = p), (p = p.parent);
  if (p && ts.isBinaryExpression(p) && p.right === node && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(p.operatorToken.kind)) {
    fallback = isEnvAccess(p.left);
    if (!fallback) return { fallback: false };
    node = p;
    p = p.parent;
  }
  if (!p) return { fallback };
  if (ts.isVariableDeclaration(p) && p.initializer === node) return { name: nameText(p.name), fallback };
  if (ts.isPropertyAssignment(p) && p.initializer === node) return { name: nameText(p.name), fallback };
  if (ts.isBinaryExpression(p) && p.right === node && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return { name: nameText(p.left), fallback };
  if (ts.isParameter(p) && p.initializer === node) return { name: nameText(p.name), fallback };
  if (ts.isPropertyDeclaration(p) && p.initializer === node) return { name: nameText(p.name), fallback };
  return { fallback };
}

/** `process.env.X` or `process.env['X']`. */
export function isEnvAccess(e: ts.Expression): boolean {
  const x = strip(e);
  if (!ts.isPropertyAccessExpression(x) && !ts.isElementAccessExpression(x)) return false;
  const env = strip(x.expression);
  return ts.isPropertyAccessExpression(env) && env.name.text === 'env' && ts.isIdentifier(env.expression) && env.expression.text === 'process';
}

/** A literal that is a secret in its own file (a token format, or a random-looking value under a secret's name). */
export function ownSecretAt(n: ts.StringLiteralLike, sf: ts.SourceFile, file: string): PatternFinding | undefined {
  const text = n.text;
  if (text.length < 6) return undefined;
  const format = text.length >= SECRET_FORMAT_MIN_LENGTH && SECRET_FORMAT_HINT.test(text) ? SECRET_FORMATS.find((f) => f.pattern.test(text)) : undefined;
  if (format) {
    if (isPlaceholder(text)) return undefined;
    const site = siteOfNode(sf, file, n);
    return {
      rule: 'hardcoded-secret',
      site,
      origin: file,
      trace: [{ kind: 'sink', file, line: site.line, column: site.column, label: `string literal holding ${format.label} (${mask(text)})` }],
      title: `${format.label} in ${file}`,
      explanation: `${file}:${site.line} contains ${format.label} (${mask(text)}) in the source code.`,
      secret: text,
    };
  }
  const holder = holderName(n);
  // The same rule masks secret assignments in any text that leaves Vigil (activities/secrets/mask.ts).
  if (!holder.name || !isSecretAssignment(holder.name, text)) return undefined;
  const site = siteOfNode(sf, file, n);
  return {
    rule: 'hardcoded-secret',
    site,
    origin: file,
    trace: [{ kind: 'sink', file, line: site.line, column: site.column, label: `\`${holder.name}\` is set to a literal secret (${mask(text)})${holder.fallback ? ' as the default of an environment variable' : ''}` }],
    title: `\`${holder.name}\` is hard-coded in ${file}`,
    explanation: holder.fallback
      ? `\`${holder.name}\` falls back to a literal (${mask(text)}) at ${file}:${site.line} when the environment variable is not set.`
      : `\`${holder.name}\` is set to a literal that looks like a real secret (${mask(text)}) at ${file}:${site.line}.`,
    secret: text,
    ...(holder.fallback ? { caveat: 'The literal is only a default: deployments that set the environment variable do not use it.' } : {}),
  };
}

const keyRows = indexRows(KEY_PARAMETERS);

/** A key parameter's value traced to a literal: where it was written, and whether an env var can override it. */
function literalKeys(args: Value[], row: KeyParameter) {
  const base = args[row.arg];
  const out: { text: string; lit: Site; fallback: boolean }[] = [];
  for (const v of propAt(base, row.prop ?? [])) {
    const text = knownText(v);
    const lit = literalOf(v);
    if (text === undefined || !lit || !ts.isStringLiteralLike(lit.node)) continue;
    const fallback = !v.constant && readsEnv(v);
    if (!v.constant && !fallback) continue;
    out.push({ text, lit: lit.site, fallback });
  }
  return out;
}

/** `own`: the secrets found in their own files (index.ts scans), by literal site; shared with cookies.ts so a literal is reported once. */
export function secretFindings(ctx: CheckContext, own: Map<string, PatternFinding>): PatternFinding[] {
  const findings = [...own.values()];
  const seen = new Set<string>();
  for (const rec of ctx.calls) {
    for (const row of keyRows(rec.call)) {
      if (matchesCallee(row.match, rec.call) === 'no') continue;
      for (const k of literalKeys(rec.args, row)) {
        if (own.has(siteKey(k.lit)) || isPlaceholder(k.text) || isTestFile(k.lit.file)) continue;
        if (row.session && isWeakSessionSecret(k.text)) continue; // cookies.ts reports weak session secrets
        const key = `${siteKey(k.lit)}|${rec.file}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const use = siteOfNode(rec.node.getSourceFile(), rec.file, rec.node);
        const callee = strip(rec.node.expression).getText().slice(0, 40);
        const where = k.lit.file === rec.file ? `line ${k.lit.line}` : `${k.lit.file}:${k.lit.line}`;
        findings.push({
          rule: 'hardcoded-secret',
          site: k.lit,
          origin: rec.file,
          trace: [
            { kind: 'step', file: k.lit.file, line: k.lit.line, column: k.lit.column, label: `literal ${mask(k.text)} written in the code${k.fallback ? ' (default of an environment variable)' : ''}` },
            { kind: 'sink', file: rec.file, line: use.line, column: use.column, label: `used as ${row.label} in \`${callee}(…)\`` },
          ],
          title: `literal used as ${row.label}`,
          explanation:
            `The literal ${mask(k.text)} (${where}) is used as ${row.label} at ${rec.file}:${use.line}` +
            `${k.fallback ? ` whenever the environment variable is not set` : ''}. Anyone with the source can sign, decrypt or log in with it. Load it from process.env.${row.env} instead.`,
          secret: k.text,
          ...(k.fallback ? { caveat: 'The literal is only a default: deployments that set the environment variable do not use it.' } : {}),
        });
      }
    }
  }
  return findings;
}
