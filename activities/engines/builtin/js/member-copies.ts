// `out[k] = src[k]` under a key the analysis does not know: a copy of src's members into out (re-exporting
// a module's functions, `for (k in defaults) opts[k] = defaults[k]`, building an index of handlers). Both
// sides use the same key, so whatever k runs over, each member of src lands under its own name in out.
import ts from 'typescript';
import { MAX_JOINED_MEMBERS } from '../access.js';
import type { Value } from '../values.js';
import type { Ctx } from './context.js';
import { accessPathText, unwrap } from './syntax.js';

/** The named members of src that `out[k] = src[k]` copies (none when the write is of another form). */
export function copiedMembers(ctx: Ctx, target: ts.ElementAccessExpression): [string, Value][] {
  const assignment = target.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.left !== target || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return [];
  const read = unwrap(assignment.right);
  if (!ts.isElementAccessExpression(read)) return [];
  const [k, k2] = [unwrap(target.argumentExpression), unwrap(read.argumentExpression)];
  if (!ts.isIdentifier(k) || !ts.isIdentifier(k2) || k.text !== k2.text) return [];
  // A plain path (`m`, `lib.parsers`): evaluating it again has no effect of its own.
  if (!accessPathText(read.expression)) return [];
  const src = ctx.eval(read.expression).props;
  if (!src || src.size > MAX_JOINED_MEMBERS + 1) return [];
  return [...src].filter(([name]) => name !== '*' && !/^\d+$/.test(name));
}
