// Trace steps from engines that do not quote code (the Claude engine reports file and line only) get their
// line from the snapshot once, at scoring, and the finding is stored with it: readers of findings (API,
// dashboard, reports) never read blobs for them.
import type { Finding, SourceFiles } from './model.js';
import { maskText } from './secrets/mask.js';

const MAX_SNIPPET = 240;

/** `findings` with every trace step that lacks a snippet given its line, trimmed, masked and cut to 240 characters. */
export function fillTraceSnippets<F extends Pick<Finding, 'trace'>>(findings: F[], files: SourceFiles): F[] {
  if (!findings.some((f) => f.trace.some((s) => !s.snippet))) return findings;
  const lines = new Map<string, string[] | undefined>();
  const linesOf = (file: string) => {
    if (!lines.has(file)) lines.set(file, files.read(file)?.split('\n'));
    return lines.get(file);
  };
  return findings.map((f) => ({
    ...f,
    trace: f.trace.map((step) => {
      if (step.snippet) return step;
      // Read from the source itself: masked here, like every text leaving the store.
      const line = linesOf(step.file)?.[step.line - 1]?.trim();
      const text = line ? maskText(line) : line;
      return text ? { ...step, snippet: text.length > MAX_SNIPPET ? `${text.slice(0, MAX_SNIPPET - 1)}…` : text } : step;
    }),
  }));
}
