// The detection suite: small applications written for Vigil, one directory per case, each in a vulnerable
// variant and a fixed variant that differs from it only by the fix. Shared by the detection test and
// `npm run bench:detect` (recall and precision per class).
//
// A case is test/detection/cases/<class>/<case>/ with
//   case.json    { "description": "...", "findings": [{ "rule": "xss", "cwe": "CWE-79", "file": "routes/x.js",
//                  "line": 12, "crossFile": true }] }
//   vulnerable/  the application's files
//   fix.patch    a unified diff (git diff format, a/ b/ prefixes, one or more files) that turns the
//                vulnerable variant into the fixed one: by construction nothing else differs.
// "crossFile": the finding's trace must pass through two or more files.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBuiltinEngine, createBuiltinVerifier } from '../../activities/engines/builtin/index.js';
import type { Candidate, SourceFiles, Verdict } from '../../activities/model.js';
import { applyUnifiedDiff } from '../../activities/patches/apply-diff.js';

export const CASES_DIR = fileURLToPath(new URL('./cases/', import.meta.url));

export interface ExpectedFinding {
  rule: string;
  cwe: string;
  file: string;
  line: number;
  crossFile?: boolean;
}

export interface DetectionCase {
  /** "<class>/<case>" */
  name: string;
  /** The class directory: the rule id the case is about. */
  rule: string;
  description: string;
  expected: ExpectedFinding[];
  vulnerable: Record<string, string>;
  fixed: Record<string, string>;
}

export interface Reported {
  candidate: Candidate;
  verdict: Verdict;
}

export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Split a multi-file unified diff into one diff per file (keyed by the new path). */
export function splitDiff(diff: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = diff.split('\n');
  let current: string[] | undefined;
  let path: string | undefined;
  const flush = () => {
    if (current && path) out.set(path, current.join('\n') + '\n');
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      flush();
      const plus = lines[i + 1].slice(4).replace(/\t.*$/, '');
      const minus = l.slice(4).replace(/\t.*$/, '');
      path = (plus === '/dev/null' ? minus : plus).replace(/^[ab]\//, '');
      current = [l];
      continue;
    }
    if (l.startsWith('diff --git ') || l.startsWith('index ') || l.startsWith('new file mode') || l.startsWith('deleted file mode')) continue;
    current?.push(l);
  }
  flush();
  return out;
}

/** The vulnerable files with `patch` applied; throws when the patch does not apply. */
export function applyPatch(files: Record<string, string>, patch: string, what: string): Record<string, string> {
  const out = { ...files };
  const parts = splitDiff(patch);
  if (!parts.size) throw new Error(`${what}: the patch has no file diffs`);
  for (const [path, diff] of parts) {
    const deleted = /^\+\+\+ \/dev\/null/m.test(diff);
    const r = applyUnifiedDiff(out[path] ?? '', diff);
    if (!r.ok) throw new Error(`${what}: the patch does not apply to ${path}: ${r.reason}`);
    if (deleted) delete out[path];
    else out[path] = r.text;
  }
  return out;
}

export function loadCases(root = CASES_DIR): DetectionCase[] {
  const cases: DetectionCase[] = [];
  if (!existsSync(root)) return cases;
  for (const rule of readdirSync(root).sort()) {
    const ruleDir = join(root, rule);
    if (!statSync(ruleDir).isDirectory()) continue;
    for (const name of readdirSync(ruleDir).sort()) {
      const dir = join(ruleDir, name);
      if (!statSync(dir).isDirectory()) continue;
      const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { description: string; findings: ExpectedFinding[] };
      const vulnerable = readTree(join(dir, 'vulnerable'));
      const fixed = applyPatch(vulnerable, readFileSync(join(dir, 'fix.patch'), 'utf8'), `${rule}/${name}`);
      cases.push({ name: `${rule}/${name}`, rule, description: spec.description, expected: spec.findings, vulnerable, fixed });
    }
  }
  return cases;
}

export function memoryFiles(files: Record<string, string>): SourceFiles {
  const paths = Object.keys(files).sort();
  return { paths: () => paths, read: (p) => files[p] };
}

/** Everything the engine and verifier report; `findings` are the candidates the verifier did not reject. */
export async function analyseCase(files: Record<string, string>): Promise<{ all: Reported[]; findings: Reported[] }> {
  const src = memoryFiles(files);
  const { candidates } = await createBuiltinEngine().analyse({ files: src, scope: null });
  const verdicts = await createBuiltinVerifier().verify({ files: src, candidates });
  const all = candidates.map((candidate) => ({ candidate, verdict: verdicts.find((v) => v.candidateId === candidate.id)! }));
  return { all, findings: all.filter((r) => r.verdict.verdict !== 'rejected') };
}

export const matches = (r: Reported, e: ExpectedFinding) =>
  r.candidate.ruleId === e.rule && r.candidate.cwe === e.cwe && r.candidate.location.file === e.file && r.candidate.location.startLine === e.line;

export const describeFinding = (r: Reported) =>
  `${r.candidate.ruleId} ${r.candidate.cwe} ${r.candidate.location.file}:${r.candidate.location.startLine} (${r.verdict.verdict})`;

/** Files a finding's trace passes through. */
export const traceFiles = (r: Reported) => new Set(r.candidate.trace.map((s) => s.file));
