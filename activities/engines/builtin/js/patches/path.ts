// Path traversal fix: resolve the path against its base directory and refuse it unless it stays inside
// (a 403 response when the handler's `res` is in scope, an exception otherwise).
import ts from 'typescript';
import {
  enclosingFunction,
  enclosingStatement,
  importInsertionPoint,
  indentOf,
  indentUnit,
  moduleBinding,
  namedImport,
  singleUseDeclaration,
  uniqueName,
  usesEsm,
  type Edit,
} from './edit.js';

/** `path.join(base..., input)` / `path.resolve(base..., input)`, or `join(...)` imported from path. */
function joinCall(sf: ts.SourceFile, e: ts.Expression, pathName: string | undefined): ts.CallExpression | undefined {
  if (!ts.isCallExpression(e) || e.arguments.length < 2) return undefined;
  if (e.arguments.some((a) => ts.isSpreadElement(a))) return undefined;
  const c = e.expression;
  if (ts.isPropertyAccessExpression(c)) {
    if (!['join', 'resolve'].includes(c.name.text) || !ts.isIdentifier(c.expression) || !pathName || c.expression.text !== pathName) return undefined;
    return e;
  }
  if (ts.isIdentifier(c)) {
    const imported = namedImport(sf, 'path', c.text);
    return imported === 'join' || imported === 'resolve' ? e : undefined;
  }
  return undefined;
}

function responseName(n: ts.Node): string | undefined {
  for (let fn = enclosingFunction(n); fn; fn = enclosingFunction(fn)) {
    const p = fn.parameters.find((x) => ts.isIdentifier(x.name) && /^(res|response)$/.test(x.name.text));
    if (p) return (p.name as ts.Identifier).text;
  }
  return undefined;
}

export function pathEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression, argIndex: number): Edit[] | undefined {
  const arg = call.arguments?.[argIndex];
  if (!arg) return undefined;
  const existing = moduleBinding(sf, 'path');
  const pathName = existing ?? uniqueName(sf, 'path');
  const edits: Edit[] = [];
  if (!existing) {
    const at = importInsertionPoint(sf);
    const line = usesEsm(sf) ? `import ${pathName} from 'node:path';` : `const ${pathName} = require('path');`;
    edits.push({ start: at, end: at, text: at === 0 ? `${line}\n` : `\n${line}` });
  }
  const base = uniqueName(sf, 'baseDir');
  const res = responseName(call);
  const rejectText = (indent: string) =>
    `${indent}${indentUnit(sf)}` + (res ? `return ${res}.status(403).send('Forbidden');` : `throw new Error('Refusing a path outside the allowed directory');`);

  // `const p = path.join(BASE, input); ... fs.readFile(p)`: confine where p is made.
  if (ts.isIdentifier(arg)) {
    const decl = singleUseDeclaration(arg) ?? declarationBefore(arg);
    const init = decl?.initializer && joinCall(sf, decl.initializer, existing);
    if (!decl || !init || !ts.isIdentifier(decl.name)) return undefined;
    const st = enclosingStatement(decl);
    if (!st || !ts.isVariableStatement(st) || st.declarationList.declarations.length !== 1) return undefined;
    const indent = indentOf(sf, st);
    const bases = init.arguments.slice(0, -1).map((a) => a.getText(sf)).join(', ');
    const input = init.arguments[init.arguments.length - 1].getText(sf);
    const name = decl.name.text;
    edits.push({ start: st.getStart(sf), end: st.getStart(sf), text: `const ${base} = ${pathName}.resolve(${bases});\n${indent}` });
    edits.push({ start: init.getStart(sf), end: init.getEnd(), text: `${pathName}.resolve(${base}, ${input})` });
    edits.push({
      start: st.getEnd(),
      end: st.getEnd(),
      text: `\n${indent}if (!${name}.startsWith(${base} + ${pathName}.sep)) {\n${rejectText(indent)}\n${indent}}`,
    });
    return edits;
  }
  // `fs.readFile(path.join(BASE, input))`: compute the confined path before the statement.
  const init = joinCall(sf, arg, existing);
  const st = enclosingStatement(call);
  if (!init || !st) return undefined;
  const indent = indentOf(sf, st);
  const safe = uniqueName(sf, 'safePath');
  const bases = init.arguments.slice(0, -1).map((a) => a.getText(sf)).join(', ');
  const input = init.arguments[init.arguments.length - 1].getText(sf);
  edits.push({
    start: st.getStart(sf),
    end: st.getStart(sf),
    text:
      `const ${base} = ${pathName}.resolve(${bases});\n` +
      `${indent}const ${safe} = ${pathName}.resolve(${base}, ${input});\n` +
      `${indent}if (!${safe}.startsWith(${base} + ${pathName}.sep)) {\n${rejectText(indent)}\n${indent}}\n${indent}`,
  });
  edits.push({ start: arg.getStart(sf), end: arg.getEnd(), text: safe });
  return edits;
}

/** The `const x = ...` declaration of `use` earlier in the same function, if `x` is never reassigned. */
function declarationBefore(use: ts.Identifier): ts.VariableDeclaration | undefined {
  const fn = enclosingFunction(use);
  if (!fn?.body) return undefined;
  let decl: ts.VariableDeclaration | undefined;
  let reassigned = false;
  const visit = (x: ts.Node): void => {
    if (ts.isVariableDeclaration(x) && ts.isIdentifier(x.name) && x.name.text === use.text && x.end <= use.getStart()) decl = x;
    if (ts.isBinaryExpression(x) && ts.isIdentifier(x.left) && x.left.text === use.text && x.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && x.operatorToken.kind <= ts.SyntaxKind.LastAssignment) reassigned = true;
    ts.forEachChild(x, visit);
  };
  visit(fn.body);
  return decl && !reassigned && (decl.parent.flags & ts.NodeFlags.Const) !== 0 ? decl : undefined;
}
