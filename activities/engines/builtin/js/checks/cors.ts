// Permissive CORS with credentials (CWE-942):
//  - cors({ credentials: true, origin: true | '*' | /.*/ | (origin, cb) => cb(null, true) }) — every origin
//    may make credentialed requests and read the answers. cors() without credentials is not reported;
//  - a handler that copies the request's Origin header into Access-Control-Allow-Origin and allows
//    credentials, with no condition around it (an allow-list check in an `if` is taken as a check).
import ts from 'typescript';
import { ALLOW_CREDENTIALS_HEADER, ALLOW_ORIGIN_HEADER, CORS_MIDDLEWARE, HEADER_SETTERS, ORIGIN_HEADER_METHODS } from '../../models/checks.js';
import type { Value } from '../../values.js';
import { indexRows, matchesCallee } from '../callee-match.js';
import { enclosingScope, isConstant, knownText, literalOf, objectProp, patchOf, propAt, siteOfNode, strip, type CheckContext, type PatternFinding } from './common.js';
import type { CallRecord } from './observe.js';

const corsRows = indexRows(CORS_MIDDLEWARE);
const headerRows = indexRows(HEADER_SETTERS);

const ANY_REGEX = new Set(['.*', '.+', '^.*$', '^.*', '.*$', '^.+$', '[\\s\\S]*']);

/** A callback-style origin function that allows every origin: it only ever calls back with `true` or the origin. */
function allowsAll(fn: ts.Node): boolean {
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn) && !ts.isFunctionDeclaration(fn) && !ts.isMethodDeclaration(fn)) return false;
  const [originParam, cbParam] = fn.parameters;
  if (!originParam || !cbParam || !ts.isIdentifier(cbParam.name) || !ts.isIdentifier(originParam.name)) return false;
  const cb = cbParam.name.text;
  const origin = originParam.name.text;
  let calls = 0;
  let conditional = false;
  let restrictive = false;
  const visit = (n: ts.Node): void => {
    if (ts.isIfStatement(n) || ts.isConditionalExpression(n) || ts.isSwitchStatement(n)) conditional = true;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === cb) {
      calls++;
      const allow = n.arguments[1] && strip(n.arguments[1]);
      if (!allow || !(allow.kind === ts.SyntaxKind.TrueKeyword || (ts.isIdentifier(allow) && allow.text === origin))) restrictive = true;
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return calls > 0 && !conditional && !restrictive;
}

/** How the origin option allows every origin, and where that is written (a config module, perhaps). */
function describeOrigin(origin: Value | undefined, node: ts.Expression | undefined): { how: string; at?: ts.Node } | undefined {
  const at = literalOf(origin)?.node;
  if (isConstant(origin, 'true')) return { how: 'origin: true (reflects any Origin)', at };
  if (isConstant(origin, '*')) return { how: "origin: '*'", at };
  if (origin?.regex && ANY_REGEX.has(origin.regex.source)) return { how: `origin: /${origin.regex.source}/ (matches every Origin)` };
  const init = node && strip(node);
  if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) && allowsAll(init)) return { how: 'an origin callback that allows every Origin', at: init };
  if (origin?.fns?.length === 1) {
    const decl = origin.fns[0].node as ts.Node;
    if (allowsAll(decl)) return { how: 'an origin callback that allows every Origin', at: decl };
  }
  return undefined;
}

function corsFindings(rec: CallRecord): PatternFinding[] {
  const out: PatternFinding[] = [];
  for (const row of corsRows(rec.call)) {
    if (matchesCallee(row.match, rec.call) !== 'typed') continue;
    const opts = rec.args[row.optionsArg];
    if (!isConstant(propAt(opts, ['credentials'])[0], 'true')) continue;
    const optsNode = rec.node.arguments?.[row.optionsArg];
    const originProp = objectProp(optsNode, 'origin');
    const originNode = originProp && ts.isPropertyAssignment(originProp) ? originProp.initializer : undefined;
    const found = describeOrigin(propAt(opts, ['origin'])[0], originNode);
    if (!found) continue;
    const how = found.how;
    const sf = rec.node.getSourceFile();
    const site = siteOfNode(sf, rec.file, rec.node);
    const atSf = found.at?.getSourceFile();
    const at = found.at && atSf ? siteOfNode(atSf, atSf.fileName, found.at) : undefined;
    out.push({
      rule: 'permissive-cors', site, origin: rec.file,
      trace: [
        ...(at && (at.file !== rec.file || at.line !== site.line) ? [{ kind: 'step' as const, file: at.file, line: at.line, column: at.column, label: `the origin option: ${how}` }] : []),
        { kind: 'sink', file: rec.file, line: site.line, column: site.column, label: `\`${row.label}\` with credentials: true and ${how}` },
      ],
      title: `${row.label} allows credentials from every origin`,
      explanation: `${row.label} at ${rec.file}:${site.line} allows credentials together with ${how}.`,
      patch: originNode
        ? patchOf(sf, rec.file, [{ start: originNode.getStart(sf), end: originNode.getEnd(), text: "(process.env.CORS_ORIGINS || '').split(',').filter(Boolean)" }],
            'Allow only the origins listed in CORS_ORIGINS (comma-separated) to make credentialed requests.')
        : undefined,
    });
  }
  return out;
}

