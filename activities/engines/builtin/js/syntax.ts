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
