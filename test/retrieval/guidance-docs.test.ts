// The security guidance (activities/retrieval/guidance/<class>.md) follows one format, because the index cuts it
// into passages by heading and links them by id: a title with the class's CWE, a summary, the sections "What it
// is", "How it is exploited", "How to fix it" (with a subsection per framework) and optionally "How Vigil finds
// it". Passage ids are `<class>#<slug>`, slug = the heading path lowercased, runs of other characters than
// [a-z0-9] turned into "-", "##" and "###" joined by "--". The parser here is deliberately the test's own: it
// states the format, independently of the index's chunker. The labelled guidance set of bench:retrieval must
// name passages that exist.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { CHECK_RULES, RULES } from '../../activities/engines/builtin/models/rules.js';
import { SECRET_FORMATS } from '../../activities/engines/builtin/models/checks.js';
import { maskText } from '../../activities/secrets/mask.js';
import { GUIDANCE_QUERIES } from '../bench/retrieval/guidance-set.js';

const DIR = fileURLToPath(new URL('../../activities/retrieval/guidance/', import.meta.url));
const CLASSES: Record<string, { cwe: string; title: string }> = { ...RULES, ...CHECK_RULES };
const REQUIRED = ['What it is', 'How it is exploited', 'How to fix it'];
const OPTIONAL_LAST = 'How Vigil finds it';
const FIX = 'How to fix it';

