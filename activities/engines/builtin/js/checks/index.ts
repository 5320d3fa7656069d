// The non-flow checks of the JS/TS front end (insecure JWT handling, hard-coded secrets, weak password
// hashing, predictable tokens, insecure cookies/sessions, permissive CORS). They judge configuration and code
// patterns rather than source-to-sink flows, but they read the interpreter's results: library calls are
// recognised exactly as calls.ts recognises sinks (imports and requires resolved to module members), option
// objects and keys are the values the interpreter computed (constants traced back to their literal across
// files), and Math.random travels as a tagged flow through summaries. Candidates carry evidence.analysis
// 'pattern'; verifier-checks.ts judges them.
import ts from 'typescript';
import type { Candidate, SourceFiles } from '../../../../model.js';
import type { JsProgram } from '../context.js';
import type { Value } from '../../values.js';
import { byLocation } from '../../candidates.js';
import { isTestFile, toCandidate, type CheckContext, type PatternFinding } from './common.js';
import { cookieFindings } from './cookies.js';
import { corsFindingsAll } from './cors.js';
import { graphqlFindings } from './graphql.js';
import { jwtFindings } from './jwt.js';
import { startObserving, type CallRecord, type Observations } from './observe.js';
import { passwordHashFindings } from './password-hash.js';
import { destinationAt, randomnessFindings, type Destination } from './randomness.js';
import { ownSecretAt, secretFindings } from './secrets.js';
import { siteKey } from '../../values.js';

/**
 * Observations of one file. The program reuses the summaries of a file whose import cone is unchanged
 * (program.ts) without interpreting it again; its observations, which likewise depend only on that cone, are then
 * taken from the previous analysis of the repository. A file the interpreter ran has fresh observations. An entry
 * is valid only for the very syntax tree it was made from (parse.ts keeps a tree while its text is unchanged), so
 * a stale entry can never stand in for changed code.
 */
export interface ObservationMemo {
  sf: ts.SourceFile;
  calls: CallRecord[];
  values: [ts.Node, Value][];
}

/** Observations by file; never changed once made (the next analysis builds its own). */
export type ObservationsMemo = ReadonlyMap<string, ObservationMemo>;

/** Fresh observations for files the interpreter ran, remembered ones for the others; returns what to remember. */
function settle(prog: JsProgram, obs: Observations, previous: ObservationsMemo | undefined): ObservationsMemo {
  const fresh = new Map<string, ObservationMemo>();
  const entry = (file: string) => fresh.get(file) ?? fresh.set(file, { sf: prog.modules.get(file)!.sf, calls: [], values: [] }).get(file)!;
  for (const rec of obs.calls.values()) entry(rec.file).calls.push(rec);
  for (const [node, v] of obs.values) entry(node.getSourceFile().fileName).values.push([node, v]);
  const next = new Map<string, ObservationMemo>();
  for (const [file, mod] of prog.modules) {
    const old = previous?.get(file);
    const m = obs.interpreted.has(file) || !old || old.sf !== mod.sf ? fresh.get(file) : old;
    if (m) next.set(file, m);
  }
  obs.calls = new Map();
  obs.values = new Map();
  for (const m of next.values()) {
    for (const rec of m.calls) obs.calls.set(rec.node, rec);
    for (const [node, v] of m.values) obs.values.set(node, v);
  }
  return next;
}

export interface Checks {
  /** Candidates of every check, once the program is solved. */
  run(engine: string): Candidate[];
  /** The observations to remember for the next analysis of the repository (set by run). */
  memo: ObservationsMemo | undefined;
}

/** What one syntax tree holds for the checks; computed once per tree (parse.ts keeps unchanged trees). */
interface Scan {
  destinations: Map<ts.Expression, Destination>;
  /** Secrets in their own file (not in test code), by literal site. */
  secrets: PatternFinding[];
}
const scans = new WeakMap<ts.SourceFile, Scan>();

function scan(sf: ts.SourceFile, file: string): Scan {
  let s = scans.get(sf);
  if (s) return s;
  s = { destinations: new Map(), secrets: [] };
  const out = s;
  const test = isTestFile(file);
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteralLike(n)) {
      const f = test ? undefined : ownSecretAt(n, sf, file);
      if (f) out.secrets.push(f);
      return;
    }
    const d = destinationAt(n, sf);
    if (d) out.destinations.set(d[0], d[1]);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  scans.set(sf, s);
  return s;
}

/** Start observing `prog` (call before solving it); `previous` is what the last analysis of the repository remembered. */
export function createChecks(prog: JsProgram, files: SourceFiles, previous?: ObservationsMemo): Checks {
  const destinations = new Map<string, Map<ts.Expression, Destination>>();
  const own = new Map<string, PatternFinding>();
  const watched = new Set<ts.Node>();
  for (const [path, mod] of prog.modules) {
    const s = scan(mod.sf, path);
    for (const f of s.secrets) own.set(siteKey(f.site), f);
    if (!s.destinations.size) continue;
    destinations.set(path, s.destinations);
    for (const e of s.destinations.keys()) watched.add(e);
  }
  const obs = startObserving(prog, watched);
  const checks: Checks = {
    memo: undefined,
    run(engine) {
      checks.memo = settle(prog, obs, previous);
      const calls = [...obs.calls.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.node.getStart() - b.node.getStart()));
      const ctx: CheckContext = { prog, obs, files, calls };
      const findings = [
        ...jwtFindings(ctx),
        ...secretFindings(ctx, own),
        ...passwordHashFindings(ctx),
        ...randomnessFindings(ctx, destinations),
        ...cookieFindings(ctx, own),
        ...corsFindingsAll(ctx),
        ...graphqlFindings(ctx),
      ];
      const secrets = [...new Set(findings.flatMap((f) => (f.secret ? [f.secret] : [])))].sort((a, b) => b.length - a.length);
      const byId = new Map<string, Candidate>();
      for (const f of findings) {
        const c = toCandidate(f, files, engine, secrets);
        if (!byId.has(c.id)) byId.set(c.id, c);
      }
      return [...byId.values()].sort(byLocation);
    },
  };
  return checks;
}
