// idor (CWE-639): an authenticated route whose handler (or the service it calls) reads or changes a record
// selected by a client-supplied id, with nothing tying the record to the signed-in user: the user's
// identity is not part of the selection, is never compared with the loaded record, and no role or
// ownership middleware guards the route.
import type { SinkHit } from '../summaries.js';
import { ID_LIKE, OWNER_FIELDS, USER_RECORD } from '../models/access-control.js';
import { chainOf, hasRoleCheck, isAuthenticated, type Route } from './chains.js';
import { identityChecks, isRequestFlow, rootOf, SCOPE, SELECT } from './collect.js';
import { receiverOf, step, type AccessContext, type Draft } from './context.js';
import type { ModelDef } from './facts.js';
import { isIdentityFlow } from './identity.js';
import { isAdminRoute } from './unprotected-admin.js';

const BY_ID = /\.(findById|findByPk|findByIdAndUpdate|findByIdAndDelete|findByIdAndRemove|findUnique|findOneById)\s*$/;

const lastSegment = (label: string) => label.replace(/\(\)$/, '').split('.').pop() ?? '';

function siteKey(h: SinkHit) {
  return `${h.site.file}:${h.site.line}:${h.site.column}`;
}

export function ownerField(model: ModelDef | undefined): string | undefined {
  return model?.fields.find((f) => OWNER_FIELDS.test(f.name))?.name;
}

/** The record a lookup reaches: its model, the field tying it to a user, or whether it is a user's own account. */
export function recordOf(ctx: AccessContext, hit: SinkHit): { recv?: string; model?: ModelDef; owner?: string; userRecord: boolean } {
  const recv = hit.record?.name || receiverOf(hit.calleeText);
  const model = recv ? ctx.model(recv) : undefined;
  const owner = ownerField(model);
  // A user record is its own owner: it is the user's only when its key is the signed-in user's.
  const userRecord = !owner && USER_RECORD.test(model?.name ?? recv ?? '');
  return { recv, model, owner, userRecord };
}

