// Runs the built-in engine on every detection case re-expressed in every idiom (rewrite.ts), vulnerable and fixed
// variants alike, and says per (case, idiom) whether the expected findings are still found and the fixed variant still
// clean. Shared by test/metamorphic/metamorphic.test.ts (the invariant) and `npm run bench:metamorphic` (the table).
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { analyseCase, describeFinding, traceFiles, type DetectionCase, type ExpectedFinding, type Reported } from '../detection/suite.js';
import { IDIOMS, registrationLines, rewriteTree, syntaxErrors, type Idiom } from './rewrite.js';

export const KNOWN_GAPS_FILE = new URL('./known-gaps.json', import.meta.url);

export type GapKind = 'missed' | 'fixed-flagged';
export interface Gap {
  case: string;
  idiom: Idiom;
  kind: GapKind;
}

export interface VariantResult {
  case: string;
  rule: string;
  idiom: Idiom;
  /** Why the rewriter left this case alone in this idiom (not applicable); undefined when it was rewritten. */
  skipped?: string;
  /** A defect of the rewriter itself (unparsable output, a sink line it cannot map, fixed and vulnerable rewritten differently). */
  errors: string[];
  expected: number;
  found: number;
  missed: string[];
  /** Findings on the rewritten vulnerable variant that are not expected (noise the idiom introduces). */
  extra: string[];
  fixedFindings: string[];
  changedFiles: string[];
}

export const gapKey = (g: Gap) => `${g.case} :: ${g.idiom} :: ${g.kind}`;

export function readKnownGaps(): Gap[] {
  const data = JSON.parse(readFileSync(KNOWN_GAPS_FILE, 'utf8')) as { gaps: Gap[] };
  return data.gaps;
}

/**
 * The (file:line) places an expected finding can have after the rewrite, in the files that carry its file's code:
 * lines with its sink line's text; failing that, lines containing the line's expression once an `await` and the
 * binding or `return` around it are taken off (a promise chain keeps the call, not the statement); and when the
 * line is a route registration, the registration with the same method and path.
 */
export function mapExpected(original: Record<string, string>, origins: Record<string, string[]>, files: Record<string, string>, e: ExpectedFinding): Set<string> {
  const out = new Set<string>();
  const text = (original[e.file] ?? '').split('\n')[e.line - 1]?.trim();
  if (!text) return out;
  const targets = Object.entries(origins).filter(([file, from]) => from.includes(e.file) && files[file] !== undefined).map(([file]) => file);
  const scan = (match: (line: string) => boolean) => {
    for (const file of targets) files[file].split('\n').forEach((l, i) => match(l.trim()) && out.add(`${file}:${i + 1}`));
  };
  scan((l) => l === text);
  const core = text.replace(/^(return\s+|(const|let|var)\s+[^=]+=\s*)/, '').replace(/\bawait\s+/g, '').replace(/;$/, '');
  if (!out.size && core.length >= 12) scan((l) => l.includes(core));
  const registrations = [...registrationLines(e.file, original[e.file])].filter(([, lines]) => lines.includes(e.line)).map(([k]) => k);
  for (const key of registrations) for (const file of targets) for (const line of registrationLines(file, files[file]).get(key) ?? []) out.add(`${file}:${line}`);
  return out;
}

const hit = (r: Reported, e: ExpectedFinding, places: Set<string>) =>
  r.candidate.ruleId === e.rule && r.candidate.cwe === e.cwe && places.has(`${r.candidate.location.file}:${r.candidate.location.startLine}`) && (!e.crossFile || traceFiles(r).size >= 2);

