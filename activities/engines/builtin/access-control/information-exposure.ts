// information-exposure (CWE-200): a route or operation whose response carries what no client should see:
// the server's whole environment (`process.env`: keys, database passwords) or a record's stored password
// hash. Read from the handler's own body (access-control/facts.ts FnFacts.exposures). An environment dump
// behind a role check is an administrator's tool and is not reported; a password hash is never the client's.
import { hasRoleCheck } from './chains.js';
import { step, type AccessContext, type Draft } from './context.js';

export function informationExposure(ctx: AccessContext): Draft[] {
  const out: Draft[] = [];
  const seen = new Set<string>();
  for (const r of ctx.chains.routes) {
    for (const x of r.handlerFacts?.exposures ?? []) {
      if (x.what === 'environment' && hasRoleCheck(r)) continue;
      // One handler served at several routes is one flaw.
      const k = `${x.site.file}:${x.site.line}:${x.site.column}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const env = x.what === 'environment';
      out.push({
        rule: 'information-exposure',
        title: env ? `${r.route} sends the whole process environment` : `${r.route} sends a stored password`,
        location: x.site,
        route: r,
        trace: [step('sink', x.site, env ? '`process.env` goes into the response as a whole' : `\`${x.text}\`: the record's stored password goes into the response`)],
        explanation: env
          ? `\`${r.route}\` (${r.site.file}:${r.site.line}) answers with \`process.env\` (${x.site.file}:${x.site.line}): every environment variable of the server, which is where its secrets live (database URLs and passwords, signing keys, API tokens).`
          : `\`${r.route}\` (${r.site.file}:${r.site.line}) copies a stored password into what it answers (\`${x.text}\`, ${x.site.file}:${x.site.line}): the client receives the password (or its hash, which can be cracked offline).`,
        files: [r.site.file, r.handler.file, x.site.file],
        evidence: { handlerReadsIdentity: !!r.handlerFacts?.readsIdentity },
      });
    }
  }
  return out;
}
