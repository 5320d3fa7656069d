// Small syntax helpers for patch builders: locating nodes, reading string-building expressions, and
// applying text edits.
import ts from 'typescript';
import type { Site } from '../../values.js';
import { isFunctionNode } from '../functions.js';
import { requireSpecifier } from '../modules.js';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

/** The call (or `new`) expression starting at `site`. */
export function findCall(sf: ts.SourceFile, site: Site): ts.CallExpression | ts.NewExpression | undefined {
  const pos = sf.getPositionOfLineAndCharacter(site.line - 1, site.column - 1);
  let found: ts.CallExpression | ts.NewExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (found || n.getEnd() < pos || n.getStart(sf) > pos) return;
    if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && n.getStart(sf) === pos) {
      const endPos = site.endLine && site.endColumn ? sf.getPositionOfLineAndCharacter(site.endLine - 1, site.endColumn - 1) : undefined;
      if (endPos === undefined || n.getEnd() === endPos) {
        found = n;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

export function enclosingFunction(n: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFunctionNode(p)) return p as ts.FunctionLikeDeclaration;
  return undefined;
}

/** The statement containing `n` that sits directly in a block (where new statements can go). */
export function enclosingStatement(n: ts.Node): ts.Statement | undefined {
  for (let p: ts.Node = n; p.parent; p = p.parent) {
    if (isFunctionNode(p)) return undefined;
    if ((ts.isBlock(p.parent) || ts.isSourceFile(p.parent) || ts.isCaseClause(p.parent) || ts.isDefaultClause(p.parent)) && ts.isStatement(p as ts.Node)) return p as ts.Statement;
  }
  return undefined;
}

export function indentOf(sf: ts.SourceFile, n: ts.Node): string {
  const text = sf.text;
  const start = n.getStart(sf);
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, start))![0];
}

/** Detect the file's indentation unit (two spaces unless it clearly uses four or tabs). */
export function indentUnit(sf: ts.SourceFile): string {
  if (/\n\t/.test(sf.text)) return '\t';
  return /\n {4}\S/.test(sf.text) && !/\n {2}\S/.test(sf.text) ? '    ' : '  ';
}

export type Part = { kind: 'text'; text: string } | { kind: 'expr'; node: ts.Expression };

/** A string built by `+` or a template literal, as literal text and expressions; undefined otherwise. */
export function flattenString(e: ts.Expression): Part[] | undefined {
  const parts: Part[] = [];
  const walk = (x: ts.Expression): void => {
    while (ts.isParenthesizedExpression(x)) x = x.expression;
    if (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x)) parts.push({ kind: 'text', text: x.text });
    else if (ts.isTemplateExpression(x)) {
      parts.push({ kind: 'text', text: x.head.text });
      for (const s of x.templateSpans) {
        parts.push({ kind: 'expr', node: s.expression });
        parts.push({ kind: 'text', text: s.literal.text });
      }
    } else if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      walk(x.left);
      walk(x.right);
    } else parts.push({ kind: 'expr', node: x });
  };
  walk(e);
  if (!parts.some((p) => p.kind === 'text') || !parts.some((p) => p.kind === 'expr')) return undefined;
  // Merge adjacent texts.
  const merged: Part[] = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (p.kind === 'text' && last?.kind === 'text') merged[merged.length - 1] = { kind: 'text', text: last.text + p.text };
    else if (!(p.kind === 'text' && p.text === '')) merged.push(p);
  }
  return merged;
}

function countRefs(root: ts.Node, name: string): number {
  let n = 0;
  const visit = (x: ts.Node): void => {
    if (ts.isIdentifier(x) && x.text === name && !(ts.isPropertyAccessExpression(x.parent) && x.parent.name === x)) n++;
    ts.forEachChild(x, visit);
  };
  visit(root);
  return n;
}

/**
 * `const sql = <init>` in the same function, before `use`, and `sql` used only there: the declaration
 * we may rewrite together with the use.
 */
