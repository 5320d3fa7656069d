// Where a node is, for findings and trace steps: its site (file, line, column range), a short text of it,
// and a trace step labelled at it. Shared by the interpreter and its plug-ins.
import ts from 'typescript';
import type { TraceStep } from '../../../model.js';
import type { Site } from '../values.js';
import type { ModuleInfo } from './modules.js';

export function siteOf(ctx: { sf: ts.SourceFile; mod: ModuleInfo }, node: ts.Node): Site {
  const start = ctx.sf.getLineAndCharacterOfPosition(node.getStart(ctx.sf));
  const end = ctx.sf.getLineAndCharacterOfPosition(node.getEnd());
  return { file: ctx.mod.path, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}

export function textOf(ctx: { sf: ts.SourceFile }, node: ts.Node, max = 48): string {
  const t = node.getText(ctx.sf).replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function step(ctx: { sf: ts.SourceFile; mod: ModuleInfo }, node: ts.Node, label: string): TraceStep {
  const s = siteOf(ctx, node);
  return { kind: 'step', file: s.file, line: s.line, column: s.column, label };
}
