// Read-only tools over a snapshot. They can only read what the snapshot holds; every result that
// carries repository text goes back inside a data block. Files are read when a tool first needs them: a pass
// that reads three files fetches three blobs, and only a whole-snapshot search reads them all.
import type { Candidate, SourceFiles, SourceReader } from '../../model.js';
import { RULE_ID_PATTERN } from '../../retrieval/guidance-docs.js';
import type { GuidanceIndex } from '../../retrieval/guidance-index.js';
import { dataBlock } from './prompts.js';

const MAX_READ_LINES = 400;
const MAX_MATCHES = 100;
const MAX_LIST = 500;
/** search_guidance: passages returned, characters of each, and the query's length. */
const GUIDANCE_PASSAGES = 3;
const MAX_PASSAGE_CHARS = 2500;
const MAX_GUIDANCE_QUERY = 500;

export type ToolRunner = (name: string, input: Record<string, unknown>) => Promise<string>;

/** The store's full-text search over the snapshot (ranked chunks), when the store offers it. */
export type CodeSearch = (query: string, limit: number) => Promise<{ path: string; startLine: number; endLine: number; text: string }[]>;

export class ToolInputError extends Error {}

const str = (v: unknown, name: string, required = true): string | undefined => {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw new ToolInputError(`"${name}" must be a string.`);
  return v;
};
const int = (v: unknown, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ToolInputError(`"${name}" must be a positive integer.`);
  return v;
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createReadTools(
  files: SourceReader,
  opts: {
    leads?: () => Candidate[];
    search?: CodeSearch;
    onShown?: (label: string, text: string) => void;
    /** Our security guidance (search_guidance); omitted, the tool says guidance is off in this run. */
    guidance?: Pick<GuidanceIndex, 'searchGuidance' | 'library'>;
  } = {},
): ToolRunner {
  const leads = opts.leads ?? (() => []);
  // Everything shown to the model passes here, so a caller can see what repository text the model has read.
  const show = (label: string, text: string) => {
    opts.onShown?.(label, text);
    return dataBlock(label, text);
  };
  const lines = new Map<string, string[]>();
  const linesOf = (p: string) => {
    let l = lines.get(p);
    if (!l) {
      l = (files.read(p) ?? '').split('\n');
      lines.set(p, l);
    }
    return l;
  };
  return async (name, input) => {
    switch (name) {
      case 'list_files': {
        const prefix = str(input.prefix, 'prefix', false) ?? '';
        const all = files.paths().filter((p) => p.startsWith(prefix.replace(/^\.?\//, '')));
        const listed = all.slice(0, MAX_LIST);
        const more = all.length > listed.length ? `\n(${all.length - listed.length} more)` : '';
        return show('file list', listed.join('\n') + more);
      }
      case 'read_file': {
        const path = str(input.path, 'path')!;
        await files.load([path]);
        if (files.read(path) === undefined) throw new ToolInputError(`No file ${JSON.stringify(path)} in the snapshot; use list_files.`);
        const all = linesOf(path);
        const start = int(input.start_line, 'start_line') ?? 1;
        const end = Math.min(int(input.end_line, 'end_line') ?? all.length, all.length, start + MAX_READ_LINES - 1);
        const body = all
          .slice(start - 1, end)
          .map((l, i) => `${start + i}: ${l}`)
          .join('\n');
        return show(`${path}:${start}-${end} of ${all.length}`, body);
      }
      case 'search_code': {
        const query = str(input.query, 'query')!.toLowerCase();
        if (query.length < 2) throw new ToolInputError('"query" needs at least 2 characters.');
        const prefix = str(input.path_prefix, 'path_prefix', false) ?? '';
        const ranked = opts.search ? await opts.search(query, 40).catch(() => []) : [];
        const chunks = ranked.filter((h) => h.path.startsWith(prefix) && files.has(h.path)).slice(0, 20);
        if (chunks.length) {
          const body = chunks.map((h) => `${h.path}:${h.startLine}-${h.endLine}\n${h.text}`).join('\n---\n');
          return show(`search results (${chunks.length} ranked chunks)`, body);
        }
        // No index hit (or no index): a plain substring scan of the snapshot.
        await files.loadAll();
        const hits: string[] = [];
        for (const p of files.paths()) {
          if (!p.startsWith(prefix)) continue;
          linesOf(p).forEach((l, i) => {
            if (hits.length < MAX_MATCHES && l.toLowerCase().includes(query)) hits.push(`${p}:${i + 1}: ${l.trim()}`);
          });
        }
        return show(`search results (${hits.length}${hits.length === MAX_MATCHES ? '+' : ''})`, hits.join('\n'));
      }
      case 'find_symbol': {
        const sym = str(input.name, 'name')!;
        if (!/^[A-Za-z_$][\w$]*$/.test(sym)) throw new ToolInputError('"name" must be an identifier.');
        const word = new RegExp(`(^|[^\\w$])${escapeRegExp(sym)}([^\\w$]|$)`);
        const e = escapeRegExp(sym);
        const def = new RegExp(
          `(function\\s*\\*?\\s*${e}\\b|(const|let|var|class|def|func|type|interface)\\s+${e}\\b|\\b${e}\\s*[:=]\\s*(async\\s*)?(function|\\()|exports\\.${e}\\s*=|^\\s*(async\\s+)?${e}\\s*\\([^)]*\\)\\s*\\{)`,
        );
        await files.loadAll();
        const defs: string[] = [];
        const refs: string[] = [];
        for (const p of files.paths()) {
          linesOf(p).forEach((l, i) => {
            if (!word.test(l)) return;
            const row = `${p}:${i + 1}: ${l.trim()}`;
            if (def.test(l)) defs.push(row);
            else if (refs.length < MAX_MATCHES) refs.push(row);
          });
        }
        return show(`symbol ${sym}`, `definitions:\n${defs.slice(0, MAX_MATCHES).join('\n')}\nreferences:\n${refs.join('\n')}`);
      }
      case 'builtin_leads': {
        const rows = leads().map(
          (c) =>
            `- ${c.cwe} ${c.title} at ${c.location.file}:${c.location.startLine}\n` +
            c.trace.map((s) => `    ${s.kind} ${s.file}:${s.line} ${s.label}`).join('\n'),
        );
        return show('built-in engine leads', rows.length ? rows.join('\n') : '(none)');
      }
      case 'search_guidance':
        return searchGuidanceTool(opts.guidance, input);
      default:
        throw new ToolInputError(`Unknown tool ${name}.`);
    }
  };
}

/** search_guidance: the model's input checked (it is hostile like any), the passages bounded in size. */
async function searchGuidanceTool(guidance: Pick<GuidanceIndex, 'searchGuidance' | 'library'> | undefined, input: Record<string, unknown>): Promise<string> {
  const query = str(input.query, 'query')!.trim();
  if (query.length < 3) throw new ToolInputError('"query" needs at least 3 characters.');
  if (query.length > MAX_GUIDANCE_QUERY) throw new ToolInputError(`"query" may have at most ${MAX_GUIDANCE_QUERY} characters.`);
  const ruleId = str(input.class, 'class', false);
  if (!guidance || guidance.library.chunks.length === 0) {
    throw new ToolInputError('Security guidance is not available in this run (retrieval is off); rely on the code.');
  }
  if (ruleId !== undefined) {
    const classes = [...new Set(guidance.library.chunks.map((c) => c.ruleId))];
    if (!RULE_ID_PATTERN.test(ruleId) || !classes.includes(ruleId)) {
      throw new ToolInputError(`"class" must be one of: ${classes.join(', ')} (or left out to search all guidance).`);
    }
  }
  let hits: Awaited<ReturnType<GuidanceIndex['searchGuidance']>>;
  try {
    hits = await guidance.searchGuidance(query, { ...(ruleId ? { ruleId } : {}), limit: GUIDANCE_PASSAGES });
  } catch {
    // Retrieval failing degrades the tool, never the pass (and the query, which may quote code, is not logged).
    throw new ToolInputError('The guidance search failed in this run; rely on the code.');
  }
  if (hits.length === 0) return '(no guidance passage matched)';
  return hits
    .map(({ chunk, similarity }) => {
      const md = chunk.markdown.length > MAX_PASSAGE_CHARS ? `${chunk.markdown.slice(0, MAX_PASSAGE_CHARS)}\n…(passage cut)` : chunk.markdown;
      return `Guidance passage ${chunk.id} (similarity ${similarity.toFixed(2)}): ${chunk.title} (${chunk.cwe}) — ${chunk.heading}\n${md.trim()}`;
    })
    .join('\n---\n');
}

/** True when `file` is in the snapshot and `line` is within it. */
export function lineExists(files: SourceFiles, file: string, line: number): boolean {
  const text = files.read(file);
  if (text === undefined) return false;
  return line >= 1 && line <= text.split('\n').length;
}
