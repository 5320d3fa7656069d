// Mechanical fixes for the server sink classes:
//   yaml-safe-schema  yaml.load(x)                  → yaml.load(x, { schema: yaml.JSON_SCHEMA })
//   xml-no-entities   parseXml(x, { noent: true })  → parseXml(x, { noent: false })
//   regexp-escape     new RegExp('^' + q)           → new RegExp('^' + String(q).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
//   merge-key-guard   for (const k in src) { ... }  → for (const k in src) { if (k === '__proto__' || ...) continue; ... }
import ts from 'typescript';
import { parses } from '../syntax.js';
import type { Patch } from '../../../../model.js';
import { createUnifiedDiff } from '../../../../patches/create-diff.js';
import type { PatchKind } from '../../models/types.js';
import type { SinkHit } from '../../summaries.js';
import { isFunctionNode } from '../functions.js';
import { applyEdits, findCall, flattenString, indentOf, moduleBinding, type Edit } from './edit.js';

export type ServerPatchKind = 'yaml-safe-schema' | 'xml-no-entities' | 'regexp-escape' | 'merge-key-guard';

export const SERVER_PATCH_DESCRIPTIONS: Record<ServerPatchKind, string> = {
  'yaml-safe-schema': 'Parse the YAML with the JSON schema, which builds plain data only (no !!js/function or other JavaScript types).',
  'xml-no-entities': 'Turn entity substitution and DTD loading off, so the XML cannot pull in files or URLs.',
  'regexp-escape': 'Escape the request text before building the regular expression, so it matches literally.',
  'merge-key-guard': 'Skip the keys "__proto__", "constructor" and "prototype" when copying properties.',
};

export const isServerPatch = (k: PatchKind): k is ServerPatchKind => k in SERVER_PATCH_DESCRIPTIONS;

const ENTITY_OPTIONS = ['noent', 'dtdload', 'dtdvalid'];
const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype'];
const ESCAPE_REGEXP = '.replace(/[.*+?^${}()|[\\]\\\\]/g, \'\\\\$&\')';

function strip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) e = e.expression;
  return e;
}

function yamlEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression): Edit[] | undefined {
  if (!ts.isCallExpression(call)) return undefined;
  const c = strip(call.expression);
  const lib = ts.isPropertyAccessExpression(c) ? c.expression.getText(sf) : moduleBinding(sf, 'js-yaml');
  if (!lib) return undefined;
  const schema = `${lib}.JSON_SCHEMA`;
  const [data, options] = call.arguments;
  if (!data) return undefined;
  if (!options) return [{ start: data.getEnd(), end: data.getEnd(), text: `, { schema: ${schema} }` }];
  const o = strip(options);
  if (!ts.isObjectLiteralExpression(o)) return undefined;
  const existing = o.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'schema');
  if (existing && ts.isPropertyAssignment(existing)) return [{ start: existing.initializer.getStart(sf), end: existing.initializer.getEnd(), text: schema }];
  if (existing && ts.isShorthandPropertyAssignment(existing)) return [{ start: existing.getStart(sf), end: existing.getEnd(), text: `schema: ${schema}` }];
  const open = o.getStart(sf) + 1;
  return [{ start: open, end: open, text: o.properties.length ? ` schema: ${schema},` : ` schema: ${schema} ` }];
}

function xmlEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression): Edit[] | undefined {
  const edits: Edit[] = [];
  for (const a of (call.arguments ?? []).slice(1)) {
    const o = strip(a);
    if (!ts.isObjectLiteralExpression(o)) continue;
    for (const p of o.properties) {
      if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name) || !ENTITY_OPTIONS.includes(p.name.text)) continue;
      if (p.initializer.kind === ts.SyntaxKind.FalseKeyword) continue;
      edits.push({ start: p.initializer.getStart(sf), end: p.initializer.getEnd(), text: 'false' });
    }
  }
  return edits;
}

function regexpEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression, argIndex: number): Edit[] | undefined {
  const arg = call.arguments?.[argIndex];
  if (!arg || ts.isSpreadElement(arg)) return undefined;
  const escape = (e: ts.Expression): Edit => ({ start: e.getStart(sf), end: e.getEnd(), text: `String(${e.getText(sf)})${ESCAPE_REGEXP}` });
  const parts = flattenString(arg);
  if (!parts) return [escape(arg)];
  return parts.flatMap((p) => (p.kind === 'expr' ? [escape(p.node)] : []));
}

/** The assignment at `site` (the pollution hit's write). */
function assignmentAt(sf: ts.SourceFile, hit: SinkHit): ts.BinaryExpression | undefined {
  const pos = sf.getPositionOfLineAndCharacter(hit.site.line - 1, hit.site.column - 1);
  let found: ts.BinaryExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (found || n.getEnd() < pos || n.getStart(sf) > pos) return;
    if (ts.isBinaryExpression(n) && n.getStart(sf) === pos && ts.isElementAccessExpression(strip(n.left))) found = n;
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** The loop over keys that binds `name` (for-in/for-of variable, or a forEach callback's parameter). */
function keyLoop(from: ts.Node, name: string): { body: ts.Block; exit: string } | undefined {
  for (let p: ts.Node | undefined = from.parent; p; p = p.parent) {
    if ((ts.isForInStatement(p) || ts.isForOfStatement(p)) && ts.isVariableDeclarationList(p.initializer)) {
      const binds = p.initializer.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name);
      if (binds) return ts.isBlock(p.statement) ? { body: p.statement, exit: 'continue;' } : undefined;
    }
    if (isFunctionNode(p)) {
      const fn = p as ts.FunctionLikeDeclaration;
      const isParam = fn.parameters.some((x) => ts.isIdentifier(x.name) && x.name.text === name);
      if (isParam && fn.body && ts.isBlock(fn.body) && ts.isCallExpression(fn.parent)) return { body: fn.body, exit: 'return;' };
      return undefined;
    }
  }
  return undefined;
}

function keyGuardEdits(sf: ts.SourceFile, hit: SinkHit): Edit[] | undefined {
  const assignment = assignmentAt(sf, hit);
  if (!assignment) return undefined;
  const key = strip((strip(assignment.left) as ts.ElementAccessExpression).argumentExpression);
  if (!ts.isIdentifier(key)) return undefined;
  const loop = keyLoop(assignment, key.text);
  const first = loop?.body.statements[0];
  if (!loop || !first) return undefined;
  const test = POLLUTING_KEYS.map((k) => `${key.text} === '${k}'`).join(' || ');
  const indent = indentOf(sf, first);
  return [{ start: first.getStart(sf), end: first.getStart(sf), text: `if (${test}) ${loop.exit}\n${indent}` }];
}

export function buildServerPatch(sf: ts.SourceFile, path: string, hit: SinkHit & { patch: ServerPatchKind }): Patch | undefined {
  let edits: Edit[] | undefined;
  try {
    if (hit.patch === 'merge-key-guard') edits = keyGuardEdits(sf, hit);
    else {
      const call = findCall(sf, hit.site);
      if (!call) return undefined;
      if (hit.patch === 'yaml-safe-schema') edits = yamlEdits(sf, call);
      else if (hit.patch === 'xml-no-entities') edits = xmlEdits(sf, call);
      else edits = regexpEdits(sf, call, hit.argIndex);
    }
    if (!edits?.length) return undefined;
    const after = applyEdits(sf.text, edits);
    if (after === sf.text || !parses(path, after)) return undefined;
    return { file: path, diff: createUnifiedDiff(path, sf.text, after), description: SERVER_PATCH_DESCRIPTIONS[hit.patch] };
  } catch {
    return undefined; // overlapping or unexpected shapes: no mechanical fix
  }
}
