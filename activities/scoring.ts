// Scoring: severity from the weakness class and its reachability, confidence capped by what verification
// earned, and fingerprints that survive line shifts (they hash code text, never line numbers).
import { createHash } from 'node:crypto';
import type { Candidate, Confidence, Decision, Finding, Severity, SourceFiles, Verdict } from './model.js';
import { CONFIDENCE_ORDER, evidenceConfidence, lowerConfidence } from './confidence.js';

/** Base severity per CWE: what an attacker gets when the flaw is reachable. */
const BASE_SEVERITY: Record<string, Severity> = {
  'CWE-78': 'critical', // OS command injection: code execution on the host
  'CWE-94': 'critical', // code injection
  'CWE-95': 'critical', // eval injection
  'CWE-89': 'critical', // SQL injection: read/modify the whole database
  'CWE-22': 'high', // path traversal: read/write arbitrary files
  'CWE-918': 'high', // SSRF
  'CWE-639': 'high', // IDOR
  'CWE-862': 'high', // missing authorisation
  'CWE-79': 'medium', // XSS
  'CWE-601': 'medium', // open redirect
  'CWE-943': 'high', // NoSQL injection: authentication bypass, other users' records
  'CWE-1336': 'critical', // server-side template injection: code execution
  'CWE-502': 'critical', // unsafe deserialisation: code execution
  'CWE-611': 'high', // XXE: local file read, internal requests
  'CWE-1321': 'high', // prototype pollution
  'CWE-1333': 'medium', // ReDoS: one request blocks the event loop
  'CWE-117': 'low', // log injection
  'CWE-347': 'critical', // unverified JWT: forged identities
  'CWE-798': 'high', // hard-coded secret
  'CWE-916': 'medium', // weak password hashing
  'CWE-338': 'high', // predictable security token
  'CWE-614': 'medium', // insecure cookie/session settings
  'CWE-942': 'high', // permissive CORS with credentials
  'CWE-915': 'high', // mass assignment
  'CWE-602': 'high', // authorisation only on the client
  'CWE-285': 'high', // admin function without a role check
  'CWE-352': 'medium', // CSRF: actions in the signed-in user's name
  'CWE-307': 'medium', // unlimited authentication attempts: brute force
  'CWE-348': 'medium', // rate limit keyed on a forgeable header
  'CWE-200': 'low', // GraphQL introspection: schema disclosure
};
const ORDER: Severity[] = ['low', 'medium', 'high', 'critical'];

export function severityFor(candidate: Candidate, verdict: Verdict): Severity {
  const base = BASE_SEVERITY[candidate.cwe] ?? 'medium';
  // Unproven reachability lowers the stakes one step; it does not remove the finding.
  if (verdict.verdict === 'uncertain' || candidate.evidence.reachableFromMountedRoute === false) {
    return ORDER[Math.max(0, ORDER.indexOf(base) - 1)];
  }
  return base;
}

/**
 * Confidence never exceeds what verification earned: confirmed caps at high, uncertain at low, and within that
 * the verdict's own confidence (a verdict stored without one: what the candidate's evidence earns).
 */
export function confidenceFor(candidate: Candidate, verdict: Verdict): Confidence {
  const cap: Confidence = verdict.verdict === 'confirmed' ? 'high' : 'low';
  return lowerConfidence(cap, verdict.confidence ?? evidenceConfidence(candidate.evidence));
}

function normalise(line: string | undefined): string {
  return (line ?? '').replace(/\s+/g, ' ').trim();
}

function lineText(files: SourceFiles, file: string, line: number): string {
  const text = files.read(file);
  if (text === undefined) return '';
  return text.split('\n')[line - 1] ?? '';
}

/** Fingerprint from the rule, the files and the normalised code of source and sink, plus an occurrence index. */
export function fingerprintBase(candidate: Candidate, files: SourceFiles): string {
  const source = candidate.trace.find((s) => s.kind === 'source');
  const sinkCode = normalise(lineText(files, candidate.location.file, candidate.location.startLine));
  const sourceCode = source ? normalise(lineText(files, source.file, source.line)) : '';
  return [candidate.ruleId, candidate.location.file, candidate.origin, sinkCode, source?.file ?? '', sourceCode].join('\u0000');
}

export interface ScoreInput {
  candidates: Candidate[];
  verdicts: Verdict[];
  files: SourceFiles;
  /** Decisions made in earlier scans of this repository, by fingerprint. */
  ledger: Map<string, Decision>;
}

export interface ScoreOutput {
  findings: Finding[];
  /** Candidates that verification rejected: kept in the record, not in the findings. */
  rejected: number;
}

export function scoreCandidates({ candidates, verdicts, files, ledger }: ScoreInput): ScoreOutput {
  const verdictById = new Map(verdicts.map((v) => [v.candidateId, v]));
  const occurrences = new Map<string, number>();
  const byFingerprint = new Map<string, Finding>();
  let rejected = 0;
  const ordered = [...candidates].sort(
    (a, b) =>
      a.location.file.localeCompare(b.location.file) ||
      a.location.startLine - b.location.startLine ||
      a.id.localeCompare(b.id),
  );
  for (const c of ordered) {
    const verdict = verdictById.get(c.id);
    if (!verdict) throw new Error(`No verdict for candidate ${c.id}: verification must answer every candidate.`);
    if (verdict.verdict === 'rejected') {
      rejected++;
      continue;
    }
    const base = fingerprintBase(c, files);
    const n = occurrences.get(base) ?? 0;
    occurrences.set(base, n + 1);
    const fingerprint = createHash('sha256').update(`${base}\u0000${n}`).digest('hex');
    if (byFingerprint.has(fingerprint)) continue; // the same flaw reported twice merges into one finding
    const prior = ledger.get(fingerprint);
    byFingerprint.set(fingerprint, {
      id: `f_${fingerprint.slice(0, 16)}`,
      fingerprint,
      candidateId: c.id,
      ruleId: c.ruleId,
      cwe: c.cwe,
      title: c.title,
      severity: severityFor(c, verdict),
      confidence: confidenceFor(c, verdict),
      location: c.location,
      trace: c.trace,
      explanation: c.explanation,
      ...(c.evidence.containsSecret ? { containsSecret: true } : {}),
      verdict,
      patch: c.patch,
      status: prior ? (prior.decision === 'approve' ? 'approved' : 'rejected') : 'pending',
      decision: prior,
      decisionCarriedOver: prior ? true : undefined,
    });
  }
  const findings = [...byFingerprint.values()].sort(
    (a, b) =>
      ORDER.indexOf(b.severity) - ORDER.indexOf(a.severity) ||
      CONFIDENCE_ORDER.indexOf(b.confidence) - CONFIDENCE_ORDER.indexOf(a.confidence) ||
      a.location.file.localeCompare(b.location.file) ||
      a.location.startLine - b.location.startLine,
  );
  return { findings, rejected };
}
