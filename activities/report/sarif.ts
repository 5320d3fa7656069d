// Findings as a SARIF 2.1.0 log, the format code-scanning UIs (GitHub, Azure DevOps, IDE viewers) import.
// One run; one rule per ruleId; dataflow traces become codeFlows; human rejections become suppressions, so
// a consumer hides them without Vigil dropping the record.
import { pathToFileURL } from 'node:url';
import type { Finding, Location, Severity, TraceStep } from '../model.js';
import { cweInfo, cweNumber, cweUri } from './cwe.js';
import { replacementsFor, type Replacement } from './sarif-fixes.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** partialFingerprints key; bump the version if the fingerprint algorithm changes meaning. */
export const FINGERPRINT_KEY = 'vigilFingerprint/v1';

export interface SarifInput {
  findings: Finding[];
  /** Why the scan's coverage is incomplete (a limit stopped it): the invocation is then not successful, and says so. */
  incomplete?: string;
  tool: { name: string; version: string; informationUri?: string };
  scan: {
    scanId: string;
    /** Absolute path (local scans) or URL (git scans) of the repository. */
    repoKey: string;
    commit?: string;
    startedAt?: string;
    finishedAt?: string;
  };
  /**
   * The scanned text of a file, when available. With it, patches that apply become SARIF `fixes` with exact
   * replacements; without it (or when a patch does not apply) the diff is kept in result.properties.patch.
   */
  sources?: (path: string) => string | undefined;
  /** Finding id -> 'new' | 'unchanged' against the previous scan; written as each result's baselineState. */
  baselineStates?: Record<string, 'new' | 'unchanged'>;
}

export type SarifLevel = 'error' | 'warning' | 'note';

// Subset of SARIF 2.1.0 this module writes; property names follow the specification.
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

export interface SarifRun {
  tool: { driver: SarifDriver };
  automationDetails: { id: string };
  invocations: {
    executionSuccessful: boolean;
    startTimeUtc?: string;
    endTimeUtc?: string;
    toolExecutionNotifications?: { level: 'warning'; message: { text: string } }[];
  }[];
  originalUriBaseIds: Record<string, { uri?: string; description?: { text: string } }>;
  versionControlProvenance?: { repositoryUri: string; revisionId: string; mappedTo: { uriBaseId: string } }[];
  columnKind: 'utf16CodeUnits';
  results: SarifResult[];
  properties: Record<string, unknown>;
}

export interface SarifDriver {
  name: string;
  version: string;
  semanticVersion: string;
  informationUri?: string;
  rules: SarifRule[];
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; 'security-severity': string; precision: string; 'problem.severity': string };
}

export interface SarifPhysicalLocation {
  artifactLocation: { uri: string; uriBaseId: string };
  region: { startLine: number; endLine?: number; startColumn?: number; endColumn?: number; snippet?: { text: string } };
  contextRegion?: { startLine: number; endLine: number; snippet: { text: string } };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: { physicalLocation: SarifPhysicalLocation }[];
  partialFingerprints: Record<string, string>;
  codeFlows?: {
    message: { text: string };
    threadFlows: {
      locations: { location: { physicalLocation: SarifPhysicalLocation; message: { text: string } }; importance: string }[];
    }[];
  }[];
  fixes?: {
    description: { text: string };
    artifactChanges: { artifactLocation: { uri: string; uriBaseId: string }; replacements: Replacement[] }[];
  }[];
  relatedLocations?: { id: number; physicalLocation: SarifPhysicalLocation; message: { text: string } }[];
  suppressions?: { kind: 'external'; status: 'accepted'; justification: string }[];
  baselineState?: 'new' | 'unchanged';
  properties: Record<string, unknown>;
}

const SEVERITY_SCORE: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };
const SEVERITY_LEVEL: Record<Severity, SarifLevel> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
const SEVERITY_RANK: Record<Severity, number> = { critical: 3, high: 2, medium: 1, low: 0 };
const SRCROOT = '%SRCROOT%';

