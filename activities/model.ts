// Domain types shared by every stage. Plain data: these values are stored as JSON in the store and
// never travel through workflow history (history carries only ids, hashes and counts).

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Confidence = 'high' | 'medium' | 'low';
export type VerdictKind = 'confirmed' | 'rejected' | 'uncertain';
export type DecisionKind = 'approve' | 'reject';
export type FindingStatus = 'pending' | 'approved' | 'rejected';

/** A place in a snapshot file. Lines and columns are 1-based. */
export interface Location {
  file: string;
  startLine: number;
  endLine: number;
  startColumn?: number;
  endColumn?: number;
}

/** One hop of a dataflow trace, from the attacker-controlled source to the sink. */
export interface TraceStep {
  kind: 'source' | 'step' | 'sink';
  file: string;
  line: number;
  column?: number;
  /** What happens here, e.g. "req.query.id flows into parameter `id` of findUser()". */
  label: string;
  /** The source line, trimmed; kept in the store only. */
  snippet?: string;
}

/** A proposed fix, as a unified diff against the snapshot's copy of `file`. */
export interface Patch {
  file: string;
  diff: string;
  description: string;
}

/** Facts the engine observed that a verifier weighs. All optional: engines report what they know. */
export interface CandidateEvidence {
  /** e.g. "req.query", "req.body". */
  sourceKind?: string;
  /** The source is a request input of a handler that a route registers. */
  sourceIsRequestInput?: boolean;
  /** The handler is reachable from a router mounted on the application (not merely defined). */
  reachableFromMountedRoute?: boolean;
  /** Human-readable route, e.g. "GET /users/:id". */
  route?: string;
  /** Sanitisers or safe forms seen on the path (they did not fully cut the flow). */
  sanitisersOnPath?: string[];
  /** The flow passes through a parameterised or otherwise safe form of the sink. */
  parameterised?: boolean;
  /** The origin file looks like a test, fixture or example. */
  inTestOrFixture?: boolean;
  /** Which analysis produced the candidate when it is not a source-to-sink flow ('pattern', 'access-control'). */
  analysis?: string;
  /** Pattern checks: why the finding may not hold (e.g. the literal is only an env-var default); the verifier says uncertain. */
  caveat?: string;
  /** The location holds a secret: texts and snippets are masked, and reporters must not quote the source lines there. */
  containsSecret?: boolean;
  /** Access-control facts the verifier weighs (see activities/engines/builtin/access-control/). */
  accessControl?: AccessControlEvidence;
  /** The entry point is this exported function of a library package (the library threat model: its callers are untrusted). */
  libraryExport?: string;
  /** A request handler recognised by shape whose registration was not resolved: how the program holds it ("a method of a class"). */
  unresolvedHandler?: string;
  /**
   * A model's finding checked against the built-in engine: its flow to the sink is known (corroborated), a sink of
   * the claimed kind is on the line but no flow (sink-only), none is (no-sink), or the class has no sink model.
   */
  corroboration?: 'corroborated' | 'sink-only' | 'no-sink' | 'not-modelled';
}

/** What an access-control candidate rests on; the verifier re-judges it (all fields optional). */
export interface AccessControlEvidence {
  /** The convention: middleware most sibling routes use (`requireAuth`), and how many use it. */
  convention?: string;
  protectedSiblings?: number;
  siblings?: number;
  /** The comparison was made across the whole application, not within one router. */
  appWide?: boolean;
  /** The route's handler reads the signed-in user itself (an inline check may exist). */
  handlerReadsIdentity?: boolean;
  /** The user's identity reaches code the route calls, but not the lookup (a check may sit there). */
  identityPassedOn?: boolean;
  /** Model (and file) of the record, and its owner or privileged fields. */
  model?: string;
  modelFile?: string;
  ownerField?: string;
  privilegedFields?: string[];
  /** The application has role-check middleware somewhere (`requireRole('admin')`). */
  roleMiddlewareElsewhere?: string;
  /** Front-end role check that hides the action. */
  clientGuard?: string;
  /** CSRF: where the route reads its cookie or session, and the state change it makes. */
  cookieAuth?: string;
  stateChange?: string;
  /** A CSRF or rate-limiting library the project imports but this route's chain does not show (it may apply elsewhere). */
  protectionElsewhere?: string;
  /** Brute force: the password or code check, and the limiter (as written) keyed on a forgeable header. */
  credentialCheck?: string;
  limiter?: string;
  /** A sign-in check answers anonymous requests but the handler goes on after it (where: the check's place). */
  refusalContinues?: string;
}

