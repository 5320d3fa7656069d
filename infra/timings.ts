// Start-up timing marks for `npm run bench:startup`: with VIGIL_TIMINGS=<file> set, each mark appends one JSON
// line `{"mark":…,"ms":…}` (milliseconds since this process started) to that file; unset, a mark does nothing.
// api/bin/vigil.js (plain JavaScript, it runs before any TypeScript loads) writes its marks the same way.
import { appendFileSync } from 'node:fs';

export const TIMINGS_ENV = 'VIGIL_TIMINGS';

export function mark(name: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env[TIMINGS_ENV];
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify({ mark: name, ms: Math.round(performance.now()) })}\n`);
  } catch {
    // Timing is a diagnostic: a file that cannot be written never fails a scan.
  }
}
