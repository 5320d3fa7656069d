// Module structure of one JS/TS file: what it imports (ESM, require, import = require, dynamic import),
// what it re-exports, and where each specifier resolves (a repository file or an external package).
import ts from 'typescript';
import { posix } from 'node:path';
import { EXTENSIONS } from './parse.js';

export type Target = { kind: 'file'; path: string } | { kind: 'external'; module: string };

export interface ImportBinding {
  target: Target;
  /** 'default', 'namespace', or the imported name. */
  imported: string;
}

export interface ReExport {
  target: Target;
  /** Exported name here (undefined for `export *`). */
  name?: string;
  /** Name in the target ('*' for `export * as ns`). */
  imported?: string;
}

export interface ModuleInfo {
  path: string;
  sf: ts.SourceFile;
  /** Uses ESM syntax (import/export declarations). */
  esm: boolean;
  imports: Map<string, ImportBinding>;
  reexports: ReExport[];
  /** Repository files this file imports directly. */
  deps: string[];
}

const TS_FOR_JS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

/** Normalise an external specifier: strip `node:`. */
export const externalModule = (spec: string) => (spec.startsWith('node:') ? spec.slice(5) : spec);

export function resolveSpecifier(from: string, spec: string, exists: (p: string) => boolean): Target {
  if (!spec.startsWith('.') && !spec.startsWith('/')) return { kind: 'external', module: externalModule(spec) };
  const base = spec.startsWith('/') ? posix.normalize(spec.slice(1)) : posix.join(posix.dirname(from), spec);
  const candidates: string[] = [base];
  const ext = posix.extname(base);
  // TypeScript sources import their siblings with the emitted extension ("./x.js" for x.ts).
  for (const alt of TS_FOR_JS[ext] ?? []) candidates.push(base.slice(0, -ext.length) + alt);
  for (const e of EXTENSIONS) candidates.push(base + e);
  for (const e of EXTENSIONS) candidates.push(`${base}/index${e}`);
  for (const c of candidates) if (c && !c.startsWith('..') && exists(c)) return { kind: 'file', path: c };
  return { kind: 'external', module: spec };
}

/** The literal specifier of `require('x')` / `import('x')`, if the call is one. */
export function requireSpecifier(node: ts.Node): string | undefined {
  if (!ts.isCallExpression(node) || node.arguments.length < 1) return undefined;
  const arg = node.arguments[0];
  if (!ts.isStringLiteralLike(arg)) return undefined;
  if (node.expression.kind === ts.SyntaxKind.ImportKeyword) return arg.text;
  if (ts.isIdentifier(node.expression) && node.expression.text === 'require') return arg.text;
  return undefined;
}

export function readModule(path: string, sf: ts.SourceFile, exists: (p: string) => boolean): ModuleInfo {
  const imports = new Map<string, ImportBinding>();
  const reexports: ReExport[] = [];
  const deps = new Set<string>();
  let esm = false;
  const resolve = (spec: string) => {
    const t = resolveSpecifier(path, spec, exists);
    if (t.kind === 'file') deps.add(t.path);
    return t;
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      esm = true;
      const target = resolve(st.moduleSpecifier.text);
      const clause = st.importClause;
      if (!clause) continue;
      if (clause.name) imports.set(clause.name.text, { target, imported: 'default' });
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) imports.set(nb.name.text, { target, imported: 'namespace' });
      if (nb && ts.isNamedImports(nb)) {
        for (const el of nb.elements) imports.set(el.name.text, { target, imported: (el.propertyName ?? el.name).text });
      }
    } else if (ts.isExportDeclaration(st)) {
      esm = true;
      if (!st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      const target = resolve(st.moduleSpecifier.text);
      const clause = st.exportClause;
      if (!clause) reexports.push({ target });
      else if (ts.isNamespaceExport(clause)) reexports.push({ target, name: clause.name.text, imported: '*' });
      else for (const el of clause.elements) reexports.push({ target, name: el.name.text, imported: (el.propertyName ?? el.name).text });
    } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference)) {
      const e = st.moduleReference.expression;
      if (ts.isStringLiteral(e)) imports.set(st.name.text, { target: resolve(e.text), imported: 'namespace' });
    } else if (ts.isExportAssignment(st) || hasExportModifier(st)) {
      esm = true;
    }
  }
  // require()/import() anywhere in the file.
  const visit = (n: ts.Node): void => {
    const spec = requireSpecifier(n);
    if (spec !== undefined) resolve(spec);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { path, sf, esm, imports, reexports, deps: [...deps].sort() };
}

function hasExportModifier(n: ts.Node): boolean {
  return ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}
