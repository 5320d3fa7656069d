// Command injection fix: `exec(`cmd ${x}`, cb)` → `execFile('cmd', [x], cb)`: the program runs without a
// shell, so the input stays one argument. The import is adjusted (or the member renamed).
import ts from 'typescript';
import { flattenString, referenceCount, singleUseDeclaration, stringLiteral, type Edit, type Part } from './edit.js';
import { requireSpecifier } from '../modules.js';

const RENAME: Record<string, string> = { exec: 'execFile', execSync: 'execFileSync' };
const SHELL_META = /[|&;<>()$`\\*?{}[\]~#!]/;

/** Split the command line into argv tokens; undefined when shell syntax (pipes, globs ...) is used. */
function argv(parts: Part[], sf: ts.SourceFile): string[] | undefined {
  // Quotes that only wrap an interpolation ('${x}') are shell quoting: drop them.
  const ps: Part[] = parts.map((p) => ({ ...p }));
  for (let i = 1; i + 1 < ps.length; i++) {
    const a = ps[i - 1];
    const b = ps[i + 1];
    if (ps[i].kind !== 'expr' || a.kind !== 'text' || b.kind !== 'text') continue;
    const q = a.text.slice(-1);
    if ((q === "'" || q === '"') && b.text.startsWith(q)) {
      a.text = a.text.slice(0, -1);
      b.text = b.text.slice(1);
    }
  }
  const tokens: (string | ts.Expression)[][] = [[]];
  for (const p of ps) {
    if (p.kind === 'expr') {
      tokens[tokens.length - 1].push(p.node);
      continue;
    }
    if (SHELL_META.test(p.text) || /['"]/.test(p.text)) return undefined;
    const pieces = p.text.split(/(\s+)/);
    for (const piece of pieces) {
      if (/^\s+$/.test(piece)) tokens.push([]);
      else if (piece) tokens[tokens.length - 1].push(piece);
    }
  }
  const out = tokens.filter((t) => t.length).map((t) => {
    if (t.length === 1) return typeof t[0] === 'string' ? stringLiteral(t[0]) : t[0].getText(sf);
    return `\`${t.map((x) => (typeof x === 'string' ? x.replace(/[`\\]/g, '\\$&').replace(/\$\{/g, '\\${') : `\${${x.getText(sf)}}`)).join('')}\``;
  });
  return out;
}

export function commandEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression): Edit[] | undefined {
  if (!ts.isCallExpression(call) || !call.arguments.length) return undefined;
  const arg = call.arguments[0];
  let cmd: ts.Expression = arg;
  if (ts.isIdentifier(arg)) {
    const decl = singleUseDeclaration(arg);
    if (!decl?.initializer) return undefined;
    cmd = decl.initializer;
  }
  const parts = flattenString(cmd);
  if (!parts || parts[0].kind !== 'text') return undefined;
  const tokens = argv(parts, sf);
  if (!tokens || tokens.length < 2 || !/^['"]/.test(tokens[0])) return undefined; // the program name must be literal
  const [program, ...rest] = tokens;
  const edits: Edit[] = [];
  const callee = call.expression;
  let old: string;
  if (ts.isPropertyAccessExpression(callee)) {
    old = callee.name.text;
    if (!RENAME[old]) return undefined;
    edits.push({ start: callee.name.getStart(sf), end: callee.name.getEnd(), text: RENAME[old] });
  } else if (ts.isIdentifier(callee)) {
    old = callee.text;
    if (!RENAME[old]) return undefined;
    const importEdit = adjustImport(sf, old, RENAME[old]);
    if (!importEdit) return undefined;
    edits.push({ start: callee.getStart(sf), end: callee.getEnd(), text: RENAME[old] }, ...importEdit);
  } else return undefined;
  const newArgs = `${program}, [${rest.join(', ')}]`;
  if (cmd === arg) edits.push({ start: arg.getStart(sf), end: arg.getEnd(), text: newArgs });
  else {
    // `const cmd = ...; exec(cmd, cb)`: the call gets both arguments, the declaration goes.
    const decl = cmd.parent as ts.VariableDeclaration;
    const list = decl.parent as ts.VariableDeclarationList;
    if (list.declarations.length !== 1 || !ts.isVariableStatement(list.parent)) return undefined;
    const st = list.parent;
    const text = sf.text;
    const lineStart = text.lastIndexOf('\n', st.getStart(sf) - 1) + 1;
    const lineEnd = text.indexOf('\n', st.getEnd());
    const wholeLine = /^\s*$/.test(text.slice(lineStart, st.getStart(sf))) && /^\s*$/.test(text.slice(st.getEnd(), lineEnd < 0 ? text.length : lineEnd));
    edits.push(wholeLine ? { start: lineStart, end: lineEnd < 0 ? text.length : lineEnd + 1, text: '' } : { start: st.getStart(sf), end: st.getEnd(), text: '' });
    edits.push({ start: arg.getStart(sf), end: arg.getEnd(), text: newArgs });
  }
  return edits;
}

/** Make `replacement` available where `name` was imported from child_process. */
function adjustImport(sf: ts.SourceFile, name: string, replacement: string): Edit[] | undefined {
  const stillUsed = referenceCount(sf, name) > 2; // the binding and this call
  const alreadyThere = referenceCount(sf, replacement) > 0;
  const isCp = (s: string) => s.replace(/^node:/, '') === 'child_process';
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && isCp(st.moduleSpecifier.text)) {
      const nb = st.importClause?.namedBindings;
      if (!nb || !ts.isNamedImports(nb)) continue;
      const el = nb.elements.find((e) => e.name.text === name && !e.propertyName);
      if (!el) continue;
      if (alreadyThere) return [];
      return stillUsed ? [{ start: el.getEnd(), end: el.getEnd(), text: `, ${replacement}` }] : [{ start: el.getStart(sf), end: el.getEnd(), text: replacement }];
    }
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (!d.initializer || !ts.isObjectBindingPattern(d.name)) continue;
        const spec = ts.isCallExpression(d.initializer) ? requireSpecifier(d.initializer) : undefined;
        if (!spec || !isCp(spec)) continue;
        const el = d.name.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === name && !e.propertyName);
        if (!el) continue;
        if (alreadyThere) return [];
        return stillUsed ? [{ start: el.getEnd(), end: el.getEnd(), text: `, ${replacement}` }] : [{ start: el.getStart(sf), end: el.getEnd(), text: replacement }];
      }
    }
  }
  return undefined;
}
