// csrf (CWE-352, CWE-650): a route that authenticates the request by cookie (session middleware, a cookie or
// the Cookie header read by its middleware or handler) and changes state (a database write, a state-changing
// call, write SQL), with no CSRF defence on its path: no token middleware in its chain, no token, same-origin
// header or Origin check in its code, and no SameSite strict/lax on the session cookie. A state change on
// GET is reported as such (a link or an image is enough). GraphQL endpoints that execute form-encoded
// mutations behind cookie authentication are reported at their mount. Routes authenticated only by an
// Authorization header are not CSRF-able: browsers never attach it on their own.
import { CSRF_MIDDLEWARE_NAME, GRAPHQL_MIDDLEWARE_NAME, SESSION_MIDDLEWARE_TEXT } from '../models/web-app.js';
import type { RequestFacts } from './facts.js';
import { chainOf, isAuthenticated, isPublicByDesign, type Link, type Route } from './chains.js';
import { step, type AccessContext, type Draft } from './context.js';

/** Methods whose handlers are judged (GET and ALL only when they write). */
const JUDGED = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all']);
/** Libraries that protect routes when registered (their middleware may sit where the chain does not show it). */
const CSRF_LIBRARIES = ['csurf', 'csrf-csrf', 'csrf-sync', 'lusca', 'tiny-csrf', '@fastify/csrf-protection', 'koa-csrf', '@dr.pogodin/csurf', 'hono/csrf'];

/** What a link is called and, for a variable, what it was made from (`codeAttempts = rateLimit({...})`). */
const names = (ctx: AccessContext, l: Link) => [l.text, ctx.facts.definitionText?.(l.site.file, l.text) ?? '', ...l.fns.map((f) => f.name)].join(' ');

interface CookieEvidence {
  site: { file: string; line: number; column: number };
  label: string;
}

/** How the route is authenticated by cookie, if it is; undefined also when a bearer header authenticates it. */
function cookieAuth(ctx: AccessContext, r: Route, facts: (RequestFacts | undefined)[]): CookieEvidence | undefined {
  const links = chainOf(r);
  const direct = facts.find((f) => f?.cookieAuth)?.cookieAuth;
  if (direct) return { site: direct, label: 'reads the session or an authentication cookie' };
  if (facts.some((f) => f?.headerAuth)) return undefined;
  const session = links.find((l) => SESSION_MIDDLEWARE_TEXT.test(l.text));
  if (session && (isAuthenticated(r) || r.handlerFacts?.readsIdentity)) return { site: session.site, label: `\`${session.text}\` restores the signed-in user from a cookie` };
  return undefined;
}

/** Why the route is protected against CSRF, if it is. */
function protectedBy(ctx: AccessContext, r: Route, facts: (RequestFacts | undefined)[]): string | undefined {
  const link = chainOf(r).find((l) => CSRF_MIDDLEWARE_NAME.test(names(ctx, l)));
  if (link) return `\`${link.text}\``;
  // Applied where the router is made (`router.use(csrf())`) while its routes are added in another module.
  const made = r.owner?.alloc.replace(/:\d+:\d+$/, '');
  const atMaking = made && made !== r.site.file ? ctx.facts.project!().usesIn(made, CSRF_MIDDLEWARE_NAME)[0] : undefined;
  if (atMaking) return `\`${atMaking}\``;
  const check = facts.find((f) => f?.csrfCheck)?.csrfCheck;
  return check ? `a token or origin check at ${check.file}:${check.line}` : undefined;
}

