// The report as Markdown, for pull-request comments, job summaries and wikis. Built from the JSON report so
// the two never disagree. Finding text is attacker-influenced (it quotes scanned code), so everything taken
// from a finding is escaped or fenced: a crafted line cannot inject links, images, HTML or headings.
import type { JsonReport, JsonReportFinding } from './json-report.js';

const SEVERITY_ICON: Record<string, string> = { critical: '🟥', high: '🟧', medium: '🟨', low: '⬜' };

/** Escapes text for inline Markdown: HTML, emphasis, links, code spans, tables and line structure. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()<>#!|~&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`))
    // A leading "-", "+" or "1." would start a list when the text begins a line.
    .replace(/^(\s*)([-+])/, '$1\\$2')
    .replace(/^(\s*)(\d+)\./, '$1$2\\.');
}

/** A fenced code block whose fence is longer than any backtick run inside the text. */
export function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const bar = '`'.repeat(longest + 1);
  return `${bar}${lang}\n${text.replace(/\n$/, '')}\n${bar}`;
}

function code(text: string): string {
  // An inline code span cannot hold a newline or be escaped; fall back to escaped text when it holds backticks.
  const t = text.replace(/[\r\n]+/g, ' ');
  return t.includes('`') ? escapeMarkdown(t) : `\`${t}\``;
}

