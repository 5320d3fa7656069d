// missing-authorization (CWE-862): a route without the authentication its siblings have. Siblings are the
// routes of the same router; when a router has no protected route at all, the application's routes are the
// siblings, and only state-changing or administrative routes are reported (a read-only router that
// protects nothing is usually a public catalogue).
import { chainOf, hasRoleCheck, isAuthenticated, isPublicByDesign, type Link, type Route } from './chains.js';
import { insertionPoint, insertText, step, type AccessContext, type Draft } from './context.js';
import { isAdminRoute, roleTested } from './unprotected-admin.js';
import { clientChosenSelections, recordOf } from './idor.js';
import { rootOf } from './collect.js';
import type { SinkHit } from '../summaries.js';
import type { Site } from '../values.js';

/** A router protects its routes by convention when most of them (and at least two) are authenticated. */
export const MIN_PROTECTED = 2;
export const MIN_SHARE = 0.6;
const WRITE_METHODS = new Set(['post', 'put', 'patch', 'delete', 'del', 'all']);

/** The most used authentication link among `routes` (the convention), with the routes using it. */
export function convention(routes: Route[], pick: (l: Link) => boolean): { link: Link; users: Route[] } | undefined {
  const by = new Map<string, { link: Link; users: Route[] }>();
  for (const r of routes) {
    const seen = new Set<string>();
    for (const l of chainOf(r)) {
      if (!pick(l) || seen.has(l.text)) continue;
      seen.add(l.text);
      const e = by.get(l.text) ?? by.set(l.text, { link: l, users: [] }).get(l.text)!;
      e.users.push(r);
    }
  }
  return [...by.values()].sort((a, b) => b.users.length - a.users.length || a.link.text.localeCompare(b.link.text))[0];
}

const where = (r: Route) => `${r.site.file}:${r.site.line}`;

function draft(ctx: AccessContext, r: Route, siblings: Route[], protectedOnes: Route[], appWide: boolean, reaches?: SinkHit): Draft | undefined {
  const conv = convention(protectedOnes, (l) => l.auth);
  const evidenceRoute = conv?.users[0] ?? protectedOnes[0];
  const convText = conv ? `\`${conv.link.text}\`` : r.operation ? 'a check of the signed-in user in the resolver' : 'an authentication check in the handler';
  const scope = appWide ? 'routes of the application' : r.operation ? 'operations of the schema' : `routes in ${r.site.file}`;
  const reached = reaches ? ` It ${reaches.label.replace(/^(loads|changes|deletes) the record it selects$/, '$1 a record')} with \`${reaches.calleeText}(…)\` (${reaches.site.file}:${reaches.site.line}) by \`${rootOf(reaches.flow).label}\`, a value the caller chooses.` : '';
  const later = conv && r.laterUses.find((l) => l.text === conv.link.text);
  const explanation =
    `${conv ? conv.users.length : protectedOnes.length} of ${siblings.length} ${scope} use ${convText}; \`${r.route}\` (${where(r)}) does not` +
    (later ? `: it is registered before \`${later.text}\` is applied (${later.at.file}:${later.at.line}), and middleware runs in registration order, so the check never runs for it.` : ', so anyone can call it without signing in.') +
    reached +
    (r.handlerFacts?.readsIdentity ? ' Its handler reads the user, but does not refuse anonymous requests.' : '');
  const trace = [
    step('step', evidenceRoute.site, `sibling \`${evidenceRoute.route}\` is protected by ${convText}`),
    ...(conv?.link.fns[0] ? [step('step', ctx.facts.fnFacts(conv.link.fns[0])?.site ?? conv.link.site, conv.link.why || `${convText} refuses anonymous requests`)] : []),
    ...(later ? [step('step', later.at, `\`${later.text}\` applies only to routes registered after this line`)] : []),
    ...(reaches ? [step('step', reaches.site, `\`${reaches.calleeText}(…)\` ${reaches.label} by \`${rootOf(reaches.flow).label}\``)] : []),
    step('sink', r.site, `\`${r.route}\` is ${r.operation ? 'served' : 'registered'} without ${convText}`),
  ];
  // The verdict rests on every sibling (their registrations and middleware), so each of their files is a dependency.
  const files = [r.site.file, ...siblings.map((x) => x.site.file), ...protectedOnes.flatMap((x) => chainOf(x).flatMap((l) => [l.at.file, ...l.fns.map((f) => f.file)])), ...chainOf(r).map((l) => l.at.file)];
  // The fix: the sibling's middleware, as written in this very file, before the handler.
  let patch;
  const at = insertionPoint(r);
  if (conv && at && conv.link.site.file === r.site.file) {
    // As the siblings write it: a positional argument, or the options object that holds it (Fastify `{ preHandler }`).
    const text = insertText(conv.link, r);
    if (text) patch = ctx.facts.edit(r.site.file, [{ line: at.line, column: at.column, endLine: at.line, endColumn: at.column, text: `${text}, ` }], `Add ${conv.link.text} to ${r.route}, as its sibling routes have it.`);
  }
  return {
    rule: 'missing-authorization',
    title: r.operation && !conv ? `${r.route} lacks the check of the signed-in user its sibling operations make` : `${r.route} lacks ${conv ? conv.link.text : 'the authentication'} its sibling routes use`,
    location: r.site,
    route: r,
    trace,
    explanation,
    files,
    evidence: {
      convention: conv?.link.text,
      protectedSiblings: conv ? conv.users.length : protectedOnes.length,
      siblings: siblings.length,
      appWide,
      handlerReadsIdentity: !!r.handlerFacts?.readsIdentity,
    },
    patch,
  };
}

