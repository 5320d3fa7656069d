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

export interface Parser {
  parse(path: string, text: string): ts.SourceFile;
  /** Every tree this parser returned, by path: the next analysis's `previous`. */
  trees: Map<string, ts.SourceFile>;
}

/**
 * A parser for one analysis that takes the previous analysis's tree of a file whose text is unchanged (syntax trees
 * are immutable, and the same tree keeps function identities and cached summaries valid; see program.ts).
 * `previous` is only read: the trees of this analysis go into a new map.
 */
export function createParser(previous?: ReadonlyMap<string, ts.SourceFile>): Parser {
  const trees = new Map<string, ts.SourceFile>();
  return {
    trees,
    parse(path, text) {
      const old = trees.get(path) ?? previous?.get(path);
      const sf = old && old.text === text ? old : ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(path));
      trees.set(path, sf);
      return sf;
    },
  };
}

export { EXTENSIONS };