/** A possible vulnerability as the reasoning stage found it, before verification. */
export interface Candidate {
  /** Stable within a snapshot: derived from rule, sink location and source location. */
  id: string;
  engine: string;
  ruleId: string;
  cwe: string;
  title: string;
  /** Where the vulnerability manifests (the sink). */
  location: Location;
  /** The file whose entry point (route handler, exported function) starts the trace. */
  origin: string;
  trace: TraceStep[];
  explanation: string;
  /** Files whose contents this result depends on (origin and every file the trace passes through). */
  dependsOn: string[];
  patch?: Patch;
  evidence: CandidateEvidence;
}

export interface Verdict {
  candidateId: string;
  verdict: VerdictKind;
  reasons: string[];
  verifier: string;
  /**
   * How sure verification is that the finding holds: scoring never goes above it. Verifiers set it (the built-in
   * one from the evidence it weighed, Claude's panel from its vote); absent on verdicts stored before it existed,
   * when scoring reads it from the candidate's evidence as those scans did.
   */
  confidence?: Confidence;
  /**
   * The tenant's most similar past decisions, looked up at verification (decision memory): evidence shown with
   * the verdict, never counted in it. Empty: looked up, none similar; absent: not looked up.
   */
  precedents?: SimilarDecision[];
}

export interface Decision {
  decision: DecisionKind;
  actor: string;
  comment?: string;
  decidedAt: string;
  /** The scan in which the decision was made (decisions carry over to later scans by fingerprint). */
  scanId: string;
}

/** A decision as the store keeps it: per scan, and per repository by fingerprint (so a later scan keeps it). */
export interface LedgerEntry extends Decision {
  fingerprint: string;
}

/** A verified, scored candidate: what people review. */
/** A past decision of the same tenant shown beside a finding (decision memory). */
export interface SimilarDecision {
  findingId: string;
  scanId: string;
  decision: 'approve' | 'reject';
  comment?: string;
  /** Cosine similarity of the two findings' texts, -1 to 1 (rounded to 3 places). */
  similarity: number;
}

/** The guidance passage that best answers a finding, among its class's (activities/retrieval/guidance/). */
export interface GuidanceLink {
  /** The passage's id, `<rule-id>#<slug>` (GET /v1/guidance/:id serves it). */
  id: string;
  /** The guidance document's title. */
  title: string;
  /** The passage's heading path ("How to fix it > Express"). */
  heading: string;
  /** Cosine similarity of the finding's text and the passage, -1 to 1 (rounded to 3 places). */
  similarity: number;
}

export interface Finding {
  id: string;
  fingerprint: string;
  candidateId: string;
  ruleId: string;
  cwe: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  location: Location;
  trace: TraceStep[];
  explanation: string;
  verdict: Verdict;
  patch?: Patch;
  status: FindingStatus;
  decision?: Decision;
  /** True when the decision came from an earlier scan of the same repository. */
  decisionCarriedOver?: boolean;
  /** The location holds a secret: reporters show the engine's masked snippets and never quote the file there. */
  containsSecret?: boolean;
  /** The tenant's most similar past decisions (decision memory), best first: evidence for a person, never a decision. */
  similarDecisions?: SimilarDecision[];
  /** The guidance passage that best answers this finding; absent when retrieval is off or its class has none. */
  guidance?: GuidanceLink;
}

/** What an engine that spends model tokens reports for a scan: budget, tokens and cost per stage, coverage. */
export interface EngineUsage {
  model: string;
  effort: string;
  budgetTokens: number;
  spentTokens: number;
  budgetExhausted: boolean;
  skippedPasses: number;
  estimatedCostUsd: number;
  stages: { stage: string; tokens: number; estimatedCostUsd: number }[];
  coverage: { directory: string; status: 'covered' | 'skipped'; reason?: string }[];
  /** Claims the engine's checks rejected, per check, and as sentences ("2 claims rejected by location: ..."). */
  claims?: { rejected: Record<string, number>; summary: string[] };
  /** The scan's cost limit in USD, when it had one. */
  maxCostUsd?: number;
  /** True when a limit stopped the scan before its planned work was done: a partial report. */
  incomplete?: boolean;
  /** The limit that stopped it: the token budget or the cost limit. */
  stoppedBy?: 'tokens' | 'cost';
  /** What was not done, as sentences ("2 of 8 research passes not run: api × authz, ..."). */
  notDone?: string[];
}

