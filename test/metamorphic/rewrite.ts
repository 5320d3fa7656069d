// The metamorphic rewriter: re-expresses the Express request handlers of a detection case (test/detection/cases) in the
// idioms other people write them in, so the suite can check that what the engine finds does not depend on our own style.
// Every rewrite is mechanical and keeps semantics: the handler's own text (and so every source and sink in it) is
// carried over verbatim, only the way it is declared, named, exported and registered changes.
//
// The TypeScript compiler API parses each file and locates the registrations (`app.get('/x', mw, (req, res) => …)`,
// `router.post(…)` on an `express()` / `express.Router()` / `Router()` object); the rewrite is a list of text edits on
// the original source (codemod style) so comments, quotes and line breaks of the moved code survive, which is what lets
// an expected finding be mapped to its new place by the text of its sink line.
import ts from 'typescript';
import { posix } from 'node:path';

export const IDIOMS = [
  'original',
  'constructor-this',
  'prototype-bind',
  'class-controller',
  'handler-factory',
  'exports-object',
  'exports-property',
  'route-function',
  'promise-then',
] as const;
export type Idiom = (typeof IDIOMS)[number];

export const IDIOM_DESCRIPTIONS: Record<Idiom, string> = {
  original: 'identity (sanity row: must reproduce the detection suite)',
  'constructor-this': 'function Ctl() { this.x = (req, res) => … }; const ctl = new Ctl(); router.get(p, ctl.x)',
  'prototype-bind': 'Ctl.prototype.x = function (req, res) {…}; router.get(p, ctl.x.bind(ctl))',
  'class-controller': 'class Ctl { async x(req, res) {…} }; router.get(p, (req, res) => ctl.x(req, res))',
  'handler-factory': 'function makeXHandler({ deps }) { return (req, res) => … }; router.get(p, makeXHandler({ deps }))',
  'exports-object': 'controllers/<m>.js: module.exports = { x(req, res) {…} }; routes require it',
  'exports-property': 'controllers/<m>.js: exports.x = (req, res) => …; routes require it',
  'route-function': '<m>.routes.js: module.exports = function routes(router) { router.get(…) }; called from the original module',
  'promise-then': 'async handlers re-expressed with .then chains instead of await',
};

export type RewriteResult =
  | {
      ok: true;
      files: Record<string, string>;
      /** For every output file, the input files whose text it carries (a moved handler keeps its sink lines). */
      origins: Record<string, string[]>;
      changed: string[];
    }
  | { ok: false; reason: string };

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'all', 'options', 'head']);
const VERB: Record<string, string> = { get: 'list', post: 'create', put: 'replace', patch: 'update', delete: 'remove', all: 'handle', options: 'options', head: 'head' };
const RESERVED = new Set(['delete', 'new', 'function', 'class', 'default', 'export', 'import', 'return', 'this', 'var', 'let', 'const', 'in', 'do', 'if', 'for', 'switch', 'case', 'try', 'catch', 'with', 'void', 'typeof', 'null', 'true', 'false', 'super', 'yield', 'await', 'static', 'enum']);

interface Edit {
  start: number;
  end: number;
  text: string;
}

function applyEdits(text: string, edits: Edit[], base = 0): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    out = out.slice(0, e.start - base) + e.text + out.slice(e.end - base);
  }
  return out;
}

interface Handler {
  stmt: ts.ExpressionStatement;
  call: ts.CallExpression;
  receiver: string;
  method: string;
  path: string;
  fn: ts.ArrowFunction | ts.FunctionExpression;
  name: string;
}

interface ParsedModule {
  path: string;
  text: string;
  sf: ts.SourceFile;
  esm: boolean;
  /** How the module writes relative specifiers: with a `.js` extension (Node ESM) or without. */
  specExt: string;
  ext: string;
  handlers: Handler[];
  templates: [number, number][];
}

// JavaScript and TypeScript modules (not declarations, not JSX: those are not where Express routes live)
const isModule = (p: string) => /\.(c|m)?(js|ts)$/.test(p) && !p.endsWith('.d.ts') && !p.includes('node_modules/');
const EXT = /\.(c|m)?(js|ts)$/;
const kindOf = (p: string) => (/\.(c|m)?ts$/.test(p) ? ts.ScriptKind.TS : ts.ScriptKind.JS);

