// The real-world bench's inputs and matcher: the truth files parse and point at real lines of the dev corpus, the
// matcher and the line mapping between releases behave on hand-built inputs, and the SecBench list parses.
// Fast and offline: nothing is fetched and the engine is not run.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHECK_RULES, RULES } from '../../activities/engines/builtin/models/rules.js';
import { cleanVersion, loadSecBench, packageKey, resolveSinkFile, selectEntries, type SecBenchEntry } from './secbench.js';
import { corpusDir, loadTruth, mapLine, matchesTruth, sameFamily, scoreApp, TruthEntry, type FoundAt } from './truth.js';

const corpus = corpusDir();
const haveCorpus = existsSync(join(corpus, 'apps'));
const skip = haveCorpus ? false : `the dev corpus is not at ${corpus} (set VIGIL_DEV_CORPUS to it)`;

describe('truth files', () => {
  const truths = loadTruth();

  it('cover the four apps of the corpus, with ids unique per app', () => {
    assert.deepEqual(truths.map((t) => t.app), ['dvws-node', 'nodejs-goof', 'vuln-nodejs-app', 'vulnerable-node']);
    for (const t of truths) assert.equal(new Set(t.entries.map((e) => e.id)).size, t.entries.length, `${t.app}: duplicate ids`);
  });

  it("give Vigil's CWE wherever Vigil has a rule for the class", () => {
    const cweOf = new Map<string, string>([...Object.values(RULES), ...Object.values(CHECK_RULES)].map((r) => [r.id, r.cwe]));
    for (const t of truths)
      for (const e of t.entries) {
        // Out-of-scope entries may name a more precise weakness (CWE-521, a weak key, filed under hardcoded-secret).
        if (e.static && cweOf.has(e.class)) assert.equal(e.cwe, cweOf.get(e.class), `${t.app}/${e.id}: ${e.class} is ${cweOf.get(e.class)} in models/rules.ts`);
      }
  });

  it('point at files of the corpus and lines inside them', { skip }, () => {
    for (const t of truths)
      for (const e of t.entries)
        for (const loc of [e, ...(e.also ?? [])]) {
          const path = join(corpus, 'apps', t.app, loc.file);
          assert.ok(existsSync(path), `${t.app}/${e.id}: ${loc.file} does not exist in the corpus`);
          const lines = readFileSync(path, 'utf8').split('\n').length;
          assert.ok((loc.endLine ?? loc.line) <= lines, `${t.app}/${e.id}: ${loc.file}:${loc.endLine ?? loc.line} is past the end (${lines} lines)`);
        }
  });

  it('reject an out-of-scope entry without a reason, and a bad path', () => {
    const base = { id: 'x', class: 'xss', cwe: 'CWE-79', file: 'a.js', line: 3, description: 'a documented flaw', doc: 'README.md' };
    assert.ok(TruthEntry.safeParse({ ...base, static: true }).success);
    assert.ok(!TruthEntry.safeParse({ ...base, static: false }).success);
    assert.ok(TruthEntry.safeParse({ ...base, static: false, reason: 'needs the browser to run' }).success);
    assert.ok(!TruthEntry.safeParse({ ...base, static: true, file: '../outside.js' }).success);
    assert.ok(!TruthEntry.safeParse({ ...base, static: true, line: 5, endLine: 4 }).success);
  });
});