export function csrf(ctx: AccessContext): Draft[] {
  const facts = ctx.facts;
  if (!facts.requestFacts || !facts.project) return [];
  const project = facts.project();
  // Cookies that browsers withhold from cross-site requests defeat the attack; lax ones still go with top-level GETs.
  if (project.sameSiteCookie?.strict) return [];
  const elsewhere = CSRF_LIBRARIES.find((m) => project.imports(m));
  const out: Draft[] = [];
  for (const r of ctx.chains.routes) {
    if (!JUDGED.has(r.method) || isPublicByDesign(r)) continue;
    const fns = [...chainOf(r).flatMap((l) => l.fns), r.handler];
    const rf = fns.map((f) => facts.requestFacts!(f));
    const handler = facts.requestFacts(r.handler);
    const write = handler?.write;
    if (!write) continue;
    if (protectedBy(ctx, r, rf)) continue;
    const cookie = cookieAuth(ctx, r, rf);
    if (!cookie) continue;
    const onGet = r.method === 'get' || r.method === 'all';
    if (project.sameSiteCookie && !onGet) continue;
    // At the registration, like the other route-level findings: the handler may be defined anywhere.
    const location = r.site;
    const how = onGet ? `accepts GET${r.method === 'all' ? ' (it is registered for every method)' : ''}, so a link or an image tag on any site triggers it` : 'accepts a cross-site form post';
    out.push({
      rule: 'csrf',
      title: `${r.route} changes state on a cookie-authenticated request without a CSRF defence${onGet ? ' (state change on GET)' : ''}`,
      location,
      route: r,
      trace: [
        step('source', cookie.site, `the request is authenticated by cookie: ${cookie.label}`),
        step('step', r.site, `\`${r.route}\` is registered with no CSRF token middleware`),
        step('sink', write.site, `state change: \`${write.text}\``),
      ],
      explanation:
        `\`${r.route}\` (${r.site.file}:${r.site.line}) is authenticated by a cookie the browser sends with every request, ${how}, and changes state (\`${write.text}\`, ${write.site.file}:${write.site.line}); ` +
        `nothing on its path checks an anti-CSRF token or the request's origin, ${project.sameSiteCookie ? 'and a SameSite=lax cookie is still sent with top-level GET navigations.' : 'and the session cookie is not SameSite strict/lax.'}` +
        (elsewhere ? ` The project imports ${elsewhere}, but this route's middleware chain does not show it.` : ''),
      files: [r.site.file, r.handler.file, write.site.file, cookie.site.file, ...chainOf(r).flatMap((l) => [l.at.file, ...l.fns.map((f) => f.file)])],
      evidence: { cookieAuth: `${cookie.site.file}:${cookie.site.line}`, stateChange: write.text, ...(elsewhere ? { protectionElsewhere: elsewhere } : {}) },
    });
  }
  out.push(...graphqlCsrf(ctx, elsewhere));
  return out;
}

/**
 * A GraphQL endpoint mounted with middleware (`router.use('/graphql', auth, graphqlHTTP({...}))`) whose
 * server runs mutations sent as form posts, behind middleware that reads a cookie: mutations by CSRF.
 */
function graphqlCsrf(ctx: AccessContext, elsewhere: string | undefined): Draft[] {
  const facts = ctx.facts;
  const project = facts.project!();
  if (!project.graphqlMutations || project.sameSiteCookie) return [];
  const byCall = new Map<string, Link[]>();
  for (const l of ctx.chains.links) {
    const k = `${l.at.file}:${l.at.line}:${l.at.column}`;
    const list = byCall.get(k) ?? byCall.set(k, []).get(k)!;
    if (!list.some((x) => x.site.line === l.site.line && x.site.column === l.site.column)) list.push(l);
  }
  const out: Draft[] = [];
  for (const links of byCall.values()) {
    const gql = links.find((l) => GRAPHQL_MIDDLEWARE_NAME.test(l.text.split('(')[0].trim().split('.').pop() ?? ''));
    if (!gql || links.some((l) => CSRF_MIDDLEWARE_NAME.test(names(ctx, l)))) continue;
    const authLink = links.find((l) => l !== gql && l.fns.some((f) => facts.requestFacts!(f)?.cookieAuth && !facts.requestFacts!(f)?.csrfCheck));
    const fn = authLink?.fns.find((f) => facts.requestFacts!(f)?.cookieAuth);
    if (!authLink || !fn) continue;
    const cookieSite = facts.requestFacts!(fn)!.cookieAuth!;
    const shape = facts.callAt(gql.at);
    const path = shape?.args[0]?.kind === 'string' ? shape.args[0].value ?? '/' : '/';
    const sameFile = ctx.chains.routes.filter((x) => x.site.file === gql.at.file);
    const route: Route = {
      ownerKey: `${gql.at.file}|${shape?.receiver ?? ''}`,
      method: 'use',
      path,
      fullPath: path,
      route: `${(shape?.method ?? 'use').toUpperCase()} ${path}`,
      reachable: sameFile.some((x) => x.reachable),
      site: gql.at,
      handler: fn,
      roles: [],
      own: links,
      inherited: [],
      laterUses: [],
      handlerFacts: undefined,
    };
    out.push({
      rule: 'csrf',
      title: `GraphQL endpoint ${path} runs mutations from cross-site form posts on a cookie-authenticated request`,
      location: { file: gql.site.file, line: gql.site.line, column: gql.site.column },
      route,
      trace: [
        step('source', cookieSite, `\`${authLink.text}\` authenticates the request by cookie`),
        step('sink', gql.site, `\`${gql.text}\` executes mutations sent as application/x-www-form-urlencoded posts, with no CSRF defence`),
      ],
      explanation:
        `The GraphQL endpoint mounted at ${gql.at.file}:${gql.at.line} is authenticated by \`${authLink.text}\`, which reads a cookie; its server accepts mutations in form-encoded POST bodies, ` +
        `which any website can submit with the visitor's cookies, and the schema declares mutations.` + (elsewhere ? ` The project imports ${elsewhere}, but this mount does not use it.` : ''),
      files: [gql.at.file, fn.file],
      evidence: { cookieAuth: `${cookieSite.file}:${cookieSite.line}`, stateChange: 'GraphQL mutations', ...(elsewhere ? { protectionElsewhere: elsewhere } : {}) },
    });
  }
  return out;
}
