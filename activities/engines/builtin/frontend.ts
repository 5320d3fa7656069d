// The seam between the language-neutral engine (values, summaries, routes, candidates) and a language's
// front end (parsing, module resolution, the interpreter that produces summaries, patch builders).
import type { Candidate, EngineInput, Patch } from '../../model.js';
import type { SinkHit, Summary, SummaryProvider } from './summaries.js';
import type { FnRef, Site } from './values.js';
import type { AccessFacts } from './access-control/facts.js';
import type { CacheStats } from './cache.js';

/** A parameter as the handler declares it (for labels of `{ source }` roles). */
export interface ParamInfo {
  name: string;
  site: Site;
}

export interface FrontEndResult {
  /** Files parsed (origins considered), sorted. */
  files: string[];
  /** file → repository files it imports. */
  dependencies: Record<string, string[]>;
  provider: SummaryProvider;
  summaries: Iterable<Summary>;
  hasCallers(fnId: string): boolean;
  /** Parameter count of a function (picks the handler signature). */
  arity(fn: FnRef): number;
  /** The declared parameters of a function (names and sites, for labels of parameters that are input). */
  params(fn: FnRef): ParamInfo[];
  /** Functions a file exports (following re-exports), by export path: `default`, `parse`, `Client.query`. */
  exportsOf(file: string): { name: string; fn: FnRef }[];
  /** The directive prologue of a file (`'use server'`, `'use strict'`), as written. */
  directives(file: string): string[];
  /** Files the root package's manifest names as its public entry points; undefined when it is not a package that exports code. */
  packageEntryFiles(): string[] | undefined;
  /**
   * Functions shaped like handlers that nothing registers or calls; `held` says how the program holds one (a
   * registration we could not resolve may use it), undefined when nothing does (dead code); `model`: the route
   * model whose handler signature applies (frameworks.ts ROUTE_MODELS id; the untyped model when absent).
   */
  unregisteredHandlers(registered: ReadonlySet<string>): { fn: FnRef; held?: string; model?: string }[];
  patchFor(hit: SinkHit): Patch | undefined;
  /** Program-wide facts a summary cannot depend on (it sees its import cone only), judged per hit at the end. */
  acceptHit?(hit: SinkHit): boolean;
  /** Candidates of the language's non-flow checks (configuration and code patterns), for `engine`. */
  checks?(engine: string): Candidate[];
  /** Syntactic facts for access-control reasoning (registration calls, middleware bodies, models, front-end calls). */
  access?: AccessFacts;
  /** Called once the engine is done with this result: `ok` keeps the analysis's state for the next one of the repository. */
  finish(ok: boolean): void;
}

export interface FrontEnd {
  language: string;
  accepts(path: string): boolean;
  /** Parse and summarise `paths` to a fixed point. */
  analyse(input: EngineInput, paths: string[]): Promise<FrontEndResult>;
  /** Reuse figures of the last analysis kept for `key` (EngineInput.cacheKey). */
  cacheStats(key: string): CacheStats | undefined;
  clearCache(): void;
}
