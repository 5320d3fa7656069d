// From entry points to candidates: instantiate each handler's summary with a concrete request object,
// keep the sink hits whose flows start at request input, and describe them for reviewers.
import { createHash } from 'node:crypto';
import type { Candidate, Patch, SourceFiles, TraceStep } from '../../model.js';
import { LIBRARY_INPUT_CLASSES, LIBRARY_SOURCE_KIND, type HandlerRole } from './models/frameworks.js';
import { RULES } from './models/rules.js';
import type { RuleId } from './models/types.js';
import { describeSourceKind } from './models/sources.js';
import { STRING_SOURCE_MEMBERS } from './models/sinks-web.js';
import { roleValues } from './routes.js';
import type { ParamInfo } from './frontend.js';
import { instantiate, type Collector, type SinkHit, type SummaryProvider } from './summaries.js';
import type { FnRef, SourceRoot, Value } from './values.js';

export interface Entry {
  handler: FnRef;
  /** What each handler parameter receives (frameworks.ts HandlerRole). */
  roles: HandlerRole[];
  /** The handler's declared parameters (labels and sites of parameters that are input themselves). */
  params: ParamInfo[];
  route?: string;
  reachable: boolean;
  /** The exported name when the entry is a library's public function (the library threat model). */
  libraryExport?: string;
  /** Further files that make this an entry point (the package manifest naming a library's entry file). */
  dependsOn?: string[];
  /** The receiver the entry runs on (a method of an instance of an exported constructor). */
  thisValue?: Value;
  /** A handler by shape whose registration was not resolved: how the program holds it (frontend.ts unregisteredHandlers). */
  unresolvedHandler?: string;
}

const TEST_PATH = /(^|\/)(test|tests|spec|specs|__tests__|__mocks__|fixtures?|examples?|mocks?|e2e)(\/|$)|\.(test|spec)\.[cm]?[jt]sx?$/i;
export const looksLikeTest = (path: string) => TEST_PATH.test(path);

function requestArgs(entry: Entry): Value[] {
  return roleValues(entry.roles, entry.params);
}

/** A hit's flow requirement (models/types.ts FlowRequirement), now that the source is known. */
function meets(hit: SinkHit): boolean {
  const root = hit.flow.root as SourceRoot;
  // The request value itself: a member of a body/query can be an object; params and headers are strings.
  if (hit.requires === 'raw-structured') return hit.flow.alias && !STRING_SOURCE_MEMBERS.includes(root.sourceKind.split('.').pop()!);
  // A whole container (req.body) is an object, serialised rather than written as text.
  if (hit.requires === 'not-container') return !(hit.flow.alias && root.label === root.sourceKind);
  return true;
}

/** Keeps the sink hits whose flow starts at request input (and whose receiver condition resolved). */
function hitCollector(accept?: (hit: SinkHit) => boolean): Collector & { hits: SinkHit[] } {
  const hits: SinkHit[] = [];
  return {
    hits,
    addSink: (hit) => {
      // Access-control facts (check rules) are judged by access-control/, not as source-to-sink flows.
      if (hit.flow.root.kind === 'source' && !hit.receiver && hit.rule in RULES && meets(hit) && (accept?.(hit) ?? true)) hits.push(hit);
    },
    addEffect: () => {},
    addCall: () => {},
    addFiles: () => {},
  };
}

/**
 * The source-rooted hits of instantiating an entry, before the filters above. Kept per handler object and roles
 * across analyses in this process: a handler reference that survives from the previous analysis lives in a module
 * state or summary reused unchanged (js/program.ts), so everything its instantiation reads is unchanged too; a
 * re-analysis then instantiates only the entries of changed code.
 */
const entryHitCache = new WeakMap<FnRef, Map<string, SinkHit[]>>();

function entryHits(provider: SummaryProvider, entry: Entry): SinkHit[] {
  const key = `${JSON.stringify(entry.roles)}${entry.thisValue ? '#this' : ''}`;
  let byRoles = entryHitCache.get(entry.handler);
  const known = byRoles?.get(key);
  if (known) return known;
  const raw: SinkHit[] = [];
  const collector: Collector = {
    addSink: (hit) => {
      if (hit.flow.root.kind === 'source' && !hit.receiver) raw.push(hit);
    },
    addEffect: () => {},
    addCall: () => {},
    addFiles: () => {},
  };
  instantiate(provider, entry.handler, requestArgs(entry), { site: { file: entry.handler.file, line: 1, column: 1 }, argText: () => undefined, depth: 0, entry: true, thisValue: entry.thisValue }, collector);
  if (!byRoles) entryHitCache.set(entry.handler, (byRoles = new Map()));
  byRoles.set(key, raw);
  return raw;
}

