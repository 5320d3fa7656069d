// plaintext-password (CWE-256): the password a client sends is stored as it is, or a login finds the user by
// comparing the stored password with it (a query filter `{ password: req.body.password }`, SQL
// `WHERE password = '…'`, `user.password === req.body.password`), which only works when passwords are kept
// in clear. A hash on the way (bcrypt, argon2, scrypt, a digest) makes it safe; so does a model that hashes
// on save, for writes.
import { MODEL_HASHES, PASSWORD_FIELD, PASSWORD_HASHED_TAG } from '../models/access-control.js';
import type { SinkHit } from '../summaries.js';
import { PASSWORD, isRequestFlow, rootOf } from './collect.js';
import { receiverOf, step, type AccessContext, type Draft } from './context.js';

/** The request value the hit carries is a password, untransformed by a hash. */
function plainPassword(h: SinkHit): boolean {
  if (!isRequestFlow(h.flow)) return false;
  const root = rootOf(h.flow);
  const last = root.label.split('.').pop() ?? '';
  // A filter key already names the password; SQL and comparisons need the value itself to be one.
  const keyed = /^(stores|looks the record up by) `/.test(h.label);
  if (!keyed && !PASSWORD_FIELD.test(last)) return false;
  return !h.flow.tags.includes(PASSWORD_HASHED_TAG);
}

export function plaintextPassword(ctx: AccessContext): Draft[] {
  const out: Draft[] = [];
  const seen = new Set<string>();
  for (const r of [...ctx.chains.routes].sort((a, b) => Number(b.reachable) - Number(a.reachable))) {
    const a = ctx.access(r);
    for (const hit of a.hits) {
      if (hit.sinkId !== PASSWORD || !plainPassword(hit)) continue;
      const key = `${hit.site.file}:${hit.site.line}`;
      if (seen.has(key)) continue;
      const stores = /^stores|^writes/.test(hit.label);
      // A model that hashes in a save hook stores hashes whatever the handler passes it.
      const recv = /^new\s+([\w$]+)/.exec(hit.calleeText)?.[1] ?? receiverOf(hit.calleeText);
      const model = recv ? ctx.model(recv) : undefined;
      if (stores && model && MODEL_HASHES.test(ctx.files.read(model.file) ?? '')) continue;
      seen.add(key);
      const root = rootOf(hit.flow);
      out.push({
        rule: 'plaintext-password',
        title: `${root.label} ${stores ? 'stored' : 'compared with the stored password'} without hashing`,
        location: hit.site,
        route: r,
        trace: [
          step('source', root.site, `\`${root.label}\` (the password the client sends) read in the ${r.route} handler`),
          ...hit.flow.steps.map((s) => ({ ...s, kind: 'step' as const })),
          step('sink', hit.site, `\`${hit.calleeText}\` ${hit.label}`),
        ],
        explanation:
          `\`${root.label}\` (read at ${root.site.file}:${root.site.line}) reaches \`${hit.calleeText}\` at ${hit.site.file}:${hit.site.line}, which ${hit.label}, with no password hash on the way` +
          (stores ? '.' : ': the lookup can only match if the stored password is the plain text.'),
        files: [...a.files, ...hit.flow.files, ...(model ? [model.file] : [])],
        evidence: { model: model?.name, modelFile: model?.file },
      });
    }
  }
  return out;
}
