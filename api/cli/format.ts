// How the CLI prints findings: a table for people, JSON, SARIF or Markdown for machines and CI.
import type { Finding } from '../../activities/model.js';
import type { Baseline } from '../../activities/report/baseline.js';
import { toJsonReport } from '../../activities/report/json-report.js';
import { toMarkdown } from '../../activities/report/markdown.js';
import { toSarif } from '../../activities/report/sarif.js';
import { VIGIL_VERSION } from '../../activities/version.js';
import { maskDeep, maskText } from '../../activities/secrets/mask.js';

export type OutputFormat = 'table' | 'json' | 'sarif' | 'markdown';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'json', 'sarif', 'markdown'];

/** What the CLI prints or writes: every text masked (secrets in trace snippets, patch diffs, explanations). */
export function formatFindings(
  stored: Finding[],
  format: OutputFormat,
  scan: { scanId: string; tenant: string; repoKey: string; stage: string },
  opts: { baseline?: Baseline; incomplete?: string } = {},
): string {
  return maskText(formatMasked(maskDeep(stored), format, scan, opts));
}

function formatMasked(
  findings: Finding[],
  format: OutputFormat,
  scan: { scanId: string; tenant: string; repoKey: string; stage: string },
  opts: { baseline?: Baseline; incomplete?: string } = {},
): string {
  const { baseline, incomplete } = opts;
  if (format === 'json') {
    // Each finding carries its fingerprint, so this output can be the --baseline of a later run.
    const marked = baseline ? findings.map((f) => ({ ...f, baseline: baseline.states[f.id] })) : findings;
    const summary = baseline ? { baseline: { new: baseline.new, unchanged: baseline.unchanged, fixed: baseline.fixed } } : {};
    // A scan a limit cut short says so in its output, not only in its exit code.
    const coverage = incomplete ? { coverage: { incomplete: true, reason: incomplete } } : {};
    return JSON.stringify({ scan, ...summary, ...coverage, findings: marked }, null, 2) + '\n';
  }
  if (format === 'sarif') {
    const sarif = toSarif({ findings, tool: { name: 'Vigil', version: VIGIL_VERSION }, scan, baselineStates: baseline?.states, ...(incomplete ? { incomplete } : {}) });
    return JSON.stringify(sarif, null, 2) + '\n';
  }
  const note = incomplete ? `Incomplete scan. ${incomplete}\n` : '';
  if (format === 'markdown') {
    const md = toMarkdown(toJsonReport({ scan: { scanId: scan.scanId, tenant: scan.tenant, repoKey: scan.repoKey }, findings, baseline }));
    if (!note) return md;
    const cut = md.indexOf('\n\n') + 2;
    return `${md.slice(0, cut)}> **${note.trim()}**\n\n${md.slice(cut)}`;
  }
  return note + table(findings, scan, baseline);
}

function table(findings: Finding[], scan: { scanId: string; stage: string }, baseline: Baseline | undefined): string {
  const tail = baseline ? ` Against the baseline: ${baseline.new} new, ${baseline.unchanged} unchanged, ${baseline.fixed.length} fixed.` : '';
  if (findings.length === 0) return `No findings (scan ${scan.scanId}, ${scan.stage}).${tail}\n`;
  const rows = findings.map((f) => [
    f.severity.toUpperCase(),
    f.confidence,
    f.cwe,
    `${f.location.file}:${f.location.startLine}`,
    f.status + (f.patch ? ' +patch' : ''),
    ...(baseline ? [baseline.states[f.id] ?? ''] : []),
    f.id,
    f.title,
  ]);
  const head = ['SEVERITY', 'CONF', 'CWE', 'LOCATION', 'STATUS', ...(baseline ? ['BASELINE'] : []), 'ID', 'TITLE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + `\n\n${findings.length} finding(s) in scan ${scan.scanId} (${scan.stage}).${tail}\n`;
}