/** The lookups of a route that select a record by a value the client chooses (an id), unscoped by the user, in source order. */
export function clientChosenSelections(ctx: AccessContext, r: Route): SinkHit[][] {
  const a = ctx.access(r);
  const bySite = new Map<string, SinkHit[]>();
  for (const h of a.hits) if (h.sinkId === SELECT || h.sinkId === SCOPE) (bySite.get(siteKey(h)) ?? bySite.set(siteKey(h), []).get(siteKey(h))!).push(h);
  const out: SinkHit[][] = [];
  for (const hits of bySite.values()) {
    if (hits.some((h) => isIdentityFlow(h.flow))) continue; // scoped by the user
    const byId = BY_ID.test(hits[0].calleeText.replace(/\(.*$/, '')) || !!hits[0].record?.byKey;
    const chosen = hits.filter((h) => h.sinkId === SELECT && isRequestFlow(h.flow) && (byId || ID_LIKE.test(lastSegment(rootOf(h.flow).label))));
    if (!chosen.length) continue;
    out.push(chosen.sort((x, y) => rootOf(x.flow).site.line - rootOf(y.flow).site.line));
  }
  return out;
}

export function idor(ctx: AccessContext): Draft[] {
  const out: Draft[] = [];
  for (const r of ctx.chains.routes) {
    // Administrative routes reach every record by design; their risk is the role check (unprotected-admin).
    if (!isAuthenticated(r) || hasRoleCheck(r) || isAdminRoute(r) || chainOf(r).some((l) => l.ownership)) continue;
    const a = ctx.access(r);
    if (identityChecks(a, false).length) continue; // the record is compared with the user somewhere
    for (const chosen of clientChosenSelections(ctx, r)) {
      const hit = chosen[0];
      const root = rootOf(hit.flow);
      const { recv, model, owner, userRecord } = recordOf(ctx, hit);
      if (model && !owner && !userRecord) continue; // the record does not belong to a user (a catalogue entry)
      // Raw SQL built with the key in it names its table: only a table known to hold users' records counts.
      if (hit.record?.byKey && !owner && !userRecord) continue;
      const auth = chainOf(r).find((l) => l.auth);
      const call = `\`${hit.calleeText}(…)\``;
      const ownerAt = model && owner ? model.fields.find((x) => x.name === owner)!.line : undefined;
      const explanation =
        `\`${r.route}\` requires a signed-in user${auth ? ` (\`${auth.text}\`)` : ''}, then ${call} at ${hit.site.file}:${hit.site.line} ${hit.label} by \`${root.label}\`, ` +
        `a value the client chooses, and nothing ties that record to the user: the user's identity is not part of the lookup, the loaded record is never compared with it, and no ownership or role check guards the route.` +
        (model && owner ? ` ${model.name} records belong to a user through \`${owner}\` (${model.file}:${ownerAt}).` : '') +
        (userRecord ? ` \`${model?.name ?? recv}\` records are users' own accounts: another user's is loaded as easily as one's own.` : '');
      const trace = [
        step('source', root.site, `\`${root.label}\` (chosen by the client) read in the ${r.route} handler`),
        ...hit.flow.steps.map((s) => ({ ...s, kind: 'step' as const })),
      ];
      if (model && owner) {
        trace.push(step('step', { file: model.file, line: ownerAt!, column: 1 }, `\`${owner}\` ties ${model.name} records to their owner`));
      }
      trace.push(step('sink', hit.site, `${call} ${hit.label}, with no owner condition`));
      out.push({
        rule: 'idor',
        title: `${root.label} selects a record in ${r.route} without an ownership check`,
        location: hit.site,
        route: r,
        trace,
        explanation,
        files: [...a.files, ...hit.flow.files, ...(model ? [model.file] : []), ...chainOf(r).map((l) => l.at.file), ...(auth ? auth.fns.map((f) => f.file) : [])],
        evidence: {
          convention: auth?.text,
          handlerReadsIdentity: !!r.handlerFacts?.readsIdentity,
          identityPassedOn: a.hits.some((h) => isIdentityFlow(h.flow)),
          model: model?.name,
          modelFile: model?.file,
          ownerField: owner,
        },
        patch: scopePatch(ctx, r, hit, owner),
      });
    }
  }
  return out;
}

/** `Order.findById(id)` in the handler → `Order.findOne({ _id: id, user: req.user.id })` (and the Sequelize form). */
function scopePatch(ctx: AccessContext, r: Route, hit: SinkHit, owner: string | undefined) {
  // A resolver's user lives in its context, under a name the engine does not know: no patch is proposed there.
  if (!owner || r.operation || hit.site.file !== r.handler.file || !hit.site.endLine || !hit.site.endColumn) return undefined;
  const req = ctx.fe.params(r.handler)[0]?.name;
  if (!req || !/^[A-Za-z_$][\w$]*$/.test(req)) return undefined;
  const text = (ctx.files.read(hit.site.file) ?? '').split('\n');
  const call = hit.site.line === hit.site.endLine ? text[hit.site.line - 1]?.slice(hit.site.column - 1, hit.site.endColumn - 1) : undefined;
  const m = call && /^([\w$.]+)\.(findById|findByPk)\(([^(),]+)\)$/.exec(call);
  if (!m) return undefined;
  const user = `${req}.user.id`;
  const replacement = m[2] === 'findById' ? `${m[1]}.findOne({ _id: ${m[3]}, ${owner}: ${user} })` : `${m[1]}.findOne({ where: { id: ${m[3]}, ${owner}: ${user} } })`;
  return ctx.facts.edit(hit.site.file, [{ line: hit.site.line, column: hit.site.column, endLine: hit.site.endLine, endColumn: hit.site.endColumn, text: replacement }], `Load the record only if it belongs to the signed-in user (${owner} = ${user}).`);
}
