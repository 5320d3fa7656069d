// Server-side templates: which view a render call names, and where that view writes its data without
// escaping (raw outputs, or escaped outputs in script context). The languages are data
// (models/templates.ts); this module finds the views in the snapshot, reads each once, and turns a render
// call's locals into the flows that reach an unsafe output, placed at the template line.
import { createHash } from 'node:crypto';
import { NON_CODE_SCRIPT_TYPES, SCRIPT_ATTRIBUTE, TEMPLATE_ESCAPING_CALLS, TEMPLATE_SCRIPT_SAFE, TEMPLATE_LANGUAGES, TEMPLATE_NON_DATA, type TemplateLanguage } from '../models/templates.js';

/** A data reference in a template output: `products[i].mail` → root "products", path ["*", "mail"]. */
export interface TemplateRef {
  root: string;
  path: string[];
}

/** An output of a template that writes data where escaping does not protect the page. */
export interface TemplateSinkUse {
  file: string;
  line: number;
  column: number;
  /** The output as written, for traces (`<%- name %>`). */
  text: string;
  /** 'raw': not escaped; 'script': escaped, but in script context where HTML escaping does not help. */
  context: 'raw' | 'script';
  refs: TemplateRef[];
  language: string;
}

export interface ResolvedView {
  files: string[];
  /** More than one folder holds a view of that name: which one the application uses is a guess. */
  ambiguous: boolean;
}

export interface TemplateIndex {
  /** Whether the snapshot holds any template file (nothing else to do otherwise). */
  readonly any: boolean;
  /** A key that changes when any template changes (part of the memo key of files that render views). */
  readonly digest: string;
  readonly files: string[];
  /** The template files a render call in `from` naming `name` may use. */
  resolve(from: string, name: string): ResolvedView;
  /** The unsafe outputs of a template, following its partials (cached per index). */
  sinkUses(file: string): TemplateSinkUse[];
}

const MAX_INCLUDE_DEPTH = 3;
const FOLDER_NAMES = /(^|\/)(views|templates|template|pages|layouts|partials)(\/|$)/;

const extOf = (p: string) => (/\.([\w]+)$/.exec(p)?.[1] ?? '').toLowerCase();
const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const commonPrefix = (a: string, b: string) => {
  const x = a.split('/');
  const y = b.split('/');
  let n = 0;
  while (n < x.length - 1 && n < y.length && x[n] === y[n]) n++;
  return n;
};

/** How the application configures its views, read from the JS texts (`app.set('views', …)`, `app.engine('html', …)`). */
interface ViewConfig {
  folders: string[];
  extensions: string[];
  /** Extension → language for engines registered under another extension. */
  mapped: Map<string, TemplateLanguage>;
}

