// The verifier for access-control candidates (evidence.analysis === 'access-control'). They rest on the
// application's conventions rather than on a source-to-sink flow, so the questions differ:
//   1. Is the evidence still there (every quoted line of the trace reads as analysed)?
//   2. Is the route reachable (mounted on an application; not test, fixture or example code)?
//   3. Is the evidence strong, or could a check sit where the engine does not see it (an inline check in a
//      handler that reads the user, a service that receives the user's identity, a model we could not find,
//      a comparison across the whole application rather than within one router)?
// Confirmed needs pass/pass/pass; a clear failure of 2 rejects; anything open is uncertain.
import type { Candidate, SourceFiles, Verdict } from '../../model.js';
import { countVerdict, type Check } from './verdict.js';
import { looksLikeTest } from './candidates.js';


function evidenceStillThere(c: Candidate, files: SourceFiles): Check {
  for (const s of c.trace) {
    if (!s.snippet) continue;
    const now = files.read(s.file)?.split('\n')[s.line - 1]?.trim();
    if (now === undefined) return { outcome: 'unknown', reason: `${s.file} is not in the snapshot, so the evidence at line ${s.line} could not be re-read.` };
    if (!now.startsWith(s.snippet.replace(/…$/, ''))) return { outcome: 'unknown', reason: `${s.file}:${s.line} no longer reads as analysed; the route must be re-analysed.` };
  }
  return { outcome: 'pass', reason: `Every line the evidence quotes (${c.trace.map((s) => `${s.file}:${s.line}`).join(', ')}) is present as analysed.` };
}

function reachable(c: Candidate): Check {
  if (c.evidence.inTestOrFixture || looksLikeTest(c.origin)) {
    return { outcome: 'reject', reason: `The route is defined in ${c.origin}, which is test, fixture or example code that production does not serve.` };
  }
  if (c.evidence.reachableFromMountedRoute) return { outcome: 'pass', reason: `${c.evidence.route ?? 'The route'} is served by a router mounted on the application.` };
  return { outcome: 'unknown', reason: `${c.evidence.route ?? 'The route'} is registered, but its router was never seen mounted on an application, so reachability is unproven.` };
}

function strength(c: Candidate): Check {
  const e = c.evidence.accessControl ?? {};
  switch (c.ruleId) {
    case 'missing-authorization':
      if (e.refusalContinues) return { outcome: 'pass', reason: `The sign-in check answers anonymous requests at ${e.refusalContinues}, and nothing stops the handler after it: the code that follows runs for anyone.` };
      if (e.appWide) return { outcome: 'unknown', reason: `Its own router protects no route; the comparison is with the whole application (${e.protectedSiblings} of ${e.siblings} routes authenticated), so the router may be public by design.` };
      // A handler that reads the user but never refuses a request assumes the middleware ran: stronger, not weaker.
      return {
        outcome: 'pass',
        reason:
          `${e.protectedSiblings} of ${e.siblings} sibling routes use ${e.convention ? `\`${e.convention}\`` : 'authentication'}; this route has no authentication in its chain or its handler` +
          (e.handlerReadsIdentity ? ', and its handler reads the user without ever refusing a request, so it assumes a check that does not run.' : '.'),
      };
    case 'idor':
      if (!e.model) return { outcome: 'unknown', reason: 'No model definition was found for the record, so it is not known whether records belong to users.' };
      if (e.identityPassedOn) return { outcome: 'unknown', reason: "The user's identity reaches code the route calls (not the lookup); an ownership check may be made there in a form the engine does not recognise." };
      return { outcome: 'pass', reason: `${e.model} records belong to a user through \`${e.ownerField}\` (${e.modelFile}); the lookup is not scoped by the user and the record is never compared with the user.` };
    case 'mass-assignment':
      if (!e.privilegedFields?.length) return { outcome: 'unknown', reason: 'No model definition was found, so it is not known which fields the body could set.' };
      return { outcome: 'pass', reason: `${e.model} (${e.modelFile}) has privileged fields the client can now set: ${e.privilegedFields.join(', ')}.` };
    case 'plaintext-password':
      if (e.model) return { outcome: 'pass', reason: `The password reaches ${e.model} (${e.modelFile}) unhashed, and that model has no hashing hook.` };
      return { outcome: 'pass', reason: 'The password the client sends reaches the query or the stored record with no hash function on the way.' };
    case 'unprotected-admin':
      if (!e.roleMiddlewareElsewhere) return { outcome: 'unknown', reason: 'The application has no role check anywhere; whether signed-in users may all administer it is a product decision.' };
      return { outcome: 'pass', reason: `The application checks roles elsewhere (\`${e.roleMiddlewareElsewhere}\`); this administrative route does not.` };
    case 'information-exposure':
      return { outcome: 'pass', reason: 'The handler puts the value into its response in its own body, where the engine read it.' };
    case 'client-side-authorization':
      return { outcome: 'pass', reason: `The front end restricts the call (\`${e.clientGuard}\`) while the server route checks no role.` };
    case 'csrf':
    case 'missing-rate-limit':
      if (e.protectionElsewhere) return { outcome: 'unknown', reason: `The project imports ${e.protectionElsewhere}; it may be applied in a way the route's chain does not show.` };
      return c.ruleId === 'csrf'
        ? { outcome: 'pass', reason: `The route is authenticated by cookie (${e.cookieAuth}), changes state (\`${e.stateChange}\`) and has no CSRF token, origin check or SameSite cookie on its path.` }
        : { outcome: 'pass', reason: `The route checks a password or code (\`${e.credentialCheck}\`) and has no rate limiter or attempt counter on its path.` };
    case 'rate-limit-bypass':
      return { outcome: 'pass', reason: `The limiter \`${e.limiter}\` of a password check keys its count on a header the client sets.` };
    default:
      return { outcome: 'unknown', reason: `No access-control judgement is defined for ${c.ruleId}.` };
  }
}

export function judgeAccess(c: Candidate, files: SourceFiles, verifier: string): Verdict {
  const checks = [evidenceStillThere(c, files), reachable(c), strength(c)];
  return countVerdict(c.id, checks, verifier);
}
