// Conditions of the web sinks (models/sinks-web.ts): which parts of an argument are dangerous for
// MongoDB filters, response bodies, log messages, redirects and Location headers, and when a sink does not
// apply at all (a response typed as plain text, a constant same-site redirect prefix).
import ts from 'typescript';
import { unwrapAwait as strip } from './syntax.js';
import { MONGO_MODULES, MONGO_REQUEST_SANITISERS } from '../models/sinks-web.js';
import type { FlowRequirement, SinkModel } from '../models/types.js';
import { derived, join, sanitise, taintOf, type Flow, type Value } from '../values.js';
import { matchesCallee } from './callee-match.js';
import { URL_RESOLVERS } from '../models/sanitisers-web.js';
import { templateSelection } from './template-sinks.js';
import type { CallInfo } from './callee-match.js';
import type { Ctx, JsProgram } from './context.js';
import { requireSpecifier } from './modules.js';
import type { ModuleInfo } from './modules.js';
import type { SinkHit } from '../summaries.js';
import type { Selected, WebSelection } from './web-selection.js';

const WEB_CONDITIONS = new Set<string>([
  'nosql-filter', 'nosql-where', 'html-body', 'html-write', 'html-typed', 'html-sniffed', 'log-message', 'redirect-target',
  'location-header', 'unescaped-template', 'template-output',
]);

// ---------------------------------------------------------------- import facts
// A summary may depend only on its file's import cone (program.ts reuses it while the cone is unchanged),
// so sink conditions look at the cone; facts about the whole program are judged in `acceptWebHit`, once
// the program is known.

const ownImports = new WeakMap<ts.SourceFile, Set<string>>();

/** External modules one file imports or requires (syntax trees are immutable: cached per tree). */
function importsOf(mod: ModuleInfo): Set<string> {
  let set = ownImports.get(mod.sf);
  if (set) return set;
  const out = new Set<string>();
  for (const b of mod.imports.values()) if (b.target.kind === 'external') out.add(b.target.module);
  const visit = (n: ts.Node): void => {
    const spec = requireSpecifier(n);
    if (spec !== undefined && !spec.startsWith('.') && !spec.startsWith('/')) out.add(spec.replace(/^node:/, ''));
    ts.forEachChild(n, visit);
  };
  visit(mod.sf);
  ownImports.set(mod.sf, (set = out));
  return set;
}

const coneCache = new WeakMap<JsProgram, Map<string, boolean>>();

