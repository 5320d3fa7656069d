// The Claude engine's identity, and its findings as candidates (and back as prompt text). Pure functions.
import { createHash } from 'node:crypto';
import type { Candidate, EngineIdentity } from '../../model.js';
import { classTitleForCwe } from '../builtin/sink-query.js';
import { dataBlock } from './prompts.js';
import type { ModelFinding } from './schemas.js';

/** The state kept between scans is keyed by it: a new version starts from a full scan. */
export const CLAUDE_ENGINE: EngineIdentity = { name: 'claude', version: '1' };

export function candidateFromFinding(f: ModelFinding): Candidate {
  const source = f.trace.find((s) => s.kind === 'source') ?? f.trace[0];
  const id = `cl_${createHash('sha256')
    .update([f.cwe, f.file, f.start_line, f.end_line, source.file, source.line].join('\u0000'))
    .digest('hex')
    .slice(0, 16)}`;
  return {
    id,
    engine: CLAUDE_ENGINE.name,
    ruleId: `claude-${f.cwe.toLowerCase()}`,
    cwe: f.cwe,
    title: f.title,
    location: { file: f.file, startLine: f.start_line, endLine: f.end_line },
    origin: source.file,
    trace: f.trace.map((s) => ({ kind: s.kind, file: s.file, line: s.line, label: s.label })),
    explanation: f.explanation,
    dependsOn: [...new Set([f.file, ...f.trace.map((s) => s.file)])].sort(),
    evidence: {},
  };
}

export function describeCandidate(c: Candidate): string {
  return dataBlock(
    'reported finding',
    [
      `${c.cwe}: ${c.title}`,
      `at ${c.location.file}:${c.location.startLine}-${c.location.endLine}`,
      'trace:',
      ...c.trace.map((s) => `  ${s.kind} ${s.file}:${s.line} ${s.label}`),
      `explanation: ${c.explanation}`,
    ].join('\n'),
  );
}

/** What an independent verifier is told: the location and the class only, never the reporter's title, trace or explanation. */
export function describeForVerifier(c: Candidate): string {
  const title = classTitleForCwe(c.cwe);
  return dataBlock('suspected vulnerability', [`class: ${c.cwe}${title ? ` (${title})` : ''}`, `at ${c.location.file}:${c.location.startLine}-${c.location.endLine}`].join('\n'));
}
