// What the model hands back through its output tools, validated at the edge. Anything that fails these
// schemas is malformed: the model gets the error once to correct itself, then the output is dropped.
import { z } from 'zod';
import type { SourceFiles } from '../../model.js';
import { lineExists } from './tools.js';

const loc = { file: z.string().min(1), line: z.number().int().min(1) };

export const findingSchema = z
  .object({
    title: z.string().min(3).max(300),
    cwe: z.string().regex(/^CWE-\d+$/),
    file: z.string().min(1),
    start_line: z.number().int().min(1),
    end_line: z.number().int().min(1),
    trace: z
      .array(
        z
          .object({ ...loc, kind: z.enum(['source', 'step', 'sink']), label: z.string().min(1).max(500), code: z.string().min(1).max(2000).optional() })
          .strict(),
      )
      .min(1)
      .max(30),
    explanation: z.string().min(1).max(5000),
  })
  .strict()
  .refine((f) => f.end_line >= f.start_line, { message: 'end_line must not be before start_line' });

export const reportFindingsSchema = z.object({ findings: z.array(findingSchema).max(50) }).strict();
/** The report's shape only: each finding is then checked on its own (finding-checks.ts), so one bad finding drops alone. */
export const reportShapeSchema = z.object({ findings: z.array(z.unknown()).max(50) }).strict();
export type ModelFinding = z.infer<typeof findingSchema>;

export const threatModelSchema = z.object({
  components: z
    .array(
      z.object({
        name: z.string().min(1).max(200),
        description: z.string().max(2000),
        paths: z.array(z.string()).min(1),
        entry_points: z.array(z.string()).default([]),
        trust_boundaries: z.array(z.string()).default([]),
        sinks: z.array(z.string()).default([]),
      }),
    )
    .max(40),
  assumptions: z.array(z.string()),
  files_worth_reading: z.array(z.string()),
  skipped: z.array(z.object({ path: z.string(), reason: z.string().min(1) })),
});
export type ModelThreatModel = z.infer<typeof threatModelSchema>;

const quoted = z.object({ ...loc, code: z.string().min(1).max(2000) }).strict();

export const voteSchema = z
  .object({
    verdict: z.enum(['true_positive', 'false_positive']),
    evidence: z.array(z.object({ ...loc, note: z.string() }).strict()).max(20).default([]),
    /** What the verifier found itself, quoted: required for a true positive. */
    source: quoted.optional(),
    sink: quoted.optional(),
    missing_defence: quoted.optional(),
    /** Access control / business logic: a sibling that has the defence this code lacks. */
    sibling_with_defence: quoted.optional(),
    reasoning: z.string().min(1).max(5000),
  })
  .strict()
  .refine((v) => v.verdict === 'false_positive' || (v.source && v.sink && v.missing_defence), {
    message: 'a true_positive vote must quote the source, the sink and the missing defence (file, line, code) you found yourself',
  });
export type ModelVote = z.infer<typeof voteSchema>;

export const patchSchema = z.object({ diff: z.string().min(10), description: z.string().min(1).max(2000) }).strict();
export const patchReviewSchema = z
  .object({ fixes_finding: z.boolean(), keeps_behaviour: z.boolean(), introduces_issues: z.boolean(), reasoning: z.string() })
  .strict();

/**
 * A validated output. `problems`: the output is usable, but parts of it were rejected; the model is told them once
 * to correct itself, and this value stands if the correction is no better.
 */
export type Validation<T> = { ok: true; value: T; problems?: string } | { ok: false; error: string };

export function validateWith<T>(schema: z.ZodType<T>, input: unknown, extra?: (v: T) => string | undefined): Validation<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    return { ok: false, error: r.error.issues.slice(0, 8).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  }
  const problem = extra?.(r.data);
  return problem ? { ok: false, error: problem } : { ok: true, value: r.data };
}

/** Every location a finding names must exist in the snapshot. */
export function findingLocationsProblem(files: SourceFiles, report: { findings: ModelFinding[] }): string | undefined {
  for (const [i, f] of report.findings.entries()) {
    if (!lineExists(files, f.file, f.end_line)) return `findings.${i}: ${f.file}:${f.start_line}-${f.end_line} is not a line range of a snapshot file`;
    for (const [j, s] of f.trace.entries()) {
      if (!lineExists(files, s.file, s.line)) return `findings.${i}.trace.${j}: ${s.file}:${s.line} is not a line of a snapshot file`;
    }
  }
  return undefined;
}
