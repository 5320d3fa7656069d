// Files are searched by chunk: a fixed run of lines, so a hit names a line range, not a whole file.
import type { SnapshotRecord } from './store.js';

export const CHUNK_LINES = 60;

export interface CodeChunk {
  index: number;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  text: string;
}

/** The chunks of a text file; none for content with NUL bytes (binary content is not searchable). */
export function chunkText(content: Buffer): CodeChunk[] {
  if (content.includes(0)) return [];
  const lines = content.toString('utf8').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const out: CodeChunk[] = [];
  for (let i = 0; i < lines.length; i += CHUNK_LINES) {
    const slice = lines.slice(i, i + CHUNK_LINES);
    out.push({ index: out.length, startLine: i + 1, endLine: i + slice.length, text: slice.join('\n') });
  }
  return out;
}

/** Lines startLine..endLine (1-based, inclusive) of a blob. */
export function linesOf(content: Buffer, startLine: number, endLine: number): string {
  return content.toString('utf8').split('\n').slice(startLine - 1, endLine).join('\n');
}

export interface ByteChunk {
  index: number;
  startLine: number;
  endLine: number;
  /** The exact bytes, newlines included: concatenating the chunks gives the blob back. */
  bytes: Buffer;
  /** False for binary content (NUL bytes): stored, not searchable. */
  text: boolean;
}

/** Splits a blob at line boundaries into CHUNK_LINES-line chunks (one chunk for empty or binary content). */
export function chunkBytes(content: Buffer): ByteChunk[] {
  if (content.length === 0 || content.includes(0)) {
    return [{ index: 0, startLine: 1, endLine: 1, bytes: content, text: content.length > 0 ? false : true }];
  }
  const out: ByteChunk[] = [];
  let start = 0;
  let line = 1;
  while (start < content.length) {
    let end = start;
    let lines = 0;
    while (end < content.length && lines < CHUNK_LINES) {
      const nl = content.indexOf(0x0a, end);
      end = nl === -1 ? content.length : nl + 1;
      lines++;
    }
    out.push({ index: out.length, startLine: line, endLine: line + lines - 1, bytes: content.subarray(start, end), text: true });
    line += lines;
    start = end;
  }
  return out;
}

/** Every path of a snapshot by content hash (one blob may be several files). */
export function pathsByHash(s: SnapshotRecord): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const f of s.files) {
    const list = m.get(f.hash);
    if (list) list.push(f.path);
    else m.set(f.hash, [f.path]);
  }
  return m;
}