/**
 * A sign-in check that answers (a redirect, a 401) but does not stop the handler: the request goes on as if
 * it had passed. One draft per place the answer is sent (a shared helper is one flaw), at the first route.
 */
function refusalsThatContinue(ctx: AccessContext): Draft[] {
  const byRefusal = new Map<string, { routes: Route[]; at: { call: Site; helper: string; refusal: Site; flaw: Site } }>();
  for (const r of ctx.chains.routes) {
    if (chainOf(r).some((l) => l.auth)) continue; // middleware already refused
    for (const c of r.handlerFacts?.refusalsThatContinue ?? []) {
      const k = `${c.flaw.file}:${c.flaw.line}:${c.flaw.column}`;
      const e = byRefusal.get(k) ?? byRefusal.set(k, { routes: [], at: c }).get(k)!;
      if (!e.routes.includes(r)) e.routes.push(r);
    }
  }
  const out: Draft[] = [];
  for (const { routes, at } of byRefusal.values()) {
    const r = routes[0];
    const what = at.helper ? `\`${at.helper}(…)\`` : 'its sign-in check';
    const others = routes.length > 1 ? ` The same holds for ${routes.length - 1} more route${routes.length > 2 ? 's' : ''} (${routes.slice(1, 4).map((x) => `\`${x.route}\``).join(', ')}${routes.length > 4 ? ', …' : ''}).` : '';
    out.push({
      rule: 'missing-authorization',
      title: `the sign-in check of ${r.route} answers but does not stop the request`,
      location: at.flaw,
      route: r,
      trace: at.flaw === at.refusal
        ? [
            step('step', at.call, at.helper ? `\`${r.route}\` calls ${what} and goes on whatever it did` : `\`${r.route}\` tests the user and goes on whatever the test said`),
            step('sink', at.refusal, 'answers an anonymous request (a redirect or 401) without stopping the handler: it keeps running'),
          ]
        : [
            step('step', at.refusal, `${what} answers an anonymous request and tells its caller so`),
            step('sink', at.call, `\`${r.route}\` calls ${what} and ignores what it returned: the handler keeps running`),
          ],
      explanation:
        `\`${r.route}\` (${where(r)}) checks for a signed-in user with ${what}, which answers an anonymous request at ${at.refusal.file}:${at.refusal.line}, ` +
        `but nothing stops the handler there (no \`return\`, no thrown error, the result is not acted on): the statements after the check run for anyone, signed in or not.` + others,
      files: [r.site.file, r.handler.file, at.refusal.file, ...routes.map((x) => x.handler.file)],
      evidence: { handlerReadsIdentity: true, convention: at.helper || undefined, refusalContinues: `${at.refusal.file}:${at.refusal.line}` },
    });
  }
  return out;
}