/** Candidate ids: a short hash of what identifies the finding (rule, sink, source or evidence). */
export const shortHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

function lineText(files: SourceFiles, cache: Map<string, string[]>, file: string, line: number): string | undefined {
  let lines = cache.get(file);
  if (!lines) {
    lines = (files.read(file) ?? '').split('\n');
    cache.set(file, lines);
  }
  const t = lines[line - 1]?.trim();
  return t ? (t.length > 200 ? `${t.slice(0, 199)}…` : t) : undefined;
}

function describeSource(root: SourceRoot, entry: Entry): string {
  if (entry.libraryExport && root.sourceKind === LIBRARY_SOURCE_KIND) return `a parameter of the exported function \`${entry.libraryExport}\``;
  return describeSourceKind(root.sourceKind)?.description ?? 'request input';
}

export interface CandidateContext {
  provider: SummaryProvider;
  files: SourceFiles;
  engine: string;
  patchFor(hit: SinkHit): Patch | undefined;
  /** Program-wide facts (FrontEndResult.acceptHit). */
  acceptHit?(hit: SinkHit): boolean;
  /** Origins whose candidates are wanted (null: all). Others are only claimed, so ids resolve as in a full run. */
  scope?: ReadonlySet<string> | null;
}

/** Marks an id claimed by an entry outside the scope (nothing is built for it). */
const CLAIMED = {} as Candidate;

