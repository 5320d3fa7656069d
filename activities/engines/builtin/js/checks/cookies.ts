// Insecure cookie and session settings (CWE-614):
//  - express-session / cookie-session with a weak or well-known literal secret ('keyboard cat', short or
//    low-entropy values; strong literals are hard-coded-secret findings instead), also as an env default;
//  - session cookie options that switch protection off: secure: false, httpOnly: false, sameSite 'none'
//    without secure;
//  - res.cookie() of an authentication cookie (session, token, jwt …) without httpOnly, with secure: false,
//    or with sameSite 'none' without secure. A missing `secure` alone is not reported: it depends on whether
//    TLS ends at a proxy, which the code does not show.
import ts from 'typescript';
import { AUTH_COOKIE_NAME, COOKIE_SETTERS, KEY_PARAMETERS, SESSION_MIDDLEWARE } from '../../models/checks.js';
import type { Site, Value } from '../../values.js';
import { indexRows, matchesCallee } from '../callee-match.js';
import type { Edit } from '../patches/edit.js';
import {
  envEdits, isConstant, isPlaceholder, knownText, literalOf, mask, objectProp, patchOf, propAt, readsEnv, siteOfNode, strip, type CheckContext, type PatternFinding,
} from './common.js';
import type { CallRecord } from './observe.js';
import { isWeakSessionSecret } from './secrets.js';
import { siteKey } from '../../values.js';

const sessionRows = indexRows(SESSION_MIDDLEWARE);
const setterRows = indexRows(COOKIE_SETTERS);
const sessionKeyRows = indexRows(KEY_PARAMETERS.filter((k) => k.session));

const isTrue = (v: Value | undefined) => isConstant(v, 'true');
const isFalse = (v: Value | undefined) => isConstant(v, 'false');
const one = (v: Value | undefined, name: string) => propAt(v, [name])[0];

/** Problems with cookie flags in an options object (undefined options: `missing` lists what defaults leave off). */
function flagProblems(opts: Value | undefined, requireHttpOnly: boolean): { problems: string[]; at?: { node: ts.Node; site: Site } } {
  const problems: string[] = [];
  const httpOnly = one(opts, 'httpOnly');
  const secure = one(opts, 'secure');
  const sameSite = one(opts, 'sameSite');
  let bad: Value | undefined;
  if (isFalse(httpOnly)) (problems.push('httpOnly: false (script can read the cookie)'), (bad ??= httpOnly));
  else if (requireHttpOnly && !httpOnly) problems.push('no httpOnly flag (script can read the cookie)');
  if (isFalse(secure)) (problems.push('secure: false (the cookie travels over plain HTTP)'), (bad ??= secure));
  if (sameSite && isConstant(sameSite, 'none') && !isTrue(secure)) (problems.push("sameSite: 'none' without secure"), (bad ??= sameSite));
  return { problems, at: literalOf(bad) };
}

/** Edits to an options object literal that set httpOnly, secure and sameSite safely. */
function flagEdits(sf: ts.SourceFile, opts: ts.Expression | undefined, call: ts.CallExpression | ts.NewExpression, optionsArg: number): Edit[] | undefined {
  const wanted: [string, string][] = [['httpOnly', 'true'], ['secure', 'true'], ['sameSite', "'lax'"]];
  if (!opts) {
    const args = call.arguments ?? [];
    if (args.length !== optionsArg) return undefined;
    const last = args[args.length - 1];
    return [{ start: last.getEnd(), end: last.getEnd(), text: `, { ${wanted.map(([k, v]) => `${k}: ${v}`).join(', ')} }` }];
  }
  const o = strip(opts);
  if (!ts.isObjectLiteralExpression(o)) return undefined;
  const edits: Edit[] = [];
  const add: string[] = [];
  for (const [k, v] of wanted) {
    const p = objectProp(o, k);
    if (!p) add.push(`${k}: ${v}`);
    else if (ts.isPropertyAssignment(p)) {
      const init = strip(p.initializer);
      const bad = init.kind === ts.SyntaxKind.FalseKeyword || (k === 'sameSite' && ts.isStringLiteralLike(init) && init.text.toLowerCase() === 'none');
      if (bad) edits.push({ start: init.getStart(sf), end: init.getEnd(), text: k === 'sameSite' ? "'lax'" : v });
    }
  }
  if (add.length) {
    const at = o.getStart(sf) + 1;
    edits.push({ start: at, end: at, text: o.properties.length ? ` ${add.join(', ')},` : ` ${add.join(', ')} ` });
  }
  return edits;
}

