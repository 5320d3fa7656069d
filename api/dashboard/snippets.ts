// Trace steps from engines that do not quote code (the Claude engine reports file and line only) get their
// line read from the scan's stored snapshot, so every reader of the findings API sees the code of each step.
import type { Finding } from '../../activities/model.js';
import type { Store } from '../../activities/store/store.js';
import { maskText } from '../../activities/secrets/mask.js';

const MAX_SNIPPET = 240;

export async function fillTraceSnippets<F extends Pick<Finding, 'trace'>>(
  store: Store,
  tenant: string,
  snapshotId: string | undefined,
  findings: F[],
): Promise<F[]> {
  const missing = findings.some((f) => f.trace.some((s) => !s.snippet));
  if (!missing || !snapshotId) return findings;
  const snapshot = await store.getSnapshot(tenant, snapshotId);
  if (!snapshot) return findings;
  const hashes = new Map(snapshot.files.map((f) => [f.path, f.hash]));
  const lines = new Map<string, string[] | undefined>();
  const linesOf = async (file: string) => {
    if (!lines.has(file)) {
      const hash = hashes.get(file);
      const blob = hash ? await store.getBlob(tenant, hash) : undefined;
      lines.set(file, blob?.toString('utf8').split('\n'));
    }
    return lines.get(file);
  };
  const out: F[] = [];
  for (const f of findings) {
    const trace = [];
    for (const step of f.trace) {
      if (step.snippet) {
        trace.push(step);
        continue;
      }
      // Read from the source itself: masked here, like every text leaving the store.
      const line = (await linesOf(step.file))?.[step.line - 1]?.trim();
      const text = line ? maskText(line) : line;
      trace.push(text ? { ...step, snippet: text.length > MAX_SNIPPET ? `${text.slice(0, MAX_SNIPPET - 1)}…` : text } : step);
    }
    out.push({ ...f, trace });
  }
  return out;
}
