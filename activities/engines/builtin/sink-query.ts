// A small query API over the built-in engine's models, for other engines to corroborate their claims: which
// vulnerability class a CWE is, whether the engine models it, and which modelled sinks are called on given lines
// of a file. It reads the model tables and parses one file syntactically; the analysis core is not involved (the
// engine's flows are its candidates, which callers already hold).
import ts from 'typescript';
import { CHECK_RULES, RULES } from './models/rules.js';
import { SINKS } from './models/sinks.js';
import type { CalleeMatch, RuleId, SinkModel } from './models/types.js';

/** The dataflow class (one with sink models) a CWE names, or undefined when the engine models no sink for it. */
export function sinkRuleForCwe(cwe: string): RuleId | undefined {
  return (Object.values(RULES).find((r) => r.cwe === cwe)?.id) as RuleId | undefined;
}

/** Access-control and business-logic classes: no sink model, judged by a missing check (CHECK_RULES' access rows). */
const ACCESS_CONTROL_CWES = new Set(['CWE-862', 'CWE-863', 'CWE-639', 'CWE-285', 'CWE-284', 'CWE-915', 'CWE-602', 'CWE-352', 'CWE-307', 'CWE-348', 'CWE-840', 'CWE-841']);

export function isAccessControlCwe(cwe: string): boolean {
  return ACCESS_CONTROL_CWES.has(cwe);
}

/** The class's name for a CWE ("SQL injection"), from the engine's rule tables; undefined when unknown. */
export function classTitleForCwe(cwe: string): string | undefined {
  return Object.values(RULES).find((r) => r.cwe === cwe)?.title ?? Object.values(CHECK_RULES).find((r) => r.cwe === cwe)?.title;
}

export interface SinkOnLine {
  line: number;
  rule: RuleId;
  sinkId: string;
  label: string;
}

const ANALYSABLE = /\.(m|c)?(j|t)sx?$/;

function scriptKind(path: string): ts.ScriptKind {
  if (path.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (/\.[mc]?ts$/.test(path)) return ts.ScriptKind.TS;
  return ts.ScriptKind.JSX;
}

function lastName(e: ts.Expression): string {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isCallExpression(e)) return lastName(e.expression);
  if (ts.isParenthesizedExpression(e)) return lastName(e.expression);
  return '';
}

/** Whether a call named `method` on `receiver` (or a bare call of `method`) can be the callee a sink row names. */
function calleeMayMatch(m: CalleeMatch, method: string, receiver: string | undefined, fileText: string): boolean {
  if (m.kind === 'module') {
    // The module must be imported in the file; the member called by its last path name (`exec`, `cp.exec`).
    const imported = fileText.includes(`'${m.module}'`) || fileText.includes(`"${m.module}"`) || fileText.includes(`\`${m.module}\``);
    const last = m.path[m.path.length - 1];
    return imported && (last === '*' || last === method);
  }
  if (m.kind === 'global') {
    return m.path?.length ? receiver === m.name && m.path[m.path.length - 1] === method : receiver === undefined && m.name === method;
  }
  return m.methods.includes(method) && receiver !== undefined && (m.receiverNames?.test(receiver) ?? false);
}

/**
 * The modelled sinks called on lines `from`..`to` (1-based, inclusive) of a JavaScript/TypeScript file, matched
 * by callee name as the models name them (module members imported in the file, globals, methods on receivers
 * named as the model expects). Undefined when the engine cannot read the file's language.
 */
export function sinksOnLines(path: string, text: string, from: number, to: number): SinkOnLine[] | undefined {
  if (!ANALYSABLE.test(path)) return undefined;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(path));
  const found: SinkOnLine[] = [];
  const seen = new Set<string>();
  const consider = (node: ts.Node, method: string, receiver: string | undefined, property: boolean) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    if (line < from || line > to) return;
    for (const s of SINKS as SinkModel[]) {
      if (Boolean(s.property) !== property) continue;
      if (!calleeMayMatch(s.match, method, receiver, text)) continue;
      const key = `${line}|${s.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ line, rule: s.rule, sinkId: s.id, label: s.label });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee)) consider(node, callee.text, undefined, false);
      else if (ts.isPropertyAccessExpression(callee)) consider(node, callee.name.text, lastName(callee.expression) || undefined, false);
      else if (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression)) {
        consider(node, callee.argumentExpression.text, lastName(callee.expression) || undefined, false);
      }
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
      consider(node, node.left.name.text, lastName(node.left.expression) || undefined, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}
