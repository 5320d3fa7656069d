// From entry points to candidates: instantiate each handler's summary with a concrete request object,
// keep the sink hits whose flows start at request input, and describe them for reviewers.
import { createHash } from 'node:crypto';
import type { Candidate, Patch, SourceFiles, TraceStep } from '../../model.js';
import { HANDLER_PARAMETERS } from './models/frameworks.js';
import { RULES } from './models/rules.js';
import { REQUEST_SOURCES } from './models/sources.js';
import { instantiate, type Collector, type SinkHit, type SummaryProvider } from './summaries.js';
import type { FnRef, SourceRoot, Value } from './values.js';

export interface Entry {
  handler: FnRef;
  /** Parameter count, to pick the handler signature (Express error handlers take four). */
  arity: number;
  route?: string;
  reachable: boolean;
}

const TEST_PATH = /(^|\/)(test|tests|spec|specs|__tests__|__mocks__|fixtures?|examples?|mocks?|e2e)(\/|$)|\.(test|spec)\.[cm]?[jt]sx?$/i;
export const looksLikeTest = (path: string) => TEST_PATH.test(path);

function requestArgs(arity: number): Value[] {
  const row = HANDLER_PARAMETERS.find((h) => h.arity === arity) ?? HANDLER_PARAMETERS.find((h) => h.arity === 0)!;
  return row.roles.map((type) => (type ? { flows: [], obj: { type, alloc: `entry:${type}` } } : { flows: [] }));
}

/** Keeps the sink hits whose flow starts at request input (and whose receiver condition resolved). */
function hitCollector(): Collector & { hits: SinkHit[] } {
  const hits: SinkHit[] = [];
  return {
    hits,
    addSink: (hit) => {
      if (hit.flow.root.kind === 'source' && !hit.receiver) hits.push(hit);
    },
    addEffect: () => {},
    addCall: () => {},
    addFiles: () => {},
  };
}

const shortHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

function lineText(files: SourceFiles, cache: Map<string, string[]>, file: string, line: number): string | undefined {
  let lines = cache.get(file);
  if (!lines) {
    lines = (files.read(file) ?? '').split('\n');
    cache.set(file, lines);
  }
  const t = lines[line - 1]?.trim();
  return t ? (t.length > 200 ? `${t.slice(0, 199)}…` : t) : undefined;
}

function describeSource(root: SourceRoot): string {
  const row = REQUEST_SOURCES.find((r) => r.sourceKind === root.sourceKind);
  return row ? `${row.description}` : 'request input';
}

export interface CandidateContext {
  provider: SummaryProvider;
  files: SourceFiles;
  engine: string;
  patchFor(hit: SinkHit): Patch | undefined;
}

export function buildCandidates(ctx: CandidateContext, entries: Entry[]): Candidate[] {
  const cache = new Map<string, string[]>();
  const byId = new Map<string, Candidate>();
  const patches = new Map<string, Patch | undefined>();
  // Reachable registrations first, so a handler also registered elsewhere keeps its best evidence.
  const ordered = [...entries].sort((a, b) => Number(b.reachable) - Number(a.reachable) || Number(!!b.route) - Number(!!a.route));
  for (const entry of ordered) {
    const collector = hitCollector();
    instantiate(ctx.provider, entry.handler, requestArgs(entry.arity), { site: { file: entry.handler.file, line: 1, column: 1 }, argText: () => undefined, depth: 0, entry: true }, collector);
    // One candidate per sink and entry point: the first source (by position) speaks for the others.
    const groups = new Map<string, SinkHit[]>();
    for (const hit of collector.hits) {
      const k = `${hit.rule}|${hit.site.file}:${hit.site.line}:${hit.site.column}`;
      const g = groups.get(k);
      if (g) g.push(hit);
      else groups.set(k, [hit]);
    }
    for (const hits of groups.values()) {
      hits.sort((a, b) => srcOrder(a) - srcOrder(b) || srcKey(a).localeCompare(srcKey(b)));
      const hit = hits[0];
      const root = hit.flow.root as SourceRoot;
      const rule = RULES[hit.rule];
      const id = shortHash(`${hit.rule}|${hit.site.file}:${hit.site.line}:${hit.site.column}|${root.site.file}:${root.site.line}:${root.site.column}`);
      if (byId.has(id)) continue;
      const where = entry.route ? `the ${entry.route} handler` : `\`${entry.handler.name}\``;
      const trace: TraceStep[] = [
        { kind: 'source', file: root.site.file, line: root.site.line, column: root.site.column, label: `\`${root.label}\` (${describeSource(root)}) read in ${where}` },
        ...hit.flow.steps.map((s) => ({ ...s, kind: 'step' as const })),
        { kind: 'sink', file: hit.site.file, line: hit.site.line, column: hit.site.column, label: `\`${hit.calleeText}(…)\` ${hit.label}` },
      ];
      for (const s of trace) s.snippet = lineText(ctx.files, cache, s.file, s.line);
      const others = [...new Set(hits.slice(1).map((h) => (h.flow.root as SourceRoot).label))].filter((l) => l !== root.label);
      const patchKey = `${hit.rule}|${hit.site.file}:${hit.site.line}:${hit.site.column}`;
      if (!patches.has(patchKey)) patches.set(patchKey, hit.patch ? ctx.patchFor(hit) : undefined);
      const patch = patches.get(patchKey);
      const files = new Set<string>([entry.handler.file, ...trace.map((s) => s.file), ...hit.flow.files]);
      const candidate: Candidate = {
        id,
        engine: ctx.engine,
        ruleId: rule.id,
        cwe: rule.cwe,
        title: `${rule.title}: ${root.label} reaches ${hit.calleeText}()`,
        location: {
          file: hit.site.file,
          startLine: hit.site.line,
          endLine: hit.site.endLine ?? hit.site.line,
          startColumn: hit.site.column,
          endColumn: hit.site.endColumn,
        },
        origin: entry.handler.file,
        trace,
        explanation:
          `\`${root.label}\` comes from ${describeSource(root)} in ${where} (${root.site.file}:${root.site.line}) and reaches ` +
          `\`${hit.calleeText}(…)\` at ${hit.site.file}:${hit.site.line}, which ${hit.label}` +
          `${others.length ? `; ${others.join(', ')} reach${others.length === 1 ? 'es' : ''} it too` : ''}. ${rule.impact} Fix: ${rule.fix}`,
        dependsOn: [...files].sort(),
        evidence: {
          sourceKind: root.sourceKind,
          sourceIsRequestInput: root.requestInput,
          reachableFromMountedRoute: entry.reachable,
          route: entry.route,
          inTestOrFixture: looksLikeTest(entry.handler.file),
          ...(hit.flow.partial.length ? { sanitisersOnPath: [...hit.flow.partial] } : {}),
        },
      };
      if (patch) candidate.patch = patch;
      byId.set(id, candidate);
    }
  }
  return [...byId.values()].sort(
    (a, b) =>
      a.location.file.localeCompare(b.location.file) ||
      a.location.startLine - b.location.startLine ||
      (a.location.startColumn ?? 0) - (b.location.startColumn ?? 0) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.id.localeCompare(b.id),
  );
}

const srcOf = (h: SinkHit) => (h.flow.root as SourceRoot).site;
const srcOrder = (h: SinkHit) => srcOf(h).line * 10000 + srcOf(h).column;
// Sources in other files than the first compare by path (srcKey) after position.
const srcKey = (h: SinkHit) => `${srcOf(h).file}:${(h.flow.root as SourceRoot).label}`;
