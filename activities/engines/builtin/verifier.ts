// The built-in verifier: challenges each candidate on four questions and writes down why.
//   1. Is the code still there (sink and source lines as the trace quotes them)?
//   2. Is the source attacker-controlled (request input, a socket message or a library API argument; not configuration or a constant)?
//   4. Is the code reachable from a mounted route, a file route or a library's exported API, rather than test/fixture code or a handler nothing holds? (A handler-shaped function held by code whose registration was not resolved is unproven, not rejected.)
//   4. Is the code reachable from a mounted route, a file route or a library's exported API, rather than test/fixture code or a handler never registered?
// Confirmed needs yes/no/no/yes; a clear "no" to 2 or 4 (or a "yes" to 3) rejects; anything unknown is uncertain.
import type { Candidate, SourceFiles, Verdict, Verifier } from '../../model.js';
import { countVerdict, type Check } from './verdict.js';
import { evidenceConfidence } from '../../confidence.js';
import { looksLikeTest } from './candidates.js';
import { judgePattern } from './verifier-checks.js';
import { judgeAccess } from './verifier-access.js';
import { SANITISERS } from './models/sanitisers.js';
import { FILE_ROUTES, LIBRARY_SOURCE_KIND } from './models/frameworks.js';
import { describeSourceKind } from './models/sources.js';

export const VERIFIER_NAME = 'builtin-verifier';


function codeStillThere(c: Candidate, files: SourceFiles): Check {
  const text = files.read(c.location.file);
  if (text === undefined) return { outcome: 'unknown', reason: `${c.location.file} is not in the snapshot, so the sink could not be re-read.` };
  const lines = text.split('\n');
  for (const step of c.trace) {
    if (!step.snippet) continue;
    const now = files.read(step.file)?.split('\n')[step.line - 1]?.trim();
    if (now !== undefined && !now.startsWith(step.snippet.replace(/…$/, ''))) {
      return { outcome: 'unknown', reason: `${step.file}:${step.line} no longer reads as the trace quotes it; the flow must be re-analysed.` };
    }
  }
  if (c.location.startLine > lines.length) return { outcome: 'unknown', reason: `${c.location.file} has no line ${c.location.startLine}.` };
  return { outcome: 'pass', reason: `The sink at ${c.location.file}:${c.location.startLine} and every quoted trace line are present as analysed.` };
}

function attackerControlled(c: Candidate): Check {
  const kind = c.evidence.sourceKind ?? c.trace[0]?.label ?? 'the source';
  if (c.evidence.sourceIsRequestInput === false) {
    return { outcome: 'reject', reason: `The source (${kind}) is not request input: it comes from configuration or constants, not from an attacker.` };
  }
  if (c.evidence.libraryExport && c.evidence.sourceKind === LIBRARY_SOURCE_KIND) {
    return {
      outcome: 'pass',
      reason: `The source is a parameter of \`${c.evidence.libraryExport}\`, part of the exported API of a library: under the library threat model its callers pass untrusted data.`,
    };
  }
  const modelled = describeSourceKind(c.evidence.sourceKind);
  if (modelled) return { outcome: 'pass', reason: `The source ${kind} is ${modelled.description} of ${modelled.channel}, which the client fully controls.` };
  if (c.evidence.sourceIsRequestInput === true) return { outcome: 'pass', reason: `The source ${kind} is request input of an HTTP request, which the client fully controls.` };
  return { outcome: 'unknown', reason: `Nothing shows that the source (${kind}) is attacker-controlled.` };
}

