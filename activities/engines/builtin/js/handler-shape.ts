// Request handlers recognised by shape rather than by registration: a function whose first parameter is read
// like a request and whose second answers like a response (models/frameworks.ts HANDLER_SHAPE), and how the
// program holds it — a member of an object or class, `this.x = …`, a factory's result, an argument, an export —
// which is where a registration we could not resolve would find it. A handler held nowhere is dead code.
import ts from 'typescript';
import { GRAPHQL_OPERATION_TYPES, HANDLER_LIKE_PARAMS, HANDLER_SHAPE } from '../models/frameworks.js';
import { REQUEST_SOURCES } from '../models/sources.js';
import type { FunctionInfo } from './functions.js';

/** Request members by name (`body`, `query`; methods without their parentheses: `get`, `header`). */
const REQUEST_MEMBERS = new Set(REQUEST_SOURCES.filter((r) => r.requestType === HANDLER_SHAPE.requestType).map((r) => r.member.replace(/\(\)$/, '')));
const RESPONSE_METHODS = new Set(HANDLER_SHAPE.responseMethods);

/** The parameters' use: does the first read request input, does the second answer, is the third called? */
function paramUse(fn: ts.Node, req: string, res: string | undefined, next: string | undefined): { request: boolean; answers: boolean } {
  let request = false;
  let answers = false;
  const visit = (n: ts.Node): void => {
    if (request && answers) return;
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression)) {
      const owner = n.expression.text;
      if (owner === req && REQUEST_MEMBERS.has(n.name.text)) request = true;
      // `res.status(400).json(…)`: the chain starts with a response method on the parameter.
      else if (owner === res && RESPONSE_METHODS.has(n.name.text) && ts.isCallExpression(n.parent) && n.parent.expression === n) answers = true;
    } else if (ts.isVariableDeclaration(n) && n.initializer && ts.isIdentifier(n.initializer) && n.initializer.text === req && ts.isObjectBindingPattern(n.name)) {
      // `const { body, query } = req`
      for (const el of n.name.elements) {
        const key = el.propertyName ?? el.name;
        if (ts.isIdentifier(key) && REQUEST_MEMBERS.has(key.text)) request = true;
      }
    } else if (next && ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === next) answers = true;
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return { request, answers };
}

const identifierName = (p: ts.ParameterDeclaration | undefined) => (p && ts.isIdentifier(p.name) ? p.name.text : undefined);

/** Whether `info` looks like a request handler: its parameter names say so, or its body uses them so. */
export function looksLikeHandler(info: FunctionInfo): boolean {
  const [req, res, next] = info.params.map(identifierName);
  if (!req || info.params.length < 2 || info.params.length > 4) return false;
  if (res && HANDLER_LIKE_PARAMS.request.test(req) && HANDLER_LIKE_PARAMS.response.test(res)) return true;
  const use = paramUse(info.node, req, res, next);
  return use.request && use.answers;
}

/** A member of a GraphQL resolver map's operation type (`{ Query: { user(parent, args) {…} } }`), wherever the map goes. */
export function inResolverMap(info: FunctionInfo): boolean {
  const node = info.node as ts.Node;
  const member = ts.isMethodDeclaration(node) ? node : ts.isPropertyAssignment(node.parent) ? node.parent : undefined;
  const map = member?.parent;
  if (!map || !ts.isObjectLiteralExpression(map) || !ts.isPropertyAssignment(map.parent)) return false;
  const type = map.parent.name;
  return (ts.isIdentifier(type) || ts.isStringLiteral(type)) && GRAPHQL_OPERATION_TYPES.test(type.text);
}

/**
 * How the program holds a function, in words, or undefined when nothing can reach it (a local function never
 * referenced). Anything held can be registered by code whose call we did not resolve.
 */
export function howHeld(info: FunctionInfo, sf: ts.SourceFile): string | undefined {
  const node = info.node as ts.Node;
  const p = node.parent;
  if (!p) return undefined;
  if (ts.isMethodDeclaration(node)) return ts.isClassLike(p) ? 'a method of a class' : 'a method of an object';
  if (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) return 'a member of an object';
  if (ts.isPropertyDeclaration(p)) return 'a field of a class';
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === node) {
    const target = p.left.getText(sf);
    if (/^this\./.test(target)) return `assigned to \`${target}\` (a member of the object a constructor makes)`;
    if (/\.prototype\./.test(target)) return `a prototype method (\`${target}\`)`;
    if (/^(module\.)?exports\b/.test(target)) return `exported as \`${target}\``;
    if (ts.isPropertyAccessExpression(p.left) || ts.isElementAccessExpression(p.left)) return `assigned to \`${target}\``;
  }
  if (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === node)) return 'returned by a factory function';
  if (ts.isParenthesizedExpression(p) && ts.isArrowFunction(p.parent) && p.parent.body === p) return 'returned by a factory function';
  if (ts.isCallExpression(p) || ts.isNewExpression(p)) return 'passed to a call';
  if (ts.isArrayLiteralExpression(p)) return 'an element of an array';
  if (ts.isExportAssignment(p)) return 'the default export';
  if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return 'exported';
  // A named function or `const h = (req, res) => …`: held where its name is used again.
  const name = ts.isFunctionDeclaration(node) && node.name ? node.name : ts.isVariableDeclaration(p) && ts.isIdentifier(p.name) ? p.name : undefined;
  if (name && referencedElsewhere(sf, name)) return `referenced as \`${name.text}\``;
  return undefined;
}

/** Whether an identifier with the same text occurs anywhere in the file but at its declaration. */
function referencedElsewhere(sf: ts.SourceFile, decl: ts.Identifier): boolean {
  const text = sf.text;
  const name = decl.text;
  const at = decl.getStart(sf);
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + name.length)) {
    if (i === at) continue;
    const before = text[i - 1];
    const after = text[i + name.length];
    if ((before === undefined || !/[\p{L}\p{N}_$]/u.test(before)) && (after === undefined || !/[\p{L}\p{N}_$]/u.test(after))) return true;
  }
  return false;
}