/** Whether `path` or a repository file it imports, transitively, imports one of `modules`. */
function coneUses(prog: JsProgram, path: string, modules: string[]): boolean {
  let cache = coneCache.get(prog);
  if (!cache) coneCache.set(prog, (cache = new Map()));
  const key = `${path}|${modules.join(',')}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const seen = new Set<string>([path]);
  const queue = [path];
  let found = false;
  while (queue.length && !found) {
    const mod = prog.modules.get(queue.pop()!);
    if (!mod) continue;
    const own = importsOf(mod);
    found = modules.some((m) => own.has(m));
    for (const d of mod.deps) if (!seen.has(d)) (seen.add(d), queue.push(d));
  }
  cache.set(key, found);
  return found;
}

const programUses = (prog: JsProgram, modules: string[]) => [...prog.modules.values()].some((m) => modules.some((x) => importsOf(m).has(x)));

/** Program-wide facts, judged once the whole program is known (FrontEndResult.acceptHit). */
export function acceptWebHit(prog: JsProgram, hit: SinkHit): boolean {
  // Sanitising middleware (app.use(mongoSanitize())) removes operator keys from every request object.
  if (hit.rule === 'nosql-injection' && (hit.requires === 'raw-structured' || hit.requires === 'request-object')) {
    let uses = sanitiserUse.get(prog);
    if (uses === undefined) sanitiserUse.set(prog, (uses = programUses(prog, MONGO_REQUEST_SANITISERS)));
    return !uses;
  }
  return true;
}
const sanitiserUse = new WeakMap<JsProgram, boolean>();

// ---------------------------------------------------------------- MongoDB filters

const CODE_KEYS = new Set(['$where', '$function', '$accumulator']);

/** Property values of a filter (raw request objects there become operators); `$eq` operands are literal. */
function filterValues(v: Value, out: Selected[], depth: number): void {
  if (!v.props || depth > 4) return;
  for (const [k, pv] of v.props) {
    if (k === '$eq' || CODE_KEYS.has(k)) continue;
    for (const flow of pv.flows) out.push({ flow, requires: 'raw-structured' });
    filterValues(pv, out, depth + 1);
  }
}

function whereCode(v: Value, out: Selected[], depth: number): void {
  if (!v.props || depth > 4) return;
  for (const [k, pv] of v.props) {
    if (CODE_KEYS.has(k)) for (const flow of taintOf(pv)) out.push({ flow });
    else whereCode(pv, out, depth + 1);
  }
}

// ---------------------------------------------------------------- response content types

const literal = (e: ts.Expression | undefined) => (e && ts.isStringLiteralLike(strip(e)) ? (strip(e) as ts.StringLiteral).text : undefined);

/** The content type a call sets (`type('html')`, `set('Content-Type', 'text/plain')`, `writeHead(200, {...})`). */
function contentTypeOfCall(call: ts.CallExpression): string | undefined {
  const c = strip(call.expression);
  if (!ts.isPropertyAccessExpression(c)) return undefined;
  const m = c.name.text;
  const [a0, a1] = call.arguments;
  if (m === 'type' || m === 'contentType') return literal(a0);
  if ((m === 'set' || m === 'header' || m === 'setHeader' || m === 'append') && /^content-type$/i.test(literal(a0) ?? '')) return literal(a1);
  if (m === 'writeHead' || m === 'set' || m === 'headers') {
    for (const a of call.arguments) {
      const o = strip(a);
      if (!ts.isObjectLiteralExpression(o)) continue;
      for (const p of o.properties) {
        if (ts.isPropertyAssignment(p) && /^content-type$/i.test(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : '')) return literal(p.initializer);
      }
    }
  }
  return undefined;
}

/** The identifier a member chain starts from: `res.status(200).type('html')` → res. */
function chainRoot(e: ts.Expression): string | undefined {
  let x = strip(e);
  for (;;) {
    if (ts.isIdentifier(x)) return x.text;
    if (ts.isPropertyAccessExpression(x)) x = strip(x.expression);
    else if (ts.isCallExpression(x)) x = strip(x.expression);
    else return undefined;
  }
}

/** Content types set along a call chain (`res.type('text/plain').send(x)`), innermost last. */
function chainContentType(e: ts.Expression | undefined): string | undefined {
  let x = e && strip(e);
  while (x) {
    if (ts.isCallExpression(x)) {
      const t = contentTypeOfCall(x);
      if (t !== undefined) return t;
      x = strip(x.expression);
    } else if (ts.isPropertyAccessExpression(x)) x = strip(x.expression);
    else return undefined;
  }
  return undefined;
}

/** A statement before the sink that types the same response: `res.type('html')`, `ctx.type = 'text/plain'`. */
function statementContentType(st: ts.Statement, root: string): string | undefined {
  if (!ts.isExpressionStatement(st)) return undefined;
  const e = strip(st.expression);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(e.left)) {
    if (['type', 'contentType'].includes(e.left.name.text) && chainRoot(e.left.expression) === root) return literal(e.right);
    return undefined;
  }
  if (ts.isCallExpression(e) && chainRoot(e) === root) return chainContentType(e);
  return undefined;
}

/** 'html' / 'other' when the response the sink writes to was given a content type, undefined otherwise. */
export function responseContentType(node: ts.Node, receiverExpr: ts.Expression | undefined): 'html' | 'other' | undefined {
  const judge = (t: string | undefined) => (t === undefined ? undefined : /html/i.test(t) ? 'html' : 'other');
  const chained = judge(chainContentType(receiverExpr));
  if (chained) return chained;
  const root = receiverExpr && chainRoot(receiverExpr);
  if (!root) return undefined;
  // Earlier statements of the enclosing blocks, nearest first, up to the function boundary.
  for (let n: ts.Node = node; n.parent && !ts.isSourceFile(n); n = n.parent) {
    const p = n.parent;
    if (ts.isBlock(p) || ts.isCaseClause(p) || ts.isDefaultClause(p)) {
      const sts = p.statements;
      for (let i = sts.indexOf(n as ts.Statement) - 1; i >= 0; i--) {
        const t = judge(statementContentType(sts[i], root));
        if (t) return t;
      }
    }
    if (ts.isFunctionLike(p)) break;
  }
  return undefined;
}

const looksLikeHtml = (text: string | undefined) => text !== undefined && /<[a-zA-Z!/]/.test(text.replace(/\u0000/g, ' '));

// ---------------------------------------------------------------- redirects

/**
 * Whether a redirect target built as `prefix + data` (U+0000 marks the data) stays on this site whatever the data: the constant
 * prefix closes the authority (`https://mysite.example/`), or is a path that cannot become `//host`.
 */
export function sameSitePrefix(text: string | undefined): boolean {
  // Text without an unknown part is only a partial view of a non-constant value (`x || '/home'`).
  const cut = text === undefined ? -1 : text.indexOf('\u0000');
  if (cut < 0) return false;
  const p = text!.slice(0, cut);
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#\\\s@]+[/?#]/i.test(p)) return true;
  if (/^\/[^/\\\s]/.test(p)) return true;
  if (/^[?#]/.test(p)) return true;
  // A relative path segment ("profile/"): no scheme can start before its first slash.
  return /^[\w.-]+[/?#]/.test(p) && !p.slice(0, p.search(/[/?#]/)).includes(':');
}

/** Flows placed after `prefix` in a string: cut for open redirect when the prefix keeps the URL on this site. */
export function sameSiteAfter(prefix: Value, flows: Flow[]): Flow[] {
  if (!flows.length || prefix.text === undefined || !sameSitePrefix(`${prefix.text}\u0000`)) return flows;
  return flows.map((f) => (f.cuts.includes('open-redirect') ? f : { ...f, cuts: [...f.cuts, 'open-redirect'].sort() }));
}

/** `new URL('/path', base)`: the result is on the base's site (models/sanitisers-web.ts URL_RESOLVERS); undefined otherwise. */
export function resolvedOnBase(call: CallInfo, args: Value[]): Value | undefined {
  for (const r of URL_RESOLVERS) {
    const rel = args[r.relative];
    const base = args[r.base];
    if (!rel || !base || matchesCallee(r.match, call) !== 'typed' || rel.text === undefined) continue;
    if (!sameSitePrefix(rel.constant ? `${rel.text}\u0000` : rel.text)) continue;
    return join(derived(rel), sanitise(derived(base), r.cuts));
  }
  return undefined;
}

// ---------------------------------------------------------------- dispatch

const topLevel = (a: Value, requires?: FlowRequirement): Selected[] => a.flows.map((flow) => ({ flow, requires }));

/**
 * The web condition of `model` on this call: 'skip' when the sink does not apply, a selection of the
 * dangerous flows otherwise; undefined for conditions this module does not own.
 */
export function webCondition(ctx: Ctx, node: ts.Node, model: SinkModel, call: CallInfo, args: Value[], how: string): WebSelection | 'skip' | undefined {
  const cond = model.condition;
  if (!cond || !WEB_CONDITIONS.has(cond)) return undefined;
  switch (cond) {
    case 'nosql-filter': {
      if (how === 'named' && !coneUses(ctx.prog, ctx.mod.path, MONGO_MODULES)) return 'skip';
      return {
        select: (a) => {
          // The whole filter from the request (or spread from it): operators at the top level.
          const out: Selected[] = a.flows.map((flow) => ({ flow, requires: 'request-object' }));
          filterValues(a, out, 0);
          return out;
        },
      };
    }
    case 'nosql-where': {
      if (how === 'named' && !coneUses(ctx.prog, ctx.mod.path, MONGO_MODULES)) return 'skip';
      if (call.method === '$where') return { positions: [0], select: (a) => taintOf(a).map((flow) => ({ flow })) };
      return {
        select: (a) => {
          const out: Selected[] = [];
          whereCode(a, out, 0);
          return out;
        },
      };
    }
    case 'html-body': {
      if (responseContentType(node, call.receiverExpr) === 'other') return 'skip';
      return { select: (a) => topLevel(a, 'not-container') };
    }
    case 'html-write': {
      const ct = responseContentType(node, call.receiverExpr);
      if (ct === 'other') return 'skip';
      return { select: (a) => (ct === 'html' || looksLikeHtml(a.text) ? topLevel(a, 'not-container') : []) };
    }
    case 'html-typed':
      return responseContentType(node, call.receiverExpr) === 'html' ? { select: (a) => topLevel(a, 'not-container') } : 'skip';
    case 'html-sniffed': {
      const ct = responseContentType(node, call.receiverExpr);
      if (ct === 'other') return 'skip';
      // Koa serves a string body as HTML when it starts with "<": request data at the start decides.
      const sniffed = (a: Value) => ct === 'html' || a.text === undefined || /^\s*(<|\u0000)/.test(a.text);
      return { select: (a) => (sniffed(a) ? topLevel(a, 'not-container') : []) };
    }
    case 'log-message':
      return { select: (a) => topLevel(a, 'not-container') };
    case 'redirect-target':
      return { select: (a) => (a.constant || sameSitePrefix(a.text) ? [] : taintOf(a).map((flow) => ({ flow }))) };
    case 'location-header': {
      const name = args[0]?.constant ? args[0].text : undefined;
      if (call.method !== 'writeHead' && name !== undefined) return /^location$/i.test(name) ? { positions: [1], select: redirectFlows } : 'skip';
      // An object of headers: `writeHead(302, { Location: url })`, `set({ Location: url })`.
      const positions = args.map((_, i) => i).filter((i) => args[i].props?.has('Location') || args[i].props?.has('location'));
      if (!positions.length) return 'skip';
      return { positions, select: (a) => redirectFlows(a.props?.get('Location') ?? a.props?.get('location')!) };
    }
    case 'template-output':
      return templateSelection(ctx, node, call, args);
    case 'unescaped-template': {
      const info = (call.method ? call.receiver?.obj : call.callee.obj)?.info;
      return info?.noEscape === 'true' || info?.autoescape === 'false' ? { select: (a) => taintOf(a).map((flow) => ({ flow })) } : 'skip';
    }
  }
  return undefined;
}

function redirectFlows(a: Value): Selected[] {
  return a.constant || sameSitePrefix(a.text) ? [] : taintOf(a).map((flow) => ({ flow }));
}