function pascal(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}
const camel = (s: string) => {
  const p = pascal(s);
  return p ? p[0].toLowerCase() + p.slice(1) : p;
};

function handlerName(method: string, path: string, used: Set<string>): string {
  const segs = path.split('/').filter(Boolean);
  let name: string;
  if (!segs.length) name = VERB[method];
  else if (segs[0].startsWith(':')) name = (method === 'get' ? 'get' : VERB[method]) + segs.map((s) => (s.startsWith(':') ? 'By' + pascal(s.slice(1)) : pascal(s))).join('');
  else name = camel(segs.map((s) => (s.startsWith(':') ? 'by-' + s.slice(1) : s)).join('-'));
  if (!name || /^[0-9]/.test(name)) name = VERB[method];
  if (used.has(name) || RESERVED.has(name)) name = VERB[method] + pascal(name);
  let n = name;
  for (let i = 2; used.has(n) || RESERVED.has(n); i++) n = `${name}${i}`;
  used.add(n);
  return n;
}

/** Names a statement declares at module level. */
function declaredNames(stmt: ts.Statement): string[] {
  const out: string[] = [];
  const bind = (n: ts.BindingName) => {
    if (ts.isIdentifier(n)) out.push(n.text);
    else for (const el of n.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  if (ts.isVariableStatement(stmt)) for (const d of stmt.declarationList.declarations) bind(d.name);
  else if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt)) && stmt.name) out.push(stmt.name.text);
  else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
    const c = stmt.importClause;
    if (c.name) out.push(c.name.text);
    if (c.namedBindings) {
      if (ts.isNamespaceImport(c.namedBindings)) out.push(c.namedBindings.name.text);
      else for (const s of c.namedBindings.elements) out.push(s.name.text);
    }
  }
  return out;
}

