// The seam between the language-neutral engine (values, summaries, routes, candidates) and a language's
// front end (parsing, module resolution, the interpreter that produces summaries, patch builders).
import type { EngineInput, Patch } from '../../model.js';
import type { SinkHit, Summary, SummaryProvider } from './summaries.js';
import type { FnRef } from './values.js';

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
  /** Functions shaped like handlers that nothing registers or calls. */
  unregisteredHandlers(registered: ReadonlySet<string>): FnRef[];
  patchFor(hit: SinkHit): Patch | undefined;
}

export interface FrontEnd {
  language: string;
  accepts(path: string): boolean;
  /** Parse and summarise `paths` to a fixed point. */
  analyse(input: EngineInput, paths: string[]): Promise<FrontEndResult>;
}