export function toSarif(input: SarifInput): SarifLog {
  const { findings, tool, scan } = input;
  const ruleIds = [...new Set(findings.map((f) => f.ruleId))].sort();
  const rules = ruleIds.map((id) => ruleFor(id, findings.filter((f) => f.ruleId === id)));
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));

  const run: SarifRun = {
    tool: {
      driver: {
        name: tool.name,
        version: tool.version,
        semanticVersion: tool.version,
        ...(tool.informationUri ? { informationUri: tool.informationUri } : {}),
        rules,
      },
    },
    // "category/instance": the category stays stable across scans so consumers can compare runs.
    automationDetails: { id: `vigil/${scan.scanId}` },
    invocations: [
      {
        // A scan a limit cut short found what it found, but did not look everywhere: not a clean run.
        executionSuccessful: !input.incomplete,
        ...(input.incomplete ? { toolExecutionNotifications: [{ level: 'warning' as const, message: { text: input.incomplete } }] } : {}),
        ...(scan.startedAt ? { startTimeUtc: scan.startedAt } : {}),
        ...(scan.finishedAt ? { endTimeUtc: scan.finishedAt } : {}),
      },
    ],
    originalUriBaseIds: { [SRCROOT]: srcRoot(scan.repoKey) },
    columnKind: 'utf16CodeUnits',
    results: findings.map((f) => {
      const result = resultFor(f, ruleIndex.get(f.ruleId)!, input.sources);
      const state = input.baselineStates?.[f.id];
      if (state) result.baselineState = state;
      return result;
    }),
    properties: { scanId: scan.scanId, repoKey: scan.repoKey },
  };
  const repositoryUri = repositoryUriOf(scan.repoKey);
  if (scan.commit && repositoryUri) {
    run.versionControlProvenance = [{ repositoryUri, revisionId: scan.commit, mappedTo: { uriBaseId: SRCROOT } }];
  }
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

function ruleFor(ruleId: string, findings: Finding[]): SarifRule {
  // A rule has one default severity; the worst finding of that rule sets it (results carry their own level).
  const worst = findings.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a));
  const cwe = worst.cwe;
  const info = cweInfo(cwe);
  const uri = cweUri(cwe);
  const n = cweNumber(cwe);
  const title = info?.name ?? worst.title;
  const summary = info?.summary ?? `${worst.title} (reported by Vigil rule ${ruleId}).`;
  const fix = info?.fix ?? 'Review the dataflow trace and validate or encode the input before it reaches the sink.';
  const cweLabel = n === undefined ? cwe : `CWE-${n}`;
  return {
    id: ruleId,
    name: pascalCase(ruleId),
    shortDescription: { text: sentence(title) },
    fullDescription: { text: sentence(`${cweLabel}: ${summary}`) },
    help: {
      text: `${title} (${cweLabel}). ${summary} Fix: ${fix}${uri ? ` See ${uri}.` : ''}`,
      markdown: `## ${title}\n\n${summary}\n\n**Fix:** ${fix}\n\n${uri ? `[${cweLabel}](${uri})` : cweLabel}`,
    },
    ...(uri ? { helpUri: uri } : {}),
    defaultConfiguration: { level: SEVERITY_LEVEL[worst.severity] },
    properties: {
      tags: ['security', ...(n === undefined ? [] : [`CWE-${n}`, `external/cwe/cwe-${String(n).padStart(3, '0')}`])],
      'security-severity': SEVERITY_SCORE[worst.severity],
      precision: worst.confidence,
      'problem.severity': SEVERITY_LEVEL[worst.severity] === 'note' ? 'recommendation' : SEVERITY_LEVEL[worst.severity],
    },
  };
}

function resultFor(f: Finding, ruleIndex: number, allSources: SarifInput['sources']): SarifResult {
  // Never quote the file around a hard-coded secret: only the engine's masked snippets are shown there.
  const sources = f.containsSecret ? undefined : allSources;
  const sink = f.trace.find((s) => s.kind === 'sink' && s.file === f.location.file && s.line === f.location.startLine);
  const result: SarifResult = {
    ruleId: f.ruleId,
    ruleIndex,
    level: SEVERITY_LEVEL[f.severity],
    message: { text: sentence(`${sentence(f.title)} ${f.explanation}`) },
    locations: [{ physicalLocation: physical(f.location, sink?.snippet, sources) }],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: {
      findingId: f.id,
      severity: f.severity,
      'security-severity': SEVERITY_SCORE[f.severity],
      confidence: f.confidence,
      cwe: f.cwe,
      verdict: f.verdict.verdict,
      verdictReasons: f.verdict.reasons,
      verifier: f.verdict.verifier,
      status: f.status,
      ...(f.decision ? { decision: { ...f.decision, carriedOver: f.decisionCarriedOver ?? false } } : {}),
      ...(f.patch ? { patch: f.patch } : {}),
      // The passage of Vigil's guidance that best answers this result (served at /v1/guidance/:id).
      ...(f.guidance ? { guidance: { id: f.guidance.id, title: f.guidance.title, heading: f.guidance.heading } } : {}),
    },
  };
  if (f.trace[0]?.kind !== 'source') {
    // Pattern and access-control findings have evidence, not a flow: related locations, not a codeFlow.
    const related = f.trace.filter((s) => s !== sink);
    if (related.length) {
      result.relatedLocations = related.map((step, i) => ({
        id: i + 1,
        physicalLocation: physical(stepLocation(step), step.snippet, sources),
        message: { text: step.label },
      }));
    }
  } else if (f.trace.length > 0) {
    result.codeFlows = [
      {
        message: { text: sentence(`Untrusted data flows from ${describe(f.trace[0])} to ${describe(f.trace[f.trace.length - 1])}`) },
        threadFlows: [
          {
            locations: f.trace.map((step) => ({
              location: { physicalLocation: physical(stepLocation(step), step.snippet, sources), message: { text: step.label } },
              importance: step.kind === 'step' ? 'important' : 'essential',
            })),
          },
        ],
      },
    ];
  }
  const fix = f.patch && fixFor(f, sources);
  if (fix) result.fixes = [fix];
  if (f.status === 'rejected') {
    const d = f.decision;
    const justification = d
      ? `Rejected by ${d.actor} on ${d.decidedAt}${d.comment ? `: ${d.comment}` : ''}${f.decisionCarriedOver ? ' (decision carried over from an earlier scan)' : ''}`
      : 'Rejected in review.';
    result.suppressions = [{ kind: 'external', status: 'accepted', justification }];
  }
  return result;
}

