// The verdict is counted in code, never left to judgement: every verifier answers its questions as checks,
// and one rule turns them into confirmed / rejected / uncertain, with the deciding reasons first.
import type { Verdict, VerdictKind } from '../../model.js';

export type Check = { outcome: 'pass' | 'reject' | 'unknown'; reason: string };

/** Any clear "no" rejects; otherwise anything unknown leaves the candidate uncertain; all passes confirm. */
export function countVerdict(candidateId: string, checks: Check[], verifier: string): Verdict {
  const rejected = checks.filter((k) => k.outcome === 'reject');
  const unknown = checks.filter((k) => k.outcome === 'unknown');
  let verdict: VerdictKind;
  let first: Check[];
  if (rejected.length) {
    verdict = 'rejected';
    first = rejected;
  } else if (unknown.length) {
    verdict = 'uncertain';
    first = unknown;
  } else {
    verdict = 'confirmed';
    first = [];
  }
  const rest = checks.filter((k) => !first.includes(k) && (verdict !== 'uncertain' || k.outcome === 'pass'));
  return { candidateId, verdict, reasons: [...first, ...rest].map((k) => k.reason), verifier };
}
