// Predictable security values (CWE-338). Math.random() (and other non-cryptographic generators, models/checks.ts
// WEAK_RANDOM) yields a flow tagged weak-random (observe.ts); arithmetic, Math.floor, indexing a character
// table and string building keep it, and summaries carry it out of helper functions in other files. It is
// reported where it lands in a security value: a variable or property named like a token, secret, password,
// OTP/code, nonce, salt or session id, the return value of a function so named, or an authentication cookie.
// Math.random for UI, jitter or sampling never reaches such a place and is not reported.
//
// One finding per generator call and file: the first destination in that file. A destination in another file
// than the generator is left out when the generator's own file already reports it (a helper called
// generateToken), so each result depends only on the files of its trace.
import ts from 'typescript';
import { AUTH_COOKIE_NAME, COOKIE_VALUE_METHODS, NOT_SECURITY_VALUE_NAME, SECURITY_VALUE_NAME } from '../../models/checks.js';
import { taintOf, type Flow, type SourceRoot, siteKey } from '../../values.js';
import { functionName, isFunctionNode, type FnNode } from '../functions.js';
import type { Edit } from '../patches/edit.js';
import { importEdit, moduleBindingName, nameText, patchOf, siteOfNode, type CheckContext, type PatternFinding } from './common.js';
import { WEAK_RANDOM_TAG } from './observe.js';

export interface Destination {
  name: string;
  kind: 'variable' | 'property' | 'return' | 'cookie';
  /** Replacing this expression fixes the finding (undefined: no mechanical patch). */
  replace?: ts.Expression;
}

export const isSecurityName = (name: string | undefined): name is string => !!name && SECURITY_VALUE_NAME.test(name) && !NOT_SECURITY_VALUE_NAME.test(name);

/** The expression at `n` whose value ends up in a security-named place, if any (scanned once per tree: index.ts). */
export function destinationAt(n: ts.Node, sf: ts.SourceFile): [ts.Expression, Destination] | undefined {
  if (ts.isVariableDeclaration(n) && n.initializer && ts.isIdentifier(n.name) && isSecurityName(n.name.text)) {
    return [n.initializer, { name: n.name.text, kind: 'variable', replace: n.initializer }];
  }
  if (ts.isPropertyAssignment(n) && isSecurityName(nameText(n.name))) return [n.initializer, { name: nameText(n.name)!, kind: 'property', replace: n.initializer }];
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && isSecurityName(nameText(n.left))) {
    return [n.right, { name: n.left.getText(sf).slice(0, 40), kind: 'property', replace: n.right }];
  }
  // `token += chars[…]` in a loop: no single expression to replace, so no mechanical patch.
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && isSecurityName(nameText(n.left))) {
    return [n.right, { name: n.left.getText(sf).slice(0, 40), kind: 'property' }];
  }
  if (ts.isReturnStatement(n) && n.expression) {
    let fn: ts.Node | undefined = n.parent;
    while (fn && !isFunctionNode(fn)) fn = fn.parent;
    const name = fn ? functionName(fn as FnNode) : undefined;
    return isSecurityName(name) ? [n.expression, { name: `${name}()`, kind: 'return', replace: n.expression }] : undefined;
  }
  if (ts.isArrowFunction(n) && !ts.isBlock(n.body) && isSecurityName(functionName(n))) return [n.body, { name: `${functionName(n)}()`, kind: 'return', replace: n.body }];
  if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && COOKIE_VALUE_METHODS.includes(n.expression.name.text) && n.arguments.length >= 2) {
    const cookie = n.arguments[0];
    if (ts.isStringLiteralLike(cookie) && AUTH_COOKIE_NAME.test(cookie.text)) return [n.arguments[1], { name: `cookie "${cookie.text}"`, kind: 'cookie', replace: n.arguments[1] }];
  }
  return undefined;
}

const rootSite = (f: Flow) => (f.root as SourceRoot).site;

function fixExpression(name: string, crypto: string): string {
  return /(otp|code|pin)\W*$/i.test(name) ? `${crypto}.randomInt(100000, 1000000)` : `${crypto}.randomBytes(32).toString('hex')`;
}

export function randomnessFindings(ctx: CheckContext, destinations: Map<string, Map<ts.Expression, Destination>>): PatternFinding[] {
  type Hit = { file: string; expr: ts.Expression; dest: Destination; flow: Flow };
  const hits: Hit[] = [];
  for (const [file, dests] of [...destinations].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const ordered = [...dests].sort((a, b) => a[0].getStart() - b[0].getStart());
    for (const [expr, dest] of ordered) {
      const v = ctx.obs.values.get(expr);
      if (!v) continue;
      for (const flow of taintOf(v)) if (flow.tags.includes(WEAK_RANDOM_TAG) && flow.root.kind === 'source') hits.push({ file, expr, dest, flow });
    }
  }
  // Generators reported in their own file.
  const selfReported = new Set(hits.filter((h) => rootSite(h.flow).file === h.file).map((h) => siteKey(rootSite(h.flow))));
  const out: PatternFinding[] = [];
  const seen = new Set<string>();
  for (const h of hits) {
    const root = h.flow.root as SourceRoot;
    const own = root.site.file === h.file;
    if (!own && selfReported.has(siteKey(root.site))) continue;
    const key = `${siteKey(root.site)}|${h.file}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const sf = h.expr.getSourceFile();
    const site = siteOfNode(sf, h.file, h.expr);
    const what = h.dest.kind === 'return' ? `returned from \`${h.dest.name}\`` : h.dest.kind === 'cookie' ? `set as the ${h.dest.name}` : `stored in \`${h.dest.name}\``;
    const crypto = moduleBindingName(ctx.prog, h.file, 'crypto');
    let patch;
    if (h.dest.replace) {
      const edits: Edit[] = [{ start: h.dest.replace.getStart(sf), end: h.dest.replace.getEnd(), text: fixExpression(h.dest.name, crypto ?? 'crypto') }];
      if (!crypto) edits.push(importEdit(ctx.prog, h.file, 'crypto', 'crypto'));
      patch = patchOf(sf, h.file, edits, `Generate ${h.dest.name} with the cryptographic generator (crypto.randomBytes / crypto.randomInt) instead of ${root.label}.`);
    }
    out.push({
      rule: 'insecure-randomness',
      site,
      origin: h.file,
      trace: [
        { kind: 'source', file: root.site.file, line: root.site.line, column: root.site.column, label: `\`${root.label}\`: a predictable, non-cryptographic generator` },
        ...h.flow.steps.map((s) => ({ ...s, kind: 'step' as const })),
        { kind: 'sink', file: h.file, line: site.line, column: site.column, label: `the value is ${what}, a security value that must be unguessable` },
      ],
      title: `${root.label} generates \`${h.dest.name}\``,
      explanation:
        `The value ${what} at ${h.file}:${site.line} is derived from ${root.label} (${root.site.file}:${root.site.line}). ` +
        `An attacker who observes a few outputs (or the generator's state) can predict it.`,
      dependsOn: h.flow.files,
      patch,
    });
  }
  return out;
}
