// A research report checked finding by finding: a malformed or invented finding is dropped alone, with the check
// that caught it, and the valid ones in the same report stay. Checks, in order: the finding's shape (schema), its
// lines exist (location), and its source and sink quotes are the code at those lines (quote).
import type { SourceFiles } from '../../model.js';
import { nearLocation, quoteProblem, type ClaimDrop } from './grounding.js';
import { findingSchema, reportShapeSchema, type ModelFinding, type Validation } from './schemas.js';
import { lineExists } from './tools.js';

export interface CheckedReport {
  findings: ModelFinding[];
  drops: ClaimDrop[];
}

/** Files a report's findings cite (where, and every trace step), read before checking: anything shaped enough. */
export function filesCitedByRaw(items: unknown[]): string[] {
  const files = new Set<string>();
  for (const it of items) {
    const f = it as { file?: unknown; trace?: { file?: unknown }[] };
    if (typeof f?.file === 'string') files.add(f.file);
    if (Array.isArray(f?.trace)) for (const s of f.trace) if (typeof s?.file === 'string') files.add(s.file);
  }
  return [...files];
}

/** Model-chosen text kept in a drop (a path it invented) is bounded. */
const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

/** Why one finding is not a claim the snapshot supports, as a drop, or undefined. */
export function findingDrop(files: SourceFiles, f: ModelFinding): ClaimDrop | undefined {
  const at = { file: clip(f.file), line: f.start_line };
  if (!lineExists(files, f.file, f.end_line)) {
    return { check: 'location', reason: `${clip(f.file)}:${f.start_line}-${f.end_line} is not a line range of a snapshot file`, ...at };
  }
  for (const s of f.trace) {
    if (!lineExists(files, s.file, s.line)) return { check: 'location', reason: `trace step ${clip(s.file)}:${s.line} is not a line of a snapshot file`, ...at };
  }
  const source = f.trace.find((s) => s.kind === 'source');
  const sink = f.trace.find((s) => s.kind === 'sink');
  if (!source || !sink) return { check: 'schema', reason: 'the trace needs a source step and a sink step, each quoting its code', ...at };
  if (!nearLocation({ file: f.file, startLine: f.start_line, endLine: f.end_line }, sink.file, sink.line)) {
    return { check: 'location', reason: `the sink step ${sink.file}:${sink.line} is not at the reported location`, ...at };
  }
  for (const s of [source, sink]) {
    const problem = quoteProblem(files, s.file, s.line, s.code);
    if (problem) return { check: 'quote', reason: `${s.kind}: ${problem}`, file: s.file, line: s.line };
  }
  return undefined;
}

/**
 * The report, each finding checked alone. `problems` (for the model's one correction) lists the dropped ones;
 * the report is malformed only when its shape is (no findings list).
 */
export function checkReport(files: SourceFiles, input: unknown): Validation<CheckedReport> & { problems?: string } {
  const shape = reportShapeSchema.safeParse(input);
  if (!shape.success) {
    return { ok: false, error: shape.error.issues.slice(0, 8).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  }
  const findings: ModelFinding[] = [];
  const drops: ClaimDrop[] = [];
  const notes: string[] = [];
  shape.data.findings.forEach((item, i) => {
    const parsed = findingSchema.safeParse(item);
    if (!parsed.success) {
      const reason = parsed.error.issues.slice(0, 4).map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ');
      const raw = item as { file?: unknown; start_line?: unknown };
      drops.push({ check: 'schema', reason, ...(typeof raw?.file === 'string' ? { file: clip(raw.file) } : {}), ...(typeof raw?.start_line === 'number' ? { line: raw.start_line } : {}) });
      notes.push(`findings.${i}: ${reason}`);
      return;
    }
    const drop = findingDrop(files, parsed.data);
    if (drop) {
      drops.push(drop);
      notes.push(`findings.${i}: ${drop.reason}`);
      return;
    }
    findings.push(parsed.data);
  });
  const value = { findings, drops };
  return notes.length ? { ok: true, value, problems: notes.join('; ') } : { ok: true, value };
}
