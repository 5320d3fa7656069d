// The Claude engine's stored artefacts (one per pass, vote, panel, patch and meter, keyed by id), as plain
// data. The artefact catalogue (activities/artifacts.ts) names them; this module imports no store and no stage.
import type { Candidate, EngineUsage, Patch, SimilarDecision } from '../../model.js';
import type { ClaudeSettings, EffortProfile, ResearchCategory, TokenUsage } from './config.js';
import type { CheckCounts, ClaimDrop } from './grounding.js';
import type { Tally, Vote } from './panel.js';

export interface ComponentPlan {
  name: string;
  description: string;
  paths: string[];
  entryPoints: string[];
  trustBoundaries: string[];
  sinks: string[];
  /** Snapshot files the component consists of (restricted to the scope on an incremental scan). */
  files: string[];
}

export interface CoverageEntry {
  directory: string;
  status: 'covered' | 'skipped';
  reason?: string;
  components: string[];
}

/** `claude:threat-model`: the plan every later pass follows. */
export interface ThreatModelArtifact {
  settings: ClaudeSettings;
  profile: EffortProfile;
  mode: 'full' | 'incremental';
  filesInScope: string[];
  carried: Candidate[];
  components: ComponentPlan[];
  assumptions: string[];
  filesWorthReading: string[];
  coverage: CoverageEntry[];
  passes: { id: string; component: number; category: ResearchCategory }[];
  /** The model's threat model was unusable and one component per directory stood in for it. */
  fallback: boolean;
  malformed: number;
  usage: TokenUsage;
  /** A limit stopped the threat-model pass before the model answered. */
  budgetStopped?: boolean;
  stoppedBy?: 'tokens' | 'cost';
}

/** `claude:leads`: the built-in engine's results and import graph. */
export interface LeadsArtifact {
  leads: Candidate[];
  dependencies: Record<string, string[]>;
}

/** `claude:pass:<passId>`: one research pass's findings. */
export interface PassArtifact {
  passId: string;
  candidates: Candidate[];
  malformed: number;
  dropped: boolean;
  turns: number;
  budgetStopped: boolean;
  /** Which allowance stopped it, when one did: the token budget or the cost limit. */
  stoppedBy?: 'tokens' | 'cost';
  usage: TokenUsage;
  /** Claims the checks rejected in this pass (findings dropped alone, refused tool inputs); absent on older passes. */
  drops?: ClaimDrop[];
}

/** `claude:panel:<candidateId>`: the verifier panel's votes and tally. */
export interface PanelArtifact {
  candidateId: string;
  votes: Vote[];
  tally: Tally;
  budgetStopped: boolean;
  /** Which allowance stopped it, when one did: the token budget or the cost limit. */
  stoppedBy?: 'tokens' | 'cost';
  usage: TokenUsage;
  /** Votes and verdicts the checks rejected (quotes not in the file, a sink elsewhere, no sink on the line). */
  drops?: ClaimDrop[];
  /** The team's similar past decisions the verifiers were shown (decision memory); absent when not looked up. */
  precedents?: SimilarDecision[];
}

/** `claude:patch:<candidateId>`: the proposed patch and its review. */
export interface PatchArtifact {
  candidateId: string;
  patch?: Patch;
  review?: { fixes_finding: boolean; keeps_behaviour: boolean; introduces_issues: boolean; reasoning: string };
  accepted: boolean;
  reason: string;
  budgetStopped: boolean;
  /** Which allowance stopped it, when one did: the token budget or the cost limit. */
  stoppedBy?: 'tokens' | 'cost';
  usage: TokenUsage;
  /** Patches the checks rejected (did not apply, did not change the reported lines). */
  drops?: ClaimDrop[];
}

/** `claude:usage`: the engine's usage as reported (EngineUsage), with per-stage token detail and each directory's components. */
export interface UsageLedger extends EngineUsage {
  stages: { stage: string; usage: TokenUsage; tokens: number; estimatedCostUsd: number }[];
  coverage: CoverageEntry[];
  /** Every claim the checks rejected in this scan, with its reason. */
  drops: ClaimDrop[];
  rejected: CheckCounts;
}
