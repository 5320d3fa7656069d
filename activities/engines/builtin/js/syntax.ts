// Small syntax helpers shared by the JS/TS front end's modules.
import ts from 'typescript';

/** The expression under parentheses, `!`, `as T` and `<T>x`: what the value is, whatever TypeScript says of it. */
export function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

/** `unwrap`, and through `await` too (for the analysis an awaited promise is its value). */
export function unwrapAwait(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
  return e;
}

/** The text still parses as JS/TS (no syntax error): an edit that breaks the file is no patch. */
export function parses(path: string, text: string): boolean {
  const out = ts.transpileModule(text, { fileName: path, reportDiagnostics: true, compilerOptions: { allowJs: true, jsx: ts.JsxEmit.Preserve } });
  return !(out.diagnostics ?? []).some((d) => d.category === ts.DiagnosticCategory.Error);
}

/** Pure access chains (`req.query.file`) can carry refinements from guards. */
export function accessPathText(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (e.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(e)) {
    const base = accessPathText(e.expression);
    return base === undefined ? undefined : `${base}.${e.name.text}`;
  }
  if (ts.isParenthesizedExpression(e)) return accessPathText(e.expression);
  return undefined;
}
