// The built-in verifier for pattern candidates (evidence.analysis 'pattern', js/checks/): no source-to-sink
// flow to challenge, so it asks instead
//   1. Is the code still there (every quoted line reads as analysed; secrets are compared masked)?
//   2. Is it production code, not a test, fixture or example?
//   3. Is a hard-coded value a real value rather than a placeholder ('changeme', '<your key>', '')?
//   4. Does the pattern hold without assumptions (no caveat: e.g. a literal that is only an env-var default)?
// A clear "no" to 1-3 rejects (1 only makes it uncertain: the file may have moved on), a caveat makes it
// uncertain, otherwise it is confirmed. Every reason is written down.
import ts from 'typescript';
import type { Candidate, SourceFiles, Verdict } from '../../model.js';
import { countVerdict, type Check } from './verdict.js';
import { looksLikeTest } from './candidates.js';
import { isPlaceholder, redact, snippetMatches } from './js/checks/common.js';


/** The string literal starting at a location (the hard-coded value), re-read from the current text. */
function literalAt(files: SourceFiles, c: Candidate): string | undefined {
  const text = files.read(c.location.file);
  if (text === undefined || c.location.startColumn === undefined) return undefined;
  const lines = text.split('\n');
  if (c.location.startLine > lines.length) return undefined;
  let pos = 0;
  for (let i = 0; i < c.location.startLine - 1; i++) pos += lines[i].length + 1;
  pos += c.location.startColumn - 1;
  // Scan just the literal: a single-token parse of the text from its start.
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text.slice(pos));
  const kind = scanner.scan();
  if (kind === ts.SyntaxKind.StringLiteral || kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral) return scanner.getTokenValue();
  return undefined;
}

function codeStillThere(c: Candidate, files: SourceFiles): Check {
  if (files.read(c.location.file) === undefined) return { outcome: 'unknown', reason: `${c.location.file} is not in the snapshot, so the code could not be re-read.` };
  for (const step of c.trace) {
    if (!step.snippet) continue;
    const line = files.read(step.file)?.split('\n')[step.line - 1]?.trim();
    if (line === undefined) return { outcome: 'unknown', reason: `${step.file} has no line ${step.line} any more.` };
    const shown = line.length > 200 ? `${line.slice(0, 199)}…` : line;
    if (!snippetMatches(shown, step.snippet)) return { outcome: 'unknown', reason: `${step.file}:${step.line} no longer reads as analysed; the file must be re-analysed.` };
  }
  return { outcome: 'pass', reason: `${c.location.file}:${c.location.startLine} and every quoted line are present as analysed.` };
}

function production(c: Candidate): Check {
  if (c.evidence.inTestOrFixture || looksLikeTest(c.origin) || looksLikeTest(c.location.file)) {
    return { outcome: 'reject', reason: `${c.location.file} is test, fixture or example code that production does not run.` };
  }
  return { outcome: 'pass', reason: `${c.location.file} is application code, not a test, fixture or example.` };
}

function realValue(c: Candidate, secret: string | undefined): Check | undefined {
  if (!c.evidence.containsSecret) return undefined;
  if (secret === undefined) return { outcome: 'unknown', reason: `No string literal starts at ${c.location.file}:${c.location.startLine}:${c.location.startColumn} any more.` };
  if (isPlaceholder(secret)) return { outcome: 'reject', reason: 'The literal is a placeholder, not a real secret.' };
  return { outcome: 'pass', reason: `The literal is a real value (masked: ${redact(secret, secret)}), not a placeholder.` };
}

function assumptions(c: Candidate): Check {
  if (c.evidence.caveat) return { outcome: 'unknown', reason: c.evidence.caveat };
  return { outcome: 'pass', reason: `The pattern holds as written: ${c.trace[c.trace.length - 1]?.label ?? c.title}.` };
}

export function judgePattern(c: Candidate, files: SourceFiles, verifier: string): Verdict {
  const secret = c.evidence.containsSecret ? literalAt(files, c) : undefined;
  const value = realValue(c, secret);
  const checks = [assumptions(c), ...(value ? [value] : []), production(c), codeStillThere(c, files)];
  return countVerdict(c.id, checks, verifier);
}