function sessionFindings(rec: CallRecord, ownSecrets: Map<string, PatternFinding>): PatternFinding[] {
  const out: PatternFinding[] = [];
  const sf = rec.node.getSourceFile();
  const site = siteOfNode(sf, rec.file, rec.node);
  for (const row of sessionRows(rec.call)) {
    if (matchesCallee(row.match, rec.call) !== 'typed') continue;
    const opts = rec.args[row.optionsArg];
    // Cookie flags: express-session nests them under `cookie`, cookie-session takes them at the top level.
    const cookieOpts = row.cookieProp ? one(opts, row.cookieProp) : opts;
    const { problems, at } = cookieOpts ? flagProblems(cookieOpts, false) : { problems: [] as string[], at: undefined };
    if (!problems.length) continue;
    // The flag as written (perhaps in a config module): the finding and its fix go there.
    const flagObject = at && ts.isPropertyAssignment(at.node.parent) && ts.isObjectLiteralExpression(at.node.parent.parent) ? at.node.parent.parent : undefined;
    const where = at?.site ?? site;
    const elsewhere = where.file !== rec.file || where.line !== site.line;
    const objSf = flagObject?.getSourceFile();
    out.push({
      rule: 'insecure-cookie', site: where, origin: rec.file, key: 'flags',
      trace: [
        ...(elsewhere ? [{ kind: 'step' as const, file: where.file, line: where.line, column: where.column, label: `session cookie option: ${problems.join(', ')}` }] : []),
        { kind: 'sink', file: rec.file, line: site.line, column: site.column, label: `${row.label} session cookie with ${problems.join(', ')}` },
      ],
      title: `${row.label} session cookie: ${problems.join(', ')}`,
      explanation: `The session cookie configured for ${row.label} at ${rec.file}:${site.line}${elsewhere ? ` (options at ${where.file}:${where.line})` : ''} has ${problems.join(', ')}.`,
      patch: flagObject && objSf ? patchOf(objSf, objSf.fileName, flagEdits(objSf, flagObject, rec.node, -1), 'Set httpOnly, secure and sameSite on the session cookie.') : undefined,
    });
  }
  // Weak or default session secrets.
  for (const row of sessionKeyRows(rec.call)) {
    if (matchesCallee(row.match, rec.call) !== 'typed') continue;
    for (const v of propAt(rec.args[row.arg], row.prop ?? [])) {
      const text = knownText(v);
      const found = literalOf(v);
      if (text === undefined || !found || !ts.isStringLiteralLike(found.node) || isPlaceholder(text) || !isWeakSessionSecret(text) || ownSecrets.has(siteKey(found.site))) continue;
      const fallback = !v.constant && readsEnv(v);
      if (!v.constant && !fallback) continue;
      const lit = found.site;
      const litSf = found.node.getSourceFile();
      const where = lit.file === rec.file ? `line ${lit.line}` : `${lit.file}:${lit.line}`;
      out.push({
        rule: 'insecure-cookie',
        site: lit,
        origin: rec.file,
        key: `secret|${rec.file}`,
        trace: [
          ...(lit.file !== rec.file || lit.line !== site.line ? [{ kind: 'step' as const, file: lit.file, line: lit.line, column: lit.column, label: `weak literal ${mask(text)}${fallback ? ' (default of an environment variable)' : ''}` }] : []),
          { kind: 'sink', file: rec.file, line: site.line, column: site.column, label: `used as ${row.label}` },
        ],
        title: `${row.label} is a weak or well-known value`,
        explanation:
          `${row.label} at ${rec.file}:${site.line} is the literal ${mask(text)} (${where})${fallback ? ' whenever the environment variable is not set' : ''}: ` +
          `a well-known, short or low-entropy value lets anyone forge signed session cookies.`,
        secret: text,
        ...(fallback ? { caveat: 'The literal is only a default: deployments that set the environment variable do not use it.' } : {}),
        // A weak secret gives no secrecy, so the diff that replaces it may quote it.
        patch: patchOf(litSf, lit.file, envEdits(litSf, found.node, row.env), `Read ${row.label} from process.env.${row.env} and refuse to start without it.`),
      });
    }
  }
  return out;
}

function setCookieFindings(rec: CallRecord): PatternFinding[] {
  const out: PatternFinding[] = [];
  for (const row of setterRows(rec.call)) {
    if (matchesCallee(row.match, rec.call) === 'no') continue;
    const name = knownText(rec.args[row.nameArg]);
    if (!name || !AUTH_COOKIE_NAME.test(name)) continue;
    const opts = rec.args[row.optionsArg];
    // Options we cannot see (a shared options object from elsewhere) are not judged.
    if (opts && !opts.props) continue;
    const { problems } = flagProblems(opts, !row.httpOnlyByDefault);
    if (!problems.length) continue;
    const sf = rec.node.getSourceFile();
    const site = siteOfNode(sf, rec.file, rec.node);
    out.push({
      rule: 'insecure-cookie', site, origin: rec.file, key: 'res.cookie',
      trace: [{ kind: 'sink', file: rec.file, line: site.line, column: site.column, label: `\`${row.label}('${name}', …)\` with ${problems.join(', ')}` }],
      title: `authentication cookie "${name}" set with ${problems.join(', ')}`,
      explanation: `The authentication cookie "${name}" is set at ${rec.file}:${site.line} with ${problems.join(', ')}.`,
      patch: patchOf(sf, rec.file, flagEdits(sf, rec.node.arguments?.[row.optionsArg], rec.node, row.optionsArg), `Set httpOnly, secure and sameSite on the "${name}" cookie.`),
    });
  }
  return out;
}

export function cookieFindings(ctx: CheckContext, ownSecrets: Map<string, PatternFinding>): PatternFinding[] {
  return ctx.calls.flatMap((rec) => [...sessionFindings(rec, ownSecrets), ...setCookieFindings(rec)]);
}