/** The value is the request's Origin header: req.headers.origin (by value), or req.get('origin') / req.header('origin'). */
function isRequestOrigin(v: Value | undefined, node: ts.Expression | undefined): boolean {
  for (const f of v?.flows ?? []) {
    const r = f.root;
    const path = (r.kind === 'source' ? r.label.split('.').slice(1) : r.kind === 'param' ? r.path : r.path).map((s) => s.toLowerCase());
    if (path.length >= 2 && path[path.length - 2] === 'headers' && path[path.length - 1] === 'origin') return true;
  }
  const e = node && strip(node);
  if (e && ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ORIGIN_HEADER_METHODS.includes(e.expression.name.text)) {
    const a = e.arguments[0];
    return !!a && ts.isStringLiteralLike(a) && a.text.toLowerCase() === 'origin';
  }
  return false;
}

/** Header pairs a setter call sets: (name, value) or ({ name: value }). */
function headersSet(rec: CallRecord): { name: string; value?: Value; node?: ts.Expression }[] {
  const name = knownText(rec.args[0]);
  if (name !== undefined) return [{ name: name.toLowerCase(), value: rec.args[1], node: rec.node.arguments?.[1] }];
  const out: { name: string; value?: Value; node?: ts.Expression }[] = [];
  const objNode = rec.node.arguments?.[0] && strip(rec.node.arguments[0]);
  for (const [k, v] of rec.args[0]?.props ?? []) {
    const p = objNode ? objectProp(objNode, k) : undefined;
    out.push({ name: k.toLowerCase(), value: v, node: p && ts.isPropertyAssignment(p) ? p.initializer : undefined });
  }
  return out;
}

function inCondition(n: ts.Node, scope: ts.Node): boolean {
  for (let p = n.parent; p && p !== scope; p = p.parent) if (ts.isIfStatement(p) || ts.isConditionalExpression(p) || ts.isSwitchStatement(p)) return true;
  return false;
}

function reflectedOrigin(ctx: CheckContext): PatternFinding[] {
  const byScope = new Map<ts.Node, { reflect?: CallRecord; credentials: boolean }>();
  for (const rec of ctx.calls) {
    if (!headerRows(rec.call).some((r) => matchesCallee(r.match, rec.call) !== 'no')) continue;
    const scope = enclosingScope(rec.node);
    const s = byScope.get(scope) ?? { credentials: false };
    for (const h of headersSet(rec)) {
      if (h.name === ALLOW_CREDENTIALS_HEADER && (isConstant(h.value, 'true'))) s.credentials = true;
      if (h.name === ALLOW_ORIGIN_HEADER && isRequestOrigin(h.value, h.node) && !inCondition(rec.node, scope) && !s.reflect) s.reflect = rec;
    }
    byScope.set(scope, s);
  }
  const out: PatternFinding[] = [];
  for (const s of byScope.values()) {
    if (!s.reflect || !s.credentials) continue;
    const rec = s.reflect;
    const site = siteOfNode(rec.node.getSourceFile(), rec.file, rec.node);
    out.push({
      rule: 'permissive-cors', site, origin: rec.file, key: 'reflect',
      trace: [{ kind: 'sink', file: rec.file, line: site.line, column: site.column, label: 'the request\'s Origin header is copied into Access-Control-Allow-Origin, with Access-Control-Allow-Credentials: true' }],
      title: 'the request Origin is reflected with credentials allowed',
      explanation: `At ${rec.file}:${site.line} the response allows whatever Origin the request names, unconditionally, and allows credentials: every website can read this API's responses with the visitor's cookies.`,
    });
  }
  return out;
}

export function corsFindingsAll(ctx: CheckContext): PatternFinding[] {
  return [...ctx.calls.flatMap((rec) => corsFindings(rec)), ...reflectedOrigin(ctx)];
}
