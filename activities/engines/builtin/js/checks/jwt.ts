// Insecure JWT handling (CWE-347):
//  - decode-only authentication: a token's claims read with jwt.decode / jose.decodeJwt and used, with no
//    verification of the same token in that file (a verification elsewhere of another expression does not count;
//    one of the same token text does, to stay quiet where decode only reads a header before verifying);
//  - jwt.verify accepting the "none" algorithm;
//  - algorithm confusion: jwt.verify without `algorithms` when the key is a public key (PEM text, a key file
//    named like a public key, or a JWKS source), so an HS256 token signed with the public key passes. With an
//    HMAC secret, unpinned algorithms are low risk and not reported;
//  - express-jwt without `algorithms` in versions before 6 (6 and later refuse to start without it).
import ts from 'typescript';
import { FILE_READERS, JWKS_SOURCES, JWT_DECODERS, JWT_NON_DECISION_USES, JWT_MIDDLEWARE, JWT_VERIFIERS, PUBLIC_KEY_FILE, PUBLIC_KEY_TEXT } from '../../models/checks.js';
import type { Value } from '../../values.js';
import { indexRows, matchesCallee } from '../callee-match.js';
import type { Edit } from '../patches/edit.js';
import {
  declaredVersion, enclosingScope, initializerOf, isConstant, knownText, majorOf, objectProp, patchOf, propAt, siteOfNode, strip, type CheckContext, type PatternFinding,
} from './common.js';
import type { CallRecord } from './observe.js';

const decoderRows = indexRows(JWT_DECODERS);
const verifierRows = indexRows(JWT_VERIFIERS);
const middlewareRows = indexRows(JWT_MIDDLEWARE);
const keySourceRows = indexRows([...JWKS_SOURCES, ...FILE_READERS].map((match) => ({ match })));

const textOfArg = (rec: CallRecord, i: number) => {
  const a = rec.node.arguments?.[i];
  return a ? strip(a).getText().replace(/\s+/g, '') : undefined;
};

/** Identifiers that refer to the decoded claims: the variable (or destructured names) the result is bound to. */
function decodedUse(call: ts.Node): { used: boolean; how: string } {
  let n: ts.Node = call;
  while (n.parent && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent))) n = n.parent;
  const p = n.parent;
  if (!p || ts.isExpressionStatement(p)) return { used: false, how: '' };
  // `decode(t, { complete: true }).header` picks the key to verify with: not an identity decision.
  if (ts.isPropertyAccessExpression(p)) return JWT_NON_DECISION_USES.members.includes(p.name.text) ? { used: false, how: '' } : { used: true, how: `its claim \`${p.name.text}\` is read` };
  if (ts.isReturnStatement(p) || ts.isArrowFunction(p)) return { used: true, how: 'the claims are returned as the caller\'s identity' };
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return { used: true, how: `the claims are stored in \`${p.left.getText().slice(0, 40)}\`` };
  if (ts.isVariableDeclaration(p)) {
    const names = new Set<string>();
    const collect = (b: ts.BindingName) => {
      if (ts.isIdentifier(b)) names.add(b.text);
      else for (const el of b.elements) if (!ts.isOmittedExpression(el)) collect(el.name);
    };
    collect(p.name);
    const scope = enclosingScope(p);
    let how = '';
    const visit = (x: ts.Node): void => {
      if (how) return;
      if (ts.isIdentifier(x) && names.has(x.text) && x !== p.name && !(ts.isBindingElement(x.parent) || ts.isVariableDeclaration(x.parent))) {
        const call = x.parent && ts.isCallExpression(x.parent) ? x.parent : undefined;
        const logging = call && ts.isPropertyAccessExpression(call.expression) && ts.isIdentifier(call.expression.expression) && JWT_NON_DECISION_USES.loggers.includes(call.expression.expression.text);
        const header = ts.isPropertyAccessExpression(x.parent) && x.parent.expression === x && JWT_NON_DECISION_USES.members.includes(x.parent.name.text);
        if (!logging && !header) how = `the decoded claims (\`${x.text}\`) are used at line ${x.getSourceFile().getLineAndCharacterOfPosition(x.getStart()).line + 1}`;
      }
      ts.forEachChild(x, visit);
    };
    visit(scope);
    return { used: !!how, how };
  }
  return { used: true, how: 'the decoded claims are used' };
}