/** A read-only view of a snapshot's text files, as engines see it. */
export interface SourceFiles {
  /** Every file path in the snapshot (POSIX, relative to the repository root), sorted. */
  paths(): string[];
  /** The file's text, or undefined when it is not in the snapshot. */
  read(path: string): string | undefined;
}

/**
 * A snapshot's files read on demand, one reader per activity: `load` fetches the files not read yet in one batch
 * (each blob fetched and decrypted once), then `read` answers from memory. A file not loaded reads as absent, as a
 * file outside the snapshot does; `has` says whether the snapshot holds a path without reading it.
 */
export interface SourceReader extends SourceFiles {
  has(path: string): boolean;
  /** Reads the named files not read yet (paths outside the snapshot are ignored); resolves to this reader. */
  load(paths: Iterable<string>): Promise<SourceReader>;
  /** Reads every file of the snapshot (what whole-repository analysis needs). */
  loadAll(): Promise<SourceReader>;
}

/** What an engine keeps between scans of one repository so that a re-scan can be incremental. */
export interface AnalysisState {
  engine: string;
  engineVersion: string;
  /** file -> files it directly depends on (imports). */
  dependencies: Record<string, string[]>;
  candidates: Candidate[];
}

export interface EngineProgress {
  phase: string;
  done: number;
  total: number;
}

export interface EngineInput {
  files: SourceFiles;
  /** Files whose results must be (re)computed; null means every file. Candidates are reported only for origins in scope. */
  scope: ReadonlySet<string> | null;
  onProgress?: (progress: EngineProgress) => void;
  signal?: AbortSignal;
  /**
   * Which repository the files are, e.g. tenant and repository key: an engine keeps state from one analysis for the
   * next only under the same key, so analyses of different keys never see each other's. Omitted: one shared key.
   */
  cacheKey?: string;
}

export interface EngineOutput {
  candidates: Candidate[];
  /** Files actually analysed (origins considered). */
  analysedFiles: string[];
  /** file -> files it directly depends on, for every source file the engine understood. */
  dependencies: Record<string, string[]>;
}

/** An engine's name and version: the key of the state it keeps between scans. */
export interface EngineIdentity {
  readonly name: string;
  readonly version: string;
}

/** The built-in engine's analyser: one call over the files in scope (the `reason` stage drives it). */
export interface ReasoningEngine extends EngineIdentity {
  analyse(input: EngineInput): Promise<EngineOutput>;
}

export interface VerifierInput {
  files: SourceFiles;
  candidates: Candidate[];
  signal?: AbortSignal;
}

/** Challenges candidates (the `verify` stage drives it). Must return exactly one verdict per candidate, with its confidence. */
export interface Verifier {
  readonly name: string;
  verify(input: VerifierInput): Promise<Verdict[]>;
}

/** What the reasoning phase reports to the workflow (history carries counts; candidates go to the store). */
export interface ReasoningCounts {
  filesInScope: number;
  filesAnalysed: number;
  candidates: number;
  carriedOver: number;
}

/** What the verification phase reports to the workflow (verdicts go to the store). */
export interface VerificationCounts {
  confirmed: number;
  rejected: number;
  uncertain: number;
}

/**
 * An engine as the scan workflow plugs it in; both engines implement it (workflows/engines.ts). The workflow runs
 * every engine in one shape: reasoning, then verification, each reporting counts. Whatever runs inside, results reach
 * the store through the same stage code (activities/stages/engine-results.ts): the incremental plan, then the
 * candidates, scope and kept state, then one verdict per candidate carrying its confidence.
 *   - built-in: each phase is one activity (`reason` over a ReasoningEngine, `verify` over a Verifier);
 *   - Claude: each phase is planned passes (threat model → research → collect; panel → patch → conclude), one
 *     activity per pass (activities/stages/claude/), that the workflow fans out within the scan's token budget.
 */
export interface ScanEngine {
  readonly name: string;
  reason(): Promise<ReasoningCounts>;
  verify(): Promise<VerificationCounts>;
}
