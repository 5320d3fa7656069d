// Shapes of the model tables. The engine core reads only these rows; it knows no library by name.

/** How a call's callee is recognised. */
export type CalleeMatch =
  /** A member of an imported/required module, e.g. child_process.exec; path "*" matches any member. */
  | { kind: 'module'; module: string; path: string[]; construct?: boolean }
  /** A global function, e.g. eval, or a member of a global object (Math.floor: name "Math", path ["floor"]). */
  | { kind: 'global'; name: string; path?: string[]; construct?: boolean }
  /**
   * A method on a typed value (see TYPE_PRODUCERS). `receiverNames` lets the rule fire when the receiver's
   * type is unknown but its name says what it is (`db.query(...)`, `res.sendFile(...)`).
   */
  | {
      kind: 'method';
      receiverType: string;
      methods: string[];
      receiverNames?: RegExp;
      /**
       * Methods distinctive enough to match, conditionally, on a receiver that is still a parameter (its type
       * becomes known where the summary is instantiated). Generic names (get, all, run) are left out.
       */
      symbolicMethods?: string[];
    };

/** Dataflow classes: a source reaches a sink (models/rules.ts RULES). */
export type RuleId =
  | 'sql-injection'
  | 'nosql-injection'
  | 'command-injection'
  | 'path-traversal'
  | 'code-injection'
  | 'template-injection'
  | 'xss'
  | 'ssrf'
  | 'open-redirect'
  | 'unsafe-deserialization'
  | 'xxe'
  | 'prototype-pollution'
  | 'redos'
  | 'log-injection';

/** Classes found without a source-to-sink flow: configuration and code patterns, and access control (CHECK_RULES). */
export type CheckRuleId =
  | 'insecure-jwt'
  | 'hardcoded-secret'
  | 'weak-password-hash'
  | 'insecure-randomness'
  | 'insecure-cookie'
  | 'permissive-cors'
  | 'missing-authorization'
  | 'idor'
  | 'mass-assignment'
  | 'client-side-authorization'
  | 'unprotected-admin';

/** Conditions some sinks need, evaluated on the call's argument values. */
export type SinkCondition =
  /** Dangerous only when an options argument sets `shell` (spawn/execFile). */
  | 'shell-option'
  /** Safe when an options argument sets `root` (Express sendFile/download confine to it). */
  | 'no-root-option'
  /** The argument text must look like SQL when the receiver was recognised only by its name. */
  | 'sql-text';

export type PatchKind = 'sql-parameterise' | 'exec-to-execfile' | 'path-confine' | 'eval-json';

export interface SinkModel {
  id: string;
  rule: RuleId;
  match: CalleeMatch;
  /** Dangerous argument positions; 'all' for every argument. */
  args: number[] | 'all';
  /** Further positions that become dangerous when `condition` holds (e.g. spawn's argv with a shell). */
  conditionalArgs?: number[];
  condition?: SinkCondition;
  patch?: PatchKind;
  /** What the call does with the data, for traces: "executes the SQL text". */
  label: string;
}

export interface SanitiserModel {
  id: string;
  match: CalleeMatch;
  /** Rules this call neutralises; 'all' when the result carries no attacker-controlled text (numbers). */
  cuts: RuleId[] | 'all';
  /** Which argument the result derives from (-1: the receiver). */
  from?: number;
}

/** A test in a condition that, when it holds, makes `subject` safe for `cuts` (allow-lists, validators). */
export interface GuardModel {
  id: string;
  match: CalleeMatch | { kind: 'any-method'; methods: string[] };
  /** The tested value: an argument index or the receiver (-1). */
  subject: number;
  cuts: RuleId[] | 'all';
  /** The subject must carry this tag for the guard to cut (else it is recorded as partial). */
  requiresTag?: string;
  /** The receiver must be untainted (an allow-list, not attacker data). */
  untaintedReceiver?: boolean;
}

export interface TypeProducer {
  match: CalleeMatch;
  type: string;
  info?: Record<string, string>;
}