interface Heading {
  level: number;
  text: string;
  line: number;
}
interface Parsed {
  title: string;
  summary: string;
  headings: Heading[];
  /** Chunk id → the body text under that heading (up to the next heading of any level). */
  chunks: Map<string, string>;
  duplicates: string[];
  /** Fences opened without a language, and whether the last fence is closed. */
  untaggedFences: number[];
  unclosedFence: boolean;
  words: number;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

function parse(id: string, text: string): Parsed {
  const lines = text.split('\n');
  const headings: Heading[] = [];
  const chunks = new Map<string, string>();
  const duplicates: string[] = [];
  const untaggedFences: number[] = [];
  let inFence = false;
  let section: string | undefined;
  let current: string | undefined;
  let title = '';
  const summary: string[] = [];
  lines.forEach((line, i) => {
    if (/^```/.test(line)) {
      if (!inFence && line.trim() === '```') untaggedFences.push(i + 1);
      inFence = !inFence;
    } else if (!inFence) {
      const m = /^(#{1,6})\s+(.*\S)\s*$/.exec(line);
      if (m) {
        const level = m[1]!.length;
        const textOf = m[2]!;
        headings.push({ level, text: textOf, line: i + 1 });
        if (level === 1) title = textOf;
        if (level === 2) section = textOf;
        if (level === 2 || level === 3) {
          const path = level === 2 ? slug(textOf) : `${slug(section ?? '')}--${slug(textOf)}`;
          const chunk = `${id}#${path}`;
          if (chunks.has(chunk)) duplicates.push(chunk);
          chunks.set(chunk, '');
          current = chunk;
        }
        return;
      }
    }
    if (current) chunks.set(current, `${chunks.get(current)}${line}\n`);
    else if (title) summary.push(line);
  });
  return {
    title,
    summary: summary.join('\n').trim(),
    headings,
    chunks,
    duplicates,
    untaggedFences,
    unclosedFence: inFence,
    words: text.split(/\s+/).filter(Boolean).length,
  };
}

const files = readdirSync(DIR).sort();
const docs = new Map(files.filter((f) => f.endsWith('.md')).map((f) => [f.slice(0, -3), parse(f.slice(0, -3), readFileSync(DIR + f, 'utf8'))] as const));
const allChunks = new Set([...docs.values()].flatMap((d) => [...d.chunks.keys()]));

describe('security guidance documents', () => {
  test('every class Vigil reports has a document, and every file names a class', () => {
    const missing = Object.keys(CLASSES).filter((id) => !docs.has(id));
    assert.deepEqual(missing, [], 'classes without guidance');
    const unknown = files.filter((f) => !f.endsWith('.md') || !(f.slice(0, -3) in CLASSES));
    assert.deepEqual(unknown, [], 'files in the guidance directory that name no class');
  });

  for (const [id, doc] of docs) {
    const cls = CLASSES[id];
    if (!cls) continue; // reported by the test above
    test(`${id}: title, sections, subsections and ids`, () => {
      assert.equal(doc.headings[0]?.level, 1, 'the document starts with its title');
      assert.equal(doc.headings[0]?.line, 1, 'the title is the first line');
      assert.equal(doc.title, `${cls.title} (${cls.cwe})`, 'the title names the class and its CWE as the engine does');
      assert.equal(doc.headings.filter((h) => h.level === 1).length, 1, 'one title');
      assert.ok(doc.summary.length >= 80 && !doc.summary.includes('\n\n'), 'a one-paragraph summary under the title');

      const sections = doc.headings.filter((h) => h.level === 2).map((h) => h.text);
      const expected = sections.includes(OPTIONAL_LAST) ? [...REQUIRED, OPTIONAL_LAST] : REQUIRED;
      assert.deepEqual(sections, expected, 'the sections, in order');
      assert.ok(!doc.headings.some((h) => h.level > 3), 'no headings below ###');

      // Subsections only under "How to fix it", at least one of them.
      let inFix = false;
      let subsections = 0;
      for (const h of doc.headings) {
        if (h.level === 2) inFix = h.text === FIX;
        if (h.level === 3) {
          assert.ok(inFix, `### ${h.text} (line ${h.line}) is outside "How to fix it"`);
          subsections++;
        }
      }
      assert.ok(subsections >= 1, 'at least one ### under "How to fix it"');

      assert.deepEqual(doc.duplicates, [], 'duplicate headings (chunk ids must be unique)');
      for (const [chunk, body] of doc.chunks) {
        // "How to fix it" may only introduce its subsections; every other passage says something.
        if (chunk === `${id}#how-to-fix-it`) continue;
        assert.ok(body.trim().length >= 40, `passage ${chunk} is empty`);
      }
      assert.ok(doc.chunks.has(`${id}#how-to-fix-it`) && doc.chunks.has(`${id}#how-it-is-exploited`) && doc.chunks.has(`${id}#what-it-is`));
    });

    test(`${id}: code blocks, length, and no secret`, () => {
      assert.equal(doc.unclosedFence, false, 'every code block is closed');
      assert.deepEqual(doc.untaggedFences, [], 'code blocks name their language');
      assert.ok(doc.words >= 250 && doc.words <= 700, `concise but complete: ${doc.words} words`);
      const text = readFileSync(`${DIR}${id}.md`, 'utf8');
      for (const f of SECRET_FORMATS) assert.ok(!f.pattern.test(text), `looks like ${f.label}: use an obvious placeholder`);
      assert.equal(maskText(text), text, 'Vigil would mask part of this document as a secret');
    });
  }
});

describe('slugs', () => {
  test('heading paths become ids as the index names them', () => {
    const doc = parse('x', '# T (CWE-1)\nsummary\n## How to fix it\n### mysql / mysql2\ntext\n### Node http\ntext\n## What it is\n```js\n## not a heading\n```\n');
    assert.deepEqual([...doc.chunks.keys()], ['x#how-to-fix-it', 'x#how-to-fix-it--mysql-mysql2', 'x#how-to-fix-it--node-http', 'x#what-it-is']);
  });
});

describe('the labelled guidance set (bench:retrieval)', () => {
  test('has at least 60 queries of every kind, with unique ids', () => {
    assert.ok(GUIDANCE_QUERIES.length >= 60, `${GUIDANCE_QUERIES.length} queries`);
    const ids = GUIDANCE_QUERIES.map((q) => q.id);
    assert.equal(new Set(ids).size, ids.length, 'query ids are unique');
    for (const kind of ['direct', 'paraphrase', 'near-miss'] as const) {
      assert.ok(GUIDANCE_QUERIES.filter((q) => q.kind === kind).length >= 10, `at least 10 ${kind} queries`);
    }
  });

  test('every answer names an existing passage', () => {
    const dangling = GUIDANCE_QUERIES.filter((q) => !allChunks.has(q.answer)).map((q) => `${q.id} → ${q.answer}`);
    assert.deepEqual(dangling, []);
  });

  test('findings are worded as the engines report them: a built-in class with its CWE, or claude-<cwe>', () => {
    for (const q of GUIDANCE_QUERIES) {
      assert.equal(q.finding.id, q.id);
      assert.ok(q.finding.explanation.length >= 40, `${q.id}: an explanation`);
      if (q.finding.ruleId.startsWith('claude-')) {
        assert.equal(q.finding.ruleId, `claude-${q.finding.cwe.toLowerCase()}`, `${q.id}: the Claude engine derives its ruleId from the CWE`);
        continue;
      }
      const cls = CLASSES[q.finding.ruleId];
      assert.ok(cls, `${q.id}: unknown class ${q.finding.ruleId}`);
      assert.equal(q.finding.cwe, cls.cwe, `${q.id}: the CWE of ${q.finding.ruleId}`);
      // A near-miss resembles a neighbouring class but is answered by its own.
      assert.equal(q.answer.split('#')[0], q.finding.ruleId, `${q.id}: answered by a passage of its own class`);
    }
  });

  test('every class is asked about, by both engines\' wording', () => {
    const answered = new Set(GUIDANCE_QUERIES.map((q) => q.answer.split('#')[0]));
    assert.deepEqual(Object.keys(CLASSES).filter((id) => !answered.has(id)), []);
    assert.ok(GUIDANCE_QUERIES.filter((q) => q.finding.ruleId.startsWith('claude-')).length >= 20, 'at least 20 findings in the Claude engine\'s wording');
  });
});
