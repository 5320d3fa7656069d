// Weak password hashing (CWE-916): a fast digest (crypto.createHash('md5' | 'sha1' | 'sha256' …).update(x),
// md5(x), CryptoJS.SHA256(x)) applied to a password, bcrypt with a cost below 10, PBKDF2 with too few
// iterations or a constant salt. "A password" is judged by name: the hashed expression or the data flowing
// into it is called password/passwd/pwd/pass (`req.body.password`, `user.password`, `{ password } = req.body`),
// and not a reset token or an existing hash. Hashing other data with SHA-256 is fine and not reported.
import ts from 'typescript';
import {
  BCRYPT_COST, DIGEST_FUNCTIONS, FAST_DIGESTS, HASH_FACTORIES, HASH_UPDATE_METHODS, MIN_BCRYPT_COST, MIN_PBKDF2_ITERATIONS, NOT_PASSWORD_NAME, PASSWORD_NAME, PBKDF2,
} from '../../models/checks.js';
import { taintOf, type Value } from '../../values.js';
import { indexRows, matchesCallee } from '../callee-match.js';
import { enclosingScope, initializerOf, isConstant, knownText, literalOf, patchOf, siteOfNode, strip, type CheckContext, type PatternFinding } from './common.js';
import type { CallRecord } from './observe.js';

const factoryRows = indexRows(HASH_FACTORIES.map((match) => ({ match })));
const digestRows = indexRows(DIGEST_FUNCTIONS);
const bcryptRows = indexRows(BCRYPT_COST);
const pbkdf2Rows = indexRows(PBKDF2);

const passwordName = (n: string) => PASSWORD_NAME.test(n) && !NOT_PASSWORD_NAME.test(n);

/** The password-like name in the hashed expression or in the data flowing into it. */
function passwordIn(expr: ts.Expression | undefined, v: Value | undefined): string | undefined {
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      // The result of a call is not the password itself unless it only reshapes it (String(x), x.trim()).
      ts.forEachChild(n, visit);
      return;
    }
    if (ts.isIdentifier(n) && passwordName(n.text)) {
      found = ts.isPropertyAccessExpression(n.parent) && n.parent.name === n ? n.parent.getText() : n.text;
      return;
    }
    if (ts.isStringLiteralLike(n) && ts.isElementAccessExpression(n.parent) && passwordName(n.text)) {
      found = n.parent.getText();
      return;
    }
    ts.forEachChild(n, visit);
  };
  if (expr) visit(expr);
  if (found) return found.length > 40 ? `${found.slice(0, 39)}…` : found;
  for (const f of taintOf(v ?? { flows: [] })) {
    const r = f.root;
    const names = r.kind === 'source' ? r.label.split('.') : r.kind === 'param' ? r.path : [r.name, ...r.path];
    const n = names.find((x) => passwordName(x));
    if (n) return r.kind === 'source' ? r.label : n;
  }
  return undefined;
}

/** The createHash call a `.update()` receiver comes from: the call itself, or a variable initialised with it. */
function hashFactoryOf(ctx: CheckContext, receiver: ts.Expression | undefined): { rec: CallRecord; alg: string } | undefined {
  let e = receiver && strip(receiver);
  if (e && ts.isIdentifier(e)) {
    const init = initializerOf(enclosingScope(e), e.text);
    e = init && strip(init);
  }
  // createHash('md5').update(salt).update(password): walk down the chain to the factory.
  while (e && ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && HASH_UPDATE_METHODS.includes(e.expression.name.text)) e = strip(e.expression.expression);
  if (!e || !ts.isCallExpression(e)) return undefined;
  const rec = ctx.obs.calls.get(e);
  if (!rec || !factoryRows(rec.call).some((r) => matchesCallee(r.match, rec.call) === 'typed')) return undefined;
  const alg = knownText(rec.args[0]);
  return alg && FAST_DIGESTS.test(alg) ? { rec, alg } : undefined;
}

