// Shared by the non-flow checks: what a check reports (a PatternFinding), turning it into a Candidate,
// masking secrets, reading abstract values and small syntax helpers.
import { posix } from 'node:path';
import ts from 'typescript';
import { unwrapAwait, parses } from '../syntax.js';
import type { Candidate, Patch, SourceFiles, TraceStep } from '../../../../model.js';
import { mask } from '../../../../secrets/rules.js';
import { createUnifiedDiff } from '../../../../patches/create-diff.js';
import { looksLikeTest, shortHash } from '../../candidates.js';
import { ENV_READ } from '../../models/checks.js';
import { CHECK_RULES } from '../../models/rules.js';
import type { CheckRuleId } from '../../models/types.js';
import type { Site, Value } from '../../values.js';
import { isFunctionNode } from '../functions.js';
import type { JsProgram } from '../context.js';
import { applyEdits, type Edit } from '../patches/edit.js';
import type { CallRecord, Observations } from './observe.js';

export interface CheckContext {
  prog: JsProgram;
  obs: Observations;
  files: SourceFiles;
  /** Recorded calls in file/position order. */
  calls: CallRecord[];
}

export interface PatternFinding {
  rule: CheckRuleId;
  /** Where the weakness is (the literal, the call, the option). */
  site: Site;
  /** The file whose code makes the finding (reported only when it is in scope). */
  origin: string;
  /** One or two steps, last one the 'sink'. Snippets are filled in (and masked) here. */
  trace: Omit<TraceStep, 'snippet'>[];
  title: string;
  /** What was found, with the evidence; the rule's impact and fix are appended. */
  explanation: string;
  /** Files the result depends on besides the origin and the trace's files (package.json ...). */
  dependsOn?: string[];
  patch?: Patch;
  /** Why the finding may not hold (the verifier makes it uncertain). */
  caveat?: string;
  /** Secret text to mask in every field of the candidate. */
  secret?: string;
  /** Distinguishes findings at one site (a different weakness of the same call). */
  key?: string;
}


export { entropy, isPlaceholder, mask } from '../../../../secrets/rules.js';

/** `text` with every occurrence of `secret` (and of each of its lines, for multi-line keys) masked. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let out = text.split(secret).join(mask(secret));
  if (secret.includes('\n')) {
    for (const line of secret.split('\n')) if (line.trim().length >= 8 && !/^-----/.test(line.trim())) out = out.split(line.trim()).join('…');
  }
  return out;
}

const MASKED = /([\s\S]{0,4}?)…\((\d+) chars\)/g;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a (masked) snippet still describes `line`: each mask stands for any text of its length and prefix. */
export function snippetMatches(line: string, snippet: string): boolean {
  let re = '';
  let last = 0;
  for (const m of snippet.matchAll(MASKED)) {
    re += escapeRe(snippet.slice(last, m.index)) + escapeRe(m[1]) + `[\\s\\S]{${Math.max(0, Number(m[2]) - m[1].length)}}`;
    last = m.index! + m[0].length;
  }
  re += escapeRe(snippet.slice(last));
  return new RegExp(`^${re}$`).test(line);
}

export function lineAt(files: SourceFiles, file: string, line: number): string | undefined {
  const t = files.read(file)?.split('\n')[line - 1]?.trim();
  return t ? (t.length > 200 ? `${t.slice(0, 199)}…` : t) : undefined;
}

/** `text` with every one of `secrets` masked (longest first, so a secret containing another stays whole). */
export function redactAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = redact(out, s);
  return out;
}

/** `secrets`: every secret the checks found, masked in snippets wherever they appear (a line may hold two). */
export function toCandidate(f: PatternFinding, files: SourceFiles, engine: string, secrets: readonly string[] = []): Candidate {
  const rule = CHECK_RULES[f.rule];
  const trace: TraceStep[] = f.trace.map((s) => {
    const snippet = lineAt(files, s.file, s.line);
    return { ...s, label: redact(s.label, f.secret), ...(snippet ? { snippet: redactAll(redact(snippet, f.secret), secrets) } : {}) };
  });
  const dependsOn = [...new Set([f.origin, f.site.file, ...trace.map((s) => s.file), ...(f.dependsOn ?? [])])].sort();
  const c: Candidate = {
    id: shortHash(`${f.rule}|${f.site.file}:${f.site.line}:${f.site.column}|${f.origin}|${f.key ?? ''}`),
    engine,
    ruleId: rule.id,
    cwe: rule.cwe,
    title: redact(`${rule.title}: ${f.title}`, f.secret),
    location: { file: f.site.file, startLine: f.site.line, endLine: f.site.endLine ?? f.site.line, startColumn: f.site.column, endColumn: f.site.endColumn },
    origin: f.origin,
    trace,
    explanation: redact(`${f.explanation} ${rule.impact} Fix: ${rule.fix}`, f.secret),
    dependsOn,
    evidence: {
      analysis: 'pattern',
      inTestOrFixture: looksLikeTest(f.origin) || looksLikeTest(f.site.file),
      ...(f.caveat ? { caveat: redact(f.caveat, f.secret) } : {}),
      ...(f.secret !== undefined ? { containsSecret: true } : {}),
    },
  };
  if (f.patch) c.patch = f.patch;
  return c;
}

