// The artefact catalogue: every kind of artefact a scan stores, and the type stored under it. The store
// (activities/store/store.ts) takes a kind and returns its type, so no caller chooses one. Artefacts are
// stored whole as JSON, keyed by (tenant, scanId, kind). This module and the shapes it names import no store
// and no stage, so any of them can name an artefact without an import cycle.
import type { Candidate, Finding, Verdict } from './model.js';
import type { JsonReport } from './report/json-report.js';
import type { SarifLog } from './report/sarif.js';
import type { TokenUsage } from './engines/claude/config.js';
import type { Vote } from './engines/claude/panel.js';
import type { ScanEstimate } from './engines/claude/estimate.js';
import type {
  LeadsArtifact,
  PanelArtifact,
  PassArtifact,
  PatchArtifact,
  ThreatModelArtifact,
  UsageLedger,
} from './engines/claude/artifacts.js';

/** `merkle-diff`: the snapshot's tree against the repository's stored one (kept per scan, so a retry re-reads it). */
export interface MerkleDiffArtifact {
  rootHash: string;
  previousRoot?: string;
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: number;
}

/** `scope`: what the reasoning stage looked at. */
export interface ScopeArtifact {
  mode: 'full' | 'incremental';
  filesInScope: string[];
  analysedFiles: string[];
  carriedOver: number;
}

/** `apply-result`: what the apply stage wrote (or why it wrote nothing). */
export interface ApplyArtifact {
  branch?: string;
  commit?: string;
  applied: string[];
  failed: { findingId: string; reason: string }[];
  rejected: string[];
  patchSeries?: boolean;
  /** Why nothing was written: the repository lies outside the tenant's roots. */
  refused?: string;
}

/** Kind → stored type. Keyed kinds (`claude:pass:<passId>` …) are template patterns. */
/** Why a scan showed no similar past decisions: one sentence, no secrets (the details are in the worker's log). */
export interface RetrievalUnavailable {
  /** Absent: a retried scoring looked them up after all. */
  reason?: string;
}

export interface ArtifactTypes {
  'merkle-diff': MerkleDiffArtifact;
  scope: ScopeArtifact;
  candidates: Candidate[];
  verdicts: Verdict[];
  /** Scored findings, trace snippets filled in (masked) at scoring; decisions are overlaid by findingsView. */
  findings: Finding[];
  'apply-result': ApplyArtifact;
  /** Masked, like every report. */
  'report.json': JsonReport;
  'report.sarif': SarifLog;
  'report.md': string;
  /** Set when this scan ran without decision memory (turned off, model missing or corrupt, store failing): why. */
  'retrieval-status': RetrievalUnavailable;
  /** An mbox for `git am`, when apply had no local repository to write to. */
  'patch-series': string;
  // The Claude engine: its plan, leads, per-pass outputs and the usage ledger.
  'claude:threat-model': ThreatModelArtifact;
  'claude:leads': LeadsArtifact;
  'claude:usage': UsageLedger;
  /** `vigil scan --estimate`: the planned passes, tokens and cost range (stored under the estimate's id). */
  'claude:estimate': ScanEstimate;
  /** `claude:pass:<passId>`. */
  [pass: `claude:pass:${string}`]: PassArtifact;
  /** `claude:vote:<candidateId>:<lens>`. */
  [vote: `claude:vote:${string}`]: Vote;
  /** `claude:panel:<candidateId>`. */
  [panel: `claude:panel:${string}`]: PanelArtifact;
  /** `claude:patch:<candidateId>`. */
  [patch: `claude:patch:${string}`]: PatchArtifact;
  /** `claude:meter:<pass key>`: tokens spent by every attempt of one pass. */
  [meter: `claude:meter:${string}`]: TokenUsage;
}

export type ArtifactKind = keyof ArtifactTypes & string;

/** The type stored under `kind`. */
export type ArtifactOf<K extends ArtifactKind> = ArtifactTypes[K];

/** Typed artefact access: the store's half that deals with artefacts. */
export interface ArtifactStore {
  putArtifact<K extends ArtifactKind>(tenant: string, scanId: string, kind: K, value: ArtifactOf<K>): Promise<void>;
  getArtifact<K extends ArtifactKind>(tenant: string, scanId: string, kind: K): Promise<ArtifactOf<K> | undefined>;
}

/** The Claude engine's keyed kinds. */
export const claudeArtifact = {
  threatModel: 'claude:threat-model',
  leads: 'claude:leads',
  usage: 'claude:usage',
  estimate: 'claude:estimate',
  pass: (passId: string): `claude:pass:${string}` => `claude:pass:${passId}`,
  vote: (candidateId: string, lens: string): `claude:vote:${string}` => `claude:vote:${candidateId}:${lens}`,
  panel: (candidateId: string): `claude:panel:${string}` => `claude:panel:${candidateId}`,
  patch: (candidateId: string): `claude:patch:${string}` => `claude:patch:${candidateId}`,
  meter: (key: string): `claude:meter:${string}` => `claude:meter:${key}`,
} as const;
