// Access-control facts recorded while a function is summarised, as sink hits of check rules (sinkId
// "access:…"), so they cross files and get their request roots at the route handler like any flow:
//   access:select   values that select a record in a data-access call (an id, a filter), identity included
//   access:data     the top-level value written into a record (create/update/assign): whole request bodies
//   access:scope    the other arguments of a data-access call (identity there scopes it: an owner column)
//   access:compare  both sides of a comparison or membership test (an ownership check, once the identity
//                   of the signed-in user turns out to be one side); access:compare-const when the other
//                   side is a constant (`req.user.role === 'admin'`: a role check)
// access-control/ reads them per route (see access-control/collect.ts).
import ts from 'typescript';
import { unwrapAwait as strip } from './syntax.js';
import {
  CHECK_WORDS,
  DATA_ACCESS,
  DATA_RECEIVER,
  DATA_RECEIVER_TYPES,
  DELEGATE_OWNER,
  NESTED_ARGS,
  OWNER_FIELDS,
  RECORD_WRITE_METHODS,
  type DataAccessModel,
} from '../models/access-control.js';
import type { CheckRuleId } from '../models/types.js';
import { empty, taintOf, type Site, type Value } from '../values.js';
import type { CallInfo } from './callee-match.js';
import type { Ctx } from './context.js';
import { textOf } from './sites.js';

export const ACCESS_SELECT = 'access:select';
export const ACCESS_DATA = 'access:data';
/** Data written onto a loaded record (`order.set(body)`, `Object.assign(user, body)`): the receiver is known only by name. */
export const ACCESS_DATA_RECORD = 'access:data-record';
export const ACCESS_SCOPE = 'access:scope';
export const ACCESS_COMPARE = 'access:compare';
export const ACCESS_COMPARE_CONST = 'access:compare-const';

const BY_METHOD = new Map<string, DataAccessModel>();
for (const row of DATA_ACCESS) for (const m of row.methods) BY_METHOD.set(m, row);

/** Methods that test membership or equality (`ids.includes(req.user.id)`, `owner.equals(userId)`). */
const COMPARE_METHODS = new Set(['equals', 'includes', 'indexOf', 'has', 'some', 'every', 'hasRole', 'hasPermission', 'can', 'isOwner', 'is']);

/** `Order`, `orderRepository`, `this.model`, `prisma.order`, `db.Order`: a receiver that is a data-access object. */
function isDataReceiver(e: ts.Expression | undefined, receiver: Value | undefined): boolean {
  if (!e || !receiver || receiver.ext?.length || receiver.fns?.length) return false;
  if (receiver.obj) {
    if (DATA_RECEIVER_TYPES.models.includes(receiver.obj.type)) return true;
    if (!DATA_RECEIVER_TYPES.named.includes(receiver.obj.type)) return false;
  }
  const s = strip(e);
  if (ts.isIdentifier(s)) return DATA_RECEIVER.test(s.text) && !GLOBAL_CLASSES.has(s.text);
  if (ts.isPropertyAccessExpression(s)) {
    if (DATA_RECEIVER.test(s.name.text) && !GLOBAL_CLASSES.has(s.name.text)) return true;
    const owner = strip(s.expression);
    return (ts.isIdentifier(owner) && DELEGATE_OWNER.test(owner.text)) || (ts.isPropertyAccessExpression(owner) && DELEGATE_OWNER.test(owner.name.text));
  }
  if (ts.isCallExpression(s)) {
    // getRepository(Order).findOneBy(...), dataSource.getRepository(Order)
    const c = strip(s.expression);
    const name = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : '';
    return /^get(Repository|Model|Collection)$|^model$|^collection$/.test(name);
  }
  return false;
}

const GLOBAL_CLASSES = new Set(['Object', 'Array', 'JSON', 'Math', 'Promise', 'Reflect', 'Map', 'Set', 'WeakMap', 'Date', 'String', 'Number', 'Buffer', 'URL', 'Intl', 'Atomics', 'Proxy', 'Symbol', 'BigInt', 'Error', 'RegExp', 'Boolean', 'Function']);

function record(ctx: Ctx, node: ts.Node, sinkId: string, rule: CheckRuleId, site: Site, argIndex: number, v: Value, label: string, topLevel = false): void {
  const flows = topLevel ? v.flows : taintOf(v);
  if (!flows.length) return;
  // `Order.findById`; Object.assign keeps its target (`Object.assign(order`), which names the record.
  const callee = ts.isCallExpression(node) || ts.isNewExpression(node) ? node.expression : node;
  const copies = ts.isCallExpression(node) && sinkId === ACCESS_DATA_RECORD && node.arguments.length > 1 && /(assign|merge)$/.test(textOf(ctx, callee, 40));
  const target = copies ? `(${textOf(ctx, (node as ts.CallExpression).arguments[0], 30)}` : '';
  const calleeText = ts.isBinaryExpression(node) ? textOf(ctx, node, 40) : `${textOf(ctx, callee, 40)}${target}`;
  for (const flow of flows) {
    // Symbolic roots resolve at the handler; already-concrete ones must be request input or identity.
    if (flow.root.kind === 'source' && !flow.root.requestInput && !flow.tags.includes('identity')) continue;
    ctx.out.addSink({ sinkId, rule, site, argIndex, flow, label, calleeText });
  }
}

