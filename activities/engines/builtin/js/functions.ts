// The functions of a file and the names each declares: enough scoping to tell a local from a captured
// variable from a module-level binding, without a binder or type checker.
import ts from 'typescript';

export type FnNode =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

export interface FunctionInfo {
  id: string;
  node: FnNode | ts.SourceFile;
  file: string;
  name: string;
  params: readonly ts.ParameterDeclaration[];
  /** Names declared directly in this function (parameters, variables, inner function and class names). */
  declared: Set<string>;
  /** Declared names bound to a function or class declaration (hoisted). */
  hoisted: Map<string, ts.FunctionDeclaration | ts.ClassDeclaration>;
  /** `const f = () => ...`: names bound once to a function expression (closures calling them resolve directly). */
  constFunctions: Map<string, ts.ArrowFunction | ts.FunctionExpression>;
  parent?: FunctionInfo;
  isModule: boolean;
  /** Assigns a field of its own `this` (`this.x = ...`): its summary has a thisOut worth reading at `new`. */
  assignsThis?: boolean;
}

/**
 * How many argument slots a function that reads `arguments` is treated as having: variadic helpers
 * (`extend(deep, target, ...sources)` written with `arguments`) declare fewer parameters than they take.
 */
export const ARGUMENT_SLOTS = 4;

const argumentsUse = new WeakMap<ts.Node, boolean>();

/** Whether a (non-arrow) function reads its own `arguments` object (not that of a nested function). */
export function readsArguments(node: ts.Node): boolean {
  if (ts.isArrowFunction(node) || ts.isSourceFile(node)) return false;
  let known = argumentsUse.get(node);
  if (known !== undefined) return known;
  const fn = node as FnNode;
  known = false;
  const body = fn.body;
  // Cheap text test first: most functions never mention the word.
  if (body && /\barguments\b/.test(body.getText())) {
    const visit = (n: ts.Node): void => {
      if (known) return;
      if (ts.isIdentifier(n) && n.text === 'arguments' && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) known = true;
      else if (!isFunctionNode(n) || ts.isArrowFunction(n)) ts.forEachChild(n, visit);
    };
    visit(body);
  }
  argumentsUse.set(node, known);
  return known;
}

export const isFunctionNode = (n: ts.Node): n is FnNode =>
  ts.isFunctionDeclaration(n) ||
  ts.isFunctionExpression(n) ||
  ts.isArrowFunction(n) ||
  ts.isMethodDeclaration(n) ||
  ts.isConstructorDeclaration(n) ||
  ts.isGetAccessorDeclaration(n) ||
  ts.isSetAccessorDeclaration(n);

export function bindingNames(name: ts.BindingName, out: string[] = []): string[] {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
  return out;
}

/** A readable name for a function: its own, or the variable/property it is assigned to. */
export function functionName(node: FnNode): string {
  if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) return node.name.text;
  const p = node.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return p.name.text;
  if (ts.isBinaryExpression(p) && ts.isPropertyAccessExpression(p.left)) return p.left.name.text;
  if (ts.isExportAssignment(p)) return 'default export';
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return 'anonymous function';
}

/** Node kinds collectFunctions looks at (declarations, imports, functions, `this.x = ...`). */
const INTERESTING = new Set([
  ts.SyntaxKind.BinaryExpression, ts.SyntaxKind.VariableDeclaration, ts.SyntaxKind.CatchClause, ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.ImportClause, ts.SyntaxKind.ImportSpecifier, ts.SyntaxKind.NamespaceImport,
  ts.SyntaxKind.ImportEqualsDeclaration, ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.ArrowFunction, ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor, ts.SyntaxKind.GetAccessor, ts.SyntaxKind.SetAccessor,
]);

const collected = new WeakMap<ts.SourceFile, Map<ts.Node, FunctionInfo>>();

/** The functions of a file (computed once per syntax tree: FunctionInfo is never changed afterwards). */
export function collectFunctions(file: string, sf: ts.SourceFile): Map<ts.Node, FunctionInfo> {
  let out = collected.get(sf);
  if (out && out.get(sf)?.file === file) return out;
  out = collectFunctionsOf(file, sf);
  collected.set(sf, out);
  return out;
}

function collectFunctionsOf(file: string, sf: ts.SourceFile): Map<ts.Node, FunctionInfo> {
  const out = new Map<ts.Node, FunctionInfo>();
  const make = (node: FnNode | ts.SourceFile, parent?: FunctionInfo): FunctionInfo => {
    const isModule = ts.isSourceFile(node);
    const info: FunctionInfo = {
      id: `${file}#${isModule ? 0 : node.getStart(sf)}${isModule ? '' : `:${node.end}`}`,
      node,
      file,
      name: isModule ? `module ${file}` : functionName(node),
      params: isModule ? [] : node.parameters,
      declared: new Set(),
      hoisted: new Map(),
      constFunctions: new Map(),
      parent,
      isModule,
    };
    for (const p of info.params) for (const n of bindingNames(p.name)) info.declared.add(n);
    out.set(node, info);
    return info;
  };
  // One visitor per function (not a closure per node: files have hundreds of thousands of nodes).
  const visitors = new Map<FunctionInfo, (c: ts.Node) => void>();
  const visitorOf = (owner: FunctionInfo) => {
    let v = visitors.get(owner);
    if (!v) visitors.set(owner, (v = (c: ts.Node) => walk(c, owner)));
    return v;
  };
  const walk = (n: ts.Node, owner: FunctionInfo): void => {
    // Most nodes are none of the kinds below: leave them quickly.
    if (!INTERESTING.has(n.kind)) {
      ts.forEachChild(n, visitorOf(owner));
      return;
    }
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left)) &&
      n.left.expression.kind === ts.SyntaxKind.ThisKeyword
    ) {
      owner.assignsThis = true;
    }
    if (ts.isVariableDeclaration(n)) {
      for (const name of bindingNames(n.name)) owner.declared.add(name);
      const init = n.initializer;
      if (ts.isIdentifier(n.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) && n.parent.flags & ts.NodeFlags.Const) {
        owner.constFunctions.set(n.name.text, init);
      }
    }
    else if (ts.isCatchClause(n) && n.variableDeclaration) for (const name of bindingNames(n.variableDeclaration.name)) owner.declared.add(name);
    else if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name) {
      owner.declared.add(n.name.text);
      owner.hoisted.set(n.name.text, n);
    } else if (ts.isImportClause(n) && n.name) owner.declared.add(n.name.text);
    else if (ts.isImportSpecifier(n) || ts.isNamespaceImport(n) || ts.isImportEqualsDeclaration(n)) owner.declared.add(n.name.text);
    if (isFunctionNode(n)) {
      const inner = make(n, owner);
      // A named function expression sees its own name.
      if (ts.isFunctionExpression(n) && n.name) inner.declared.add(n.name.text);
      // Every function but an arrow has its own `this` (arrows see their parent's, as a captured variable).
      if (!ts.isArrowFunction(n)) inner.declared.add('this');
      ts.forEachChild(n, visitorOf(inner));
      return;
    }
    ts.forEachChild(n, visitorOf(owner));
  };
  const mod = make(sf);
  ts.forEachChild(sf, visitorOf(mod));
  return out;
}
