// Module structure of one JS/TS file: what it imports (ESM, require, import = require, dynamic import),
// what it re-exports, and where each specifier resolves (a repository file or an external package).
import ts from 'typescript';
import { posix } from 'node:path';
import { EXTENSIONS } from './parse.js';

/** `via`: configuration files (tsconfig.json, package.json) the resolution read, so editing them re-analyses the importer. */
export type Target = { kind: 'file'; path: string; via?: string[] } | { kind: 'external'; module: string; via?: string[] };

export interface ImportBinding {
  target: Target;
  /** 'default', 'namespace', or the imported name. */
  imported: string;
}

export interface ReExport {
  target: Target;
  /** Exported name here (undefined for `export *`). */
  name?: string;
  /** Name in the target ('*' for `export * as ns`). */
  imported?: string;
}

export interface ModuleInfo {
  path: string;
  sf: ts.SourceFile;
  /** Uses ESM syntax (import/export declarations). */
  esm: boolean;
  imports: Map<string, ImportBinding>;
  reexports: ReExport[];
  /** Repository files this file imports directly. */
  deps: string[];
  /** Where each specifier the file uses (import, export from, require, import()) resolves. */
  resolved: Map<string, Target>;
  /** Facts outside the file that its summaries depend on: dependency versions (sink-conditions.ts versionKey). */
  envKey?: string;
}

const TS_FOR_JS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

/** Normalise an external specifier: strip `node:`. */
export const externalModule = (spec: string) => (spec.startsWith('node:') ? spec.slice(5) : spec);

/** The repository file a path (without or with an extension, or a directory with an index) names. */
function resolveFile(base: string, exists: (p: string) => boolean): string | undefined {
  const candidates: string[] = [base];
  const ext = posix.extname(base);
  // TypeScript sources import their siblings with the emitted extension ("./x.js" for x.ts).
  for (const alt of TS_FOR_JS[ext] ?? []) candidates.push(base.slice(0, -ext.length) + alt);
  for (const e of EXTENSIONS) candidates.push(base + e);
  for (const e of EXTENSIONS) candidates.push(`${base}/index${e}`);
  for (const c of candidates) if (c && !c.startsWith('..') && exists(c)) return c;
  return undefined;
}

export function resolveSpecifier(from: string, spec: string, exists: (p: string) => boolean): Target {
  if (!spec.startsWith('.') && !spec.startsWith('/')) return { kind: 'external', module: externalModule(spec) };
  const base = spec.startsWith('/') ? posix.normalize(spec.slice(1)) : posix.join(posix.dirname(from), spec);
  const path = resolveFile(base, exists);
  return path ? { kind: 'file', path } : { kind: 'external', module: spec };
}

// ---------------------------------------------------------------- project-aware resolution
//
// Bare specifiers can name repository files too: tsconfig/jsconfig `baseUrl` and `paths`, workspace
// packages (`@acme/core` → packages/core via its package.json `exports`/`main`), and package `imports`
// (`#internal/x`). The configuration files are read once per analysis and every answer is cached.

/** Export conditions a server-side analysis follows, tried in the order the package lists them. */
const ACTIVE_CONDITIONS = new Set(['source', 'import', 'require', 'node', 'module', 'default', 'development', 'production', 'deno', 'bun', 'worker', 'browser', 'edge-light', 'workerd']);
/** Build output directories whose sources live elsewhere in the package (when tsconfig does not say). */
const BUILD_DIRS = ['dist', 'lib', 'build', 'out', 'esm', 'cjs', 'dist/esm', 'dist/cjs', 'dist/src', 'lib/esm', 'lib/cjs'];
const SOURCE_DIRS = ['src', ''];
const CONFIG_NAMES = ['tsconfig.json', 'jsconfig.json'];

interface PackageJson {
  dir: string;
  name?: string;
  main?: string;
  module?: string;
  exports?: unknown;
  imports?: unknown;
}

