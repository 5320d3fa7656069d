// unprotected-admin (CWE-285): an administrative route (by path or handler name) that signed-in users reach
// without any role check: no role middleware in its chain, no role test in its handler or the code it calls.
import { ADMIN_HANDLER_NAME, ADMIN_ROUTE_SEGMENTS, ROLE_PATH } from '../models/access-control.js';
import { chainOf, hasRoleCheck, isAuthenticated, type Link, type Route } from './chains.js';
import { identityChecks, rootOf } from './collect.js';
import { handlerPoint, insertText, middlewareStep, step, type AccessContext, type Draft } from './context.js';

export function isAdminRoute(r: Route): boolean {
  const segs = r.fullPath.toLowerCase().split('/').filter(Boolean);
  return segs.some((s) => ADMIN_ROUTE_SEGMENTS.has(s)) || ADMIN_HANDLER_NAME.test(r.handler.name) || (!!r.operation && ADMIN_HANDLER_NAME.test(r.operation.field));
}

/** A role test on the user anywhere in the code the route runs (`req.user.role === 'admin'`, `roles.includes(...)`). */
export function roleTested(ctx: AccessContext, r: Route): boolean {
  const a = ctx.access(r);
  const labelled = (h: { flow: Parameters<typeof rootOf>[0] }) => ROLE_PATH.test(rootOf(h.flow).label.split('.').slice(1).join('.'));
  return identityChecks(a, true).some(labelled) || identityChecks(a, false).some(labelled);
}

/** Role middleware the application uses somewhere, preferring one written in `file`. */
export function roleMiddleware(ctx: AccessContext, file: string): Link | undefined {
  const roles = ctx.chains.links.filter((l) => l.role && !l.ownership);
  return roles.find((l) => l.site.file === file) ?? roles[0];
}

export function unprotectedAdmin(ctx: AccessContext): Draft[] {
  const out: Draft[] = [];
  for (const r of ctx.chains.routes) {
    if (!isAdminRoute(r) || !isAuthenticated(r) || hasRoleCheck(r) || roleTested(ctx, r)) continue;
    // A route that compares the record with the user serves the user's own data (`/orders/:id/export`), not everyone's.
    if (identityChecks(ctx.access(r), false).length) continue;
    const role = roleMiddleware(ctx, r.site.file);
    const auth = chainOf(r).find((l) => l.auth);
    const explanation =
      `\`${r.route}\` (${r.site.file}:${r.site.line}) is administrative, and is protected only by ${auth ? `\`${auth.text}\`` : 'a sign-in check'}, which lets any signed-in user through; ` +
      (role
        ? `the application has a role check, \`${role.text}\` (${role.site.file}:${role.site.line}), but this route does not use it.`
        : 'nothing in its chain or its handler tests the user\'s role.');
    const trace = [
      ...(auth ? [step('step', auth.site, `\`${auth.text}\` only checks that a user is signed in`)] : []),
      ...(role ? [step('step', role.site, `role check \`${role.text}\` used elsewhere in the application`), ...middlewareStep(ctx, role, `\`${role.text}\` refuses users without the role`)] : []),
      step('sink', r.site, `administrative route \`${r.route}\` has no role check`),
    ];
    let patch;
    const at = handlerPoint(r);
    const text = role && insertText(role, r);
    if (role && text && at && role.site.file === r.site.file) {
      patch = ctx.facts.edit(r.site.file, [{ line: at.line, column: at.column, endLine: at.line, endColumn: at.column, text: `${text}, ` }], `Require ${role.text} on ${r.route}.`);
    }
    out.push({
      rule: 'unprotected-admin',
      title: `${r.route} has authentication but no role check`,
      location: r.site,
      route: r,
      trace,
      explanation,
      files: [r.site.file, ...(role ? [role.site.file, ...role.fns.map((f) => f.file)] : []), ...chainOf(r).map((l) => l.at.file), ...ctx.access(r).files],
      evidence: { roleMiddlewareElsewhere: role?.text, convention: auth?.text, handlerReadsIdentity: !!r.handlerFacts?.readsIdentity },
      patch,
    });
  }
  return out;
}
