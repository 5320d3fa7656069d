// Access control, reasoned from the application's own conventions (language-neutral: it reads the route
// registry, summaries and the front end's AccessFacts). One candidate per route and rule; where one route
// has several findings, the most specific one speaks for it: client-side authorisation, then missing
// authorisation, then an unprotected admin function.
import type { Candidate, SourceFiles } from '../../../model.js';
import type { FrontEndResult } from '../frontend.js';
import { buildChains } from './chains.js';
import { clientSideAuthorization } from './client-side-authorization.js';
import { createContext, toCandidate, type Draft } from './context.js';
import { csrf } from './csrf.js';
import { rateLimits } from './rate-limit.js';
import { idor } from './idor.js';
import { informationExposure } from './information-exposure.js';
import { massAssignment } from './mass-assignment.js';
import { missingAuthorization } from './missing-authorization.js';
import { plaintextPassword } from './plaintext-password.js';
import { unprotectedAdmin } from './unprotected-admin.js';

export function accessControlCandidates(fe: FrontEndResult, files: SourceFiles, engine: string): Candidate[] {
  if (!fe.access) return [];
  const chains = buildChains(fe, fe.access);
  if (!chains.routes.length) return [];
  const ctx = createContext(fe, fe.access, chains, files);
  const drafts: Draft[] = [];
  const claimed = new Set<string>();
  const routeKey = (d: Draft) => `${d.route.site.file}:${d.route.site.line}:${d.route.site.column}`;
  // Route-level findings: the first rule to claim a route reports it.
  for (const list of [clientSideAuthorization(ctx), missingAuthorization(ctx), unprotectedAdmin(ctx)]) {
    for (const d of list) {
      if (claimed.has(routeKey(d))) continue;
      claimed.add(routeKey(d));
      drafts.push(d);
    }
  }
  // A route whose front end shows it only to privileged users is meant to be role-checked, not scoped to an owner.
  const roleIntended = new Set(drafts.filter((d) => d.rule === 'client-side-authorization').map(routeKey));
  drafts.push(...idor(ctx).filter((d) => !roleIntended.has(routeKey(d))), ...massAssignment(ctx), ...plaintextPassword(ctx), ...informationExposure(ctx));
  // Request-forgery and brute-force findings stand beside the access findings of the same route.
  drafts.push(...csrf(ctx), ...rateLimits(ctx));
  const cache = new Map<string, string[]>();
  const byId = new Map<string, Candidate>();
  for (const d of drafts) {
    const c = toCandidate(d, engine, files, cache);
    if (!byId.has(c.id)) byId.set(c.id, c);
  }
  return [...byId.values()];
}
