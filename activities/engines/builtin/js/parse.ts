// Which files the JavaScript/TypeScript front end reads, and parsing them (syntax only, no type checker:
// the engine must scale to large repositories).
import ts from 'typescript';

const EXTENSIONS = ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'];
const SKIPPED_DIRS = /(^|\/)(node_modules|bower_components|\.git)(\/|$)/;
const MAX_BYTES = 1_000_000;

export function isAnalysable(path: string): boolean {
  if (SKIPPED_DIRS.test(path)) return false;
  if (/\.d\.[mc]?ts$/.test(path)) return false;
  if (/\.min\.[mc]?js$/.test(path)) return false;
  return EXTENSIONS.some((e) => path.endsWith(e));
}

/** Minified or generated bundles: huge, or very long average lines. */
export function looksMinified(text: string): boolean {
  if (text.length > MAX_BYTES) return true;
  const lines = text.split('\n', 50_000).length;
  return text.length > 5_000 && text.length / lines > 400;
}

function scriptKind(path: string): ts.ScriptKind {
  if (path.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (path.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[mc]?ts$/.test(path)) return ts.ScriptKind.TS;
  // Plain .js may contain JSX in React code bases; the JSX grammar is a superset for our purposes.
  return ts.ScriptKind.JSX;
}

/**
 * Parsed files of the last analysis in this process, by path: a re-analysis after a change parses only the files
 * whose text changed (syntax trees are immutable, and the same tree keeps function identities and cached
 * summaries valid; see program.ts).
 */
const parsed = new Map<string, ts.SourceFile>();

export function parse(path: string, text: string): ts.SourceFile {
  const old = parsed.get(path);
  if (old && old.text === text) return old;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(path));
  parsed.set(path, sf);
  return sf;
}

/** Forget parsed files that are not part of the current analysis (the cache holds one generation). */
export function retainParsed(paths: ReadonlySet<string>): void {
  for (const p of parsed.keys()) if (!paths.has(p)) parsed.delete(p);
}

export { EXTENSIONS };
