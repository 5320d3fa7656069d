// Guards: conditions that, where they hold, make a value safe (allow-lists, confinement checks,
// validators, anchored regexes, equality with a constant). `refine` narrows the environment of the
// branch in which the condition has the given truth value.
import ts from 'typescript';
import { GUARDS } from '../models/sanitisers.js';
import type { GuardModel, RuleId } from '../models/types.js';
import { empty, isTainted, notePartial, sanitise, type Value } from '../values.js';
import { calleeOf, matchesCallee } from './callee-match.js';
import type { Ctx } from './context.js';
import { judgeTest } from './strings.js';
import { refineOrigin, refineStartsWith, refineTypeof } from './web-guards.js';
import { refineServer } from './server-guards.js';
import { setSubject } from './guard-subject.js';
import { RULE_IDS } from '../models/rules.js';

function applyGuard(ctx: Ctx, g: GuardModel, subject: ts.Expression, receiver: Value | undefined): void {
  if (g.untaintedReceiver && receiver && isTainted(receiver)) return;
  setSubject(ctx, subject, (v) => {
    if (g.requiresTag && !v.flows.every((f) => f.tags.includes(g.requiresTag!))) {
      return notePartial(v, `${g.id} check on a path that is not normalised (path.resolve/join)`);
    }
    return sanitise(v, g.cuts);
  });
}

function strip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

/** A guard call `recv.includes(x)`, `validator.isInt(x)`, `/re/.test(x)` that holds in the true branch. */
function guardCall(ctx: Ctx, call: ts.CallExpression): void {
  const callee = strip(call.expression);
  // Anchored allow-list regexes: /^[a-z0-9]+$/.test(x)
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'test' && call.arguments[0]) {
    const re = ctx.eval(callee.expression).regex;
    if (re) {
      const cuts: RuleId[] = judgeTest(re.source, re.flags);
      if (cuts.length) setSubject(ctx, call.arguments[0], (v) => sanitise(v, cuts.length === RULE_IDS.length ? 'all' : cuts));
      return;
    }
  }
  const info = calleeOf(ctx, call);
  for (const g of GUARDS) {
    const hit =
      g.match.kind === 'any-method' ? info.method !== undefined && g.match.methods.includes(info.method) : matchesCallee(g.match, info) !== 'no';
    if (!hit) continue;
    const subject = g.subject === -1 ? info.receiverExpr : call.arguments[g.subject];
    if (subject) applyGuard(ctx, g, subject, g.subject === -1 ? undefined : info.receiver);
    return;
  }
}

const isMinusOne = (e: ts.Expression) =>
  ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand) && e.operand.text === '1';

export function refine(ctx: Ctx, cond: ts.Expression, truth: boolean): void {
  const e = strip(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return refine(ctx, e.operand, !truth);
  refineServer(ctx, e, truth); // URL host equality, rejected polluting keys (server-guards.ts)
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken && truth) {
      refine(ctx, e.left, true);
      refine(ctx, e.right, true);
      return;
    }
    if (op === ts.SyntaxKind.BarBarToken && !truth) {
      refine(ctx, e.left, false);
      refine(ctx, e.right, false);
      return;
    }
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    // x.indexOf(y) !== -1, >= 0, > -1 mean "found"; === -1 and < 0 mean "not found".
    const left = strip(e.left);
    if (ts.isCallExpression(left) && ts.isPropertyAccessExpression(left.expression) && left.expression.name.text === 'indexOf') {
      const found =
        ((ne || op === ts.SyntaxKind.GreaterThanToken) && isMinusOne(e.right)) ||
        (op === ts.SyntaxKind.GreaterThanEqualsToken && ts.isNumericLiteral(e.right) && e.right.text === '0');
      const notFound = (eq && isMinusOne(e.right)) || (op === ts.SyntaxKind.LessThanToken && ts.isNumericLiteral(e.right) && e.right.text === '0');
      if ((found && truth) || (notFound && !truth)) guardCall(ctx, left);
      return;
    }
    // x === 'constant': in the branch where it holds, x is that constant.
    if ((eq && truth) || (ne && !truth)) {
      const r = strip(e.right);
      const l = strip(e.left);
      const [subject, lit] = ts.isStringLiteralLike(r) || ts.isNumericLiteral(r) ? [l, r] : ts.isStringLiteralLike(l) || ts.isNumericLiteral(l) ? [r, l] : [];
      if (subject && lit && refineTypeof(ctx, subject, (lit as ts.StringLiteral).text)) return;
      if (!lit) refineOrigin(ctx, l, r);
      if (subject && lit) setSubject(ctx, subject, () => ({ ...empty(), text: (lit as ts.StringLiteral).text, constant: true }));
    }
    return;
  }
  if (ts.isCallExpression(e)) refineStartsWith(ctx, e, truth);
  if (ts.isCallExpression(e) && truth) guardCall(ctx, e);
}