// ---------------------------------------------------------------- values

/** The literal a constant was written as (the interpreter keeps its node), with its site. */
export function literalOf(v: Value | undefined): { node: ts.Node; site: Site } | undefined {
  const node = v?.lit as ts.Node | undefined;
  if (!node) return undefined;
  const sf = node.getSourceFile();
  return { node, site: siteOfNode(sf, sf.fileName, node) };
}

/** The exact text of a value when it is known in full. */
export const knownText = (v: Value | undefined): string | undefined =>
  v?.text !== undefined && !v.text.includes('\u0000') ? v.text : undefined;

export const isConstant = (v: Value | undefined, ...texts: string[]) =>
  !!v?.constant && v.text !== undefined && texts.includes(v.text.toLowerCase());

/** A member of a value by path; '*' joins every element of an array. */
export function propAt(v: Value | undefined, path: string[]): Value[] {
  if (!v) return [];
  if (!path.length) return [v];
  const [head, ...rest] = path;
  if (!v.props) return [];
  if (head === '*') {
    const out: Value[] = [];
    for (const [k, p] of v.props) if (/^\d+$/.test(k)) out.push(...propAt(p, rest));
    if (!out.length && v.props.has('*')) out.push(...propAt(v.props.get('*'), rest));
    return out;
  }
  const p = v.props.get(head);
  return p ? propAt(p, rest) : [];
}

/** The value reads an environment variable (`process.env.X`), possibly joined with a literal default. */
export const readsEnv = (v: Value | undefined) =>
  (v?.ext ?? []).some((e) => e.module === ENV_READ.module && e.path[0] === ENV_READ.root && e.path[1] === ENV_READ.member);

// ---------------------------------------------------------------- syntax

export function siteOfNode(sf: ts.SourceFile, file: string, node: ts.Node): Site {
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  return { file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}

/** Checks read values through wrappers and `await` alike. */
export const strip = unwrapAwait;

/** The function (or file) a node is in. */
export function enclosingScope(n: ts.Node): ts.Node {
  for (let p = n.parent; p; p = p.parent) if (isFunctionNode(p) || ts.isSourceFile(p)) return p;
  return n.getSourceFile();
}

/** The initializer of the variable `name` declared somewhere under `scope` (the first declaration found). */
export function initializerOf(scope: ts.Node, name: string): ts.Expression | undefined {
  let init: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (init) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer) init = n.initializer;
    else ts.forEachChild(n, visit);
  };
  visit(scope);
  return init;
}

export function nameText(n: ts.Node | undefined): string | undefined {
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isPrivateIdentifier(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  if (ts.isPropertyAccessExpression(n)) return n.name.text;
  if (ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression)) return n.argumentExpression.text;
  return undefined;
}

/** The property `name` of an object literal. */
export function objectProp(obj: ts.Expression | undefined, name: string): ts.PropertyAssignment | ts.ShorthandPropertyAssignment | undefined {
  if (!obj) return undefined;
  const o = strip(obj);
  if (!ts.isObjectLiteralExpression(o)) return undefined;
  for (const p of o.properties) {
    if ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && nameText(p.name) === name) return p;
  }
  return undefined;
}

/** The statement directly inside a block or file that contains `n` (where a new statement can go before it). */
export function statementOf(n: ts.Node): ts.Statement | undefined {
  for (let p: ts.Node = n; p.parent; p = p.parent) {
    if ((ts.isBlock(p.parent) || ts.isSourceFile(p.parent) || ts.isCaseClause(p.parent) || ts.isDefaultClause(p.parent)) && ts.isStatement(p)) return p;
  }
  return undefined;
}

