// Mechanical fixes for the web classes:
//   xss            each interpolated value is HTML-escaped (escape-html when the file has it, else a local function)
//   open-redirect  the target is kept only when it is a same-site path ("/x", not "//host" or "/\host")
//   log-injection  CR, LF and other control characters are removed from interpolated values
//   nosql          filter values read from the request are coerced to strings, so they cannot be operator objects
import ts from 'typescript';
import type { Site } from '../../values.js';
import { accessPathText } from '../syntax.js';
import {
  enclosingStatement,
  flattenString,
  importInsertionPoint,
  indentOf,
  moduleBinding,
  singleUseDeclaration,
  uniqueName,
  type Edit,
} from './edit.js';

function strip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
  return e;
}

const isLiteral = (e: ts.Expression) => {
  const s = strip(e);
  return ts.isStringLiteralLike(s) || ts.isNumericLiteral(s) || s.kind === ts.SyntaxKind.TrueKeyword || s.kind === ts.SyntaxKind.FalseKeyword || s.kind === ts.SyntaxKind.NullKeyword;
};

/**
 * Wrap every interpolated value of the string built at `arg` (or of the single-use variable it names) with
 * `wrap`; a value that is not a string build is wrapped whole.
 */
function wrapParts(sf: ts.SourceFile, arg: ts.Expression, wrap: (text: string) => string): Edit[] | undefined {
  let target = arg;
  if (ts.isIdentifier(arg)) {
    const decl = singleUseDeclaration(arg);
    if (decl?.initializer && flattenString(decl.initializer)) target = decl.initializer;
  }
  const parts = flattenString(target);
  // A request member passed as is (`req.query.name`): wrap it whole. Other values (a page built by a
  // function) may be markup on purpose, so there is no mechanical fix.
  if (!parts) return ts.isPropertyAccessExpression(strip(arg)) || ts.isElementAccessExpression(strip(arg)) ? [{ start: arg.getStart(sf), end: arg.getEnd(), text: wrap(arg.getText(sf)) }] : undefined;
  const edits: Edit[] = [];
  for (const p of parts) {
    if (p.kind !== 'expr' || isLiteral(p.node)) continue;
    edits.push({ start: p.node.getStart(sf), end: p.node.getEnd(), text: wrap(p.node.getText(sf)) });
  }
  return edits.length ? edits : undefined;
}

const isTs = (sf: ts.SourceFile) => /\.[cm]?tsx?$/.test(sf.fileName);

/** A top-level helper inserted after the imports (function declarations are hoisted). */
function helperEdit(sf: ts.SourceFile, text: string): Edit {
  const at = importInsertionPoint(sf);
  return { start: at, end: at, text: at === 0 ? `${text}\n\n` : `\n\n${text}` };
}

export function htmlEscapeEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression, argIndex: number): Edit[] | undefined {
  const arg = call.arguments?.[argIndex];
  return arg && escapeValueEdits(sf, arg);
}

/** `ctx.body = <html>` at `site`: escape the assigned value. */
export function assignedHtmlEdits(sf: ts.SourceFile, site: Site): Edit[] | undefined {
  const pos = sf.getPositionOfLineAndCharacter(site.line - 1, site.column - 1);
  let found: ts.BinaryExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (found || n.getEnd() < pos || n.getStart(sf) > pos) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && n.getStart(sf) === pos) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(sf);
  return found && escapeValueEdits(sf, found.right);
}

function escapeValueEdits(sf: ts.SourceFile, arg: ts.Expression): Edit[] | undefined {
  const existing = moduleBinding(sf, 'escape-html');
  const name = existing ?? uniqueName(sf, 'escapeHtml');
  const edits = wrapParts(sf, arg, (t) => `${name}(${t})`);
  if (!edits) return undefined;
  if (!existing) {
    const param = isTs(sf) ? 'value: unknown): string' : 'value)';
    edits.push(
      helperEdit(
        sf,
        `/** Encodes text for HTML element content and quoted attributes. */\nfunction ${name}(${param} {\n` +
          `  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');\n}`,
      ),
    );
  }
  return edits;
}

/** Same-site paths only: one leading "/", not followed by "/" or "\", and no whitespace (browsers drop tabs). */
const LOCAL_PATH = '/^\\/(?![\\/\\\\\\s])\\S*$/';

export function redirectEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression, argIndex: number): Edit[] | undefined {
  const arg = call.arguments?.[argIndex];
  if (!arg) return undefined;
  const guarded = (x: string) => `typeof ${x} === 'string' && ${LOCAL_PATH}.test(${x}) ? ${x} : '/'`;
  if (accessPathText(strip(arg))) {
    const x = arg.getText(sf);
    return [{ start: arg.getStart(sf), end: arg.getEnd(), text: guarded(x) }];
  }
  // A computed target: evaluate it once, before the statement.
  const st = enclosingStatement(call);
  if (!st) return undefined;
  const indent = indentOf(sf, st);
  const name = uniqueName(sf, 'target');
  return [
    { start: st.getStart(sf), end: st.getStart(sf), text: `const ${name} = ${arg.getText(sf)};\n${indent}` },
    { start: arg.getStart(sf), end: arg.getEnd(), text: guarded(name) },
  ];
}

export function logStripEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression, argIndex: number): Edit[] | undefined {
  const arg = call.arguments?.[argIndex];
  if (!arg) return undefined;
  return wrapParts(sf, arg, (t) => `String(${t}).replace(/[\\u0000-\\u001f\\u007f\\u2028\\u2029]/g, ' ')`);
}

export function nosqlCoerceEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression, argIndex: number): Edit[] | undefined {
  let arg = call.arguments?.[argIndex];
  if (!arg) return undefined;
  if (ts.isIdentifier(arg)) {
    const decl = singleUseDeclaration(arg);
    if (!decl?.initializer) return undefined;
    arg = decl.initializer;
  }
  const filter = strip(arg);
  if (!ts.isObjectLiteralExpression(filter)) return undefined;
  const edits: Edit[] = [];
  for (const p of filter.properties) {
    const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
    if (key === undefined || key.startsWith('$')) continue; // operators ($where, $or ...) are not plain values
    if (ts.isShorthandPropertyAssignment(p)) edits.push({ start: p.getStart(sf), end: p.getEnd(), text: `${key}: String(${key})` });
    else if (ts.isPropertyAssignment(p) && accessPathText(strip(p.initializer))) {
      edits.push({ start: p.initializer.getStart(sf), end: p.initializer.getEnd(), text: `String(${p.initializer.getText(sf)})` });
    }
  }
  return edits.length ? edits : undefined;
}
