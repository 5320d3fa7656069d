// Conditions of the server sink classes (models/sinks-server.ts), evaluated on a call's argument values:
// whether request data can choose a URL's host, options that turn entity expansion on, schemas with
// JavaScript types, library versions that predate a fix, and regexes that backtrack catastrophically.
// Also: where a string placed after a fixed URL host stops being SSRF, and archive readers' entries.
import ts from 'typescript';
import { ARCHIVE_READERS, SERVER_SINKS, URL_OPTION_KEYS, type ArchiveReader } from '../models/sinks-server.js';
import { instantiate } from '../summaries.js';
import type { SinkModel } from '../models/types.js';
import { addStep, derived, taintOf, withFiles, type Flow, type Value } from '../values.js';
import type { CallInfo } from './callee-match.js';
import type { Ctx, JsProgram } from './context.js';
import { siteOf } from './sites.js';
import { dependencyVersion, isVulnerable, manifestFor, type Manifests } from './manifests.js';
import { analyseRegex } from './regex-safety.js';

// ---------------------------------------------------------------- project manifests

const manifests = new WeakMap<JsProgram, Manifests>();

/** Attach the snapshot's package.json data to a program (before solving it). */
export function setManifests(prog: JsProgram, m: Manifests): void {
  manifests.set(prog, m);
}

const VERSIONED = [...new Set(SERVER_SINKS.flatMap((s) => (s.versions ? [s.versions.package] : [])))].sort();

/** The dependency versions `file`'s sinks are judged by, as a key (a file's summaries change with them). */
export function versionKey(m: Manifests, file: string): string {
  const parts: string[] = [];
  for (const pkg of VERSIONED) {
    const d = dependencyVersion(m, file, pkg);
    if (d) parts.push(`${pkg}@${d.version.join('.')}`);
  }
  return parts.join(',');
}

/** Files whose edits can change `file`'s version-dependent findings: its manifest and lockfile. */
export function versionDependencies(m: Manifests, file: string): string[] {
  const man = manifestFor(m, file);
  return man ? [man.path, ...(man.lockPath ? [man.lockPath] : [])] : [];
}

// ---------------------------------------------------------------- conditions

export interface ConditionOutcome {
  /** Argument positions that count (-1: the receiver). */
  positions: number[];
  /** The flows of position i that reach the sink. */
  flows(i: number): Flow[];
  /** A label naming what made the call dangerous (the version in use, the culprit repetition). */
  label?: string;
}

const SERVER_CONDITIONS = new Set(SERVER_SINKS.map((s) => s.condition).filter((c) => c !== undefined));

type Member = { module: string; path?: string[] };

const refers = (v: Value | undefined, members: Member[]) =>
  !!v?.ext?.some((e) => members.some((m) => m.module === e.module && (!m.path || m.path.join('.') === e.path.join('.'))));

const declarations = new WeakMap<ts.SourceFile, Map<string, { end: number; init: ts.Expression }[]>>();

/** `const name = <init>` (or a destructuring of <init>) in the file, the nearest one ending before `before`. */
export function declarationOf(sf: ts.SourceFile, name: string, before: number): ts.Expression | undefined {
  let index = declarations.get(sf);
  if (!index) {
    // One walk per file: guards and options ask often.
    const idx = new Map<string, { end: number; init: ts.Expression }[]>();
    const add = (n: string, end: number, init: ts.Expression) => {
      const list = idx.get(n);
      if (list) list.push({ end, init });
      else idx.set(n, [{ end, init }]);
    };
    const visit = (n: ts.Node): void => {
      if (ts.isVariableDeclaration(n) && n.initializer) {
        if (ts.isIdentifier(n.name)) add(n.name.text, n.end, n.initializer);
        else if (ts.isObjectBindingPattern(n.name)) for (const el of n.name.elements) if (ts.isIdentifier(el.name)) add(el.name.text, n.end, n.initializer);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    declarations.set(sf, (index = idx));
  }
  let found: ts.Expression | undefined;
  for (const d of index.get(name) ?? []) if (d.end <= before) found = d.init;
  return found;
}

/** Whether an expression refers to one of `members`, following local declarations a few levels. */
function expressionRefers(ctx: Ctx, e: ts.Expression, members: Member[], depth = 3): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (ts.isIdentifier(n) || ts.isPropertyAccessExpression(n)) {
      const v = ctx.eval(n as ts.Expression);
      if (refers(v, members)) {
        hit = true;
        return;
      }
      if (ts.isIdentifier(n) && depth > 0 && !v.ext?.length) {
        const init = declarationOf(ctx.sf, n.text, n.getStart(ctx.sf));
        if (init && expressionRefers(ctx, init, members, depth - 1)) hit = true;
        return;
      }
      if (ts.isPropertyAccessExpression(n)) return;
    }
    ts.forEachChild(n, visit);
  };
  visit(e);
  return hit;
}

