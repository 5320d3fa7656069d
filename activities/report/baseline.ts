// Baseline across scans of one repository: each finding of this scan is new or unchanged against the
// previous completed scan's report, and that report's findings missing now are fixed. Findings are
// matched by fingerprint, which hashes code text and never line numbers, so moved code stays "unchanged".

export type BaselineState = 'new' | 'unchanged';

/** What a comparison needs of a finding: its id and fingerprint (Finding and JsonReportFinding both fit). */
export interface Fingerprinted {
  id: string;
  fingerprint: string;
}

export interface BaselineFixed {
  fingerprint: string;
  /** The finding's id, rule, title and place in the baseline scan. */
  id: string;
  ruleId: string;
  title: string;
  severity: string;
  file: string;
  line: number;
}

export interface Baseline {
  /** The scan compared against; null when the baseline came from a file given by the user. */
  previousScanId: string | null;
  /** Finding id -> state, for every finding of this scan. */
  states: Record<string, BaselineState>;
  new: number;
  unchanged: number;
  /** Findings of the baseline that this scan no longer reports. Sorted by fingerprint. */
  fixed: BaselineFixed[];
}

/**
 * What a comparison reads of an earlier report (a stored report.json or a file given by the user). Structural, so
 * the report module can name Baseline types without this one depending on it.
 */
export interface BaselineReport {
  scan?: { scanId: string } | null;
  findings: Array<Fingerprinted & { ruleId: string; title: string; severity: string; location: { file: string; startLine: number } }>;
}

export function compareToBaseline(current: Fingerprinted[], previous: BaselineReport | undefined): Baseline | undefined {
  if (!previous) return undefined;
  const before = new Set(previous.findings.map((f) => f.fingerprint));
  const now = new Set(current.map((f) => f.fingerprint));
  const states: Record<string, BaselineState> = {};
  for (const f of current) states[f.id] = before.has(f.fingerprint) ? 'unchanged' : 'new';
  const fixed = previous.findings
    .filter((f) => !now.has(f.fingerprint))
    .map((f) => ({ fingerprint: f.fingerprint, id: f.id, ruleId: f.ruleId, title: f.title, severity: f.severity, file: f.location.file, line: f.location.startLine }))
    .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  const values = Object.values(states);
  return {
    previousScanId: previous.scan?.scanId ?? null,
    states,
    new: values.filter((s) => s === 'new').length,
    unchanged: values.filter((s) => s === 'unchanged').length,
    fixed,
  };
}