/** Identifiers a subtree references (property names and declarations' own names excluded: over-approximation is fine). */
function referencedNames(node: ts.Node): Set<string> {
  const out = new Set<string>();
  const visit = (n: ts.Node) => {
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      const isPropName =
        (p && ts.isPropertyAccessExpression(p) && p.name === n) ||
        (p && (ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === n);
      if (!isPropName) out.add(n.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return out;
}

const isRequireOrImport = (stmt: ts.Statement) =>
  ts.isImportDeclaration(stmt) ||
  (ts.isVariableStatement(stmt) &&
    stmt.declarationList.declarations.every((d) => {
      let e = d.initializer;
      while (e && (ts.isPropertyAccessExpression(e) || (ts.isCallExpression(e) && !isRequireCall(e)))) e = ts.isPropertyAccessExpression(e) ? e.expression : e.expression;
      return !!e && ts.isCallExpression(e) && isRequireCall(e);
    }));

function isRequireCall(e: ts.CallExpression): boolean {
  return ts.isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments.length === 1 && ts.isStringLiteralLike(e.arguments[0]);
}

function parseModule(path: string, text: string): ParsedModule {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kindOf(path));
  const esm = sf.statements.some(
    (s) => ts.isImportDeclaration(s) || ts.isExportAssignment(s) || ts.isExportDeclaration(s) || (ts.canHaveModifiers(s) && !!ts.getModifiers(s)?.some((x) => x.kind === ts.SyntaxKind.ExportKeyword)),
  );
  const specExt = sf.statements.some((s) => ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && /^\..*\.js$/.test(s.moduleSpecifier.text)) ? '.js' : '';
  const ext = EXT.exec(path)![0];
  const templates: [number, number][] = [];
  const visit = (n: ts.Node) => {
    if (ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n)) templates.push([n.getStart(sf), n.getEnd()]);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  // Objects that route like Express: `express()`, `express.Router()`, `Router()` (a koa-router is created with `new`).
  const routers = new Set<string>();
  if (/['"]express['"]/.test(text)) {
    for (const s of sf.statements) {
      if (!ts.isVariableStatement(s)) continue;
      for (const d of s.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && ts.isCallExpression(d.initializer) && /^(express|(.*\.)?Router)$/.test(d.initializer.expression.getText(sf).replace(/^require\(['"]express['"]\)/, 'express'))) {
          routers.add(d.name.text);
        }
      }
    }
  }
  const used = new Set<string>(sf.statements.flatMap(declaredNames));
  const handlers: Handler[] = [];
  for (const s of sf.statements) {
    if (!ts.isExpressionStatement(s) || !ts.isCallExpression(s.expression)) continue;
    const call = s.expression;
    if (!ts.isPropertyAccessExpression(call.expression) || !ts.isIdentifier(call.expression.expression)) continue;
    const receiver = call.expression.expression.text;
    const method = call.expression.name.text;
    if (!routers.has(receiver) || !HTTP_METHODS.has(method) || call.arguments.length < 2) continue;
    const first = call.arguments[0];
    const last = call.arguments[call.arguments.length - 1];
    if (!ts.isStringLiteralLike(first) || !(ts.isArrowFunction(last) || ts.isFunctionExpression(last)) || !last.parameters.length) continue;
    handlers.push({ stmt: s, call, receiver, method, path: first.text, fn: last, name: handlerName(method, first.text, used) });
  }
  return { path, text, sf, esm, specExt, ext, handlers, templates };
}

/** Indent every line of [start, end) after the first by `by`, except lines that begin inside a template literal. */
function indented(m: ParsedModule, start: number, end: number, by = '  '): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const ch = m.text[i];
    out += ch;
    if (ch === '\n' && i + 1 < end && m.text[i + 1] !== '\n' && !m.templates.some(([a, b]) => a < i + 1 && i + 1 < b)) out += by;
  }
  return out;
}

/** The handler's body as a block, indented one level deeper than the original statement. */
function bodyBlock(m: ParsedModule, fn: Handler['fn']): string {
  const body = fn.body;
  if (ts.isBlock(body)) return indented(m, body.getStart(m.sf), body.getEnd());
  return `{\n    return ${indented(m, body.getStart(m.sf), body.getEnd(), '    ')};\n  }`;
}
const paramsText = (m: ParsedModule, fn: Handler['fn']) => fn.parameters.map((p) => p.getText(m.sf)).join(', ');
const isAsync = (fn: Handler['fn']) => !!fn.modifiers?.some((x) => x.kind === ts.SyntaxKind.AsyncKeyword);
const fnText = (m: ParsedModule, fn: Handler['fn']) => indented(m, fn.getStart(m.sf), fn.getEnd());
const wrapperParams = (n: number) => (n <= 3 ? ['req', 'res', 'next'].slice(0, n) : ['err', 'req', 'res', 'next']).join(', ');

function asFunctionExpression(m: ParsedModule, fn: Handler['fn']): string {
  if (ts.isFunctionExpression(fn)) return fnText(m, fn);
  return `${isAsync(fn) ? 'async ' : ''}function (${paramsText(m, fn)}) ${bodyBlock(m, fn)}`;
}

function moduleBase(path: string): string {
  const base = posix.basename(path).replace(EXT, '');
  return ['app', 'server', 'index', 'main'].includes(base) ? posix.basename(posix.dirname(path)) || 'app' : base;
}
function controllerClass(path: string): string {
  const b = pascal(moduleBase(path)) || 'App';
  return /^[A-Za-z]/.test(b) ? `${b}Controller` : `App${b}Controller`;
}

/** Insertion point before the first handler's statement, including its leading comments. */
const beforeFirst = (m: ParsedModule) => m.handlers[0].stmt.getFullStart();

// ------------------------------------------------------------------ same-module idioms

function rewriteInPlace(m: ParsedModule, idiom: Idiom): string | undefined {
  const cls = controllerClass(m.path);
  const inst = cls[0].toLowerCase() + cls.slice(1);
  const edits: Edit[] = [];
  const replaceFn = (h: Handler, text: string) => edits.push({ start: h.fn.getStart(m.sf), end: h.fn.getEnd(), text });
  // inserted right after the statement before the first route: the route's own leading blank line follows it
  const lead = '\n\n';
  switch (idiom) {
    case 'constructor-this': {
      const members = m.handlers.map((h) => `  this.${h.name} = ${fnText(m, h.fn)};`).join('\n');
      edits.push({ start: beforeFirst(m), end: beforeFirst(m), text: `${lead}function ${cls}() {\n${members}\n}\n\nconst ${inst} = new ${cls}();` });
      for (const h of m.handlers) replaceFn(h, `${inst}.${h.name}`);
      break;
    }
    case 'prototype-bind': {
      const members = m.handlers.map((h) => `${cls}.prototype.${h.name} = ${asFunctionExpression(m, h.fn).replace(/\n  /g, '\n')};\n`).join('\n');
      edits.push({ start: beforeFirst(m), end: beforeFirst(m), text: `${lead}function ${cls}() {}\n\n${members}\nconst ${inst} = new ${cls}();` });
      for (const h of m.handlers) replaceFn(h, `${inst}.${h.name}.bind(${inst})`);
      break;
    }
    case 'class-controller': {
      const members = m.handlers.map((h) => `  ${isAsync(h.fn) ? 'async ' : ''}${h.name}(${paramsText(m, h.fn)}) ${bodyBlock(m, h.fn)}`).join('\n\n');
      edits.push({ start: beforeFirst(m), end: beforeFirst(m), text: `${lead}class ${cls} {\n${members}\n}\n\nconst ${inst} = new ${cls}();` });
      for (const h of m.handlers) {
        const ps = wrapperParams(h.fn.parameters.length);
        replaceFn(h, `(${ps}) => ${inst}.${h.name}(${ps})`);
      }
      break;
    }
    case 'handler-factory': {
      // Dependencies the handler uses from module scope (constants and imports) are injected, the way factories
      // receive their services: `makeXHandler({ db, mailer })`.
      const constNames = new Set(
        m.sf.statements.flatMap((s) =>
          ts.isImportDeclaration(s) || (ts.isVariableStatement(s) && s.declarationList.flags & ts.NodeFlags.Const) ? declaredNames(s) : [],
        ),
      );
      const factories: string[] = [];
      for (const h of m.handlers) {
        const deps = [...referencedNames(h.fn.body)].filter((n) => constNames.has(n) && !['express', 'router', 'app'].includes(n) && n !== h.receiver);
        const factory = `make${pascal(h.name)}Handler`;
        const arg = deps.length ? `{ ${deps.join(', ')} }` : '';
        factories.push(`function ${factory}(${arg}) {\n  return ${fnText(m, h.fn)};\n}\n`);
        replaceFn(h, `${factory}(${arg})`);
      }
      edits.push({ start: beforeFirst(m), end: beforeFirst(m), text: `${lead}${factories.join('\n').trimEnd()}` });
      break;
    }
    case 'promise-then': {
      let any = false;
      for (const h of m.handlers) {
        const t = promiseHandler(m, h.fn);
        if (t === undefined) continue;
        any = true;
        replaceFn(h, t);
      }
      if (!any) return undefined;
      break;
    }
    default:
      throw new Error(`rewriteInPlace: ${idiom} is not a same-module idiom`);
  }
  return tidy(applyEdits(m.text, edits).replace(/\n\n\n+(\S)/g, '\n\n$1'));
}

// ------------------------------------------------------------------ promise chains

/** The first `await` of a statement that is evaluated unconditionally by it (not in a nested function or branch). */
function directAwait(stmt: ts.Statement): ts.AwaitExpression | undefined {
  if (!(ts.isVariableStatement(stmt) || ts.isExpressionStatement(stmt) || ts.isReturnStatement(stmt))) return undefined;
  let found: ts.AwaitExpression | undefined;
  const visit = (n: ts.Node) => {
    if (found || ts.isFunctionLike(n) || ts.isConditionalExpression(n)) return;
    if (ts.isBinaryExpression(n) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(n.operatorToken.kind)) {
      visit(n.left); // the right side runs conditionally: leave it (and the statement) alone
      return;
    }
    if (ts.isAwaitExpression(n)) {
      // depth-first: an await inside the awaited operand runs first
      visit(n.expression);
      if (!found) found = n;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(stmt);
  return found;
}

function containsAwait(n: ts.Node): boolean {
  let yes = false;
  const visit = (x: ts.Node) => {
    if (yes || ts.isFunctionLike(x)) return;
    if (ts.isAwaitExpression(x) || (ts.isForOfStatement(x) && x.awaitModifier)) yes = true;
    else ts.forEachChild(x, visit);
  };
  ts.forEachChild(n, visit);
  return yes;
}

/**
 * Re-expresses `A; const x = await E; R` as `A; return E.then((x) => { R });` (and an await inside a statement as
 * `E.then((value) => { <statement with value>; R })`); a try whose first statement awaits becomes `.then(…).catch(…)`.
 * Returns undefined when the statement list has no await it can hoist.
 */
function chain(m: ParsedModule, stmts: readonly ts.Statement[], depth: number): string | undefined {
  const ind = '  '.repeat(depth);
  const text = (s: ts.Node) => indentTo(m, s, depth);
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts[i];
    const before = stmts.slice(0, i).map((x) => ind + text(x)).join('\n');
    const rest = stmts.slice(i + 1);
    if (ts.isTryStatement(s) && !s.finallyBlock && s.catchClause && s.tryBlock.statements.length) {
      const a = directAwait(s.tryBlock.statements[0]);
      if (!a) continue;
      const inner = chain(m, s.tryBlock.statements, depth);
      if (inner === undefined) continue;
      const p = s.catchClause.variableDeclaration?.getText(m.sf) ?? '';
      const catchBody = indentTo(m, s.catchClause.block, depth);
      // `inner` starts with `return E.then(…)`: hang the catch on it
      const chained = inner.replace(/;\s*$/, '') + `.catch(${containsAwait(s.catchClause.block) ? 'async ' : ''}(${p}) => ${catchBody});`;
      const after = rest.length ? chainOrPlain(m, rest, depth) : '';
      if (after && !/^\s*$/.test(after)) return undefined; // statements after a try that returns would change meaning
      return [before, chained].filter(Boolean).join('\n');
    }
    const a = directAwait(s);
    if (!a) {
      if (containsAwait(s)) return undefined; // an await in a branch or loop: leave the handler async and untouched
      continue;
    }
    const operand = a.expression;
    let opText = operand.getText(m.sf);
    // a call is assumed to return a promise (what it was awaited for); anything else may be a plain value
    if (!ts.isCallExpression(operand)) opText = `Promise.resolve(${opText})`;
    let param = 'value';
    let head = '';
    const decl = ts.isVariableStatement(s) && s.declarationList.declarations.length === 1 ? s.declarationList.declarations[0] : undefined;
    if (decl && decl.initializer === a) param = decl.name.getText(m.sf);
    else if (ts.isExpressionStatement(s) && s.expression === a) param = '';
    else {
      // the awaited value takes the await's place in its statement
      const st = s.getStart(m.sf);
      head = applyEdits(m.text.slice(st, s.getEnd()), [{ start: a.getStart(m.sf), end: a.getEnd(), text: 'value' }], st);
      head = `${ind}  ${head.replace(/\n/g, `\n${ind}  `)}`;
    }
    const tail = rest.length ? chainOrPlain(m, rest, depth + 1) : '';
    const bodyLines = [head, tail].filter(Boolean).join('\n');
    const asyncCb = containsAwaitText(bodyLines) ? 'async ' : '';
    const cbParam = `(${param})`;
    const call = `${ind}return ${opText}.then(${asyncCb}${cbParam} => {\n${bodyLines}\n${ind}});`;
    return [before, call].filter(Boolean).join('\n');
  }
  return undefined;
}

const containsAwaitText = (t: string) => /\bawait\b/.test(t);

function chainOrPlain(m: ParsedModule, stmts: readonly ts.Statement[], depth: number): string {
  return chain(m, stmts, depth) ?? stmts.map((s) => '  '.repeat(depth) + indentTo(m, s, depth)).join('\n');
}

/** A node's text re-indented so that its first line sits at `depth` levels (the caller adds the first line's indent). */
function indentTo(m: ParsedModule, n: ts.Node, depth: number): string {
  const start = n.getStart(m.sf);
  const lineStart = m.text.lastIndexOf('\n', start - 1) + 1;
  const current = /^ */.exec(m.text.slice(lineStart, start))![0].length;
  const delta = depth * 2 - current;
  let out = '';
  const src = m.text.slice(start, n.getEnd());
  const lines = src.split('\n');
  let offset = start;
  lines.forEach((l, i) => {
    const inTemplate = m.templates.some(([a, b]) => a < offset && offset < b);
    if (i === 0 || inTemplate || !l.trim()) out += (i ? '\n' : '') + l;
    else out += '\n' + (delta >= 0 ? ' '.repeat(delta) + l : l.replace(new RegExp(`^ {0,${-delta}}`), ''));
    offset += l.length + 1;
  });
  return out;
}

function promiseHandler(m: ParsedModule, fn: Handler['fn']): string | undefined {
  if (!isAsync(fn) || !ts.isBlock(fn.body)) return undefined;
  const body = chain(m, fn.body.statements, 1);
  if (body === undefined) return undefined;
  // an await left at the handler's own level (before the first hoisted one) keeps the handler async
  const keepAsync = /(^|\n)  (?!\s)[^\n]*\bawait\b/.test(body);
  const head = ts.isArrowFunction(fn) ? `${keepAsync ? 'async ' : ''}(${paramsText(m, fn)}) =>` : `${keepAsync ? 'async ' : ''}function (${paramsText(m, fn)})`;
  return `${head} {\n${body}\n}`;
}

// ------------------------------------------------------------------ module-splitting idioms

function relSpecifier(m: ParsedModule, toFile: string): string {
  const rel = posix.relative(posix.dirname(m.path), toFile).replace(EXT, m.specExt);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** A statement's text for another module: relative require/import specifiers re-pointed from `to`'s directory. */
function movedStatementText(m: ParsedModule, s: ts.Statement, to: string): string {
  const edits: Edit[] = [];
  const visit = (n: ts.Node) => {
    const spec =
      (ts.isCallExpression(n) && isRequireCall(n) && n.arguments[0]) || (ts.isImportDeclaration(n) && n.moduleSpecifier) || undefined;
    if (spec && ts.isStringLiteralLike(spec) && spec.text.startsWith('.')) {
      const target = posix.normalize(posix.join(posix.dirname(m.path), spec.text));
      let rel = posix.relative(posix.dirname(to), target);
      if (!rel.startsWith('.')) rel = `./${rel}`;
      const q = spec.getText(m.sf)[0];
      edits.push({ start: spec.getStart(m.sf), end: spec.getEnd(), text: `${q}${rel}${q}` });
    }
    ts.forEachChild(n, visit);
  };
  visit(s);
  return applyEdits(m.text.slice(s.getFullStart(), s.getEnd()), edits, s.getFullStart()).replace(/^\n+/, '');
}

/**
 * Splits the module's top-level declarations between the original module and a new one that will hold `moved`
 * nodes: each side gets the declarations it references (transitively). A declaration both need is copied when it
 * only loads a module (require/import); shared module state cannot be split without changing meaning.
 */
function splitDeclarations(m: ParsedModule, moved: ts.Node[], stays: ts.Node[], exclude: Set<string>) {
  const decls = m.sf.statements.filter((s) => declaredNames(s).length);
  const byName = new Map<string, ts.Statement>();
  for (const s of decls) for (const n of declaredNames(s)) byName.set(n, s);
  const closure = (roots: ts.Node[]) => {
    const out = new Set<ts.Statement>();
    const work = roots.flatMap((r) => [...referencedNames(r)]);
    while (work.length) {
      const n = work.pop()!;
      const s = byName.get(n);
      if (!s || out.has(s) || exclude.has(n)) continue;
      out.add(s);
      work.push(...referencedNames(s));
    }
    return out;
  };
  const forMoved = closure(moved);
  // a declaration that stays is a root of the rest only if the moved code does not need it (its own name would
  // otherwise make it "used by the rest")
  const forRest = closure(stays.filter((s) => !(ts.isStatement(s as ts.Node) && forMoved.has(s as ts.Statement))));
  for (const s of forMoved) {
    if (forRest.has(s) && !isRequireOrImport(s)) return { ok: false as const, reason: `${m.path}: module state (${declaredNames(s).join(', ')}) is used both by the handlers and by the rest of the module` };
  }
  // Declarations neither side names (side effects such as `const app = express()` in the main file) stay put.
  const removeFromOriginal = [...forMoved].filter((s) => !forRest.has(s) && !exclude.has(declaredNames(s)[0]));
  return { ok: true as const, forMoved: decls.filter((s) => forMoved.has(s)), removeFromOriginal };
}

function freePath(files: Record<string, string>, wanted: string): string {
  if (!(wanted in files)) return wanted;
  for (let i = 2; ; i++) {
    const p = wanted.replace(EXT, (e) => `-${i}${e}`);
    if (!(p in files)) return p;
  }
}

function lastImportEnd(m: ParsedModule, before: number): number {
  let end = 0;
  for (const s of m.sf.statements) if (s.getStart(m.sf) < before && isRequireOrImport(s)) end = s.getEnd();
  return end;
}

function rewriteExports(m: ParsedModule, idiom: 'exports-object' | 'exports-property', files: Record<string, string>) {
  const dir = posix.dirname(m.path);
  const ctlDir = posix.basename(dir) === 'routes' ? posix.join(posix.dirname(dir), 'controllers') : posix.join(dir, 'controllers');
  const to = freePath(files, posix.join(ctlDir, `${moduleBase(m.path)}${m.ext}`));
  const moved = m.handlers.map((h) => h.fn);
  // the registrations stay, minus their handler functions
  const stays: ts.Node[] = [
    ...m.sf.statements.filter((s) => !m.handlers.some((h) => h.stmt === s)),
    ...m.handlers.flatMap((h) => [h.call.expression, ...h.call.arguments.slice(0, -1)]),
  ];
  const split = splitDeclarations(m, moved, stays, new Set(m.handlers.map((h) => h.receiver)));
  if (!split.ok) return split;
  const ctl = camel(moduleBase(m.path)) + 'Controller';
  const header = split.forMoved.map((s) => movedStatementText(m, s, to)).join('\n');
  let body: string;
  if (idiom === 'exports-object') {
    const members = m.handlers.map((h) => `  ${isAsync(h.fn) ? 'async ' : ''}${h.name}(${paramsText(m, h.fn)}) ${bodyBlock(m, h.fn)},`).join('\n\n');
    body = `${m.esm ? 'export default' : 'module.exports ='} {\n${members}\n};\n`;
  } else {
    body = m.handlers.map((h) => `${m.esm ? `export const ${h.name} =` : `exports.${h.name} =`} ${fnText(m, h.fn).replace(/\n  /g, '\n')};\n`).join('\n');
  }
  const controllerText = `${useStrict(m)}${header ? header + '\n\n' : ''}${body}`;
  const edits: Edit[] = [];
  for (const s of split.removeFromOriginal) edits.push({ start: s.getFullStart(), end: s.getEnd(), text: '' });
  for (const h of m.handlers) edits.push({ start: h.fn.getStart(m.sf), end: h.fn.getEnd(), text: `${ctl}.${h.name}` });
  const spec = relSpecifier(m, to);
  const importLine = m.esm
    ? idiom === 'exports-object' ? `import ${ctl} from '${spec}';` : `import * as ${ctl} from '${spec}';`
    : `const ${ctl} = require('${spec}');`;
  const at = lastImportEnd(m, beforeFirst(m));
  edits.push({ start: at, end: at, text: at ? `\n${importLine}` : `${importLine}\n` });
  return { ok: true as const, original: tidy(applyEdits(m.text, edits)), extra: { path: to, text: controllerText } };
}

function rewriteRouteFunction(m: ParsedModule, files: Record<string, string>) {
  const dir = posix.dirname(m.path);
  const isMain = ['app', 'server', 'index', 'main'].includes(posix.basename(m.path).replace(EXT, ''));
  const to = freePath(files, isMain ? posix.join(dir, 'routes', `index${m.ext}`) : posix.join(dir, `${moduleBase(m.path)}.routes${m.ext}`));
  // The route table: every top-level statement from the first registration to the last that is not a declaration
  // (middleware mounted between routes moves with them, so the order Express sees stays the same).
  const stmts = m.sf.statements;
  const first = stmts.indexOf(m.handlers[0].stmt);
  const last = stmts.indexOf(m.handlers[m.handlers.length - 1].stmt);
  const table: ts.Statement[] = stmts.slice(first, last + 1).filter((s) => ts.isExpressionStatement(s));
  const receivers = [...new Set(table.flatMap((s) => m.handlers.filter((h) => h.stmt === s).map((h) => h.receiver)))];
  if (table.some((s) => s.getText(m.sf).includes('listen('))) return { ok: false as const, reason: `${m.path}: the server starts between two routes` };
  const stays = stmts.filter((s) => !table.includes(s));
  const split = splitDeclarations(m, table, stays, new Set(receivers));
  if (!split.ok) return split;
  const fnName = `${camel(moduleBase(m.path))}Routes`;
  const header = split.forMoved.map((s) => movedStatementText(m, s, to)).join('\n');
  // each statement with its leading comments (a `// GET /x` note belongs to its route)
  const tableText = table.map((s) => '  ' + indented(m, s.getFullStart(), s.getEnd()).replace(/^\s+/, '')).join('\n\n');
  const fn = `function ${fnName}(${receivers.join(', ')}) {\n${tableText}\n}`;
  const routesText = `${useStrict(m)}${header ? header + '\n\n' : ''}${m.esm ? `export default ${fn}\n` : `module.exports = ${fn};\n`}`;
  const edits: Edit[] = [];
  for (const s of split.removeFromOriginal) edits.push({ start: s.getFullStart(), end: s.getEnd(), text: '' });
  table.forEach((s, i) => edits.push({ start: s.getFullStart(), end: s.getEnd(), text: i === 0 ? `\n\n${m.esm ? fnName : `require('${relSpecifier(m, to)}')`}(${receivers.join(', ')});` : '' }));
  if (m.esm) {
    const at = lastImportEnd(m, beforeFirst(m));
    edits.push({ start: at, end: at, text: `\nimport ${fnName} from '${relSpecifier(m, to)}';` });
  }
  return { ok: true as const, original: tidy(applyEdits(m.text, edits)), extra: { path: to, text: routesText } };
}

/** A new CommonJS module keeps the strict mode of the one it came from. */
const useStrict = (m: ParsedModule) => (!m.esm && /^\s*['"]use strict['"]/.test(m.text) ? "'use strict';\n\n" : '');

/** Removing statements leaves runs of blank lines: keep at most one, as a person would. */
const tidy = (t: string) => t.replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '');

// ------------------------------------------------------------------ the tree

/** Why a case has nothing to rewrite, read from its files (recorded as the skip reason). */
function whyNoHandlers(files: Record<string, string>): string {
  const all = Object.entries(files);
  const src = all.filter(([p]) => /\.(c|m)?[jt]sx?$/.test(p)).map(([, t]) => t).join('\n');
  const fw = (['hono', 'koa', 'fastify', 'next', 'socket.io', 'ws', 'react', '@nestjs/common'] as const).filter((f) => new RegExp(`from ['"]${f}[/'"]|require\\(['"]${f}['"]\\)`).test(src));
  if (fw.length) return `no Express route with an inline handler (framework: ${fw.join(', ')})`;
  if (!/['"]express['"]/.test(src)) return 'no HTTP server: not a request-handler case (library, configuration or client code)';
  return 'no Express route registered with an inline handler function';
}

export function rewriteTree(files: Record<string, string>, idiom: Idiom): RewriteResult {
  const origins: Record<string, string[]> = Object.fromEntries(Object.keys(files).map((p) => [p, [p]]));
  if (idiom === 'original') return { ok: true, files: { ...files }, origins, changed: [] };
  const modules = Object.keys(files)
    .filter(isModule)
    .map((p) => parseModule(p, files[p]))
    .filter((m) => m.handlers.length);
  if (!modules.length) return { ok: false, reason: whyNoHandlers(files) };
  const out = { ...files };
  const changed: string[] = [];
  const reasons: string[] = [];
  for (const m of modules) {
    if (idiom === 'exports-object' || idiom === 'exports-property' || idiom === 'route-function') {
      const r = idiom === 'route-function' ? rewriteRouteFunction(m, out) : rewriteExports(m, idiom, out);
      if (!r.ok) {
        reasons.push(r.reason);
        continue;
      }
      out[m.path] = r.original;
      out[r.extra.path] = r.extra.text;
      origins[r.extra.path] = [m.path];
      changed.push(m.path, r.extra.path);
    } else {
      const t = rewriteInPlace(m, idiom);
      if (t === undefined) {
        reasons.push(`${m.path}: no handler awaits a value at its top level`);
        continue;
      }
      out[m.path] = t;
      changed.push(m.path);
    }
  }
  if (!changed.length) return { ok: false, reason: reasons.join('; ') };
  return { ok: true, files: out, origins, changed };
}

/**
 * The route registrations of a module by "METHOD path" → the lines they start on. A finding reported at a
 * registration (an admin route without a guard) is found again at the registration with the same method and path.
 */
export function registrationLines(path: string, text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kindOf(path));
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && HTTP_METHODS.has(n.expression.name.text) && n.arguments.length >= 2 && ts.isStringLiteralLike(n.arguments[0])) {
      const key = `${n.expression.name.text} ${n.arguments[0].text}`;
      out.set(key, [...(out.get(key) ?? []), sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1]);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Syntax errors in rewritten JavaScript (a rewrite must produce code that parses). */
export function syntaxErrors(path: string, text: string): string[] {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kindOf(path));
  const diags = (sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return diags.map((d) => `${path}:${sf.getLineAndCharacterOfPosition(d.start).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