/** Whether an options argument (index >= 1) sets `name` to one of `members`. */
function optionRefers(ctx: Ctx, node: ts.CallExpression | ts.NewExpression, args: Value[], name: string, members: Member[]): boolean {
  for (let i = 1; i < args.length; i++) {
    if (refers(args[i]?.props?.get(name), members)) return true;
    let arg = node.arguments?.[i];
    if (arg && ts.isIdentifier(arg)) arg = declarationOf(ctx.sf, arg.text, arg.getStart(ctx.sf)) ?? arg;
    if (!arg || !ts.isObjectLiteralExpression(arg)) continue;
    for (const p of arg.properties) {
      if (!p.name || !ts.isIdentifier(p.name) || p.name.text !== name) continue;
      const init = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
      if (init && expressionRefers(ctx, init, members)) return true;
    }
  }
  return false;
}

const isFalsy = (v: Value) => !!v.constant && ['false', 'null', '0', '', 'undefined'].includes(v.text ?? '');

/** Flows that can choose the destination: the value itself (a URL string) and URL/host options of an object. */
function urlFlows(v: Value | undefined): Flow[] {
  if (!v) return [];
  let flows = v.flows;
  for (const k of URL_OPTION_KEYS) {
    const p = v.props?.get(k);
    if (p) flows = [...flows, ...taintOf(p)];
  }
  return flows;
}

/**
 * A server sink condition: undefined when `model` has none of ours (checkSinks carries on as before),
 * null when the call is not dangerous, else the positions and flows that reach the sink.
 */
