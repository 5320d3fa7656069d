// CI gates for `vigil scan`: --fail-on <severity> and --baseline <report.json>.
import { readFileSync } from 'node:fs';
import type { Finding, Severity } from '../../activities/model.js';
import { compareToBaseline, type Baseline } from '../../activities/report/baseline.js';
import type { JsonReport } from '../../activities/report/json-report.js';
import { CliError } from './cli-error.js';

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];
/** The exit code when a finding at or above --fail-on is pending or approved. */
export const EXIT_FINDINGS = 3;
/**
 * The exit code when the scan's coverage is incomplete: a limit (the token budget, or --max-cost) stopped it before
 * its planned work was done, so "no findings" does not mean clean. Given whatever --fail-on says, unless
 * --allow-incomplete; EXIT_FINDINGS wins when both apply.
 */
export const EXIT_INCOMPLETE = 4;

/** The Claude engine's counts as one sentence saying which limit stopped the scan and what it left undone, or undefined. */
export function incompleteCoverage(claude: {
  incomplete?: boolean;
  stoppedBy?: 'tokens' | 'cost';
  maxCostUsd?: number;
  budgetTokens: number;
  spentTokens: number;
  spentUsd?: number;
  passes: number;
  passesSkipped: number;
  passesCutShort?: number;
  panelsSkipped?: number;
  patchesSkipped?: number;
} | undefined): string | undefined {
  if (!claude?.incomplete) return undefined;
  const limit =
    claude.stoppedBy === 'cost'
      ? `the cost limit ($${claude.maxCostUsd}; spent $${claude.spentUsd ?? '?'})`
      : `the token budget (${claude.budgetTokens} tokens; spent ${claude.spentTokens})`;
  const undone = [
    claude.passes && claude.passesSkipped === claude.passes ? 'no research pass run' : '',
    claude.passesSkipped && claude.passesSkipped < claude.passes ? `${claude.passesSkipped} of ${claude.passes} research passes not run` : '',
    claude.passesCutShort ? `${claude.passesCutShort} research pass(es) cut short` : '',
    claude.panelsSkipped ? `${claude.panelsSkipped} candidate(s) not verified` : '',
    claude.patchesSkipped ? `${claude.patchesSkipped} confirmed finding(s) not patched` : '',
  ].filter(Boolean);
  return `Stopped by ${limit}: ${undone.join(', ')}.`;
}

export function parseSeverity(value: string): Severity {
  const s = value.toLowerCase() as Severity;
  if (!SEVERITIES.includes(s)) throw new CliError(`--fail-on must be one of ${SEVERITIES.join(', ')} (got ${value}).`);
  return s;
}

/**
 * Reads a baseline: a Vigil report.json (GET /v1/scans/:id/report, or `vigil scan --format json`).
 * Only its findings' fingerprints matter, so a report from another machine or an older scan works.
 */
export function readBaseline(file: string): Pick<JsonReport, 'scan' | 'findings'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`--baseline ${file} could not be read as JSON (${(err as Error).message}); pass a Vigil report.json.`);
  }
  const p = parsed as { scan?: { scanId?: string }; findings?: unknown };
  const ok =
    Array.isArray(p?.findings) &&
    (p.findings as unknown[]).every((f) => typeof (f as { fingerprint?: unknown })?.fingerprint === 'string' && typeof (f as { location?: unknown }).location === 'object');
  if (!ok) {
    throw new CliError(`--baseline ${file} is not a Vigil JSON report (it needs findings with fingerprints); save one with \`vigil scan --format json\` or GET /v1/scans/<id>/report.`);
  }
  return parsed as Pick<JsonReport, 'scan' | 'findings'>;
}

export function baselineFor(findings: Finding[], file: string | undefined): Baseline | undefined {
  return file ? compareToBaseline(findings, readBaseline(file)) : undefined;
}

/** Findings that fail the gate: at or above the threshold, not rejected, and new when a baseline is given. */
export function gateFailures(findings: Finding[], failOn: Severity, baseline: Baseline | undefined): Finding[] {
  const limit = SEVERITIES.indexOf(failOn);
  return findings.filter(
    (f) => SEVERITIES.indexOf(f.severity) <= limit && f.status !== 'rejected' && (!baseline || baseline.states[f.id] === 'new'),
  );
}