function readViewConfig(jsTexts: Iterable<string>): ViewConfig {
  const cfg: ViewConfig = { folders: [], extensions: [], mapped: new Map() };
  for (const text of jsTexts) {
    if (!/view|engine|render/.test(text)) continue;
    for (const m of text.matchAll(/\.set\(\s*['"]views['"]\s*,([^;\n]*)/g)) {
      const lits = [...m[1].matchAll(/['"]([^'"]+)['"]/g)].map((x) => x[1]);
      if (lits.length) cfg.folders.push(lits.map((s) => s.replace(/^\.?\/+|\/+$/g, '')).filter(Boolean).join('/'));
    }
    for (const m of text.matchAll(/\.set\(\s*['"]view engine['"]\s*,\s*['"]\.?([\w-]+)['"]/g)) cfg.extensions.push(m[1].toLowerCase());
    // app.engine('html', require('ejs').renderFile), app.engine('hbs', hbs.engine), { extension: 'njk' }, map: { html: 'nunjucks' }
    for (const m of text.matchAll(/\.engine\(\s*['"]\.?([\w-]+)['"]\s*,\s*([^;\n]*)/g)) {
      const lang = TEMPLATE_LANGUAGES.find((l) => l.modules.some((mod) => new RegExp(`['"]${mod}['"]|\\b${mod.replace(/-/g, '_')}\\b`, 'i').test(m[2])));
      if (lang) cfg.mapped.set(m[1].toLowerCase(), lang);
      cfg.extensions.push(m[1].toLowerCase());
    }
    for (const m of text.matchAll(/\b(?:extension|viewExt)\s*:\s*['"]\.?([\w-]+)['"]/g)) cfg.extensions.push(m[1].toLowerCase());
    for (const m of text.matchAll(/\bmap\s*:\s*\{\s*['"]?([\w-]+)['"]?\s*:\s*['"]([\w-]+)['"]/g)) {
      const lang = TEMPLATE_LANGUAGES.find((l) => l.modules.includes(m[2]) || l.id === m[2]);
      if (lang) cfg.mapped.set(m[1].toLowerCase(), lang);
    }
  }
  return cfg;
}

/** The templates of a snapshot. `jsTexts`: the program's source texts (view configuration is read from them). */
export function createTemplateIndex(paths: string[], read: (p: string) => string | undefined, jsTexts: Iterable<string>): TemplateIndex {
  const known = new Set(TEMPLATE_LANGUAGES.flatMap((l) => l.extensions));
  const candidates = paths.filter((p) => !/(^|\/)node_modules\//.test(p));
  const hasTemplates = candidates.some((p) => known.has(extOf(p)));
  const cfg: ViewConfig = hasTemplates ? readViewConfig(jsTexts) : { folders: [], extensions: [], mapped: new Map() };
  const languageOf = (p: string) => {
    const ext = extOf(p);
    return cfg.mapped.get(ext) ?? TEMPLATE_LANGUAGES.find((l) => l.extensions.includes(ext));
  };
  const files = candidates.filter((p) => languageOf(p));
  const texts = new Map<string, string>();
  const text = (p: string) => {
    let t = texts.get(p);
    if (t === undefined) texts.set(p, (t = read(p) ?? ''));
    return t;
  };
  const h = createHash('sha1');
  for (const f of files) h.update(f).update('\0').update(text(f)).update('\0');
  const digest = files.length ? h.digest('base64') : '';
  const byStem = new Map<string, string[]>();
  for (const f of files) {
    const stem = f.slice(0, f.length - extOf(f).length - 1);
    for (const s of [stem, ...(stem.endsWith('/index') ? [stem.slice(0, -6)] : [])]) {
      const list = byStem.get(s);
      if (list) list.push(f);
      else byStem.set(s, [f]);
    }
  }
  const uses = new Map<string, TemplateSinkUse[]>();

  function resolve(from: string, rawName: string): ResolvedView {
    // path.join(__dirname, 'views', 'x') reads as "<unknown>/views/x": the known tail names the view.
    const name = rawName.split('\u0000').pop()!.replace(/^\.?\/+/, '').replace(/^(\.\.\/)+/, '');
    if (!name) return { files: [], ambiguous: false };
    const ext = extOf(name);
    const stem = known.has(ext) || cfg.mapped.has(ext) ? name.slice(0, name.length - ext.length - 1) : name;
    const matches = files.filter((f) => {
      const s = f.slice(0, f.length - extOf(f).length - 1);
      return (s === stem || s.endsWith(`/${stem}`) || s === `${stem}/index` || s.endsWith(`/${stem}/index`)) && (stem === name || extOf(f) === ext);
    });
    if (matches.length <= 1) return { files: matches, ambiguous: false };
    // The configured engine's extension, then the configured folder, then a conventional folder nearest the caller.
    const byExt = cfg.extensions.length ? matches.filter((f) => cfg.extensions.includes(extOf(f))) : matches;
    const pool = byExt.length ? byExt : matches;
    const folderOf = (f: string) => {
      const s = f.slice(0, f.length - extOf(f).length - 1);
      const base = s.endsWith(`/${stem}/index`) || s === `${stem}/index` ? s.slice(0, -(stem.length + 6)) : s.slice(0, -stem.length);
      return base.replace(/\/$/, '');
    };
    const score = (f: string) => {
      const folder = folderOf(f);
      const configured = cfg.folders.some((c) => folder === c || folder.endsWith(`/${c}`)) ? 4 : 0;
      const conventional = FOLDER_NAMES.test(folder) ? 2 : 0;
      return configured + conventional + commonPrefix(from, f) / 100;
    };
    const best = Math.max(...pool.map(score));
    const chosen = pool.filter((f) => score(f) === best);
    const folders = new Set(chosen.map(folderOf));
    return { files: chosen, ambiguous: folders.size > 1 };
  }

  function includeTarget(from: string, name: string): string | undefined {
    const own = dirOf(from);
    const lang = languageOf(from)!;
    const ext = extOf(name);
    const direct = (known.has(ext) || cfg.mapped.has(ext)) ? [name] : [...new Set([extOf(from), ...lang.extensions])].map((e) => `${name}.${e}`);
    for (const n of direct) {
      const parts = (own ? `${own}/${n}` : n).split('/');
      const norm: string[] = [];
      for (const p of parts) {
        if (p === '..') norm.pop();
        else if (p && p !== '.') norm.push(p);
      }
      const rel = norm.join('/');
      if (texts.has(rel) || files.includes(rel)) return rel;
    }
    return resolve(from, name).files[0];
  }

  function sinkUses(file: string, depth = 0, seen = new Set<string>()): TemplateSinkUse[] {
    const cached = depth === 0 ? uses.get(file) : undefined;
    if (cached) return cached;
    const lang = languageOf(file);
    const out: TemplateSinkUse[] = [];
    if (lang && !seen.has(file)) {
      seen.add(file);
      const t = text(file);
      out.push(...scanTemplate(file, t, lang));
      // Partials see the including template's data (EJS, Pug, Handlebars and Nunjucks all pass it on).
      if (depth < MAX_INCLUDE_DEPTH) {
        for (const re of lang.includes) {
          for (const m of t.matchAll(new RegExp(re.source, re.flags))) {
            const target = m.groups?.name && includeTarget(file, m.groups.name);
            if (target && target !== file) out.push(...sinkUses(target, depth + 1, seen));
          }
        }
      }
    }
    if (depth === 0) uses.set(file, out);
    return out;
  }

  return { any: files.length > 0, digest, files, resolve, sinkUses: (f) => sinkUses(f) };
}

// ---------------------------------------------------------------- reading one template

interface Range {
  start: number;
  end: number;
}
const within = (ranges: Range[], at: number) => ranges.some((r) => at >= r.start && at < r.end);

/** <script> elements that hold code (not client-side templates such as type="text/template"). */
function scriptRanges(text: string, lang: TemplateLanguage): Range[] {
  const out: Range[] = [];
  for (const m of text.matchAll(/<script\b([^>]*)>/gi)) {
    if (NON_CODE_SCRIPT_TYPES.test(m[1])) continue;
    const start = m.index! + m[0].length;
    const close = text.slice(start).search(/<\/script\s*>/i);
    out.push({ start, end: close < 0 ? text.length : start + close });
  }
  if (lang.layout === 'indented') {
    // Pug: `script.` or `script` followed by a block indented deeper; `script= x` / `script!= x` on one line.
    const lines = text.split('\n');
    let offset = 0;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      const m = /^([ \t]*)script\b[^\n]*$/.exec(l);
      if (m) {
        const indent = m[1].length;
        const start = offset + m[0].search(/script/) + 6;
        let end = offset + l.length;
        let o = offset + l.length + 1;
        for (let j = i + 1; j < lines.length; j++) {
          const lj = lines[j];
          if (lj.trim() && /^[ \t]*/.exec(lj)![0].length <= indent) break;
          end = o + lj.length;
          o += lj.length + 1;
        }
        out.push({ start, end });
      }
      offset += l.length + 1;
    }
  }
  return out;
}

function blockRanges(text: string, open: RegExp, close: RegExp): (Range & { list?: string })[] {
  const out: (Range & { list?: string })[] = [];
  const events: { at: number; open: boolean; list?: string; len: number }[] = [];
  for (const m of text.matchAll(new RegExp(open.source, open.flags))) events.push({ at: m.index!, open: true, list: m.groups?.list, len: m[0].length });
  for (const m of text.matchAll(new RegExp(close.source, close.flags))) events.push({ at: m.index!, open: false, len: m[0].length });
  events.sort((a, b) => a.at - b.at);
  const stack: { at: number; list?: string }[] = [];
  for (const e of events) {
    if (e.open) stack.push({ at: e.at + e.len, list: e.list });
    else {
      const o = stack.pop();
      if (o) out.push({ start: o.at, end: e.at, list: o.list });
    }
  }
  for (const o of stack) out.push({ start: o.at, end: text.length, list: o.list });
  return out;
}

/** Balanced-parenthesis spans of escaping calls in an expression: the data inside them is safe. */
function withoutEscapedCalls(expr: string): string {
  let out = expr;
  for (;;) {
    const re = new RegExp(TEMPLATE_ESCAPING_CALLS.source, 'g');
    const m = re.exec(out);
    if (!m) return out;
    let depth = 0;
    let i = m.index + m[0].length - 1;
    for (; i < out.length; i++) {
      if (out[i] === '(') depth++;
      else if (out[i] === ')' && --depth === 0) break;
    }
    out = `${out.slice(0, m.index)}0${out.slice(i + 1)}`;
  }
}

const ID = /[A-Za-z_$@][\w$]*/;
const REF = new RegExp(String.raw`(?<![\w$.@])(\.\.\/)*(${ID.source})((?:\s*\.\s*[A-Za-z_$][\w$]*|\s*\[[^\]]*\])*)(\s*\()?`, 'g');

/** Data references of an output expression, before aliases. */
function refsOf(expr: string, lang: TemplateLanguage): TemplateRef[] {
  let e = expr.replace(/(['"`])(?:\\.|(?!\1)[^\\])*\1/g, '""');
  e = withoutEscapedCalls(e);
  // Filters (`| safe`, `| upper`) are not data; a Handlebars helper call's first word is the helper.
  e = e.replace(/\|\s*[A-Za-z_$][\w$]*(\s*\([^)]*\))?/g, ' ');
  if (lang.id === 'handlebars') {
    const words = e.trim().split(/\s+/);
    if (words.length > 1) e = words.slice(1).filter((w) => !/=/.test(w) || /=[A-Za-z_@.]/.test(w)).map((w) => w.replace(/^[\w-]+=/, '')).join(' ');
  }
  const out: TemplateRef[] = [];
  for (const m of e.matchAll(REF)) {
    const root = m[2];
    if (m[4]) continue; // a call: the callee is a helper, its arguments are matched on their own
    // A key of an object literal (`{ q: query }`), not a name read.
    if (/^\s*:(?!:)/.test(e.slice(m.index! + m[0].length)) && /[{,]\s*$/.test(e.slice(0, m.index!))) continue;
    if (TEMPLATE_NON_DATA.has(root) && root !== 'this') continue;
    const path: string[] = [];
    for (const seg of m[3].matchAll(/\.\s*([A-Za-z_$][\w$]*)|\[\s*(?:(['"])([^'"]*)\2|[^\]]*)\s*\]/g)) path.push(seg[1] ?? seg[3] ?? '*');
    if (lang.dataRoot && root === lang.dataRoot) {
      if (path.length) out.push({ root: path[0], path: path.slice(1) });
      continue;
    }
    if (root.startsWith('@')) continue; // @index, @key: loop bookkeeping
    out.push({ root, path });
  }
  return out;
}

/** Whether offset `at` is inside a quoted string literal of the script text on its line. */
function inQuotedString(text: string, lineStart: number, scriptStart: number, at: number): boolean {
  const before = text.slice(Math.max(lineStart, scriptStart), at).replace(/\\./g, '');
  const count = (q: string) => before.split(q).length - 1;
  return count('"') % 2 === 1 || count("'") % 2 === 1;
}

export function scanTemplate(file: string, text: string, lang: TemplateLanguage): TemplateSinkUse[] {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (at: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const scripts = scriptRanges(text, lang);
  const rawRegions = lang.rawRegion ? blockRanges(text, lang.rawRegion.open, lang.rawRegion.close) : [];
  const contexts = lang.contextBlock ? blockRanges(text, lang.contextBlock.open, lang.contextBlock.close) : [];
  // Loop items stand for elements of their collection (`products.forEach(function (p) {` → p is products[*]).
  const aliases = new Map<string, TemplateRef>();
  for (const re of lang.loops) {
    for (const m of text.matchAll(new RegExp(re.source, re.flags))) {
      const { item, list } = m.groups ?? {};
      if (!item || !list) continue;
      const [root, ...path] = list.split('.');
      if (lang.dataRoot && root === lang.dataRoot) aliases.set(item, { root: path[0], path: [...path.slice(1), '*'] });
      else aliases.set(item, { root, path: [...path, '*'] });
    }
  }
  const resolveRef = (r: TemplateRef, at: number): TemplateRef | undefined => {
    let ref = r;
    const ctx = contexts.filter((c) => at >= c.start && at < c.end && c.list).pop();
    if (ctx && ref.root === 'this') {
      const [root, ...path] = ctx.list!.split('.');
      ref = { root, path: [...path, '*', ...r.path] };
    } else if (ctx && !aliases.has(ref.root)) {
      // Inside {{#each list}}, a bare name is a field of the element.
      const [root, ...path] = ctx.list!.split('.');
      ref = { root, path: [...path, '*', r.root, ...r.path] };
    } else if (ref.root === 'this') {
      if (!r.path.length) return undefined;
      ref = { root: r.path[0], path: r.path.slice(1) };
    }
    for (let i = 0; i < 4 && aliases.has(ref.root); i++) {
      const a = aliases.get(ref.root)!;
      if (a.root === ref.root) break;
      ref = { root: a.root, path: [...a.path, ...ref.path] };
    }
    return ref;
  };
  const out: TemplateSinkUse[] = [];
  const taken = new Set<number>();
  const seenUses = new Set<string>();
  for (const o of lang.outputs) {
    for (const m of text.matchAll(new RegExp(o.pattern.source, o.pattern.flags))) {
      const at = m.index!;
      if (taken.has(at)) continue;
      const exprStart = at + m[0].indexOf(m[1]);
      taken.add(at);
      const expr = m[1];
      if (/^\s*include\b/.test(expr) || TEMPLATE_SCRIPT_SAFE.test(expr)) continue;
      const raw = o.raw || (!!lang.rawFilter && lang.rawFilter.test(expr)) || within(rawRegions, at);
      const line = lineOf(at);
      let context: 'raw' | 'script' | undefined = raw ? 'raw' : undefined;
      if (!context) {
        const script = scripts.find((r) => exprStart >= r.start && exprStart < r.end);
        // The HTML tag the output sits in (template tags such as `<%` are not HTML).
        let tagStart = text.lastIndexOf('<', at - 1);
        while (tagStart >= 0 && !/[A-Za-z]/.test(text[tagStart + 1] ?? '')) tagStart = text.lastIndexOf('<', tagStart - 1);
        if (script && !inQuotedString(text, lineStarts[line], script.start, at)) context = 'script';
        else if (!script && tagStart >= 0 && !text.slice(tagStart, at).includes('>') && SCRIPT_ATTRIBUTE.test(text.slice(tagStart, at))) context = 'script';
      }
      if (!context) continue;
      const refs = refsOf(expr, lang)
        .map((r) => resolveRef(r, at))
        .filter((r): r is TemplateRef => !!r);
      if (!refs.length) continue;
      // Two patterns may read the same output (Pug's `p!= x` is also shaped like an attribute `p!=x`).
      const key = `${line}|${context}|${refs.map((r) => [r.root, ...r.path].join('.')).sort().join(',')}`;
      if (seenUses.has(key)) continue;
      seenUses.add(key);
      const shown = m[0].replace(/\s+/g, ' ').trim();
      out.push({
        file,
        line: line + 1,
        column: at - lineStarts[line] + 1,
        text: shown.length > 60 ? `${shown.slice(0, 59)}…` : shown,
        context,
        refs,
        language: lang.id,
      });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

// ---------------------------------------------------------------- the program's templates

const indexes = new WeakMap<object, TemplateIndex>();

/** Attach the snapshot's templates to a program (before solving it), as sink-conditions.ts does with manifests. */
export function setTemplates(prog: object, index: TemplateIndex): void {
  indexes.set(prog, index);
}

export function templatesOf(prog: object): TemplateIndex | undefined {
  return indexes.get(prog);
}

/** Source text that may render a view: its files' memo keys include the templates' digest. */
export const mayRenderViews = (text: string) => /\.(render|view)\s*\(/.test(text);
