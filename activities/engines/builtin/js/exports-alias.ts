// CommonJS modules that name their exports object: `var api = module.exports = {}` (also through
// `exports = module.exports = …`) or `module.exports = api` at the top level. Members assigned later with
// `api.fn = …` are exports too, though the value module.exports was given was the object before them.
import ts from 'typescript';
import { unwrap as strip } from './syntax.js';

const isModuleExports = (e: ts.Expression): boolean => {
  const s = strip(e);
  return ts.isPropertyAccessExpression(s) && ts.isIdentifier(s.expression) && s.expression.text === 'module' && s.name.text === 'exports';
};

/** Whether `e` is an assignment chain that stores into module.exports (`module.exports = x`, `exports = module.exports = x`). */
function storesModuleExports(e: ts.Expression): boolean {
  const s = strip(e);
  if (!ts.isBinaryExpression(s) || s.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  return isModuleExports(s.left) || storesModuleExports(s.right);
}

const cache = new WeakMap<ts.SourceFile, Set<string>>();

/** The top-level names of `sf` bound to its module.exports object. */
export function exportsAliases(sf: ts.SourceFile): Set<string> {
  let out = cache.get(sf);
  if (out) return out;
  out = new Set();
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer && storesModuleExports(d.initializer)) out.add(d.name.text);
    } else if (ts.isExpressionStatement(st)) {
      const e = strip(st.expression);
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && isModuleExports(e.left) && ts.isIdentifier(strip(e.right))) out.add((strip(e.right) as ts.Identifier).text);
    }
  }
  cache.set(sf, out);
  return out;
}
