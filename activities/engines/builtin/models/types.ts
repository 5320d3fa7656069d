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
      /** Method names; "()" is a call of the typed value itself (`knex('users')`, a compiled template `t(data)`). */
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
  | 'plaintext-password'
  | 'client-side-authorization'
  | 'unprotected-admin'
  | 'csrf'
  | 'missing-rate-limit'
  | 'rate-limit-bypass'
  | 'graphql-introspection'
  | 'information-exposure';

/** Conditions some sinks need, evaluated on the call's argument values. */
export type SinkCondition =
  /** Dangerous only when an options argument sets `shell` (spawn/execFile). */
  | 'shell-option'
  /** Safe when an options argument sets `root` (Express sendFile/download confine to it). */
  | 'no-root-option'
  /** The argument text must look like SQL when the receiver was recognised only by its name. */
  | 'sql-text'
  // Web sink conditions (evaluated in js/web-sinks.ts):
  /** A MongoDB filter: request objects as property values (operators), or the whole filter from the request. */
  | 'nosql-filter'
  /** Text under `$where`/`$function` keys of a MongoDB filter: JavaScript the server runs. */
  | 'nosql-where'
  /** A response body: strings only (objects become JSON), unless the response is typed as non-HTML. */
  | 'html-body'
  /** A raw write: dangerous only when the text looks like HTML or the response is typed as HTML. */
  | 'html-write'
  /** Dangerous only when the response is typed as HTML (the framework's default is text/plain). */
  | 'html-typed'
  /** Koa: HTML when typed so, or when the body starts with "<" (or with request data). */
  | 'html-sniffed'
  /** A template whose options turned escaping off (noEscape: true, autoescape: false). */
  | 'unescaped-template'
  /** A view rendered with locals: the locals its template writes unescaped or into script context (js/template-sinks.ts). */
  | 'template-output'
  /** A log message: strings only (objects and structured fields are encoded by the logger). */
  | 'log-message'
  /** A redirect target: safe when the text starts with a constant same-site prefix. */
  | 'redirect-target'
  /** A header: dangerous only when the header name (argument 0, or a key of a headers object) is Location. */
  | 'location-header'
  // Server sink conditions (evaluated in js/sink-conditions.ts):
  /** Only data that can choose the destination host counts: a URL string, or url/host options of an object. */
  | 'url-host-tainted'
  /** Dangerous only when an options argument sets one of `option.names` truthy (libxmljs noent). */
  | 'option-true'
  /** Dangerous only when option `option.names[0]` refers to one of `option.members` (a schema with JS types). */
  | 'option-refers'
  /** Dangerous only when the project's `versions.package` predates the fix (package.json / lockfile). */
  | 'version-below'
  /** The regular expression applied (receiver of test/exec, argument of match/replace ...) backtracks catastrophically. */
  | 'catastrophic-regex';

export type PatchKind =
  | 'sql-parameterise'
  | 'exec-to-execfile'
  | 'path-confine'
  | 'eval-json'
  | 'html-escape'
  | 'redirect-local'
  | 'log-strip'
  | 'nosql-coerce'
  | 'yaml-safe-schema'
  | 'xml-no-entities'
  | 'regexp-escape'
  | 'merge-key-guard';

/**
 * What a flow must be, once its source is known, for a hit to count (checked when a handler is
 * instantiated; summaries only know parameters).
 */
export type FlowRequirement =
  /** The untransformed request value, from a source that can carry objects (body, query): operator injection. */
  | 'raw-structured'
  /** A query filter that is (or is spread from) a request object: any flow, unless middleware strips operators. */
  | 'request-object'
  /** Not a whole request container (req.body, req.query): objects are serialised (JSON, util.inspect), not raw text. */
  | 'not-container';

export interface SinkModel {
  id: string;
  rule: RuleId;
  match: CalleeMatch;
  /** Dangerous argument positions (-1: the receiver, e.g. the text of `text.match(re)`); 'all' for every argument. */
  args: number[] | 'all';
  /** Further positions that become dangerous when `condition` holds (e.g. spawn's argv with a shell). */
  conditionalArgs?: number[];
  condition?: SinkCondition;
  patch?: PatchKind;
  /** What the call does with the data, for traces: "executes the SQL text". */
  label: string;
  /** An assignment to the property `methods` of the receiver (`ctx.body = html`); the value is argument 0. */
  property?: boolean;
  /** 'option-true' / 'option-refers': the options, and the library members an option may name. */
  option?: { names: string[]; members?: { module: string; path?: string[] }[] };
  /** 'version-below': the package and the first fixed version of each release line. */
  versions?: { package: string; fixed: string[] };
  /**
   * The call's result still carries the data (a regex match returns pieces of the text), so the flow goes on past
   * this sink; other sinks' results (rows, processes, responses) are not the attacker's text.
   */
  returnsInput?: boolean;
  /** Safe when this option names one of these library members (js-yaml 3 with JSON_SCHEMA). */
  safeOption?: { name: string; members: { module: string; path?: string[] }[] };
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
  /** Constant options of argument `arg` copied into the value's info (koa-router's `{ prefix }`). */
  options?: { arg: number; keys: string[] };
  /**
   * Function arguments are handlers registered on the new value, as `value.method(event, handler)` would. With
   * `from`, the handlers are the functions found in argument `arg` along `path` ('*': every member), as a GraphQL
   * server's `{ rootValue: { user(args) {…} } }` or `{ resolvers: { Query: { user(parent, args) {…} } } }`.
   * Each handler found along `path` is registered under its name: the keys at the '*' segments, joined by '.'
   * (`Query.user`), after the constant option `typeKey` of the same argument when given (graphql-js `name`).
   */
  registers?: { method: string; event: string; from?: { arg: number; path: string[]; typeKey?: string } };
}