function decodeOnly(ctx: CheckContext): PatternFinding[] {
  const out: PatternFinding[] = [];
  // Token expressions verified per file.
  const verified = new Map<string, Set<string>>();
  for (const rec of ctx.calls) {
    for (const row of verifierRows(rec.call)) {
      if (matchesCallee(row.match, rec.call) === 'no') continue;
      const t = textOfArg(rec, row.tokenArg);
      if (t) (verified.get(rec.file) ?? verified.set(rec.file, new Set()).get(rec.file)!).add(t);
    }
  }
  for (const rec of ctx.calls) {
    for (const row of decoderRows(rec.call)) {
      if (matchesCallee(row.match, rec.call) !== 'typed') continue;
      const token = textOfArg(rec, row.tokenArg);
      if (!token || verified.get(rec.file)?.has(token)) continue;
      const use = decodedUse(rec.node);
      if (!use.used) continue;
      const sf = rec.node.getSourceFile();
      const site = siteOfNode(sf, rec.file, rec.node);
      out.push({
        rule: 'insecure-jwt',
        site,
        origin: rec.file,
        trace: [{ kind: 'sink', file: rec.file, line: site.line, column: site.column, label: `\`${row.label}(${token.slice(0, 30)})\` reads the claims without checking the signature, and ${use.how}` }],
        title: `${row.label}() trusts an unverified token`,
        explanation: `${rec.file}:${site.line} reads the token's claims with ${row.label}(), which does not check the signature, and ${use.how}; the token is not verified in this file. A client can write any claims (another user's id, an admin role) into an unsigned token.`,
        patch: decodePatch(rec),
        key: 'decode',
      });
    }
  }
  return out;
}

/** `jwt.decode(token)` → `jwt.verify(token, process.env.JWT_SECRET, { algorithms: ['HS256'] })`. */
function decodePatch(rec: CallRecord) {
  const call = rec.node;
  const callee = strip(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'decode' || (call.arguments?.length ?? 0) !== 1) return undefined;
  const sf = call.getSourceFile();
  const token = call.arguments![0].getText(sf);
  const edits: Edit[] = [
    { start: callee.name.getStart(sf), end: call.getEnd(), text: `verify(${token}, process.env.JWT_SECRET, { algorithms: ['HS256'] })` },
  ];
  return patchOf(sf, rec.file, edits, 'Verify the token (signature and pinned algorithm) instead of only decoding it; set JWT_SECRET (or pass the public key and its algorithm) as the application signs tokens.');
}

function algorithmsOf(options: Value | undefined): { present: boolean; none: boolean } {
  const algs = propAt(options, ['algorithms']);
  if (!algs.length) return { present: false, none: false };
  const elems = propAt(options, ['algorithms', '*']);
  return { present: true, none: elems.some((e) => isConstant(e, 'none')) };
}