export function singleUseDeclaration(use: ts.Identifier): ts.VariableDeclaration | undefined {
  const fn = enclosingFunction(use);
  const scope: ts.Node = fn ?? use.getSourceFile();
  let decl: ts.VariableDeclaration | undefined;
  const visit = (x: ts.Node): void => {
    if (ts.isVariableDeclaration(x) && ts.isIdentifier(x.name) && x.name.text === use.text && x.initializer && x.end <= use.getStart()) decl = x;
    ts.forEachChild(x, visit);
  };
  visit(scope);
  if (!decl) return undefined;
  // Exactly two references: the declaration name and the use.
  return countRefs(scope, use.text) === 2 ? decl : undefined;
}

export function referenceCount(sf: ts.SourceFile, name: string): number {
  return countRefs(sf, name);
}

/** Module specifiers the file imports or requires. */
export function importedModules(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    const spec = requireSpecifier(n);
    if (spec) out.push(spec);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out.map((s) => s.replace(/^node:/, ''));
}

export function usesEsm(sf: ts.SourceFile): boolean {
  return sf.statements.some((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s));
}

/** The local name bound to a module (`const path = require('path')`, `import path from 'node:path'`). */
export function moduleBinding(sf: ts.SourceFile, module: string): string | undefined {
  const is = (spec: string) => spec.replace(/^node:/, '') === module;
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && is(st.moduleSpecifier.text)) {
      const c = st.importClause;
      if (c?.name) return c.name.text;
      if (c?.namedBindings && ts.isNamespaceImport(c.namedBindings)) return c.namedBindings.name.text;
    }
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && ts.isCallExpression(d.initializer) && requireSpecifier(d.initializer) !== undefined && is(requireSpecifier(d.initializer)!)) {
          return d.name.text;
        }
      }
    }
  }
  return undefined;
}

/** Where a new top-level import/require goes: after the last one, or at the top. */
export function importInsertionPoint(sf: ts.SourceFile): number {
  let pos = 0;
  for (const st of sf.statements) {
    const isImport =
      ts.isImportDeclaration(st) ||
      (ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => d.initializer && requireSpecifier(d.initializer) !== undefined));
    if (isImport) pos = st.getEnd();
    else if (pos) break;
  }
  if (pos === 0) {
    // Keep 'use strict' and a leading comment block first.
    const first = sf.statements[0];
    if (first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression)) return first.getEnd();
  }
  return pos;
}

/** `base`, or `base2`, `base3` ... whichever no identifier in the file uses. */
export function uniqueName(sf: ts.SourceFile, base: string): string {
  const used = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) used.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}${i}`;
  return name;
}

/** A string literal in the file's quote style that needs no escaping when possible. */
export function stringLiteral(text: string, preferBacktick = false): string {
  if (preferBacktick || text.includes('\n')) return `\`${text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``;
  if (!text.includes("'")) return `'${text.replace(/\\/g, '\\\\')}'`;
  if (!text.includes('"')) return `"${text.replace(/\\/g, '\\\\')}"`;
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The imported name behind a local binding from `module` (`import { join as j } from 'path'` → "join"). */
export function namedImport(sf: ts.SourceFile, module: string, local: string): string | undefined {
  const is = (spec: string) => spec.replace(/^node:/, '') === module;
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && is(st.moduleSpecifier.text)) {
      const nb = st.importClause?.namedBindings;
      if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) if (el.name.text === local) return (el.propertyName ?? el.name).text;
    }
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const spec = d.initializer && ts.isCallExpression(d.initializer) ? requireSpecifier(d.initializer) : undefined;
        if (!spec || !is(spec) || !ts.isObjectBindingPattern(d.name)) continue;
        for (const el of d.name.elements) {
          if (ts.isIdentifier(el.name) && el.name.text === local) return el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : local;
        }
      }
    }
  }
  return undefined;
}