type SarifFix = NonNullable<SarifResult['fixes']>[number];

function fixFor(f: Finding, sources: SarifInput['sources']): SarifFix | undefined {
  const patch = f.patch!;
  if (!sources) return undefined;
  // A file the patch creates has no text; replacementsFor then only accepts a diff from /dev/null.
  const replacements = replacementsFor(sources(patch.file) ?? '', patch.diff);
  if (!replacements) return undefined;
  return {
    description: { text: sentence(patch.description || `Fix for ${f.title}`) },
    artifactChanges: [{ artifactLocation: artifact(patch.file), replacements }],
  };
}

function physical(loc: Location, snippet: string | undefined, sources: SarifInput['sources']): SarifPhysicalLocation {
  const region: SarifPhysicalLocation['region'] = { startLine: Math.max(1, loc.startLine) };
  if (loc.endLine >= region.startLine) region.endLine = loc.endLine;
  if (loc.startColumn !== undefined && loc.startColumn >= 1) region.startColumn = loc.startColumn;
  // SARIF's endColumn is exclusive and must not precede startColumn on a single-line region.
  if (loc.endColumn !== undefined && (loc.endLine !== loc.startLine || loc.endColumn > (region.startColumn ?? 1))) {
    region.endColumn = loc.endColumn;
  }
  // With the file's text, viewers can show code even without a checkout: the region, plus two lines either
  // side. A trace's stored snippet is a trimmed whole line, so it only stands in for a whole-line region.
  const lines = sources?.(loc.file)?.split('\n');
  const end = region.endLine ?? region.startLine;
  const text = lines && end <= lines.length ? regionText(lines, region) : undefined;
  const wholeLines = region.startColumn === undefined && region.endColumn === undefined;
  if (text !== undefined) region.snippet = { text };
  else if (snippet && wholeLines) region.snippet = { text: snippet };
  const location: SarifPhysicalLocation = { artifactLocation: artifact(loc.file), region };
  if (lines && text !== undefined) {
    const from = Math.max(1, region.startLine - 2);
    const to = Math.min(lines.length, end + 2);
    location.contextRegion = { startLine: from, endLine: to, snippet: { text: lines.slice(from - 1, to).join('\n') } };
  }
  return location;
}

/** The text a region covers; columns are 1-based and endColumn is exclusive. */
function regionText(lines: string[], region: SarifPhysicalLocation['region']): string {
  const end = region.endLine ?? region.startLine;
  const covered = lines.slice(region.startLine - 1, end);
  if (region.endColumn !== undefined) covered[covered.length - 1] = covered[covered.length - 1].slice(0, region.endColumn - 1);
  if (region.startColumn !== undefined) covered[0] = covered[0].slice(region.startColumn - 1);
  return covered.join('\n');
}

function stepLocation(step: TraceStep): Location {
  return { file: step.file, startLine: step.line, endLine: step.line, ...(step.column !== undefined ? { startColumn: step.column } : {}) };
}

function artifact(file: string): { uri: string; uriBaseId: string } {
  // A relative URI reference: each path segment percent-encoded, separators kept.
  return { uri: file.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function describe(step: TraceStep): string {
  return `${step.file}:${step.line}`;
}

function srcRoot(repoKey: string): { uri?: string; description?: { text: string } } {
  if (repoKey.startsWith('/')) {
    const href = pathToFileURL(repoKey).href;
    return { uri: href.endsWith('/') ? href : `${href}/`, description: { text: 'The scanned directory.' } };
  }
  return { description: { text: `The root of a checkout of ${repoKey}.` } };
}

function repositoryUriOf(repoKey: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repoKey)) return repoKey;
  if (repoKey.startsWith('/')) return pathToFileURL(repoKey).href;
  return undefined;
}

function pascalCase(id: string): string {
  const words = id.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w) => w[0].toUpperCase() + w.slice(1)).join('') || id;
}

/** SARIF viewers show the first sentence when space is short; messages should end with a period. */
function sentence(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