export function buildCandidates(ctx: CandidateContext, entries: Entry[]): Candidate[] {
  const cache = new Map<string, string[]>();
  const byId = new Map<string, Candidate>();
  const patches = new Map<string, Patch | undefined>();
  /** The first hit at each sink site: its patch speaks for the site, whichever entry builds the candidate. */
  const firstHit = new Map<string, SinkHit>();
  // Reachable registrations first, so a handler also registered elsewhere keeps its best evidence.
  const ordered = [...entries].sort((a, b) => Number(b.reachable) - Number(a.reachable) || Number(!!b.libraryExport) - Number(!!a.libraryExport) || Number(!!b.route) - Number(!!a.route));
  for (const entry of ordered) {
    const collector = hitCollector(ctx.acceptHit);
    for (const hit of entryHits(ctx.provider, entry)) collector.addSink(hit);
    // One candidate per sink and entry point: the first source (by position) speaks for the others.
    const groups = new Map<string, SinkHit[]>();
    for (const hit of collector.hits) {
      if (!harmsThroughLibraryInput(hit)) continue;
      const k = `${hit.rule}|${hit.site.file}:${hit.site.line}:${hit.site.column}`;
      const g = groups.get(k);
      if (g) g.push(hit);
      else groups.set(k, [hit]);
    }
    for (const hits of groups.values()) {
      hits.sort((a, b) => inOtherFile(a, entry) - inOtherFile(b, entry) || srcOrder(a) - srcOrder(b) || srcKey(a).localeCompare(srcKey(b)));
      const hit = hits[0];
      const root = hit.flow.root as SourceRoot;
      const rule = RULES[hit.rule as RuleId];
      const id = shortHash(`${hit.rule}|${hit.site.file}:${hit.site.line}:${hit.site.column}|${root.site.file}:${root.site.line}:${root.site.column}`);
      if (byId.has(id)) continue;
      const patchKey = `${hit.rule}|${hit.site.file}:${hit.site.line}:${hit.site.column}`;
      if (!firstHit.has(patchKey)) firstHit.set(patchKey, hit);
      if (ctx.scope && !ctx.scope.has(entry.handler.file)) {
        byId.set(id, CLAIMED);
        continue;
      }
      const where = entry.libraryExport ? `the exported function \`${entry.libraryExport}\`` : entry.route ? `the ${entry.route} handler` : `\`${entry.handler.name}\``;
      const trace: TraceStep[] = [
        { kind: 'source', file: root.site.file, line: root.site.line, column: root.site.column, label: `\`${root.label}\` (${describeSource(root, entry)}) read in ${where}` },
        ...hit.flow.steps.map((s) => ({ ...s, kind: 'step' as const })),
        { kind: 'sink', file: hit.site.file, line: hit.site.line, column: hit.site.column, label: `\`${sinkText(hit, '(…)')}\` ${hit.label}` },
      ];
      for (const s of trace) s.snippet = lineText(ctx.files, cache, s.file, s.line);
      const others = [...new Set(hits.slice(1).map((h) => (h.flow.root as SourceRoot).label))].filter((l) => l !== root.label);
      if (!patches.has(patchKey)) {
        const first = firstHit.get(patchKey)!;
        patches.set(patchKey, first.patch ? ctx.patchFor(first) : undefined);
      }
      const patch = patches.get(patchKey);
      const files = new Set<string>([entry.handler.file, ...(entry.dependsOn ?? []), ...trace.map((s) => s.file), ...hit.flow.files]);
      const candidate: Candidate = {
        id,
        engine: ctx.engine,
        ruleId: rule.id,
        cwe: rule.cwe,
        title: `${rule.title}: ${root.label} reaches ${sinkText(hit, '()')}`,
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
          `\`${root.label}\` comes from ${describeSource(root, entry)} in ${where} (${root.site.file}:${root.site.line}) and reaches ` +
          `\`${sinkText(hit, '(…)')}\` at ${hit.site.file}:${hit.site.line}, which ${hit.label}` +
          `${others.length ? `; ${others.join(', ')} reach${others.length === 1 ? 'es' : ''} it too` : ''}. ${rule.impact} Fix: ${rule.fix}`,
        dependsOn: [...files].sort(),
        evidence: {
          sourceKind: root.sourceKind,
          sourceIsRequestInput: root.requestInput,
          reachableFromMountedRoute: entry.reachable,
          route: entry.route,
          ...(entry.libraryExport ? { libraryExport: entry.libraryExport } : {}),
          ...(entry.unresolvedHandler ? { unresolvedHandler: entry.unresolvedHandler } : {}),
          inTestOrFixture: looksLikeTest(entry.handler.file),
          ...(hit.flow.partial.length ? { sanitisersOnPath: [...hit.flow.partial] } : {}),
        },
      };
      if (patch) candidate.patch = patch;
      byId.set(id, candidate);
    }
  }
  return [...byId.values()].filter((c) => c !== CLAIMED).sort(byLocation);
}

/** The order candidates are reported in: by place, then rule, then id (stable across runs). */
export const byLocation = (a: Candidate, b: Candidate): number =>
  a.location.file.localeCompare(b.location.file) ||
  a.location.startLine - b.location.startLine ||
  (a.location.startColumn ?? 0) - (b.location.startColumn ?? 0) ||
  a.ruleId.localeCompare(b.ruleId) ||
  a.id.localeCompare(b.id);

/** A hit from a library's parameter counts only for the classes that harm the library's callers. */
function harmsThroughLibraryInput(hit: SinkHit): boolean {
  if (hit.flow.root.kind !== 'source' || hit.flow.root.sourceKind !== LIBRARY_SOURCE_KIND) return true;
  const cls = LIBRARY_INPUT_CLASSES[hit.rule as RuleId];
  return !!cls && !cls.exceptSinks?.includes(hit.sinkId);
}

const srcOf = (h: SinkHit) => (h.flow.root as SourceRoot).site;
// The entry point's own request reads speak first: the trace then starts where the attacker's data enters.
const inOtherFile = (h: SinkHit, entry: Entry) => (srcOf(h).file === entry.handler.file ? 0 : 1);
/** `db.query(…)` for calls; assignments and property sinks (`target[key] =`, `ctx.body =`) stay as written. */
const sinkText = (h: SinkHit, args: string) => (h.shownAs ?? (/=\s*$/.test(h.calleeText) ? h.calleeText.trim() : `${h.calleeText}${args}`));
const srcOrder = (h: SinkHit) => srcOf(h).line * 10000 + srcOf(h).column;
// Sources in other files than the first compare by path (srcKey) after position.
const srcKey = (h: SinkHit) => `${srcOf(h).file}:${(h.flow.root as SourceRoot).label}`;