export function toMarkdown(report: JsonReport): string {
  const { scan, summary } = report;
  const out: string[] = [];
  out.push(`# Vigil security review — ${escapeMarkdown(scan.repoKey)}`, '');
  const meta = [
    `**Scan** ${code(scan.scanId)}`,
    scan.commit ? `**Commit** ${code(scan.commit)}` : undefined,
    scan.finishedAt ? `**Finished** ${escapeMarkdown(scan.finishedAt)}` : undefined,
    `**Generator** Vigil ${escapeMarkdown(report.generator.version)}`,
  ].filter(Boolean);
  out.push(meta.join(' · '), '');
  const usage = report.engineUsage;
  if (usage?.incomplete) out.push(`> **Incomplete scan.** ${escapeMarkdown(incompleteSentence(usage))}`, '');

  out.push('## Summary', '');
  out.push('| Severity | Findings |', '|---|---:|');
  for (const [sev, n] of Object.entries(summary.bySeverity)) out.push(`| ${SEVERITY_ICON[sev] ?? ''} ${sev} | ${n} |`);
  out.push(`| **total** | **${summary.findings}** |`, '');
  out.push(
    `Status: ${summary.byStatus.pending} pending, ${summary.byStatus.approved} approved, ${summary.byStatus.rejected} rejected · ` +
      `${summary.withPatch} with a suggested patch.`,
    '',
  );
  if (report.baseline) {
    const b = report.baseline;
    out.push(
      `Against the previous scan${b.previousScanId ? ` ${code(b.previousScanId)}` : ''}: **${b.new} new**, ${b.unchanged} unchanged, ${b.fixed.length} fixed.`,
      '',
    );
  }
  if (report.retrieval) out.push(`Similar past decisions: not shown — ${escapeMarkdown(report.retrieval.reason)}.`, '');
  if (report.scope) {
    out.push(
      `Coverage: ${report.scope.mode} analysis, ${report.scope.analysedFiles} of ${report.scope.filesInScope} files in scope analysed` +
        `${report.scope.carriedOver ? `, ${report.scope.carriedOver} results carried over` : ''}.`,
      '',
    );
  }

  out.push('## Findings', '');
  if (report.findings.length === 0) out.push('No findings.', '');
  for (const f of report.findings) out.push(...finding(f));

  if (report.baseline && report.baseline.fixed.length > 0) {
    out.push('## Fixed since the previous scan', '');
    for (const f of report.baseline.fixed) {
      out.push(`- ${escapeMarkdown(f.severity)} · ${escapeMarkdown(f.title)} (${code(`${f.file}:${f.line}`)}, ${code(f.ruleId)})`);
    }
    out.push('');
  }
  if (report.apply && report.apply.mode !== 'none') {
    out.push('## Applied fixes', '');
    if (report.apply.branch) out.push(`Branch ${code(report.apply.branch)}${report.apply.commit ? ` at ${code(report.apply.commit)}` : ''}.`);
    if (report.apply.patchSeries) out.push(`A patch series of ${report.apply.patchSeries.messages} message(s) is stored with the scan.`);
    out.push(`Applied: ${report.apply.applied.map(code).join(', ') || 'none'}.`);
    for (const fail of report.apply.failed) out.push(`- Not applied: ${code(fail.findingId)} — ${escapeMarkdown(fail.reason)}`);
    out.push('');
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function finding(f: JsonReportFinding): string[] {
  const out: string[] = [];
  const where = `${f.location.file}:${f.location.startLine}`;
  const badge = f.baseline ? ` · ${f.baseline}` : '';
  out.push(`### ${SEVERITY_ICON[f.severity] ?? ''} ${escapeMarkdown(f.title)} — ${code(where)}`, '');
  out.push(
    `**${f.severity}** severity · **${f.confidence}** confidence · ${escapeMarkdown(f.cwe)} · rule ${code(f.ruleId)} · ` +
      `status **${f.status}**${badge} · id ${code(f.id)}`,
    '',
  );
  out.push(escapeMarkdown(f.explanation), '');
  if (f.trace.length > 0) {
    out.push('**Dataflow**', '');
    f.trace.forEach((s, i) => {
      out.push(`${i + 1}. ${s.kind} ${code(`${s.file}:${s.line}`)} — ${escapeMarkdown(s.label)}`);
      if (s.snippet) out.push('', indent(fence(s.snippet, 'js'), '   '), '');
    });
    out.push('');
  }
  out.push(`**Verification:** ${f.verdict.verdict} (${escapeMarkdown(f.verdict.verifier)})`);
  for (const r of f.verdict.reasons) out.push(`- ${escapeMarkdown(r)}`);
  out.push('');
  if (f.similarDecisions?.length) {
    // Precedent for the reviewer; it decides nothing (the finding keeps its own status above).
    out.push('**Similar past decisions** (precedent only; this finding is decided on its own)', '');
    for (const s of f.similarDecisions) {
      out.push(
        `- ${s.decision === 'approve' ? 'approved' : 'rejected'} ${code(s.findingId)} in scan ${code(s.scanId)} · similarity ${s.similarity.toFixed(2)}` +
          `${s.comment ? ` — ${escapeMarkdown(s.comment)}` : ''}`,
      );
    }
    out.push('');
  }
  if (f.guidance) {
    out.push(`**Guidance:** ${guidanceLink(f.guidance)} · similarity ${f.guidance.similarity.toFixed(2)}`, '');
  }
  if (f.decision) {
    const d = f.decision;
    out.push(
      `**Decision:** ${d.decision} by ${escapeMarkdown(d.actor)} on ${escapeMarkdown(d.decidedAt)}` +
        `${d.comment ? ` — ${escapeMarkdown(d.comment)}` : ''}${d.carriedOver ? ' (carried over from an earlier scan)' : ''}`,
      '',
    );
  }
  if (f.patch) {
    out.push(`**Suggested patch** — ${escapeMarkdown(f.patch.description)}`, '', fence(f.patch.diff, 'diff'), '');
  }
  return out;
}

/** Where the API serves a guidance passage (the id's '#' encoded, so it stays in the path). */
export function guidancePath(id: string): string {
  return `/v1/guidance/${encodeURIComponent(id)}`;
}

function guidanceLink(g: { id: string; title: string; heading: string }): string {
  // escapeMarkdown escapes brackets and parentheses, so the label cannot close the link early.
  return `[${escapeMarkdown(`${g.title} — ${g.heading}`)}](${guidancePath(g.id)})`;
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

/** One sentence saying which limit stopped a scan and what it left undone. */
export function incompleteSentence(u: { stoppedBy?: 'tokens' | 'cost'; maxCostUsd?: number; budgetTokens: number; notDone?: string[] }): string {
  const limit = u.stoppedBy === 'cost' ? `the cost limit ($${u.maxCostUsd})` : `the token budget (${u.budgetTokens} tokens)`;
  return `Stopped by ${limit}${u.notDone?.length ? `: ${u.notDone.join('; ')}` : ''}.`;
}
