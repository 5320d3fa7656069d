// Where a guard holds, the value of its subject (a pure access path such as `req.query.file`) is replaced
// in the branch's environment by the refined one. Shared by the guard modules (conditions.ts, web-guards.ts).
import type ts from 'typescript';
import type { Value } from '../values.js';
import type { Ctx } from './context.js';
import { urlHostChecked } from './server-guards.js';
import { accessPathText } from './syntax.js';

export function setSubject(ctx: Ctx, subject: ts.Expression, fn: (v: Value) => Value): void {
  urlHostChecked(ctx, subject); // a check on new URL(u).hostname fixes u's destination (server-guards.ts)
  const path = accessPathText(subject);
  if (!path) return;
  ctx.env.vars.set(`#path:${path}`, fn(ctx.eval(subject)));
}
