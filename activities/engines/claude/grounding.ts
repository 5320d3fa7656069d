// The checks that stand between a model's claim and a finding, named, with what each rejected. A claim is what
// the model asserts (a finding, a vote, a patch, a tool call); each check is code over the snapshot, so a model
// that lies is caught whatever it says. Pure functions.
import type { SourceFiles } from '../../model.js';

/** Every check, with the reason a rejected claim is recorded under. */
export const CLAIM_CHECKS = {
  schema: 'malformed finding',
  location: 'location not in the snapshot',
  quote: 'quoted code not in file',
  corroboration: 'no sink of the claimed kind on the line',
  'verifier-quote': 'a verifier quoted code not in file',
  'verifier-location': "a verifier's sink is not at the reported location",
  'tool-input': 'tool input over-long or not a JSON object',
  'patch-apply': 'the patch does not apply',
  'patch-scope': 'the patch does not change the reported lines',
  'injected-instructions': 'an empty report after reading repository text addressed to the model',
} as const;

export type ClaimCheck = keyof typeof CLAIM_CHECKS;
export type CheckCounts = Partial<Record<ClaimCheck, number>>;

/** One rejected claim: which check, why, and where (store only; history carries the counts). */
export interface ClaimDrop {
  check: ClaimCheck;
  reason: string;
  file?: string;
  line?: number;
}

export function countDrops(drops: ClaimDrop[]): CheckCounts {
  const out: CheckCounts = {};
  for (const d of drops) out[d.check] = (out[d.check] ?? 0) + 1;
  return out;
}

export function addCounts(a: CheckCounts, b: CheckCounts | undefined): CheckCounts {
  const out: CheckCounts = { ...a };
  for (const [k, n] of Object.entries(b ?? {}) as [ClaimCheck, number][]) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** "2 findings dropped: location not in the snapshot" — one line per check, in the checks' order. */
export function describeCounts(counts: CheckCounts): string[] {
  return (Object.keys(CLAIM_CHECKS) as ClaimCheck[])
    .filter((k) => (counts[k] ?? 0) > 0)
    .map((k) => `${counts[k]} claim${counts[k] === 1 ? '' : 's'} rejected by ${k}: ${CLAIM_CHECKS[k]}`);
}

/** Lines either side of the cited line a quote may come from (a model's line numbers drift by a line or two). */
export const QUOTE_WINDOW = 3;
const MIN_QUOTE_CHARS = 4;

/** Whitespace-normalised: runs of whitespace are one space, none at either end. */
export function normaliseCode(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * Why `code` is not what the snapshot holds around `file:line`, or undefined when it is there (whitespace-
 * normalised, within QUOTE_WINDOW lines; a quote may span lines). The file must have been loaded.
 */
export function quoteProblem(files: SourceFiles, file: string, line: number, code: string | undefined): string | undefined {
  if (code === undefined) return `no code quoted for ${file}:${line}`;
  const quote = normaliseCode(code);
  if (quote.length < MIN_QUOTE_CHARS) return `the quote for ${file}:${line} is too short to check`;
  const text = files.read(file);
  if (text === undefined) return `${file} is not in the snapshot`;
  const lines = text.split('\n');
  const window = lines.slice(Math.max(0, line - 1 - QUOTE_WINDOW), Math.min(lines.length, line + QUOTE_WINDOW));
  return normaliseCode(window.join('\n')).includes(quote) ? undefined : `quoted code not in file: ${file}:${line}`;
}

/** Whether `line` is within the window of a location's lines. */
export function nearLocation(loc: { file: string; startLine: number; endLine: number }, file: string, line: number): boolean {
  return file === loc.file && line >= loc.startLine - QUOTE_WINDOW && line <= loc.endLine + QUOTE_WINDOW;
}

/** Phrases by which repository text addresses the model rather than a reader (prompt injection). */
const INSTRUCTION_TEXT = /ignore (all |any )?(previous|prior|above) instructions|report (nothing|no (findings|vulnerabilities))|do not report|you are now|<\/?repository_data|\bsystem\s*:\s*(you|ignore|report)/i;

export function addressesTheModel(text: string): boolean {
  return INSTRUCTION_TEXT.test(text);
}

/** Tool inputs larger than this are refused (a model flooding its own context, or the tools). */
export const MAX_TOOL_INPUT_CHARS = 64_000;

/** Why a tool input is unacceptable before any tool or validator sees it, or undefined. */
export function toolInputProblem(input: unknown): string | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return 'the tool input must be a JSON object';
  const size = JSON.stringify(input).length;
  if (size > MAX_TOOL_INPUT_CHARS) return `the tool input is ${size} characters; at most ${MAX_TOOL_INPUT_CHARS} are accepted`;
  return undefined;
}