/** The key is a public key: PEM text, a public key file read, or a JWKS source (syntax, one hop in the file). */
function publicKey(ctx: CheckContext, rec: CallRecord, keyArg: number, keyValue: Value | undefined): string | undefined {
  const text = knownText(keyValue) ?? keyValue?.text;
  if (text && PUBLIC_KEY_TEXT.test(text)) return 'a PEM public key';
  let e: ts.Expression | undefined = rec.node.arguments?.[keyArg];
  for (let hop = 0; e && hop < 3; hop++) {
    e = strip(e);
    if (ts.isCallExpression(e)) {
      const r = ctx.obs.calls.get(e);
      if (!r) return undefined;
      const row = keySourceRows(r.call).find((x) => matchesCallee(x.match, r.call) !== 'no');
      if (!row) return undefined;
      if (JWKS_SOURCES.includes(row.match)) return 'a JWKS key set';
      // The path's text when the interpreter knows it, else the literals it is built from (path.join(dir, 'public.pem')).
      const parts = r.args[0]?.text?.split('\u0000').filter(Boolean) ?? [];
      const visit = (n: ts.Node): void => (ts.isStringLiteralLike(n) ? void parts.push(n.text) : ts.forEachChild(n, visit));
      if (e.arguments[0]) visit(e.arguments[0]);
      const file = parts.find((p) => PUBLIC_KEY_FILE.test(p));
      return file ? `the key file ${file}` : undefined;
    }
    if (!ts.isIdentifier(e)) return undefined;
    e = initializerOf(rec.node.getSourceFile(), e.text);
  }
  return undefined;
}

function addAlgorithmsEdit(rec: CallRecord, optionsArg: number, alg: string): Edit[] | undefined {
  const sf = rec.node.getSourceFile();
  const args = rec.node.arguments ?? ts.factory.createNodeArray();
  const opts = args[optionsArg];
  if (!opts) {
    if (args.length !== optionsArg) return undefined;
    const last = args[args.length - 1];
    return [{ start: last.getEnd(), end: last.getEnd(), text: `, { algorithms: ['${alg}'] }` }];
  }
  const o = strip(opts);
  if (!ts.isObjectLiteralExpression(o)) return undefined;
  const at = o.getStart(sf) + 1;
  return [{ start: at, end: at, text: o.properties.length ? ` algorithms: ['${alg}'],` : ` algorithms: ['${alg}'] ` }];
}

function removeNoneEdit(rec: CallRecord, optionsArg: number): Edit[] | undefined {
  const sf = rec.node.getSourceFile();
  const prop = objectProp(rec.node.arguments?.[optionsArg], 'algorithms');
  if (!prop || !ts.isPropertyAssignment(prop)) return undefined;
  const arr = strip(prop.initializer);
  if (!ts.isArrayLiteralExpression(arr)) return undefined;
  const kept = arr.elements.filter((el) => !(ts.isStringLiteralLike(el) && el.text.toLowerCase() === 'none')).map((el) => el.getText(sf));
  return [{ start: arr.getStart(sf), end: arr.getEnd(), text: `[${(kept.length ? kept : ["'HS256'"]).join(', ')}]` }];
}

