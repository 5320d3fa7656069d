// The signed-in user as the analysis sees it: reading `req.user`, `req.session`, `res.locals`, `ctx.state`
// (models/access-control.ts IDENTITY_MEMBERS) yields a flow rooted at an identity source. It is not
// attacker input, so it is cut for every dataflow rule (no sink ever reports it), but it travels through
// summaries like any flow: access-control/ sees where the user's identity reaches a lookup or a comparison,
// across files.
import { IDENTITY_MEMBER_INDEX } from '../models/access-control.js';
import { RULE_IDS } from '../models/rules.js';
import type { Flow, Site, SourceRoot } from '../values.js';

export const IDENTITY_SOURCE_KIND = 'identity';
export const IDENTITY_TAG = 'identity';

export function identityFlows(type: string, member: string, site: Site): Flow[] {
  const row = IDENTITY_MEMBER_INDEX.get(`${type}|${member}`) ?? IDENTITY_MEMBER_INDEX.get(`${type}|*`);
  if (!row) return [];
  const label = row.member === '*' ? `${row.label}.${member.replace(/\(\)$/, '')}` : row.label;
  const root: SourceRoot = { kind: 'source', sourceKind: IDENTITY_SOURCE_KIND, label, requestInput: false, site };
  return [{ root, steps: [], alias: !member.endsWith('()'), cuts: [...RULE_IDS], partial: [], tags: [IDENTITY_TAG], files: [] }];
}

export const isIdentityFlow = (f: Flow) => f.root.kind === 'source' && f.root.sourceKind === IDENTITY_SOURCE_KIND;
