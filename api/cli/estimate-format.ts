// How `vigil scan --estimate` prints: the planned passes, the tokens (low / expected / high) and the cost range per
// model, what the estimate itself spent, whether the limits cover it, and the assumptions behind the range.
import type { EstimateAnswer } from '../estimate-requests.js';

const n = (x: number) => x.toLocaleString('en-US');
const usd = (x: number) => `$${x < 0.01 ? x.toFixed(4) : x.toFixed(2)}`;

export function formatEstimate(a: EstimateAnswer): string {
  const e = a.estimate;
  const out: string[] = [];
  out.push(
    `Estimate for a Claude scan (${e.model}, effort ${e.effort}, ${e.mode}): ${n(e.filesInScope)} files in scope of ${n(a.snapshot.files)}, ` +
      `${e.components} component(s), ${e.passes.length} research pass(es).`,
  );
  out.push(
    `The estimate itself ran the threat-model pass only: ${n(e.threatModel.tokens)} tokens, ${usd(e.threatModel.costUsd)} on ${e.model}` +
      `${e.threatModel.fallback ? ' (its answer was unusable: one component per directory stands in)' : ''}. No research ran.`,
    '',
  );
  const rows = [['pass', 'component', 'category', 'files', 'tokens low', 'expected', 'high']];
  for (const p of e.passes) rows.push([p.id, p.component, p.category, n(p.files), n(p.tokens.low), n(p.tokens.expected), n(p.tokens.high)]);
  const v = e.verification;
  rows.push(['verification', `${v.candidates.low}–${v.candidates.high} candidates × ${v.panelSize}`, 'panel', '', n(v.tokens.low), n(v.tokens.expected), n(v.tokens.high)]);
  const pt = e.patches;
  rows.push(['patches', `${pt.count.low}–${pt.count.high} confirmed`, 'patch+review', '', n(pt.tokens.low), n(pt.tokens.expected), n(pt.tokens.high)]);
  rows.push(['total', '(threat model included)', '', '', n(e.total.low.tokens), n(e.total.expected.tokens), n(e.total.high.tokens)]);
  out.push(table(rows), '');
  out.push(`Cost (USD, low – high; expected in brackets; prices as of ${e.prices.asOf}, ${e.prices.source}):`);
  for (const c of e.costs) {
    out.push(`  ${c.model.padEnd(20)} ${usd(c.usd.low)} – ${usd(c.usd.high)}  (${usd(c.usd.expected)})${c.unsure ? `  note: ${c.unsure}` : ''}`);
  }
  out.push('', ...e.limits.map((l) => `Limits: ${l}.`), '', 'Assumptions behind the range:', ...e.assumptions.map((x) => `  - ${x}`));
  return out.join('\n') + '\n';
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}