export function passwordHashFindings(ctx: CheckContext): PatternFinding[] {
  const out: PatternFinding[] = [];
  const finding = (rec: CallRecord, title: string, label: string, explanation: string, extra: Partial<PatternFinding> = {}): PatternFinding => {
    const site = siteOfNode(rec.node.getSourceFile(), rec.file, rec.node);
    return { rule: 'weak-password-hash', site, origin: rec.file, trace: [{ kind: 'sink', file: rec.file, line: site.line, column: site.column, label }], title, explanation, ...extra };
  };
  for (const rec of ctx.calls) {
    const node = rec.node;
    // crypto.createHash(<fast>).update(<password>)
    if (rec.call.method && HASH_UPDATE_METHODS.includes(rec.call.method) && ts.isCallExpression(node) && ts.isPropertyAccessExpression(strip(node.expression))) {
      const factory = hashFactoryOf(ctx, (strip(node.expression) as ts.PropertyAccessExpression).expression);
      const pw = factory && passwordIn(node.arguments[0], rec.args[0]);
      if (factory && pw) {
        out.push(finding(rec, `${factory.alg.toUpperCase()} digest of \`${pw}\``, `\`${pw}\` hashed with a fast ${factory.alg} digest`,
          `The password \`${pw}\` is hashed with ${factory.alg} (crypto.createHash) at ${rec.file}:${siteOfNode(node.getSourceFile(), rec.file, node).line}: a fast digest that GPUs compute billions of times per second.`));
      }
      continue;
    }
    for (const row of digestRows(rec.call)) {
      if (matchesCallee(row.match, rec.call) !== 'typed') continue;
      const pw = passwordIn(node.arguments?.[0], rec.args[0]);
      if (pw) out.push(finding(rec, `${row.label} of \`${pw}\``, `\`${pw}\` hashed with ${row.label}`, `The password \`${pw}\` is hashed with ${row.label}: a fast, unsalted digest.`));
    }
    for (const row of bcryptRows(rec.call)) {
      if (matchesCallee(row.match, rec.call) !== 'typed') continue;
      const cost = rec.args[row.arg];
      const n = cost?.constant ? Number(cost.text) : NaN;
      if (!Number.isFinite(n) || n >= MIN_BCRYPT_COST) continue;
      // The cost as written, possibly a constant elsewhere (SALT_ROUNDS = 8).
      const lit = literalOf(cost);
      const litSf = lit?.node.getSourceFile();
      const patch = lit && litSf && ts.isNumericLiteral(lit.node)
        ? patchOf(litSf, lit.site.file, [{ start: lit.node.getStart(litSf), end: lit.node.getEnd(), text: '12' }], 'Raise the bcrypt cost to 12 (existing hashes keep verifying: the cost is stored in each hash).')
        : undefined;
      out.push(finding(rec, `${row.label} with cost ${n}`, `${row.label} with cost factor ${n} (minimum ${MIN_BCRYPT_COST})`,
        `${row.label} uses a cost factor of ${n}; below ${MIN_BCRYPT_COST} the hash is cheap enough to brute-force at scale.`, { patch, key: 'cost' }));
    }
    for (const row of pbkdf2Rows(rec.call)) {
      if (matchesCallee(row.match, rec.call) !== 'typed') continue;
      const it = rec.args[row.iterationsArg];
      const n = it?.constant ? Number(it.text) : NaN;
      if (Number.isFinite(n) && n < MIN_PBKDF2_ITERATIONS) {
        out.push(finding(rec, `${row.label} with ${n} iterations`, `${row.label} with ${n} iterations (minimum ${MIN_PBKDF2_ITERATIONS})`,
          `${row.label} runs only ${n} iterations; at least ${MIN_PBKDF2_ITERATIONS} (600000 for SHA-256 by current OWASP guidance) are needed to slow down cracking.`, { key: 'iterations' }));
      }
      const salt = rec.args[row.saltArg];
      if (salt && (isConstant(salt, '') || (salt.constant && salt.text !== undefined && !salt.flows.length))) {
        out.push(finding(rec, `${row.label} with a constant salt`, `${row.label} with a constant salt`,
          `${row.label} uses the same constant salt for every password, so equal passwords get equal hashes and one precomputed table cracks them all.`, { key: 'salt' }));
      }
    }
  }
  return out;
}