/** Sanitiser names the engine recorded but which did not cut the flow: judge each against the models. */
function sanitisation(c: Candidate): Check {
  if (c.evidence.parameterised) return { outcome: 'reject', reason: 'The value reaches the sink only through a parameterised form (bound parameters), which keeps it data.' };
  const seen = c.evidence.sanitisersOnPath ?? [];
  if (!seen.length) return { outcome: 'pass', reason: 'No sanitiser, validation or parameterisation is applied between source and sink.' };
  const effective = seen.filter((name) =>
    SANITISERS.some((s) => s.id === name && (s.cuts === 'all' || (s.cuts as string[]).includes(c.ruleId))),
  );
  if (effective.length) return { outcome: 'reject', reason: `${effective.join(', ')} neutralises ${c.ruleId} input on the path.` };
  const bypassable = seen.filter((name) => /partial filtering|not normalised/.test(name));
  const unknown = seen.filter((name) => !bypassable.includes(name));
  if (unknown.length) return { outcome: 'unknown', reason: `The flow passes through ${unknown.join(', ')}, whose effect on ${c.ruleId} could not be established.` };
  return { outcome: 'pass', reason: `The filtering on the path is bypassable: ${bypassable.join('; ')}.` };
}

function reachability(c: Candidate): Check {
  if (c.evidence.inTestOrFixture || looksLikeTest(c.origin)) {
    return { outcome: 'reject', reason: `The entry point is in ${c.origin}, which is test, fixture or example code that production does not serve.` };
  }
  if (c.evidence.libraryExport) {
    return { outcome: 'pass', reason: `The entry point \`${c.evidence.libraryExport}\` is exported by the package's entry file ${c.origin}: the exported API of a library is reachable by every caller.` };
  }
  if (c.evidence.reachableFromMountedRoute) {
    const route = c.evidence.route ?? 'a route';
    const how = FILE_ROUTES.some((fr) => !fr.directive && fr.pattern.test(c.origin))
      ? `serves ${route}: ${c.origin} is a route by file-system routing, which the framework serves by convention`
      : FILE_ROUTES.some((fr) => fr.label && route.startsWith(`${fr.label} `))
        ? `is ${route}: every export of a module marked '${FILE_ROUTES.find((fr) => fr.label && route.startsWith(`${fr.label} `))!.directive}' is an endpoint the client can call`
        : c.evidence.route && !/^[A-Z]+ \//.test(c.evidence.route)
        ? `handles ${route} events of a server the application runs`
        : `serves ${route} on a router mounted on the application`;
    return { outcome: 'pass', reason: `The handler ${how}.` };
  }
  if (c.evidence.route) {
    return { outcome: 'unknown', reason: `The handler is registered as ${c.evidence.route}, but its router was never seen mounted on an application, so reachability is unproven.` };
  }
  if (c.evidence.unresolvedHandler) {
    // Reachability lowers confidence, never erases: the registering call may be one the engine could not follow.
    return {
      outcome: 'unknown',
      reason: `The entry point in ${c.origin} is shaped like a request handler and is ${c.evidence.unresolvedHandler}, but no registration of it on a route was resolved, so reachability is unproven.`,
    };
  }
  return { outcome: 'reject', reason: `The handler in ${c.origin} is never registered on a route, called or referenced: it is dead code as far as the application is concerned.` };
}

export function judge(c: Candidate, files: SourceFiles): Verdict {
  if (c.evidence.analysis === 'pattern') return judgePattern(c, files, VERIFIER_NAME); // non-flow checks: verifier-checks.ts
  if (c.evidence.analysis === 'access-control') return judgeAccess(c, files, VERIFIER_NAME); // verifier-access.ts
  const checks = [codeStillThere(c, files), attackerControlled(c), sanitisation(c), reachability(c)];
  return countVerdict(c.id, checks, VERIFIER_NAME);
}

export function createBuiltinVerifier(): Verifier {
  return {
    name: VERIFIER_NAME,
    async verify({ files, candidates, signal }) {
      const out: Verdict[] = [];
      for (const c of candidates) {
        signal?.throwIfAborted();
        // The verdict carries what the evidence it weighed earns; scoring caps the finding's confidence by it.
        out.push({ ...judge(c, files), confidence: evidenceConfidence(c.evidence) });
      }
      return out;
    },
  };
}
