// client-side-authorization (CWE-602): front-end code calls an endpoint only behind a role check
// (`user.role === 'admin' && <button onClick={() => api.delete('/api/users/' + id)}>`), while the server
// route that serves the URL has no role check of its own.
import { chainOf, hasRoleCheck, type Route } from './chains.js';
import { handlerPoint, insertText, middlewareStep, step, type AccessContext, type Draft } from './context.js';
import type { ClientCall } from './facts.js';
import { roleMiddleware, roleTested } from './unprotected-admin.js';

const segments = (p: string) => p.split('/').filter(Boolean);

/** The client URL (constant parts, U+0000 for unknown ones) names the route: aligned from the end, at least two segments. */
export function urlMatches(url: string, route: Route): boolean {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/[?#].*$/, '');
  if (!path.startsWith('/') && !path.startsWith('\u0000')) return false;
  const c = segments(path);
  const r = segments(route.fullPath);
  if (c.length < 2 || c.length > r.length) return false;
  for (let i = 1; i <= c.length; i++) {
    const cs = c[c.length - i];
    const rs = r[r.length - i];
    const param = rs.startsWith(':') || rs.startsWith('[') || rs.startsWith('{') || rs === '*';
    if (param) {
      if (!cs) return false;
      continue;
    }
    if (cs !== rs) return false;
  }
  return true;
}

const methodOf = (c: ClientCall) => c.method ?? 'get';

export function clientSideAuthorization(ctx: AccessContext): Draft[] {
  const out: Draft[] = [];
  const calls = ctx.facts.clientCalls();
  if (!calls.length) return out;
  const done = new Set<Route>();
  for (const c of calls) {
    for (const r of ctx.chains.routes) {
      if (done.has(r) || (r.method !== methodOf(c) && r.method !== 'all') || !urlMatches(c.url, r)) continue;
      if (hasRoleCheck(r) || roleTested(ctx, r)) continue;
      done.add(r);
      const role = roleMiddleware(ctx, r.site.file);
      const explanation =
        `The front end calls \`${r.route}\` (${c.site.file}:${c.site.line}) only when \`${c.guard.text}\` holds, so the action is meant for privileged users; ` +
        `the server route (${r.site.file}:${r.site.line}) checks no role${chainOf(r).some((l) => l.auth) ? ', only that a user is signed in' : ''}, so any client can send the request directly.` +
        (role ? ` The application has a role check, \`${role.text}\` (${role.site.file}:${role.site.line}), that this route does not use.` : '');
      const trace = [
        step('step', c.guard.site, `role check \`${c.guard.text}\` in the front end`),
        step('step', c.site, `\`${c.callText}\` calls ${methodOf(c).toUpperCase()} ${c.url.replace(/\u0000/g, '…')}`),
        ...(role ? middlewareStep(ctx, role, `the server's role check \`${role.text}\`, not applied to this route`) : []),
      step('sink', r.site, `\`${r.route}\` serves it without a role check`),
      ];
      let patch;
      const at = handlerPoint(r);
      const text = role && insertText(role, r);
      if (role && text && at && role.site.file === r.site.file) {
        patch = ctx.facts.edit(r.site.file, [{ line: at.line, column: at.column, endLine: at.line, endColumn: at.column, text: `${text}, ` }], `Enforce ${role.text} on ${r.route} on the server.`);
      }
      out.push({
        rule: 'client-side-authorization',
        title: `${r.route} is restricted only in the front end (${c.guard.text})`,
        location: r.site,
        route: r,
        trace,
        explanation,
        files: [c.site.file, r.site.file, ...chainOf(r).map((l) => l.at.file), ...ctx.access(r).files, ...(role ? [role.site.file] : [])],
        evidence: { clientGuard: c.guard.text, roleMiddlewareElsewhere: role?.text, handlerReadsIdentity: !!r.handlerFacts?.readsIdentity },
        patch,
      });
    }
  }
  return out;
}
