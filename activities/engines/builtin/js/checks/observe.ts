// What the non-flow checks see of the interpreter's work: the library calls their tables name (with the
// callee recognised exactly as calls.ts recognises sinks, and the argument values the interpreter computed),
// and the values of a few expressions they asked to watch. A function is interpreted several times on the way
// to the fixed point: observations of one node are joined.
import ts from 'typescript';
import { RULE_IDS } from '../../models/rules.js';
import {
  BCRYPT_COST, COOKIE_SETTERS, CORS_MIDDLEWARE, DIGEST_FUNCTIONS, FILE_READERS, HASH_FACTORIES, HEADER_SETTERS, JWKS_SOURCES,
  JWT_DECODERS, JWT_MIDDLEWARE, JWT_VERIFIERS, KEY_PARAMETERS, PBKDF2, SESSION_MIDDLEWARE, WEAK_RANDOM, HASH_UPDATE_METHODS,
} from '../../models/checks.js';
import { GRAPHQL_SERVERS } from '../../models/web-app.js';
import type { CalleeMatch } from '../../models/types.js';
import { join, NUMERIC_FACT, type Site, type Value } from '../../values.js';
import { indexRows, matchesCallee, type CallInfo } from '../callee-match.js';
import type { Ctx, JsProgram } from '../context.js';

/** Tag of flows that start at a non-cryptographic random generator. */
export const WEAK_RANDOM_TAG = 'weak-random';
export const WEAK_RANDOM_KIND = 'weak-random';

export interface CallRecord {
  node: ts.CallExpression | ts.NewExpression;
  file: string;
  call: CallInfo;
  args: Value[];
}

export interface Observations {
  calls: Map<ts.Node, CallRecord>;
  /** Expressions whose values the checks want (see randomness.ts). */
  watched: Set<ts.Node>;
  values: Map<ts.Node, Value>;
  /** Files whose code was interpreted in this analysis (the others' summaries were reused: see index.ts). */
  interpreted: Set<string>;
}

const observations = new WeakMap<JsProgram, Observations>();

type Row = { match: CalleeMatch };

/** Every call a check table names. */
const interestingRows = indexRows<Row>([
  ...JWT_DECODERS, ...JWT_VERIFIERS, ...JWT_MIDDLEWARE, ...JWKS_SOURCES.map((match) => ({ match })), ...FILE_READERS.map((match) => ({ match })),
  ...KEY_PARAMETERS, ...SESSION_MIDDLEWARE, ...COOKIE_SETTERS, ...CORS_MIDDLEWARE, ...HEADER_SETTERS,
  ...HASH_FACTORIES.map((match) => ({ match })), ...DIGEST_FUNCTIONS, ...BCRYPT_COST, ...PBKDF2, ...GRAPHQL_SERVERS,
]);
const weakRows = indexRows(WEAK_RANDOM);

export function startObserving(prog: JsProgram, watched: Set<ts.Node>): Observations {
  const o: Observations = { calls: new Map(), watched, values: new Map(), interpreted: new Set() };
  observations.set(prog, o);
  return o;
}

function record(o: Observations, ctx: Ctx, node: ts.CallExpression | ts.NewExpression, call: CallInfo, args: Value[]): void {
  const old = o.calls.get(node);
  if (!old) {
    o.calls.set(node, { node, file: ctx.mod.path, call, args });
    return;
  }
  const n = Math.max(old.args.length, args.length);
  const joined = Array.from({ length: n }, (_, i) => join(old.args[i] ?? { flows: [] }, args[i] ?? { flows: [] }));
  // A later run may know the receiver's type (a parameter resolved by then); keep the better-informed call.
  o.calls.set(node, { ...old, call: call.receiver?.obj || !old.call.callee.ext?.length ? call : old.call, args: joined });
}

/**
 * Called by evalCall for every call. Records the calls the check tables name, and returns the value of a
 * non-cryptographic random generator: a flow tagged weak-random that no dataflow rule reports (it is cut for
 * all of them) but that survives arithmetic, so checks see where predictable numbers end up.
 */
export function observeCall(ctx: Ctx, node: ts.CallExpression | ts.NewExpression, call: CallInfo, args: Value[], site: Site): Value | undefined {
  const o = observations.get(ctx.prog);
  o?.interpreted.add(ctx.mod.path);
  // `.update(data)` of a hash object: password-hash.ts ties the receiver to its createHash call by syntax.
  if (o && ((call.method && HASH_UPDATE_METHODS.includes(call.method)) || interestingRows(call).some((r) => matchesCallee(r.match, call) !== 'no'))) {
    record(o, ctx, node, call, args);
  }
  if (!call.callee.ext?.length) return undefined;
  const weak = weakRows(call).find((r) => matchesCallee(r.match, call) === 'typed');
  if (!weak) return undefined;
  return {
    flows: [
      {
        root: { kind: 'source', sourceKind: WEAK_RANDOM_KIND, label: weak.label, requestInput: false, site },
        steps: [],
        alias: false,
        cuts: [...RULE_IDS],
        partial: [],
        tags: [WEAK_RANDOM_TAG, NUMERIC_FACT],
        files: [],
      },
    ],
  };
}

/** Called by evalExpr for every expression; records the watched ones. */
export function observeValue(ctx: Ctx, e: ts.Expression, v: Value): void {
  const o = observations.get(ctx.prog);
  if (!o || !o.watched.has(e)) return;
  o.interpreted.add(ctx.mod.path);
  const old = o.values.get(e);
  o.values.set(e, old ? join(old, v) : v);
}
