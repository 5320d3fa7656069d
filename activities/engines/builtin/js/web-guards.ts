// Guards of the web classes that are not calls of a modelled library: `typeof x === 'string'` (a primitive
// carries no MongoDB operators), same-site checks on redirect targets (`x.startsWith('/') &&
// !x.startsWith('//')`, a constant-origin prefix, `new URL(x, base).origin === base`).
import ts from 'typescript';
import { unwrap as strip } from './syntax.js';
import { isTainted, notePartial, sanitise, tag, type Value } from '../values.js';
import { setSubject } from './guard-subject.js';
import type { Ctx } from './context.js';
import { sameSitePrefix } from './web-sinks.js';

const SLASH = 'redirect:starts-with-slash';
const NOT_DOUBLE = 'redirect:not-protocol-relative';

/** A primitive has no properties: what remains is its text (NoSQL operators need an object). */
const primitive = (v: Value): Value => ({ flows: v.flows.map((f) => (f.alias ? { ...f, alias: false } : f)), text: v.text, constant: v.constant });

/** `typeof x === 'string'` (or !== in the false branch): narrows x in the branch where it holds. */
export function refineTypeof(ctx: Ctx, subject: ts.Expression, type: string): boolean {
  const s = strip(subject);
  if (!ts.isTypeOfExpression(s)) return false;
  if (type === 'string') setSubject(ctx, s.expression, primitive);
  else if (type === 'number' || type === 'boolean' || type === 'bigint') setSubject(ctx, s.expression, (v) => sanitise(v, 'all'));
  return true;
}

/** Both halves of the relative-path check seen: the value can only be a path on this site. */
const bothHalves = (v: Value): Value => {
  if (v.flows.length && v.flows.every((f) => f.tags.includes(SLASH) && f.tags.includes(NOT_DOUBLE))) return sanitise(v, ['open-redirect']);
  // Evidence for the verifier: half of the check is bypassable ("//evil.example" starts with "/").
  return notePartial(v, v.flows.some((f) => f.tags.includes(SLASH))
    ? `startsWith('/') without excluding "//" (partial filtering for open-redirect)`
    : `a "//" exclusion without startsWith('/') (partial filtering for open-redirect)`);
};

/** `x.startsWith(prefix)` with a constant prefix, in the branch where it has the given truth value. */
export function refineStartsWith(ctx: Ctx, call: ts.CallExpression, truth: boolean): void {
  const callee = strip(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'startsWith' || !call.arguments[0]) return;
  const prefix = ctx.eval(call.arguments[0]);
  if (!prefix.constant || prefix.text === undefined) return;
  const p = prefix.text;
  const subject = callee.expression;
  if (truth && p !== '/' && sameSitePrefix(`${p}\u0000`)) setSubject(ctx, subject, (v) => sanitise(v, ['open-redirect']));
  else if (truth && p === '/') setSubject(ctx, subject, (v) => bothHalves(tag(v, SLASH)));
  else if (!truth && (p === '//' || p === '/\\')) setSubject(ctx, subject, (v) => bothHalves(tag(v, NOT_DOUBLE)));
}

const HOST_MEMBERS = ['origin', 'host', 'hostname'];

/** `url.origin === ALLOWED` (untainted other side): where it holds, the URL points at that origin. */
export function refineOrigin(ctx: Ctx, left: ts.Expression, right: ts.Expression): void {
  for (const [a, b] of [[left, right], [right, left]]) {
    const s = strip(a);
    if (!ts.isPropertyAccessExpression(s) || !HOST_MEMBERS.includes(s.name.text)) continue;
    if (isTainted(ctx.eval(b))) continue;
    setSubject(ctx, s.expression, (v) => sanitise(v, ['open-redirect']));
    return;
  }
}
