// missing-rate-limit (CWE-307): a route whose handler checks a password or one-time code (recognised by what
// it does: bcrypt/argon2 compare, a lookup by password, TOTP verification, passport-local) with no rate
// limiter on its path (route, router or application middleware named like one, a rate-limit plugin that
// applies globally) and no attempt counter of its own.
// rate-limit-bypass (CWE-348): a limiter on such a path that keys its count on a forwarding header the
// client sets (X-Forwarded-For …): a new value per request resets it.
import { GLOBAL_RATE_LIMIT_MODULES, RATE_LIMIT_NAME } from '../models/web-app.js';
import { chainOf, type Link } from './chains.js';
import { step, type AccessContext, type Draft } from './context.js';

/** What a link is called and, for a variable, what it was made from (`codeAttempts = rateLimit({...})`). */
const names = (ctx: AccessContext, l: Link) => [l.text, ctx.facts.definitionText?.(l.site.file, l.text) ?? '', ...l.fns.map((f) => f.name)].join(' ');
/** Library middleware, as written, that checks a password itself (`passport.authenticate('local')`). */
const CREDENTIAL_MIDDLEWARE = /authenticate\(\s*['"](local|ldapauth|basic|digest)['"]/;

export function rateLimits(ctx: AccessContext): Draft[] {
  const facts = ctx.facts;
  if (!facts.requestFacts || !facts.project) return [];
  const project = facts.project();
  const global = GLOBAL_RATE_LIMIT_MODULES.find((m) => project.imports(m));
  const out: Draft[] = [];
  const bypassed = new Set<string>();
  for (const r of ctx.chains.routes) {
    if (r.method === 'use') continue;
    const links = chainOf(r);
    const handler = facts.requestFacts(r.handler);
    const viaLink = links.find((l) => CREDENTIAL_MIDDLEWARE.test(l.text));
    const check = handler?.credentialCheck ?? (viaLink ? { site: viaLink.site, text: viaLink.text } : undefined);
    if (!check) continue;
    const limiters = links.filter((l) => RATE_LIMIT_NAME.test(names(ctx, l)));
    for (const l of limiters) {
      for (const fn of l.fns) {
        const spoof = facts.requestFacts(fn)?.spoofableHeader;
        const key = spoof && `${spoof.site.file}:${spoof.site.line}:${spoof.site.column}`;
        if (!spoof || !key || bypassed.has(key)) continue;
        bypassed.add(key);
        out.push({
          rule: 'rate-limit-bypass',
          title: `the rate limiter \`${l.text}\` of ${r.route} counts attempts per ${spoof.header} header`,
          location: { file: spoof.site.file, line: spoof.site.line, column: spoof.site.column },
          route: r,
          trace: [
            step('step', check.site, `\`${r.route}\` checks a password or code: \`${check.text}\``),
            step('step', l.site, `limited by \`${l.text}\``),
            step('sink', spoof.site, `the limiter's key is the client-supplied ${spoof.header} header`),
          ],
          explanation:
            `\`${l.text}\` limits \`${r.route}\` (${r.site.file}:${r.site.line}), which checks a password or code (${check.site.file}:${check.site.line}), ` +
            `but keys its count on the ${spoof.header} request header (${spoof.site.file}:${spoof.site.line}), which the client writes: a different value on each request starts a new count.`,
          files: [r.site.file, fn.file, check.site.file],
          evidence: { credentialCheck: check.text, limiter: l.text },
        });
      }
    }
    if (limiters.length || handler?.attemptCounter || global) continue;
    out.push({
      rule: 'missing-rate-limit',
      title: `${r.route} checks a password or code with no rate limit`,
      location: { file: check.site.file, line: check.site.line, column: check.site.column },
      route: r,
      trace: [
        step('step', r.site, `\`${r.route}\` is registered with no rate-limiting middleware`),
        step('sink', check.site, `password or code check: \`${check.text}\``),
      ],
      explanation:
        `\`${r.route}\` (${r.site.file}:${r.site.line}) checks a password or one-time code (\`${check.text}\`, ${check.site.file}:${check.site.line}); ` +
        'no rate limiter is registered on the route, its router or the application, and the handler counts no failed attempts, so guesses are unlimited.',
      files: [r.site.file, r.handler.file, ...links.flatMap((l) => [l.at.file, ...l.fns.map((f) => f.file)])],
      evidence: { credentialCheck: check.text },
    });
  }
  return out;
}
