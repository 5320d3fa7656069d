// Reading a member of an abstract value. This is where request sources appear: a member of a value
// typed as a framework request (models/sources.ts) is attacker-controlled input.
import { HOST_HEADER, HOST_HEADER_CUTS, REQUEST_SOURCE_INDEX, REQUEST_SOURCES, SERVER_CHOSEN_UPLOAD_CUTS, SERVER_CHOSEN_UPLOAD_MEMBER, UPLOAD_SOURCE_KINDS } from './models/sources.js';
import { MODULE_MEMBER_ALIASES } from './models/sinks.js';
import { MEMBER_TYPES, SQL_CLIENT_TYPE } from './models/frameworks.js';
import { empty, join, MAX_PATH, type ExtRef, type Flow, type Site, type Value } from './values.js';
import { identityFlows } from './access-control/identity.js';

/** Request methods whose result is the whole parsed body (models/sources.ts `wholeBody`). */
export const WHOLE_BODY_MEMBERS = new Set(REQUEST_SOURCES.filter((r) => r.wholeBody).map((r) => r.member));

function extMember(e: ExtRef, name: string): ExtRef {
  if (e.path.length === 0) {
    const alias = MODULE_MEMBER_ALIASES.find((a) => a.module === e.module && a.member === name);
    if (alias) return { module: alias.to, path: [] };
  }
  return { module: e.module, path: [...e.path, name] };
}

function extendFlow(f: Flow, name: string, site: Site): Flow {
  if (!f.alias) return f;
  const r = f.root;
  if (r.kind === 'source') {
    if (name.endsWith('()') || r.label.split('.').length > MAX_PATH + 1) return { ...f, alias: false };
    // Point at the most specific expression while the source has not moved yet.
    const out = { ...f, root: { ...r, label: `${r.label}.${name}`, site: f.steps.length ? r.site : site } };
    if (UPLOAD_SOURCE_KINDS.has(r.sourceKind) && SERVER_CHOSEN_UPLOAD_MEMBER.test(name)) return { ...out, cuts: [...new Set([...out.cuts, ...SERVER_CHOSEN_UPLOAD_CUTS])].sort() };
    return r.label.endsWith('.headers') && HOST_HEADER.test(name) ? hostHeader(out) : out;
  }
  if (r.path.length >= MAX_PATH) return { ...f, alias: false };
  const path = [...r.path, name];
  // A body parser's result (`req.json()`) may be the request's whole body: resolved at the handler, it says so itself.
  return { ...f, alias: !name.endsWith('()') || WHOLE_BODY_MEMBERS.has(name), root: { ...r, path, site: f.steps.length ? r.site : site } };
}

/** A flow of the Host header: not an open redirect (models/sources.ts HOST_HEADER). */
export function hostHeader(f: Flow): Flow {
  return HOST_HEADER_CUTS.every((c) => f.cuts.includes(c)) ? f : { ...f, cuts: [...new Set([...f.cuts, ...HOST_HEADER_CUTS])].sort() };
}

/** `v.name` (or, with a `name()` segment, the result of calling method `name` on v). */
export function memberAccess(v: Value, name: string, site: Site): Value {
  let out = empty();
  if (v.obj) {
    const src = REQUEST_SOURCE_INDEX.get(`${v.obj.type}|${name}`);
    if (src) {
      out.flows = [
        {
          root: { kind: 'source', sourceKind: src.sourceKind, label: src.sourceKind.replace(/\(\)$/, `()`), requestInput: true, site },
          steps: [],
          alias: !name.endsWith('()') || !!src.wholeBody,
          cuts: src.cuts ? [...src.cuts].sort() : [],
          partial: [],
          tags: [],
          files: [],
        },
      ];
    }
    // The signed-in user (req.user, req.session, ctx.state): not input, but access-control/ follows it.
    else out.flows = identityFlows(v.obj.type, name, site);
    // Members of a SQL client are still the client (knex.schema, pool.promise()).
    if (v.obj.type === SQL_CLIENT_TYPE) out.obj = v.obj;
    else {
      const typed = MEMBER_TYPES.find((m) => m.type === v.obj!.type && m.member.test(name));
      if (typed) out.obj = { type: typed.memberType, alloc: `${v.obj.alloc}.${name}` };
    }
  }
  if (v.props) {
    const p = v.props.get(name) ?? (/^\d+$/.test(name) || name === '*' ? v.props.get('*') : undefined);
    if (p) out = join(out, p);
  }
  if (v.flows.length) out = join(out, { flows: v.flows.map((f) => extendFlow(f, name, site)) });
  if (v.ext?.length && !name.endsWith('()')) out = join(out, { flows: [], ext: v.ext.map((e) => extMember(e, name)) });
  return out;
}

/** Follow an access path from a value. */
export function project(v: Value, path: string[], site: Site): Value {
  let cur = v;
  for (const seg of path) cur = memberAccess(cur, seg, site);
  return cur;
}

/** More named members than this and a read under an unknown key says nothing of them (a huge table or namespace). */
export const MAX_JOINED_MEMBERS = 64;
/** At most this many functions a call through `table[k]` runs (each one's summary is applied, and its callees' in turn). */
export const MAX_DISPATCH = 8;

/**
 * `v[k]` with a key the analysis does not know: any one of v's members. Tables of regexes, handlers and
 * library functions (`rules[name].test(s)`, `handlers[type](x)`, `parsers[unit].exp`) keep what they hold, so
 * a read by a data-named key still finds the regex to judge or the functions to call. The members' taint is
 * not added here: the caller adds the whole object's taint as derived data. Array elements are already
 * joined under '*'.
 */
export function anyMember(v: Value, site: Site): Value {
  const out = memberAccess(v, '*', site);
  if (!v.props || v.props.size > MAX_JOINED_MEMBERS + 1) return out;
  let members = empty();
  for (const [k, p] of v.props) {
    if (k === '*' || /^\d+$/.test(k)) continue;
    members = join(members, shallow(p));
  }
  if ((members.fns?.length ?? 0) > MAX_DISPATCH) delete members.fns;
  return join(out, members);
}

/**
 * A member as the join keeps it: without its own taint (the caller adds the object's), and of its own members
 * only the plain data (regexes, text, library members), not their functions or shapes. A joined instance's
 * methods would make every `this.m()` inside them run each candidate in turn, down the call chain (a
 * table of locale objects multiplies into millions of summary applications); a bundle's nested tables would
 * make every later value as large as the table.
 */
function shallow(p: Value): Value {
  if (!p.flows.length && !p.props) return p;
  const out: Value = { ...p, flows: [] };
  delete out.props;
  if (!p.props || p.props.size > MAX_JOINED_MEMBERS + 1) return out;
  const props = new Map<string, Value>();
  for (const [k, q] of p.props) {
    if (q.regex || q.text !== undefined || q.ext?.length || q.obj) {
      const leaf: Value = { flows: [] };
      if (q.regex) leaf.regex = q.regex;
      if (q.text !== undefined) (leaf.text = q.text), (leaf.constant = q.constant);
      if (q.ext?.length) leaf.ext = q.ext;
      if (q.obj) leaf.obj = q.obj;
      props.set(k, leaf);
    }
  }
  if (props.size) out.props = props;
  return out;
}