/**
 * A route that answers with every user account (`User.find({})`, `SELECT … FROM users` without WHERE) to
 * whoever is signed in: it neither checks a role nor narrows the list to the caller. Administrative routes are
 * unprotected-admin's; a route that reads the user may be scoping the list in a way the engine misses.
 */
function everyAccount(ctx: AccessContext): Draft[] {
  const out: Draft[] = [];
  for (const r of ctx.chains.routes) {
    const all = r.handlerFacts?.listsAllUsers;
    if (!all || !r.reachable || !isAuthenticated(r) || hasRoleCheck(r) || isAdminRoute(r) || r.handlerFacts?.readsIdentity || roleTested(ctx, r)) continue;
    const auth = chainOf(r).find((l) => l.auth);
    out.push({
      rule: 'missing-authorization',
      title: `${r.route} lists every user account to any signed-in user`,
      location: all.site,
      route: r,
      trace: [
        ...(auth ? [step('step', auth.site, `\`${auth.text}\` only checks that a user is signed in`)] : []),
        step('sink', all.site, `\`${all.text}\` reads every account, with no filter and no role check`),
      ],
      explanation:
        `\`${r.route}\` (${where(r)}) answers with every user account (\`${all.text}\`, ${all.site.file}:${all.site.line}) to anyone who is signed in` +
        `${auth ? ` (\`${auth.text}\`)` : ''}: no role check guards it and the list is not narrowed to the caller, so any account holder can enumerate all the others.`,
      files: [r.site.file, r.handler.file, all.site.file, ...chainOf(r).map((l) => l.at.file)],
      evidence: { convention: auth?.text, handlerReadsIdentity: false },
    });
  }
  return out;
}

export function missingAuthorization(ctx: AccessContext): Draft[] {
  const out: Draft[] = [...refusalsThatContinue(ctx), ...everyAccount(ctx)];
  const routes = ctx.chains.routes.filter((r) => !isPublicByDesign(r));
  const byOwner = new Map<string, Route[]>();
  for (const r of routes) (byOwner.get(r.ownerKey) ?? byOwner.set(r.ownerKey, []).get(r.ownerKey)!).push(r);
  // The application's convention is its HTTP routes' (a schema's operations are served through one of them).
  const appProtected = routes.filter((r) => r.reachable && !r.operation && isAuthenticated(r));
  const appReachable = routes.filter((r) => r.reachable && !r.operation);
  const appConvention = appProtected.length >= 3 && appProtected.length / Math.max(1, appReachable.length) >= MIN_SHARE;
  for (const group of byOwner.values()) {
    const prot = group.filter(isAuthenticated);
    const open = group.filter((r) => !isAuthenticated(r));
    if (!open.length) continue;
    if (group[0].operation) {
      // Operations share one endpoint, so each resolver checks the user itself: where some do, one that does not
      // was forgotten when it reaches a user's record by the id the caller names (a catalogue entry is public by
      // nature), or when it is a mutation while most operations check the user.
      if (prot.length < MIN_PROTECTED) continue;
      const most = prot.length / group.length >= MIN_SHARE;
      for (const r of open) {
        const reaches = clientChosenSelections(ctx, r).map((c) => c[0]).find((h) => {
          const rec = recordOf(ctx, h);
          return rec.owner || rec.userRecord;
        });
        if (!reaches && !(most && r.method === 'mutation')) continue;
        const d = draft(ctx, r, group, prot, false, reaches);
        if (d) out.push(d);
      }
      continue;
    }
    if (prot.length >= MIN_PROTECTED && prot.length / group.length >= MIN_SHARE) {
      for (const r of open) {
        const d = draft(ctx, r, group, prot, false);
        if (d) out.push(d);
      }
    } else if (!prot.length && appConvention) {
      for (const r of open) {
        if (!r.reachable || !(WRITE_METHODS.has(r.method) || isAdminRoute(r))) continue;
        const d = draft(ctx, r, appReachable, appProtected, true);
        if (d) out.push(d);
      }
    }
  }
  return out;
}
