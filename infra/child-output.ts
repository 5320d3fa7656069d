// A service child's output, for the error that says why it did not start: its lines as they come, and the
// last lines of its log file when it runs detached.
import fs from 'node:fs';

/** The last `lines` lines of a log file; empty when it cannot be read. */
export function readTail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Calls `onLine` with each non-blank line of a stream (a partial last line is given when the stream ends). */
export function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line.trimEnd());
  });
  stream.on('end', () => {
    if (partial.trim()) onLine(partial.trimEnd());
  });
}