function indentAt(sf: ts.SourceFile, pos: number): string {
  const lineStart = sf.text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(sf.text.slice(lineStart))![0];
}

/**
 * Edits that replace `expr` (a literal, or `process.env.X || 'literal'`) with `process.env.<env>` and make the
 * program refuse to start without it: an explicit error beats silently running with a known value.
 */
export function envEdits(sf: ts.SourceFile, expr: ts.Node, env: string): Edit[] | undefined {
  let target: ts.Node = expr;
  const parent = expr.parent;
  if (parent && ts.isBinaryExpression(parent) && parent.right === expr && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(parent.operatorToken.kind)) target = parent;
  const st = statementOf(target);
  if (!st) return undefined;
  const start = st.getStart(sf);
  const indent = indentAt(sf, start);
  const check = `if (!process.env.${env}) {\n${indent}  throw new Error('${env} is not set: set it to a long random value from your secret store (e.g. openssl rand -hex 32)');\n${indent}}\n${indent}`;
  return [
    { start, end: start, text: check },
    { start: target.getStart(sf), end: target.getEnd(), text: `process.env.${env}` },
  ];
}

/** A patch from edits to one file, or undefined when the result would not parse. */
export function patchOf(sf: ts.SourceFile, file: string, edits: Edit[] | undefined, description: string): Patch | undefined {
  if (!edits?.length) return undefined;
  try {
    const after = applyEdits(sf.text, edits);
    if (after === sf.text || !parses(file, after)) return undefined;
    return { file, diff: createUnifiedDiff(file, sf.text, after), description };
  } catch {
    return undefined;
  }
}

/** The name the file binds a module to (`const crypto = require('crypto')`, `import crypto from 'node:crypto'`). */
export function moduleBindingName(prog: JsProgram, file: string, module: string): string | undefined {
  const mod = prog.modules.get(file);
  if (!mod) return undefined;
  for (const [name, b] of mod.imports) {
    if (b.target.kind === 'external' && b.target.module.replace(/^node:/, '') === module && (b.imported === 'default' || b.imported === 'namespace')) return name;
  }
  for (const st of mod.sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      const init = d.initializer && strip(d.initializer);
      if (ts.isIdentifier(d.name) && init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require') {
        const a = init.arguments[0];
        if (a && ts.isStringLiteralLike(a) && a.text.replace(/^node:/, '') === module) return d.name.text;
      }
    }
  }
  return undefined;
}

/** An edit that imports `module` as `name` after the file's last top-level import/require. */
export function importEdit(prog: JsProgram, file: string, module: string, name: string): Edit {
  const mod = prog.modules.get(file)!;
  const sf = mod.sf;
  let after = 0;
  for (const st of sf.statements) {
    const isImport = ts.isImportDeclaration(st) || (ts.isVariableStatement(st) && /\brequire\(/.test(st.getText(sf))) ||
      (ts.isExpressionStatement(st) && ts.isStringLiteral(st.expression));
    if (isImport) after = st.getEnd();
    else break;
  }
  const line = mod.esm ? `import ${name} from 'node:${module}';` : `const ${name} = require('${module}');`;
  return after ? { start: after, end: after, text: `\n${line}` } : { start: 0, end: 0, text: `${line}\n` };
}

// ---------------------------------------------------------------- manifests

/** The declared version range of `pkg` in the nearest package.json above `file`, and that manifest's path. */
export function declaredVersion(files: SourceFiles, file: string, pkg: string): { manifest?: string; range?: string } {
  let dir = posix.dirname(file);
  for (;;) {
    const manifest = dir === '.' || dir === '' ? 'package.json' : `${dir}/package.json`;
    const text = files.read(manifest);
    if (text !== undefined) {
      try {
        const json = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
        const range = json.dependencies?.[pkg] ?? json.devDependencies?.[pkg] ?? json.peerDependencies?.[pkg];
        if (range) return { manifest, range };
      } catch {
        // An unparsable manifest says nothing about versions.
      }
      if (dir === '.' || dir === '') return { manifest };
    }
    if (dir === '.' || dir === '' || dir === '/') return {};
    dir = posix.dirname(dir);
  }
}

/** The major version a range starts at ("^5.3.1" → 5), undefined for tags and URLs. */
export function majorOf(range: string | undefined): number | undefined {
  const m = range ? /^\s*[~^>=v]*\s*(\d+)/.exec(range) : null;
  return m ? Number(m[1]) : undefined;
}

export function isTestFile(path: string): boolean {
  return looksLikeTest(path);
}
