// How the CLI prints findings: a table for people, JSON or SARIF for machines.
import type { Finding } from '../../activities/model.js';
import { toSarif } from '../../activities/report/sarif.js';
import { VIGIL_VERSION } from '../../activities/version.js';

export type OutputFormat = 'table' | 'json' | 'sarif';

export function formatFindings(
  findings: Finding[],
  format: OutputFormat,
  scan: { scanId: string; tenant: string; repoKey: string; stage: string },
): string {
  if (format === 'json') return JSON.stringify({ scan, findings }, null, 2) + '\n';
  if (format === 'sarif') {
    const sarif = toSarif({ findings, tool: { name: 'Vigil', version: VIGIL_VERSION }, scan });
    return JSON.stringify(sarif, null, 2) + '\n';
  }
  return table(findings, scan);
}

function table(findings: Finding[], scan: { scanId: string; stage: string }): string {
  if (findings.length === 0) return `No findings (scan ${scan.scanId}, ${scan.stage}).\n`;
  const rows = findings.map((f) => [
    f.severity.toUpperCase(),
    f.confidence,
    f.cwe,
    `${f.location.file}:${f.location.startLine}`,
    f.status + (f.patch ? ' +patch' : ''),
    f.id,
    f.title,
  ]);
  const head = ['SEVERITY', 'CONF', 'CWE', 'LOCATION', 'STATUS', 'ID', 'TITLE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + `\n\n${findings.length} finding(s) in scan ${scan.scanId} (${scan.stage}).\n`;
}