export function serverCondition(ctx: Ctx, node: ts.CallExpression | ts.NewExpression, model: SinkModel, call: CallInfo, args: Value[]): ConditionOutcome | null | undefined {
  if (!model.condition || !SERVER_CONDITIONS.has(model.condition)) return undefined;
  const positions = model.args === 'all' ? args.map((_, i) => i) : model.args;
  const at = (i: number) => (i === -1 ? call.receiver : args[i]);
  switch (model.condition) {
    case 'url-host-tainted':
      return { positions, flows: (i) => urlFlows(at(i)) };
    case 'option-true': {
      const names = model.option?.names ?? [];
      const truthy = (n: string) => args.slice(1).some((a) => { const p = a?.props?.get(n); return p !== undefined && !isFalsy(p); });
      const which = names.filter(truthy);
      if (!which.length) return null;
      return { positions, flows: (i) => taintOf(at(i) ?? { flows: [] }), label: `${model.label}: ${which.join(', ')} set` };
    }
    case 'option-refers': {
      const opt = model.option;
      if (!opt?.members || !optionRefers(ctx, node, args, opt.names[0], opt.members)) return null;
      return { positions, flows: (i) => taintOf(at(i) ?? { flows: [] }) };
    }
    case 'version-below': {
      const m = manifests.get(ctx.prog);
      const req = model.versions;
      if (!m || !req) return null;
      const dep = dependencyVersion(m, ctx.mod.path, req.package);
      if (!dep || !isVulnerable(dep.version, req.fixed)) return null;
      if (model.safeOption && optionRefers(ctx, node, args, model.safeOption.name, model.safeOption.members)) return null;
      return {
        positions,
        // The verdict depends on the manifest: it is a file this result depends on.
        flows: (i) => taintOf(at(i) ?? { flows: [] }).map((f) => withFiles(f, [dep.manifest])),
        label: `${model.label}; the project uses ${dep.source}`,
      };
    }
    case 'catastrophic-regex': {
      const onText = positions.includes(-1);
      const re = onText ? args[0]?.regex : call.receiver?.regex;
      if (!re) return null;
      const verdict = analyseRegex(re.source, re.flags);
      if (!verdict.catastrophic && !verdict.polynomial) return null;
      return {
        positions,
        flows: (i) => taintOf(at(i) ?? { flows: [] }),
        label:
          verdict.polynomial
            ? `runs /${re.source}/${re.flags} on the text: ${verdict.culprit} can split the same run of characters in many ways, so a long run that then fails to match takes quadratic or worse time (polynomial backtracking)`
            : `runs /${re.source}/${re.flags} on the text: the repetition \`${verdict.culprit}\` can match the same text in exponentially many ways (catastrophic backtracking)`,
      };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- URL strings

/**
 * Whether text appended after `prefix` (the constant text built so far, U+0000 for unknown parts) can no
 * longer choose a URL's host: the prefix already holds a complete authority (`https://api.example.com/`,
 * `${scheme}://api.example.com/`), or a path (`/api/`, `${config.base}/users/`) with no request data before it.
 */
export function hostFixedBy(prefix: string | undefined, taintedBefore: boolean): boolean {
  if (!prefix) return false;
  const slashes = prefix.indexOf('//');
  if (slashes >= 0 && !/[/?#\\]/.test(prefix.slice(0, slashes))) return /[/?#\\]/.test(prefix.slice(slashes + 2));
  if (taintedBefore) return false;
  // A relative path ("/api/" + x cannot become "//host"), or an untainted base followed by a separator.
  return /^[/\\][^/\\]/.test(prefix) || /^[^/\\?#]+[/\\?#]/.test(prefix);
}

/**
 * Flows of a string part appended after `prefix` (see stringJoin): once a URL's host is fixed, the part
 * cannot redirect a request, so the flow is cut for SSRF.
 */
export function placedAfter(prefix: Value, flows: Flow[]): Flow[] {
  if (!flows.length) return flows;
  const taintedBefore = prefix.flows.some((f) => !f.cuts.includes('ssrf'));
  if (!hostFixedBy(prefix.text, taintedBefore)) return flows;
  return flows.map((f) => (f.cuts.includes('ssrf') ? f : { ...f, cuts: [...f.cuts, 'ssrf'].sort() }));
}

// ---------------------------------------------------------------- archive entries

const archiveMatches = (m: ArchiveReader['match'], call: CallInfo): boolean => {
  if (m.kind === 'module') return (call.callee.ext ?? []).some((e) => e.module === m.module && e.path.join('.') === m.path.join('.'));
  if (m.kind === 'method') return !!call.method && m.methods.includes(call.method) && !!call.receiver && !call.receiver.obj && !call.receiver.ext?.length;
  return false;
};

/**
 * The entries of an archive read from request data (an upload): derived from the archive, with a trace
 * step saying that entry names are the archive author's choice. Callback-style readers get the entries
 * as a callback parameter. Undefined when the call reads no archive (evalCall carries on).
 */
export function archiveEntries(ctx: Ctx, node: ts.CallExpression | ts.NewExpression, call: CallInfo, args: Value[]): Value | undefined {
  for (const r of ARCHIVE_READERS) {
    if (!archiveMatches(r.match, call)) continue;
    if (r.callback?.event !== undefined && args[0]?.text !== r.callback.event) continue;
    const from = r.from ?? (r.match.kind === 'method' ? -1 : 0);
    const archive = derived((from === -1 ? call.receiver : args[from]) ?? { flows: [] });
    if (!archive.flows.length) return undefined;
    // Point at the method name in a chain (`.pipe(...)\n  .on('entry', ...)`), not where the chain starts.
    const callee = node.expression;
    const s = siteOf(ctx, ts.isPropertyAccessExpression(callee) ? callee.name : node);
    const step = { kind: 'step' as const, file: s.file, line: s.line, column: s.column, label: r.label };
    const entries: Value = { flows: archive.flows.map((f) => addStep(f, step)) };
    if (!r.callback) return entries;
    const cb = [...args].reverse().find((a) => a.fns?.length);
    if (!cb) return undefined;
    const passed: Value[] = Array.from({ length: r.callback.param + 1 }, (_, i) => (i === r.callback!.param ? entries : { flows: [] }));
    const argText = (i: number) => (i === r.callback!.param ? (r.callback!.event ? 'the entry' : 'the opened archive') : undefined);
    for (const fn of cb.fns!) instantiate(ctx.prog.provider, fn, passed, { site: s, argText, depth: 0 }, ctx.out);
    return call.receiver ?? { flows: [] };
  }
  return undefined;
}