interface PathsConfig {
  /** Directory non-relative specifiers resolve against (`baseUrl`). */
  baseUrl?: string;
  /** Directory `paths` substitutions resolve against. */
  pathsBase?: string;
  paths?: [string, string[]][];
  outDir?: string;
  rootDir?: string;
  /** The configuration files read (the file and its local `extends` chain). */
  files?: string[];
}

export interface Resolver {
  resolve(from: string, spec: string): Target;
  /** Repository files a package's `main`/`module`/`exports` name (undefined when it names none). */
  packageEntryFiles(packageDir: string): string[] | undefined;
}

const dirOf = (p: string) => {
  const d = posix.dirname(p);
  return d === '.' ? '' : d;
};
const joinRepo = (...parts: string[]) => {
  const p = posix.normalize(posix.join(...parts.filter((x) => x !== '')));
  return p === '.' ? '' : p.replace(/^\.\//, '').replace(/\/$/, '');
};

function readJson(path: string, read: (p: string) => string | undefined): Record<string, unknown> | undefined {
  const text = read(path);
  if (text === undefined) return undefined;
  // tsconfig allows comments and trailing commas; the TypeScript parser reads both.
  const r = ts.parseConfigFileTextToJson(path, text);
  return r.config && typeof r.config === 'object' ? (r.config as Record<string, unknown>) : undefined;
}

/** Targets of a package's `exports` (or `imports`) entry for `subpath`, best first. */
export function exportTargets(field: unknown, subpath: string): string[] {
  if (field === undefined || field === null) return [];
  const isMap = typeof field === 'object' && !Array.isArray(field) && Object.keys(field as object).some((k) => k.startsWith('.') || k.startsWith('#'));
  if (!isMap) return subpath === '.' ? conditionTargets(field) : [];
  const map = field as Record<string, unknown>;
  if (subpath in map && !subpath.includes('*')) return conditionTargets(map[subpath]);
  // Subpath patterns: the longest prefix wins; `*` is replaced by what it matched.
  let best: { key: string; star: string } | undefined;
  for (const key of Object.keys(map)) {
    const i = key.indexOf('*');
    if (i < 0) continue;
    const pre = key.slice(0, i);
    const post = key.slice(i + 1);
    if (subpath.startsWith(pre) && subpath.endsWith(post) && subpath.length >= key.length - 1 && (!best || pre.length > best.key.indexOf('*'))) {
      best = { key, star: subpath.slice(pre.length, subpath.length - post.length) };
    }
  }
  if (!best) return [];
  return conditionTargets(map[best.key]).map((t) => t.split('*').join(best!.star));
}

function conditionTargets(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(conditionTargets);
  if (v && typeof v === 'object') {
    const out: string[] = [];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (ACTIVE_CONDITIONS.has(k)) out.push(...conditionTargets(x));
    return out;
  }
  return [];
}

export function createResolver(paths: readonly string[], read: (p: string) => string | undefined, exists: (p: string) => boolean): Resolver {
  const packages = new Map<string, PackageJson>(); // dir → package.json
  const byName = new Map<string, PackageJson>();
  const configs = new Set<string>();
  for (const p of paths) {
    if (/(^|\/)node_modules\//.test(p)) continue;
    const base = posix.basename(p);
    if (base === 'package.json') {
      const j = readJson(p, read);
      if (!j) continue;
      const pkg: PackageJson = {
        dir: dirOf(p),
        name: typeof j.name === 'string' ? j.name : undefined,
        main: typeof j.main === 'string' ? j.main : undefined,
        module: typeof j.module === 'string' ? j.module : undefined,
        exports: j.exports,
        imports: j.imports,
      };
      packages.set(pkg.dir, pkg);
      if (pkg.name && !byName.has(pkg.name)) byName.set(pkg.name, pkg);
    } else if (CONFIG_NAMES.includes(base)) configs.add(p);
  }

  const configCache = new Map<string, PathsConfig>();
  /** A tsconfig with its local `extends` chain applied (paths relative to the file that sets them). */
  const loadConfig = (path: string, seen: Set<string>): PathsConfig => {
    const cached = configCache.get(path);
    if (cached) return cached;
    if (seen.has(path)) return {};
    seen.add(path);
    const j = readJson(path, read) ?? {};
    let out: PathsConfig = {};
    const ext = j.extends;
    for (const e of (Array.isArray(ext) ? ext : ext === undefined ? [] : [ext]) as unknown[]) {
      if (typeof e !== 'string' || !e.startsWith('.')) continue; // a package's shared config: not in the repository
      const target = joinRepo(dirOf(path), e.endsWith('.json') ? e : `${e}.json`);
      const base = loadConfig(target, seen);
      out = { ...out, ...definedOnly(base), files: [...(out.files ?? []), ...(base.files ?? [])] };
    }
    out.files = [...(out.files ?? []), path];
    const o = (j.compilerOptions ?? {}) as Record<string, unknown>;
    const dir = dirOf(path);
    if (typeof o.baseUrl === 'string') out.baseUrl = joinRepo(dir, o.baseUrl);
    if (o.paths && typeof o.paths === 'object') {
      out.paths = Object.entries(o.paths as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []]);
      out.pathsBase = typeof o.baseUrl === 'string' ? joinRepo(dir, o.baseUrl) : dir;
    }
    if (out.paths && out.pathsBase === undefined) out.pathsBase = out.baseUrl ?? dir;
    if (out.baseUrl && typeof o.paths !== 'object' && typeof o.baseUrl === 'string') out.pathsBase = out.baseUrl;
    if (typeof o.outDir === 'string') out.outDir = joinRepo(dir, o.outDir);
    if (typeof o.rootDir === 'string') out.rootDir = joinRepo(dir, o.rootDir);
    configCache.set(path, out);
    return out;
  };

  const nearestCache = new Map<string, { config?: PathsConfig; pkg?: PackageJson }>();
  /** The tsconfig/jsconfig and package.json closest above a directory. */
  const nearest = (dir: string): { config?: PathsConfig; pkg?: PackageJson } => {
    let hit = nearestCache.get(dir);
    if (hit) return hit;
    const own: { config?: PathsConfig; pkg?: PackageJson } = {};
    const cfg = CONFIG_NAMES.map((n) => joinRepo(dir, n)).find((p) => configs.has(p));
    if (cfg) own.config = loadConfig(cfg, new Set());
    own.pkg = packages.get(dir);
    const up = dir === '' ? {} : nearest(dirOf(dir));
    hit = { config: own.config ?? up.config, pkg: own.pkg ?? up.pkg };
    nearestCache.set(dir, hit);
    return hit;
  };

  /** A file a package names, mapping build output back to the sources in the repository. */
  const packageFile = (pkg: PackageJson, target: string): string | undefined => {
    const path = joinRepo(pkg.dir, target);
    const direct = resolveFile(path, exists);
    if (direct) return direct;
    const rel = joinRepo(target);
    const cfg = nearest(pkg.dir).config;
    const tries: string[] = [];
    if (cfg?.outDir && (path === cfg.outDir || path.startsWith(`${cfg.outDir}/`))) tries.push(joinRepo(cfg.rootDir ?? pkg.dir, path.slice(cfg.outDir.length)));
    for (const b of BUILD_DIRS) {
      if (!rel.startsWith(`${b}/`)) continue;
      for (const srcDir of SOURCE_DIRS) tries.push(joinRepo(pkg.dir, srcDir, rel.slice(b.length + 1)));
    }
    for (const t of tries) {
      const noExt = t.replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
      const f = resolveFile(t, exists) ?? resolveFile(noExt, exists);
      if (f) return f;
    }
    return undefined;
  };

  const packageSubpath = (pkg: PackageJson, subpath: string): string | undefined => {
    if (pkg.exports !== undefined) {
      for (const t of exportTargets(pkg.exports, subpath)) {
        const f = packageFile(pkg, t);
        if (f) return f;
      }
      return undefined; // `exports` encapsulates the package: nothing else is importable
    }
    if (subpath === '.') {
      for (const t of [pkg.module, pkg.main, 'index'].filter((x): x is string => !!x)) {
        const f = packageFile(pkg, t);
        if (f) return f;
      }
      return packageFile(pkg, 'src/index');
    }
    return packageFile(pkg, subpath);
  };

  const bareCache = new Map<string, Target>();
  const resolveBare = (dir: string, spec: string, depth = 0): Target => {
    const key = `${dir}|${spec}`;
    const cached = bareCache.get(key);
    if (cached) return cached;
    const external: Target = { kind: 'external', module: externalModule(spec) };
    let out: Target = external;
    const file = (p: string | undefined): Target | undefined => (p ? { kind: 'file', path: p } : undefined);
    const near = nearest(dir);
    if (spec.startsWith('#') && near.pkg?.imports) {
      // package.json `imports`: targets are package files or other packages.
      for (const t of exportTargets(near.pkg.imports, spec)) {
        const r = t.startsWith('.') ? file(packageFile(near.pkg, t)) : depth < 4 ? resolveBare(near.pkg.dir, t, depth + 1) : undefined;
        if (r && r.kind === 'file') {
          out = r;
          break;
        }
      }
    } else if (!spec.startsWith('node:')) {
      out = fromPaths(near.config, spec) ?? fromWorkspace(spec) ?? fromBaseUrl(near.config, spec) ?? external;
    }
    // The answer depends on the compiler configuration even when it is "external" (a path mapping added
    // later would change it), so the configuration files are dependencies either way.
    const via = new Set([...(out.via ?? []), ...(near.config?.files ?? [])]);
    if (spec.startsWith('#') && near.pkg) via.add(joinRepo(near.pkg.dir, 'package.json'));
    if (via.size) out = { ...out, via: [...via].sort() };
    bareCache.set(key, out);
    return out;
  };

  const fromPaths = (cfg: PathsConfig | undefined, spec: string): Target | undefined => {
    if (!cfg?.paths) return undefined;
    let best: { subs: string[]; star: string; len: number } | undefined;
    for (const [pattern, subs] of cfg.paths) {
      const i = pattern.indexOf('*');
      if (i < 0) {
        if (pattern === spec) best = { subs, star: '', len: Infinity };
        continue;
      }
      const pre = pattern.slice(0, i);
      const post = pattern.slice(i + 1);
      if (spec.startsWith(pre) && spec.endsWith(post) && spec.length >= pre.length + post.length && (!best || pre.length > best.len)) {
        best = { subs, star: spec.slice(pre.length, spec.length - post.length), len: pre.length };
      }
    }
    for (const sub of best?.subs ?? []) {
      const f = resolveFile(joinRepo(cfg.pathsBase ?? '', sub.split('*').join(best!.star)), exists);
      if (f) return { kind: 'file', path: f };
    }
    return undefined;
  };

  const fromBaseUrl = (cfg: PathsConfig | undefined, spec: string): Target | undefined => {
    if (cfg?.baseUrl === undefined) return undefined;
    const f = resolveFile(joinRepo(cfg.baseUrl, spec), exists);
    return f ? { kind: 'file', path: f } : undefined;
  };

  const fromWorkspace = (spec: string): Target | undefined => {
    const parts = spec.split('/');
    const n = spec.startsWith('@') ? 2 : 1;
    const pkg = byName.get(parts.slice(0, n).join('/'));
    if (!pkg) return undefined;
    const rest = parts.slice(n).join('/');
    const f = packageSubpath(pkg, rest ? `./${rest}` : '.');
    return f ? { kind: 'file', path: f, via: [joinRepo(pkg.dir, 'package.json'), ...(nearest(pkg.dir).config?.files ?? [])] } : undefined;
  };

  return {
    resolve(from, spec) {
      if (spec.startsWith('.') || spec.startsWith('/')) return resolveSpecifier(from, spec, exists);
      return resolveBare(dirOf(from), spec);
    },
    packageEntryFiles(packageDir) {
      const pkg = packages.get(packageDir);
      if (!pkg) return undefined;
      if (pkg.main === undefined && pkg.module === undefined && pkg.exports === undefined) {
        // A published package (it has a name) that names no entry: `require(name)` loads its index file.
        const index = pkg.name !== undefined ? packageFile(pkg, 'index') : undefined;
        return index ? [index] : undefined;
      }
      const out = new Set<string>();
      if (pkg.exports !== undefined) {
        const field = pkg.exports;
        const isMap = typeof field === 'object' && field !== null && !Array.isArray(field) && Object.keys(field).some((k) => k.startsWith('.'));
        for (const sub of isMap ? Object.keys(field as object).filter((k) => !k.includes('*')) : ['.']) {
          const f = packageSubpath(pkg, sub);
          if (f) out.add(f);
        }
      } else {
        const f = packageSubpath(pkg, '.');
        if (f) out.add(f);
        // Without an `exports` map, `require` loads `main` while bundlers load `module`: both are public.
        for (const t of [pkg.main, pkg.module].filter((x): x is string => !!x)) {
          const g = packageFile(pkg, t);
          if (g) out.add(g);
        }
      }
      return [...out].sort();
    },
  };
}

const definedOnly = (c: PathsConfig): PathsConfig => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as PathsConfig;

/** The literal specifier of `require('x')` / `import('x')`, if the call is one. */
export function requireSpecifier(node: ts.Node): string | undefined {
  if (!ts.isCallExpression(node) || node.arguments.length < 1) return undefined;
  const arg = node.arguments[0];
  if (!ts.isStringLiteralLike(arg)) return undefined;
  if (node.expression.kind === ts.SyntaxKind.ImportKeyword) return arg.text;
  if (ts.isIdentifier(node.expression) && node.expression.text === 'require') return arg.text;
  return undefined;
}

export function readModule(path: string, sf: ts.SourceFile, resolver: Pick<Resolver, 'resolve'>): ModuleInfo {
  const imports = new Map<string, ImportBinding>();
  const reexports: ReExport[] = [];
  const deps = new Set<string>();
  const resolved = new Map<string, Target>();
  let esm = false;
  const resolve = (spec: string) => {
    let t = resolved.get(spec);
    if (!t) resolved.set(spec, (t = resolver.resolve(path, spec)));
    if (t.kind === 'file') deps.add(t.path);
    for (const v of t.via ?? []) deps.add(v);
    return t;
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      esm = true;
      const target = resolve(st.moduleSpecifier.text);
      const clause = st.importClause;
      if (!clause) continue;
      if (clause.name) imports.set(clause.name.text, { target, imported: 'default' });
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) imports.set(nb.name.text, { target, imported: 'namespace' });
      if (nb && ts.isNamedImports(nb)) {
        for (const el of nb.elements) imports.set(el.name.text, { target, imported: (el.propertyName ?? el.name).text });
      }
    } else if (ts.isExportDeclaration(st)) {
      esm = true;
      if (!st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      const target = resolve(st.moduleSpecifier.text);
      const clause = st.exportClause;
      if (!clause) reexports.push({ target });
      else if (ts.isNamespaceExport(clause)) reexports.push({ target, name: clause.name.text, imported: '*' });
      else for (const el of clause.elements) reexports.push({ target, name: el.name.text, imported: (el.propertyName ?? el.name).text });
    } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference)) {
      const e = st.moduleReference.expression;
      if (ts.isStringLiteral(e)) imports.set(st.name.text, { target: resolve(e.text), imported: 'namespace' });
    } else if (ts.isExportAssignment(st) || hasExportModifier(st)) {
      esm = true;
    }
  }
  // require()/import() anywhere in the file.
  const visit = (n: ts.Node): void => {
    const spec = requireSpecifier(n);
    if (spec !== undefined) resolve(spec);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { path, sf, esm, imports, reexports, deps: [...deps].sort(), resolved };
}

function hasExportModifier(n: ts.Node): boolean {
  return ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}
