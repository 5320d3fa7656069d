// What a web sink's condition picks from a call (web-sinks.ts, and template-sinks.ts for render calls): the
// arguments to look at and, of each, the flows that do harm. Its own module so both name it without an import cycle.
import type { FlowRequirement } from '../models/types.js';
import type { Flow, Site, Value } from '../values.js';

/** One flow of an argument that reaches the sink, and what it must carry to matter. */
export interface Selected {
  flow: Flow;
  requires?: FlowRequirement;
  /** Where the data does harm when that is not the call (a template's output line): the hit is placed there. */
  at?: { site: Site; label: string; text: string };
}

/** A condition's answer for one call. */
export interface WebSelection {
  /** Argument positions to look at (instead of the model's). */
  positions?: number[];
  select(a: Value, i: number): Selected[];
}
