// Security guidance as written: one Markdown document per class Vigil reports (activities/retrieval/guidance/
// <rule-id>.md), cut into passages. A passage is one `##` section's own text or one `###` subsection; its id
// is `<rule-id>#<slug>` (the bench's labelled set and the API name passages by it), and the text embedded for
// it starts with the document's title and the heading path, so a passage says what it is about on its own.
import fs from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULE_ID_PATTERN, slugify } from './guidance-ids.js';

export { CHUNK_ID_PATTERN, RULE_ID_PATTERN, slugify } from './guidance-ids.js';

/** Where our guidance lives in the repository (shared by every tenant: it holds no tenant data). */
export const GUIDANCE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'guidance');

/** The `##` sections every document has; others (e.g. "How Vigil finds it") are allowed. */
export const REQUIRED_SECTIONS = ['What it is', 'How it is exploited', 'How to fix it'] as const;

export interface GuidanceChunk {
  /** `<rule-id>#<slug>`, e.g. `sql-injection#how-to-fix-it--express`. */
  id: string;
  ruleId: string;
  /** The document's title without its CWE ("SQL injection"). */
  title: string;
  cwe: string;
  /** The heading path, `##` then `###` ("How to fix it > Express"). */
  heading: string;
  /** The passage as Markdown: its own heading line, then its text. */
  markdown: string;
  /** What is embedded: title, CWE and heading path, then the passage's text. */
  text: string;
}

export interface GuidanceDoc {
  ruleId: string;
  title: string;
  cwe: string;
  summary: string;
  chunks: GuidanceChunk[];
}

export interface GuidanceLibrary {
  docs: GuidanceDoc[];
  chunks: GuidanceChunk[];
  chunk(id: string): GuidanceChunk | undefined;
}

/** A guidance document that does not follow the agreed format; the message names the file and the fix. */
export class GuidanceFormatError extends Error {
  override name = 'GuidanceFormatError';
}

const TITLE = /^#\s+(.+?)\s+\(([^()]+)\)\s*$/;

interface Section {
  heading: string;
  lines: string[];
  subsections: { heading: string; lines: string[] }[];
}