function verification(ctx: CheckContext): PatternFinding[] {
  const out: PatternFinding[] = [];
  for (const rec of ctx.calls) {
    const sf = rec.node.getSourceFile();
    const site = siteOfNode(sf, rec.file, rec.node);
    for (const row of verifierRows(rec.call)) {
      if (matchesCallee(row.match, rec.call) !== 'typed') continue;
      const options = rec.args[row.optionsArg];
      const algs = algorithmsOf(options);
      if (algs.none) {
        out.push({
          rule: 'insecure-jwt',
          site,
          origin: rec.file,
          trace: [{ kind: 'sink', file: rec.file, line: site.line, column: site.column, label: `\`${row.label}\` accepts the "none" algorithm` }],
          title: `${row.label}() accepts unsigned tokens ("none")`,
          explanation: `${row.label}() at ${rec.file}:${site.line} lists "none" among the accepted algorithms: a token with no signature at all is accepted.`,
          patch: patchOf(sf, rec.file, removeNoneEdit(rec, row.optionsArg), 'Accept only signed tokens: remove "none" from the accepted algorithms.'),
          key: 'none',
        });
        continue;
      }
      if (algs.present || row.pinsByKey || (options && !options.props && options.flows.length)) continue;
      const pub = publicKey(ctx, rec, row.keyArg, rec.args[row.keyArg]);
      if (!pub) continue;
      out.push({
        rule: 'insecure-jwt',
        site,
        origin: rec.file,
        trace: [{ kind: 'sink', file: rec.file, line: site.line, column: site.column, label: `\`${row.label}\` with ${pub} and no \`algorithms\` option` }],
        title: `${row.label}() does not pin the algorithm for a public key`,
        explanation:
          `${row.label}() at ${rec.file}:${site.line} verifies with ${pub} but does not restrict the algorithms: a token signed with HS256 using the public key as the HMAC secret ` +
          `(algorithm confusion) is accepted by libraries that do not check the key type (jsonwebtoken before 9).`,
        patch: patchOf(sf, rec.file, addAlgorithmsEdit(rec, row.optionsArg, 'RS256'), 'Pin the accepted algorithm to the key\'s algorithm (RS256 for an RSA public key).'),
        key: 'unpinned',
      });
    }
    for (const row of middlewareRows(rec.call)) {
      if (matchesCallee(row.match, rec.call) !== 'typed') continue;
      const options = rec.args[row.optionsArg];
      if (!options?.props) continue;
      const algs = algorithmsOf(options);
      const label = `\`${row.label}\``;
      if (algs.none) {
        out.push({
          rule: 'insecure-jwt', site, origin: rec.file, key: 'none',
          trace: [{ kind: 'sink', file: rec.file, line: site.line, column: site.column, label: `${label} accepts the "none" algorithm` }],
          title: `${row.label} accepts unsigned tokens ("none")`,
          explanation: `${row.label} at ${rec.file}:${site.line} lists "none" among the accepted algorithms: a token with no signature is accepted.`,
          patch: patchOf(sf, rec.file, removeNoneEdit(rec, row.optionsArg), 'Accept only signed tokens: remove "none" from the accepted algorithms.'),
        });
        continue;
      }
      if (algs.present) continue;
      const { manifest, range } = declaredVersion(ctx.files, rec.file, row.package);
      const major = majorOf(range);
      if (major !== undefined && major >= row.requiredSince) continue;
      // A JWKS key source means RSA keys: the fix pins RS256, otherwise the HMAC default HS256.
      const secretProp = objectProp(rec.node.arguments?.[row.optionsArg], 'secret');
      const secretInit = secretProp && ts.isPropertyAssignment(secretProp) ? strip(secretProp.initializer) : undefined;
      const keySource = secretInit && ts.isCallExpression(secretInit) ? ctx.obs.calls.get(secretInit) : undefined;
      const jwks = !!keySource && JWKS_SOURCES.some((m) => matchesCallee(m, keySource.call) !== 'no');
      out.push({
        rule: 'insecure-jwt', site, origin: rec.file, key: 'middleware-unpinned',
        trace: [{ kind: 'sink', file: rec.file, line: site.line, column: site.column, label: `${label} without \`algorithms\`${range ? ` (${row.package} ${range})` : ''}` }],
        title: `${row.label} does not pin the accepted algorithms`,
        explanation:
          `${row.label} at ${rec.file}:${site.line} has no \`algorithms\` option` +
          `${range ? `; ${manifest} declares ${row.package} ${range}, which does not require it` : `; the installed version could not be determined from a package.json`}. ` +
          `Versions before ${row.requiredSince} then accept tokens whose algorithm the attacker picks (CVE-2020-15084).`,
        dependsOn: manifest ? [manifest] : [],
        patch: patchOf(sf, rec.file, addAlgorithmsEdit(rec, row.optionsArg, jwks ? 'RS256' : 'HS256'), 'Pin the accepted algorithms in the middleware options.'),
        ...(range ? {} : { caveat: `No package.json declares ${row.package}; versions ${row.requiredSince} and later refuse to start without \`algorithms\`.` }),
      });
    }
  }
  return out;
}

export function jwtFindings(ctx: CheckContext): PatternFinding[] {
  return [...decodeOnly(ctx), ...verification(ctx)];
}
