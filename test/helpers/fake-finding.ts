// A complete Finding for store tests, with only the fields a test cares about given.
import type { Finding } from '../../activities/model.js';

export function fakeFinding(fields: Partial<Finding> = {}): Finding {
  return {
    id: 'f1',
    fingerprint: 'fp1',
    candidateId: 'c1',
    ruleId: 'rule',
    cwe: 'CWE-78',
    title: 'a finding',
    severity: 'high',
    confidence: 'high',
    location: { file: 'a.js', startLine: 1, endLine: 1 },
    trace: [],
    explanation: '',
    verdict: { candidateId: 'c1', verdict: 'confirmed', reasons: [], verifier: 'v' },
    status: 'pending',
    ...fields,
  };
}