/** Parses one document (`file` names it in errors) into its passages; throws GuidanceFormatError when malformed. */
export function parseGuidanceDoc(ruleId: string, markdown: string, file = `${ruleId}.md`): GuidanceDoc {
  const fail = (line: number | undefined, problem: string): never => {
    throw new GuidanceFormatError(
      `Guidance ${file}${line ? `:${line}` : ''}: ${problem}. Each guidance file is "# <Title> (<CWE>)", a summary paragraph, then ` +
        `"## What it is", "## How it is exploited" and "## How to fix it" (with a "### <framework>" per framework).`,
    );
  };
  if (!RULE_ID_PATTERN.test(ruleId)) fail(undefined, `"${ruleId}" is not a rule id (lowercase words joined by "-")`);
  const lines = markdown.replace(/^\uFEFF/, '').split(/\r?\n/);
  let title: { text: string; cwe: string } | undefined;
  const summary: string[] = [];
  const sections: Section[] = [];
  let fence: string | undefined;
  lines.forEach((line, i) => {
    const n = i + 1;
    // A heading inside a code block is code, not structure.
    const fenceMark = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fenceMark && fence === undefined) fence = fenceMark;
    else if (fenceMark && fence === fenceMark) fence = undefined;
    const heading = fence === undefined && !fenceMark ? /^(#{1,3})\s+(.*?)\s*$/.exec(line) : null;
    if (heading) {
      const [, marks, text] = heading;
      if (!text) fail(n, 'an empty heading');
      if (marks === '#') {
        if (title) fail(n, 'a second "#" title (a document has one)');
        const m = TITLE.exec(line);
        if (!m) fail(n, `the title "${line.trim()}" does not end with its CWE in parentheses, as "# SQL injection (CWE-89)"`);
        title = { text: m![1]!, cwe: m![2]!.trim() };
        return;
      }
      if (!title) fail(n, `"${line.trim()}" comes before the "#" title`);
      if (marks === '##') {
        sections.push({ heading: text!, lines: [], subsections: [] });
        return;
      }
      const section = sections.at(-1);
      if (!section) fail(n, `the subsection "${text}" comes before any "##" section`);
      section!.subsections.push({ heading: text!, lines: [] });
      return;
    }
    if (!title) {
      if (line.trim()) fail(n, 'text before the "#" title');
      return;
    }
    const section = sections.at(-1);
    if (!section) summary.push(line);
    else (section.subsections.at(-1)?.lines ?? section.lines).push(line);
  });
  if (fence !== undefined) fail(undefined, `a code block (${fence}) is never closed`);
  if (!title) fail(undefined, 'no "#" title');
  const summaryText = summary.join('\n').trim();
  if (!summaryText) fail(undefined, 'no summary paragraph between the title and the first "##" section');
  const names = sections.map((s) => s.heading.toLowerCase());
  for (const required of REQUIRED_SECTIONS) {
    if (!names.includes(required.toLowerCase())) fail(undefined, `no "## ${required}" section`);
  }
  const fix = sections.find((s) => s.heading.toLowerCase() === 'how to fix it')!;
  if (fix.subsections.length === 0) fail(undefined, '"## How to fix it" has no "### <framework>" subsection (use "### Any framework" for the general fix)');

  const { text: docTitle, cwe } = title!;
  const chunks: GuidanceChunk[] = [];
  const seen = new Set<string>();
  const add = (path: string[], marks: string, body: string) => {
    const slug = path.map(slugify).join('--');
    if (!slug || path.some((h) => !slugify(h))) fail(undefined, `the heading "${path.at(-1)}" has no letters or digits to name its passage by`);
    const id = `${ruleId}#${slug}`;
    if (seen.has(id)) fail(undefined, `two passages are both named ${id} (headings that differ only in punctuation or case)`);
    seen.add(id);
    if (!body) return;
    const heading = path.join(' > ');
    chunks.push({ id, ruleId, title: docTitle, cwe, heading, markdown: `${marks} ${path.at(-1)}\n\n${body}\n`, text: `${docTitle} (${cwe}) — ${heading}\n${body}` });
  };
  for (const s of sections) {
    const own = s.lines.join('\n').trim();
    const required = REQUIRED_SECTIONS.some((r) => r.toLowerCase() === s.heading.toLowerCase());
    if (required && !own && s.subsections.length === 0) fail(undefined, `"## ${s.heading}" is empty`);
    add([s.heading], '##', own);
    for (const sub of s.subsections) {
      const body = sub.lines.join('\n').trim();
      if (!body) fail(undefined, `"### ${sub.heading}" under "## ${s.heading}" is empty`);
      add([s.heading, sub.heading], '###', body);
    }
  }
  return { ruleId, title: docTitle, cwe, summary: summaryText, chunks };
}

/** Largest guidance file read: ours are a few KB; a bigger one is a mistake, not a document. */
const MAX_DOC_BYTES = 256 * 1024;

/**
 * Every `<rule-id>.md` of a directory, parsed; throws GuidanceFormatError naming the first malformed file.
 * A directory that does not exist is an empty library (no guidance is shown).
 */
export function loadGuidanceLibrary(dir: string = GUIDANCE_DIR): GuidanceLibrary {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.md')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') names = [];
    else throw err;
  }
  const docs = names.map((name) => {
    const file = join(dir, name);
    const size = fs.statSync(file).size;
    if (size > MAX_DOC_BYTES) throw new GuidanceFormatError(`Guidance ${file}: ${size} bytes is over the ${MAX_DOC_BYTES / 1024} KB a guidance file may have; split or shorten it.`);
    return parseGuidanceDoc(name.slice(0, -'.md'.length), fs.readFileSync(file, 'utf8'), file);
  });
  const chunks = docs.flatMap((d) => d.chunks);
  const byId = new Map(chunks.map((c) => [c.id, c]));
  return { docs, chunks, chunk: (id) => byId.get(id) };
}