describe('matcher', () => {
  const entry = { class: 'sql-injection', file: 'models/user.js', line: 20 };
  const at = (rule: string, file: string, line: number): FoundAt => ({ rule, file, line });

  it('matches the class in the same file within three lines of the sink, and nothing else', () => {
    assert.ok(matchesTruth(at('sql-injection', 'models/user.js', 20), entry));
    assert.ok(matchesTruth(at('sql-injection', 'models/user.js', 17), entry));
    assert.ok(matchesTruth(at('sql-injection', 'models/user.js', 23), entry));
    assert.ok(!matchesTruth(at('sql-injection', 'models/user.js', 24), entry));
    assert.ok(!matchesTruth(at('sql-injection', 'models/user.js', 16), entry));
    assert.ok(!matchesTruth(at('sql-injection', 'routes/user.js', 20), entry));
    assert.ok(!matchesTruth(at('nosql-injection', 'models/user.js', 20), entry));
  });

  it('takes a line range, other places and other classes of the same flaw', () => {
    const e = { class: 'idor', file: 'c.js', line: 10, endLine: 30, also: [{ file: 'routes.js', line: 5 }], alsoClass: ['csrf'] };
    assert.ok(matchesTruth(at('idor', 'c.js', 33), e));
    assert.ok(!matchesTruth(at('idor', 'c.js', 34), e));
    assert.ok(matchesTruth(at('idor', 'routes.js', 6), e));
    assert.ok(matchesTruth(at('csrf', 'c.js', 12), e));
    // The access-control family: a missing role check may be reported as missing authorisation.
    assert.ok(matchesTruth(at('missing-authorization', 'c.js', 12), e));
    assert.ok(!matchesTruth(at('xss', 'c.js', 12), e));
  });

  it('families are symmetric and do not join unrelated classes', () => {
    assert.ok(sameFamily('code-injection', 'template-injection') && sameFamily('template-injection', 'code-injection'));
    assert.ok(!sameFamily('code-injection', 'command-injection'));
    assert.ok(!sameFamily('sql-injection', 'nosql-injection'));
  });

  it('scores recall on in-scope entries only and counts unmatched findings', () => {
    const entries = [
      { id: 'a', class: 'xss', cwe: 'CWE-79', file: 'v.ejs', line: 4, description: 'reflected xss here', doc: 'README', static: true },
      { id: 'b', class: 'sql-injection', cwe: 'CWE-89', file: 'm.js', line: 9, description: 'sql injection here', doc: 'README', static: true },
      { id: 'c', class: 'redos', cwe: 'CWE-1333', file: 'm.js', line: 40, description: 'in a dependency', doc: 'README', static: false, reason: 'dependency version' },
    ] satisfies TruthEntry[];
    const s = scoreApp(entries, [at('xss', 'v.ejs', 5), at('redos', 'm.js', 40), at('command-injection', 'x.js', 1)]);
    assert.equal(s.inScope, 2);
    assert.deepEqual(s.found, ['a']);
    assert.deepEqual(s.missed, ['b']);
    // A finding of an out-of-scope flaw is not a false positive; one that matches nothing is.
    assert.deepEqual(s.unmatched, [at('command-injection', 'x.js', 1)]);
    assert.deepEqual(Object.fromEntries(s.perClass), { xss: { inScope: 1, found: 1 }, 'sql-injection': { inScope: 1, found: 0 } });
  });
});

describe('line mapping between releases', () => {
  const before = ['a', 'b', 'function f(x) {', '  exec("ls " + x);', '}', 'z'].join('\n');

  it('follows an unchanged line moved by an insertion above it', () => {
    const after = ['a', 'const q = require("q");', 'b', 'function f(x) {', '  exec("ls " + x);', '}', 'z'].join('\n');
    assert.equal(mapLine(before, after, 4), 5);
  });

  it('keeps the offset from the nearest anchor when the sink line itself changed (the fix)', () => {
    const after = ['a', '// fixed', 'b', 'function f(x) {', '  execFile("ls", [x]);', '}', 'z'].join('\n');
    assert.equal(mapLine(before, after, 4), 5);
  });

  it('ignores lines that repeat and stays inside the new file', () => {
    const after = ['}', '}', 'z'].join('\n');
    assert.equal(mapLine(before, after, 5), 3);
    assert.equal(mapLine(before, '', 3), undefined);
  });
});

describe('SecBench list', () => {
  it('parses, and a selection is bounded and stratified by class', { skip }, () => {
    const all = loadSecBench(corpus);
    assert.ok(all.length > 400, `only ${all.length} entries`);
    const classes = new Set(all.map((e) => e.class));
    const s = selectEntries(all, { sample: 40 });
    assert.ok(s.length >= 35 && s.length <= 45, `sample of ${s.length}`);
    assert.deepEqual(new Set(s.map((e) => e.class)), classes);
    assert.deepEqual(selectEntries(all, { sample: 40 }), s, 'the same sample every run');
    assert.ok(selectEntries(all, { classes: ['redos'] }).every((e) => e.class === 'redos'));
    assert.equal(selectEntries(all, { limit: 7 }).length, 7);
  });

  it('names cache directories without path separators', () => {
    const e: Pick<SecBenchEntry, 'package' | 'version'> = { package: '@scope/pkg', version: '1.0.0' };
    assert.equal(packageKey(e.package, e.version), '@scope+pkg@1.0.0');
  });

  it('cleans one-version ranges and resolves a sink path given relative to a subdirectory only when unambiguous', () => {
    assert.equal(cleanVersion('= 0.0.20'), '0.0.20');
    assert.equal(cleanVersion('=1.20.0'), '1.20.0');
    assert.equal(cleanVersion('2.1.0'), '2.1.0');
    const files = ['index.js', 'lib/compile/util.js', 'lib/a/x.js', 'lib/b/x.js', 'package.json'];
    assert.deepEqual(resolveSinkFile(files, 'index.js'), { file: 'index.js', bySuffix: false });
    assert.deepEqual(resolveSinkFile(files, 'util.js'), { file: 'lib/compile/util.js', bySuffix: true });
    assert.equal(resolveSinkFile(files, 'x.js'), undefined, 'two candidates: ambiguous');
    assert.equal(resolveSinkFile(files, 'src/util.ts'), undefined);
    // A suffix must end at a path separator: "til.js" is not "util.js".
    assert.equal(resolveSinkFile(files, 'til.js'), undefined);
  });
});