export async function runVariant(c: DetectionCase, idiom: Idiom): Promise<VariantResult> {
  const base: VariantResult = { case: c.name, rule: c.rule, idiom, errors: [], expected: c.expected.length, found: 0, missed: [], extra: [], fixedFindings: [], changedFiles: [] };
  const vuln = rewriteTree(c.vulnerable, idiom);
  const fixed = rewriteTree(c.fixed, idiom);
  if (!vuln.ok || !fixed.ok) {
    if (vuln.ok !== fixed.ok) base.errors.push(`the vulnerable variant was ${vuln.ok ? '' : 'not '}rewritten but the fixed one was ${fixed.ok ? '' : 'not'}`);
    return { ...base, skipped: !vuln.ok ? vuln.reason : !fixed.ok ? fixed.reason : 'not rewritten' };
  }
  base.changedFiles = vuln.changed;
  for (const [p, t] of [...Object.entries(vuln.files), ...Object.entries(fixed.files)]) {
    if (/\.(c|m)?(js|ts)$/.test(p) && (vuln.changed.includes(p) || fixed.changed.includes(p))) base.errors.push(...syntaxErrors(p, t));
  }
  const v = await analyseCase(vuln.files);
  const f = await analyseCase(fixed.files);
  const placesOf = c.expected.map((e) => mapExpected(c.vulnerable, vuln.origins, vuln.files, e));
  c.expected.forEach((e, i) => {
    if (!placesOf[i].size) base.errors.push(`cannot map the sink line ${e.file}:${e.line} into the rewritten tree`);
    if (v.findings.some((r) => hit(r, e, placesOf[i]))) base.found++;
    else base.missed.push(`${e.rule} ${e.file}:${e.line} → ${[...placesOf[i]].join(' | ') || '?'}`);
  });
  base.extra = v.findings.filter((r) => !c.expected.some((e, i) => hit(r, e, placesOf[i]))).map(describeFinding);
  base.fixedFindings = f.findings.map(describeFinding);
  return base;
}

export const gapsOf = (r: VariantResult): Gap[] => [
  ...(r.skipped === undefined && r.missed.length ? [{ case: r.case, idiom: r.idiom, kind: 'missed' as const }] : []),
  ...(r.skipped === undefined && r.fixedFindings.length ? [{ case: r.case, idiom: r.idiom, kind: 'fixed-flagged' as const }] : []),
];

export async function runAll(cases: DetectionCase[], idioms: readonly Idiom[] = IDIOMS): Promise<VariantResult[]> {
  const out: VariantResult[] = [];
  for (const c of cases) for (const i of idioms) out.push(await runVariant(c, i));
  return out;
}

// ------------------------------------------------------------------ does the rewritten code still check as JS?

const NODE_TYPES_DIR = new URL('../../node_modules/@types/', import.meta.url).pathname;
/** Diagnostics that mean the rewrite broke the program (not the untyped-library noise every case has). */
const BREAKAGE = new Set([2304, 2552, 2300, 2451, 2393, 2448, 2454, 2440, 2308, 2528, 1117, 2323]);

/**
 * Name-resolution and declaration errors of a tree checked as JavaScript (checkJs, @types/node, relative modules resolved in the tree, packages left untyped): an unbound identifier, a duplicate declaration, a use before declaration. Returns "file:line code message".
 */
export function checkAsJs(files: Record<string, string>): string[] {
  const root = '/metamorphic-check/';
  const names = Object.keys(files).filter((p) => /\.(c|m)?(js|ts)$/.test(p) && !p.endsWith('.d.ts')).map((p) => root + p);
  const options: ts.CompilerOptions = {
    allowJs: true,
    checkJs: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    typeRoots: [NODE_TYPES_DIR],
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => (f.startsWith(root) ? files[f.slice(root.length)] : readFile(f));
  host.fileExists = (f) => (f.startsWith(root) ? f.slice(root.length) in files : fileExists(f));
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (d) => (d.startsWith(root) ? Object.keys(files).some((p) => (root + p).startsWith(d.endsWith('/') ? d : d + '/')) : (directoryExists?.(d) ?? true));
  host.getSourceFile = (f, lang) => {
    const t = host.readFile(f);
    return t === undefined ? undefined : ts.createSourceFile(f, t, lang, true);
  };
  const program = ts.createProgram(names, options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && d.file.fileName.startsWith(root) && BREAKAGE.has(d.code))
    .map((d) => `${d.file!.fileName.slice(root.length)}:${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
