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
  LOOKUP_METHODS,
  PASSWORD_FIELD,
  PASSWORD_HASH_CALLS,
  PASSWORD_HASHED_TAG,
  RECORD_WRITE_METHODS,
  SQL_KEY_COLUMN,
  SQL_PASSWORD,
  type DataAccessModel,
} from '../models/access-control.js';
import type { CheckRuleId } from '../models/types.js';
import type { SinkHit } from '../summaries.js';
import { empty, tag, taintOf, type Site, type Value } from '../values.js';
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
/** A password value a query compares with a stored one, or a write stores (plaintext-password). */
export const ACCESS_PASSWORD = 'access:password';

const BY_METHOD = new Map<string, DataAccessModel>();
for (const row of DATA_ACCESS) for (const m of row.methods) BY_METHOD.set(m, row);

/** Methods that test membership or equality (`ids.includes(req.user.id)`, `owner.equals(userId)`). */
const COMPARE_METHODS = new Set(['equals', 'includes', 'indexOf', 'has', 'some', 'every', 'hasRole', 'hasPermission', 'can', 'isOwner', 'is']);

/** `Order`, `orderRepository`, `this.model`, `prisma.order`, `db.Order`: a receiver that is a data-access object. */
function isDataReceiver(e: ts.Expression | undefined, receiver: Value | undefined): boolean {
  if (!e || !receiver) return false;
  // A typed model (a Mongo collection, a Prisma delegate) even when other values join it (`global.prisma ?? new PrismaClient()`).
  if (receiver.obj && DATA_RECEIVER_TYPES.models.includes(receiver.obj.type)) return true;
  if (receiver.ext?.length || receiver.fns?.length) return false;
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

function record(ctx: Ctx, node: ts.Node, sinkId: string, rule: CheckRuleId, site: Site, argIndex: number, v: Value, label: string, topLevel = false, table?: SinkHit['record']): void {
  const flows = topLevel ? v.flows : taintOf(v);
  if (!flows.length) return;
  // `Order.findById`; Object.assign keeps its target (`Object.assign(order`), which names the record.
  const callee = ts.isCallExpression(node) || ts.isNewExpression(node) ? node.expression : node;
  const copies = ts.isCallExpression(node) && sinkId === ACCESS_DATA_RECORD && node.arguments.length > 1 && /(assign|merge)$/.test(textOf(ctx, callee, 40));
  const target = copies ? `(${textOf(ctx, (node as ts.CallExpression).arguments[0], 30)}` : '';
  const calleeText = ts.isBinaryExpression(node) ? textOf(ctx, node, 40) : `${ts.isNewExpression(node) ? 'new ' : ''}${textOf(ctx, callee, 40)}${target}`;
  for (const flow of flows) {
    // Symbolic roots resolve at the handler; already-concrete ones must be request input or identity.
    if (flow.root.kind === 'source' && !flow.root.requestInput && !flow.tags.includes('identity')) continue;
    ctx.out.addSink({ sinkId, rule, site, argIndex, flow, label, calleeText, ...(table ? { record: table } : {}) });
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

/**
 * A raw SQL lookup whose text does not scope it by an owner column: `SELECT … WHERE id = ?` with bound values
 * (the values select), or text built with the value in it compared with a key column (`WHERE id = '` + id + `'`).
 */
function sqlLookup(args: Value[]): { arg: number; table: string; byKey: boolean; column?: string } | undefined {
  const text = args[0]?.text;
  if (!text) return undefined;
  const words = text.toLowerCase();
  if (!/^\s*(select|update|delete)\b/.test(words) || !/\bwhere\b/.test(words)) return undefined;
  const where = text.slice(words.search(/\bwhere\b/));
  if (where.split(/[^A-Za-z0-9_]+/).some((w) => OWNER_FIELDS.test(w))) return undefined;
  const table = /\b(?:from|update)\s+[`"[]?([A-Za-z_][\w]*)/i.exec(text)?.[1] ?? '';
  if (args[1]) return { arg: 1, table, byKey: false };
  // Only the first comparison with a value built into the text: `id = '…'`, `user_id=…`.
  const built = /([A-Za-z_][\w.]*)\s*=\s*['"]?\u0000/.exec(where);
  const column = built?.[1].split('.').pop();
  return column && SQL_KEY_COLUMN.test(column) ? { arg: 0, table, byKey: true, column } : undefined;
}

/** `{ password: x }` in a query filter or record data (one level of nesting: Prisma `{ where: { … } }`, `{ data: { … } }`). */
function passwordFields(ctx: Ctx, node: ts.Node, site: Site, i: number, v: Value | undefined, verb: string, depth = 0): void {
  for (const [key, p] of v?.props ?? []) {
    if (PASSWORD_FIELD.test(key)) record(ctx, node, ACCESS_PASSWORD, 'plaintext-password', site, i, p, `${verb} \`${key}\` as given`);
    else if (depth === 0 && p.props) passwordFields(ctx, node, site, i, p, verb, 1);
  }
}

/** SQL text that compares or writes a password column: every value in the call may be the password (the rule keeps password-named ones). */
function passwordSql(ctx: Ctx, node: ts.Node, site: Site, args: Value[]): void {
  const text = args[0]?.text;
  if (!text || !/^\s*(select|insert|update)\b/i.test(text) || !SQL_PASSWORD.test(text)) return;
  const lookup = /^\s*select\b/i.test(text);
  args.forEach((a, i) => record(ctx, node, ACCESS_PASSWORD, 'plaintext-password', site, i, a, lookup ? 'compares the password column with it in SQL' : 'writes it into the password column'));
}

/** Called for every call the interpreter evaluates (after sink checks); cheap when the method is not modelled. */
export function checkAccessCall(ctx: Ctx, node: ts.CallExpression | ts.NewExpression, call: CallInfo, args: Value[], site: Site): void {
  const method = call.method;
  if (!method) {
    // `new User(req.body)`: a Mongoose document (or an ORM entity) built from the object; the rule keeps it
    // only when the name is a model the application defines.
    const c = call.construct && args.length >= 1 ? strip(node.expression) : undefined;
    if (c && ts.isIdentifier(c) && /^[A-Z]/.test(c.text) && DATA_RECEIVER.test(c.text) && !GLOBAL_CLASSES.has(c.text)) {
      record(ctx, node, ACCESS_DATA_RECORD, 'mass-assignment', site, 0, args[0], 'builds a new record from the object', true);
      passwordFields(ctx, node, site, 0, args[0], 'stores');
    }
    if (!call.construct) passwordSql(ctx, node, site, args);
    return;
  }
  const row = BY_METHOD.get(method);
  if (row && isDataReceiver(call.receiverExpr, call.receiver)) {
    const { select, data } = parts(row, args);
    for (const [i, v] of select) record(ctx, node, ACCESS_SELECT, 'idor', site, i, v, `${row.kind === 'read' ? 'loads' : row.kind === 'delete' ? 'deletes' : 'changes'} the record it selects`);
    // Identity anywhere in the call (an owner column set on an upsert, a scoped where) still scopes it.
    args.forEach((a, i) => {
      if (!select.some(([j]) => j === i)) record(ctx, node, ACCESS_SCOPE, 'idor', site, i, a, 'scopes the record');
    });
    if (data) record(ctx, node, ACCESS_DATA, 'mass-assignment', site, data[0], data[1], `writes the object into the ${row.kind === 'create' ? 'new' : 'selected'} record`, true);
    args.forEach((a, i) => passwordFields(ctx, node, site, i, a, row.kind === 'read' || row.kind === 'delete' || select.some(([j]) => j === i) ? 'looks the record up by' : 'stores'));
    return;
  }
  if (LOOKUP_METHODS.has(method) && isDataReceiver(call.receiverExpr, call.receiver)) {
    args.forEach((a, i) => passwordFields(ctx, node, site, i, a, 'looks the record up by'));
    // `Note.find({ userId: req.params.userId })`: the owner column names whose records are listed (the user's own only when it is the user).
    const filter = args[0]?.props?.get(NESTED_ARGS.select) ?? args[0];
    for (const [key, v] of filter?.props ?? []) {
      if (OWNER_FIELDS.test(key)) record(ctx, node, ACCESS_SELECT, 'idor', site, 0, v, `lists the records whose \`${key}\` is given`, false, { name: '', byKey: true });
    }
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
  passwordSql(ctx, node, site, args);
  const sql = method === 'query' || method === 'execute' ? sqlLookup(args) : undefined;
  if (sql) {
    const label = sql.column ? `selects \`${sql.table}\` rows by \`${sql.column}\`` : 'selects rows by the bound values';
    record(ctx, node, ACCESS_SELECT, 'idor', site, sql.arg, args[sql.arg], label, false, sql.table ? { name: sql.table, byKey: sql.byKey } : undefined);
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
  if (EQUALITY.has(node.operatorToken.kind) && (l.flows.length || r.flows.length)) storedPasswordComparison(ctx, node, l, r);
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

/** `user.password === req.body.password`: a stored password compared as text, so it is stored as text. */
const STORED_PASSWORD = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d+\])*\.(password|passwd|pwd|pass)$/i;
/** …unless the "stored" side is itself request input (a confirmation field). */
const REQUEST_SIDE = /(^|\.)(req|request|body|query|params|ctx|input|args|data|form|payload)\./i;

function storedPasswordComparison(ctx: Ctx, node: ts.BinaryExpression, l: Value, r: Value): void {
  const sides: [ts.Expression, Value][] = [[node.left, l], [node.right, r]];
  sides.forEach(([e, stored], i) => {
    const t = strip(e).getText(ctx.sf);
    // The stored side must be a loaded record (a query's result carries no flows). One the caller passes in may
    // be a stub list written in the code (`USERS.find(u => u.password === pw)`): a hard-coded credential, not storage.
    if (!STORED_PASSWORD.test(t) || REQUEST_SIDE.test(t) || stored.text !== undefined || stored.flows.length) return;
    const [, other] = sides[1 - i];
    record(ctx, node, ACCESS_PASSWORD, 'plaintext-password', { file: ctx.mod.path, ...lineCol(ctx, node) }, 1 - i, other, `is compared with the stored \`${t}\` as text`);
  });
}

/** The result of a call we cannot see that hashes (`md5(pw)`, `bcrypt.hash(pw, 10)`, `hash.digest('hex')`) is no longer the password. */
export function passwordHashResult(node: ts.CallExpression | ts.NewExpression, call: CallInfo, out: Value): Value {
  if (!out.flows.length) return out;
  const c = strip(node.expression);
  const name = call.method ?? (ts.isIdentifier(c) ? c.text : '');
  return PASSWORD_HASH_CALLS.test(name) ? tag(out, PASSWORD_HASHED_TAG) : out;
}