/** The selection and data parts of a data-access call, by its shape (Prisma `{ where, data }`, Sequelize `(data, { where })`). */
function parts(row: DataAccessModel, args: Value[]): { select: [number, Value][]; data?: [number, Value] } {
  const nested0 = args[0]?.props?.get(NESTED_ARGS.select);
  const data0 = args[0]?.props?.get(NESTED_ARGS.data);
  if (nested0 || (data0 && row.kind === 'create')) return { select: nested0 ? [[0, nested0]] : [], data: data0 ? [0, data0] : undefined };
  const nested1 = args[1]?.props?.get(NESTED_ARGS.select);
  if (nested1) return { select: [[1, nested1]], data: row.dataArg === 0 ? [0, args[0]] : undefined };
  if (row.methods.includes('update') && args.length >= 2) return { select: [[0, args[0]]], data: [1, args[1]] };
  if (row.methods.includes('update')) return { select: [], data: [0, args[0] ?? empty()] };
  return {
    select: row.selectArgs.filter((i) => args[i]).map((i) => [i, args[i]] as [number, Value]),
    data: row.dataArg !== undefined && args[row.dataArg] ? [row.dataArg, args[row.dataArg]] : undefined,
  };
}

/** A raw SQL lookup (`SELECT … WHERE id = ?` with bound values) whose text does not scope it by an owner column. */
function sqlLookup(args: Value[]): boolean {
  const text = args[0]?.text;
  if (!text || !args[1]) return false;
  const words = text.toLowerCase();
  if (!/^\s*(select|update|delete)\b/.test(words) || !/\bwhere\b/.test(words)) return false;
  const where = text.slice(words.search(/\bwhere\b/));
  return !where.split(/[^A-Za-z0-9_]+/).some((w) => OWNER_FIELDS.test(w));
}

/** Called for every call the interpreter evaluates (after sink checks); cheap when the method is not modelled. */
export function checkAccessCall(ctx: Ctx, node: ts.CallExpression | ts.NewExpression, call: CallInfo, args: Value[], site: Site): void {
  const method = call.method;
  if (!method) return;
  const row = BY_METHOD.get(method);
  if (row && isDataReceiver(call.receiverExpr, call.receiver)) {
    const { select, data } = parts(row, args);
    for (const [i, v] of select) record(ctx, node, ACCESS_SELECT, 'idor', site, i, v, `${row.kind === 'read' ? 'loads' : row.kind === 'delete' ? 'deletes' : 'changes'} the record it selects`);
    // Identity anywhere in the call (an owner column set on an upsert, a scoped where) still scopes it.
    args.forEach((a, i) => {
      if (!select.some(([j]) => j === i)) record(ctx, node, ACCESS_SCOPE, 'idor', site, i, a, 'scopes the record');
    });
    if (data) record(ctx, node, ACCESS_DATA, 'mass-assignment', site, data[0], data[1], `writes the object into the ${row.kind === 'create' ? 'new' : 'selected'} record`, true);
    return;
  }
  const recordLike = call.receiver && !call.receiver.ext?.length && (!call.receiver.obj || DATA_RECEIVER_TYPES.models.includes(call.receiver.obj.type));
  if (RECORD_WRITE_METHODS.has(method) && recordLike && args.length >= 1) {
    // `order.update(req.body)`, `user.set(req.body)`, `repo.merge(entity, req.body)`: the last argument is the data.
    if ((method === 'set' || method === 'update') && args.length !== 1) return;
    const i = args.length - 1;
    record(ctx, node, ACCESS_DATA_RECORD, 'mass-assignment', site, i, args[i], 'writes the object into a loaded record', true);
    return;
  }
  if (method === 'assign' && (call.callee.ext ?? []).some((e) => e.module === '<global>' && e.path[0] === 'Object')) {
    // Object.assign(record, req.body): a literal target is a copy, not a record.
    const target = ts.isCallExpression(node) ? node.arguments[0] : undefined;
    if (!target || ts.isObjectLiteralExpression(strip(target))) return;
    args.slice(1).forEach((a, k) => record(ctx, node, ACCESS_DATA_RECORD, 'mass-assignment', site, k + 1, a, 'copies the object onto the record', true));
    return;
  }
  if ((method === 'query' || method === 'execute') && sqlLookup(args)) {
    record(ctx, node, ACCESS_SELECT, 'idor', site, 1, args[1], 'selects rows by the bound values');
    return;
  }
  if (COMPARE_METHODS.has(method) && call.receiver && CHECK_WORDS.test(node.getText(ctx.sf))) {
    const sides = [call.receiver, ...args];
    if (sides.some((s) => s.flows.length || s.props)) sides.forEach((s, i) => record(ctx, node, ACCESS_COMPARE, 'idor', site, i - 1, s, 'compares'));
  }
}

/** `a === b`, `a !== b` (and friends): record both sides, so an ownership or role check is visible at the handler. */
const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

export function checkAccessComparison(ctx: Ctx, node: ts.BinaryExpression, l: Value, r: Value): void {
  if (!EQUALITY.has(node.operatorToken.kind) || (!l.flows.length && !r.flows.length) || !CHECK_WORDS.test(node.getText(ctx.sf))) return;
  const site = { file: ctx.mod.path, ...lineCol(ctx, node) };
  const constant = (l.constant && l.text !== undefined) || (r.constant && r.text !== undefined);
  // A constant compared with derived data (`typeof x === 'string'`, `rows.length === 0`) says nothing about roles.
  if (constant && !l.flows.some((f) => f.alias) && !r.flows.some((f) => f.alias)) return;
  const [id, rule, label] = constant ? [ACCESS_COMPARE_CONST, 'unprotected-admin' as const, 'compares with a constant'] : [ACCESS_COMPARE, 'idor' as const, 'compares'];
  record(ctx, node, id, rule, site, 0, l, label);
  record(ctx, node, id, rule, site, 1, r, label);
}

function lineCol(ctx: Ctx, node: ts.Node): { line: number; column: number } {
  const p = ctx.sf.getLineAndCharacterOfPosition(node.getStart(ctx.sf));
  return { line: p.line + 1, column: p.character + 1 };
}
