// Code injection fix, only where it is mechanical: `eval('(' + json + ')')` parses data, so JSON.parse
// does the same job without executing anything.
import ts from 'typescript';
import { flattenString, type Edit } from './edit.js';

export function evalEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression): Edit[] | undefined {
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'eval' || call.arguments.length !== 1) return undefined;
  const arg = call.arguments[0];
  const parts = flattenString(arg);
  let data: ts.Expression | undefined;
  if (parts?.length === 3 && parts[0].kind === 'text' && parts[1].kind === 'expr' && parts[2].kind === 'text') {
    // eval('(' + x + ')') — the idiom for evaluating a JSON object literal.
    if (parts[0].text.trim() === '(' && parts[2].text.trim() === ')') data = parts[1].node;
  } else if (!parts && /json/i.test(arg.getText(sf))) data = arg;
  if (!data) return undefined;
  return [{ start: call.getStart(sf), end: call.getEnd(), text: `JSON.parse(${data.getText(sf)})` }];
}
