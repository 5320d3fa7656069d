// Confidence: how sure a finding holds. Verification sets it on the verdict; scoring caps by it. One reading of
// the built-in engine's evidence, used by its verifier and, for verdicts stored before they carried one, by scoring.
import type { CandidateEvidence, Confidence } from './model.js';

export const CONFIDENCE_ORDER: Confidence[] = ['low', 'medium', 'high'];

/** The lower of two confidences. */
export function lowerConfidence(a: Confidence, b: Confidence): Confidence {
  return CONFIDENCE_ORDER[Math.min(CONFIDENCE_ORDER.indexOf(a), CONFIDENCE_ORDER.indexOf(b))];
}

/** What the evidence earns: an attacker-controlled source and a mounted route, each one step. */
export function evidenceConfidence(e: CandidateEvidence): Confidence {
  if (e.analysis === 'pattern') {
    // A pattern finding needs no attacker-controlled source: the code itself is the flaw, unless a caveat applies.
    return e.caveat ? 'medium' : 'high';
  }
  if (e.analysis === 'access-control') return e.reachableFromMountedRoute ? 'high' : 'medium';
  if (e.sourceIsRequestInput && e.reachableFromMountedRoute) return 'high';
  if (e.sourceIsRequestInput || e.reachableFromMountedRoute) return 'medium';
  return 'low';
}
