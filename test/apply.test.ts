// The apply stage's domain code against real git: diff application (with `git apply` as the oracle), the
// plumbing-only branch writer (the user's checkout must not change by a single byte) and the mbox series.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildPatchSeries, patchSeries } from '../activities/apply/patch-series.js';
import { commitPatchesOnBranch } from '../activities/apply/git-branch.js';
import type { PatchToApply } from '../activities/apply/types.js';
import { applyUnifiedDiff, parseUnifiedDiff } from '../activities/patches/apply-diff.js';

// No user or system git config: proves the code sets its own identity and does not rely on config.
process.env.GIT_CONFIG_GLOBAL = '/dev/null';
process.env.GIT_CONFIG_NOSYSTEM = '1';
delete process.env.GIT_AUTHOR_NAME;
delete process.env.GIT_AUTHOR_EMAIL;
delete process.env.GIT_COMMITTER_NAME;
delete process.env.GIT_COMMITTER_EMAIL;

const TEST_IDENTITY = {
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
};

const temps: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `vigil-${prefix}-`));
  temps.push(d);
  return d;
}
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function sh(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', args, { cwd, input, env: { ...process.env, ...TEST_IDENTITY }, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}
function trySh(cwd: string, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: sh(cwd, args) };
  } catch (err) {
    return { ok: false, out: String((err as { stderr?: string }).stderr ?? err) };
  }
}

// ---------------------------------------------------------------------------------------------------------
describe('applyUnifiedDiff', () => {
  const base = ['const a = 1;', 'const b = 2;', 'function q(id) {', '  return db.query("SELECT * FROM t WHERE id = " + id);', '}', 'module.exports = q;', ''].join('\n');
  const fix = [
    '--- a/src/q.js',
    '+++ b/src/q.js',
    '@@ -2,4 +2,4 @@',
    ' const b = 2;',
    ' function q(id) {',
    '-  return db.query("SELECT * FROM t WHERE id = " + id);',
    '+  return db.query("SELECT * FROM t WHERE id = ?", [id]);',
    ' }',
    '',
  ].join('\n');

  test('applies a hand-written hunk', () => {
    const r = applyUnifiedDiff(base, fix);
    assert.ok(r.ok, !r.ok ? r.reason : '');
    assert.equal(r.text, base.replace('" + id);', '?", [id]);'));
    assert.deepEqual(r.placements, [{ oldIndex: 1, offset: 0 }]);
  });

  test('finds a hunk that moved, like patch does, and reports the offset', () => {
    const shifted = '// header\n// more\n' + base;
    const r = applyUnifiedDiff(shifted, fix);
    assert.ok(r.ok, !r.ok ? r.reason : '');
    assert.equal(r.text, shifted.replace('" + id);', '?", [id]);'));
    assert.equal(r.placements[0].offset, 2);
  });

  test('refuses when a context or removed line differs, naming the line', () => {
    const edited = base.replace('const b = 2;', 'const b = 3;');
    const r = applyUnifiedDiff(edited, fix);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /hunk 1 .*does not match.*const b = 2/);
    const removedDiffers = applyUnifiedDiff(base.replace('WHERE id', 'WHERE  id'), fix);
    assert.equal(removedDiffers.ok, false);
  });

  test('does not ignore whitespace in context (no fuzz on content)', () => {
    const r = applyUnifiedDiff(base.replace('function q(id) {', 'function q(id) { '), fix);
    assert.equal(r.ok, false);
  });

  test('handles "\\ No newline at end of file" on either side', () => {
    const noEol = 'one\ntwo';
    const addEol = ['--- a/f', '+++ b/f', '@@ -1,2 +1,2 @@', ' one', '-two', '\\ No newline at end of file', '+two', ''].join('\n');
    assert.deepEqual(applyUnifiedDiff(noEol, addEol), { ok: true, text: 'one\ntwo\n', placements: [{ oldIndex: 0, offset: 0 }] });
    // The same diff must not apply to a file that already ends with a newline.
    assert.equal(applyUnifiedDiff('one\ntwo\n', addEol).ok, false);
    const dropEol = ['--- a/f', '+++ b/f', '@@ -1,2 +1,2 @@', ' one', '-two', '+two', '\\ No newline at end of file', ''].join('\n');
    const r = applyUnifiedDiff('one\ntwo\n', dropEol);
    assert.ok(r.ok);
    assert.equal(r.text, 'one\ntwo');
  });

  test('refuses a "no newline" marker that would join two lines', () => {
    const diff = ['--- a/f', '+++ b/f', '@@ -1,2 +1,2 @@', '-a', '+A', '\\ No newline at end of file', ' b', ''].join('\n');
    const r = applyUnifiedDiff('a\nb\n', diff);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /join two lines/);
  });

  test('creates and deletes files via /dev/null', () => {
    const create = ['--- /dev/null', '+++ b/new.js', '@@ -0,0 +1,2 @@', '+a', '+b', ''].join('\n');
    assert.equal(parseUnifiedDiff(create).created, true);
    const made = applyUnifiedDiff('', create);
    assert.ok(made.ok);
    assert.equal(made.text, 'a\nb\n');
    assert.equal(applyUnifiedDiff('x\n', create).ok, false);
    const del = ['--- a/old.js', '+++ /dev/null', '@@ -1,2 +0,0 @@', '-a', '-b', ''].join('\n');
    const gone = applyUnifiedDiff('a\nb\n', del);
    assert.ok(gone.ok);
    assert.equal(gone.text, '');
  });

  test('accepts context lines whose leading space an editor stripped, and CRLF files', () => {
    const text = 'a\n\nb\nc\n';
    const diff = ['@@ -1,4 +1,4 @@', ' a', '', '-b', '+B', ' c', ''].join('\n');
    const r = applyUnifiedDiff(text, diff);
    assert.ok(r.ok, !r.ok ? r.reason : '');
    assert.equal(r.text, 'a\n\nB\nc\n');
    const crlf = 'a\r\nb\r\nc\r\n';
    const crlfDiff = '--- a/w.txt\n+++ b/w.txt\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+B\r\n c\r\n';
    const rc = applyUnifiedDiff(crlf, crlfDiff);
    assert.ok(rc.ok);
    assert.equal(rc.text, 'a\r\nB\r\nc\r\n');
  });

  test('ignores blank lines after the last hunk', () => {
    const r = applyUnifiedDiff(base, fix + '\n\n');
    assert.ok(r.ok, !r.ok ? r.reason : '');
  });

  test('rejects malformed diffs with a reason', () => {
    const cases: [string, RegExp][] = [
      ['--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n', /ends early/],
      ['--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n c\n', /expected a hunk header/],
      ['--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n', /second file/],
      ['--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n', /renames are not supported/],
      ['just some text\n', /no hunks/],
      ['--- a/x\n+++ b/x\n@@ -1 +1 @@\n*a\n', /starts with "\*"/],
      ['--- a/x\n+++ b/x\n@@ -1 +1 @@\n\\ No newline at end of file\n-a\n+b\n', /does not follow a diff line/],
      ['GIT binary patch\nliteral 0\n', /binary/],
    ];
    for (const [diff, re] of cases) {
      assert.throws(() => parseUnifiedDiff(diff), re);
      const r = applyUnifiedDiff('a\n', diff);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', re);
    }
  });

  test('a hunk without trailing context must sit at the end of the file (as in git apply)', () => {
    const diff = ['--- a/f', '+++ b/f', '@@ -2,2 +2,2 @@', ' x', '-y', '+Y', ''].join('\n');
    assert.ok(applyUnifiedDiff('w\nx\ny\n', diff).ok);
    assert.equal(applyUnifiedDiff('w\nx\ny\nz\n', diff).ok, false);
  });

  test('picks the nearest of several matching places, and keeps hunks in order', () => {
    const block = 'x\ny\nz\n';
    const diff = ['--- a/f', '+++ b/f', '@@ -5,3 +5,3 @@', ' x', '-y', '+Y', ' z', ''].join('\n');
    // Matches 3 lines above and 2 lines below the stated line 5: the nearer one wins, as with git apply.
    const text = 'a\n' + block + 'b\nc\n' + block + 'e\n';
    const r = applyUnifiedDiff(text, diff);
    assert.ok(r.ok, !r.ok ? r.reason : '');
    assert.equal(r.placements[0].offset, 2);
    assert.equal(r.text, 'a\n' + block + 'b\nc\nx\nY\nz\ne\n');
    const dir = tempDir('nearest');
    writeFileSync(join(dir, 'f'), text);
    writeFileSync(join(dir, 'p.diff'), diff);
    sh(dir, ['apply', 'p.diff']);
    assert.equal(readFileSync(join(dir, 'f'), 'utf8'), r.text);
    // A second hunk whose context only exists above the first one is refused, not applied out of order.
    const twoHunks = ['--- a/f', '+++ b/f', '@@ -1,2 +1,2 @@', '-p', '+P', ' q', '@@ -8,2 +8,2 @@', ' m', '-n', '+N', ''].join('\n');
    assert.ok(applyUnifiedDiff('p\nq\n1\n2\n3\n4\n5\nm\nn\n', twoHunks).ok);
    const outOfOrder = applyUnifiedDiff('m\nn\np\nq\n1\n2\n3\n4\n5\n', twoHunks);
    assert.equal(outOfOrder.ok, false);
  });

  test('explains why a zero-context hunk in the middle of a file is refused', () => {
    const diff = ['--- a/f', '+++ b/f', '@@ -2 +2 @@', '-b', '+B', ''].join('\n');
    const r = applyUnifiedDiff('a\nb\nc\n', diff);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /no trailing context.*diff -U3/);
    assert.ok(applyUnifiedDiff('a\nb\n', diff).ok, 'at the end of the file it is unambiguous');
  });

  test('agrees with git apply on generated diffs, shifted files and corrupted files', () => {
    const repo = tempDir('oracle');
    sh(repo, ['init', '-q']);
    const target = tempDir('oracle-apply');
    const rand = mulberry32(20240611);
    let compared = 0;
    let applied = 0;
    let refused = 0;
    for (let n = 0; n < 60; n++) {
      const { before, after } = randomEdit(rand);
      writeFileSync(join(repo, 'f.txt'), before);
      sh(repo, ['add', 'f.txt']);
      writeFileSync(join(repo, 'f.txt'), after);
      const unified = [1, 3, 5][n % 3];
      const diff = sh(repo, ['diff', `-U${unified}`, '--', 'f.txt']);
      if (!diff) continue;

      // The diff must reproduce `after` exactly on its own input.
      const own = applyUnifiedDiff(before, diff);
      assert.ok(own.ok, `case ${n}: ${!own.ok ? own.reason : ''}\n${diff}`);
      assert.equal(own.text, after, `case ${n}`);

      // Variants git apply may or may not accept; ours must give the same answer and the same text.
      for (const variant of variants(before, rand)) {
        const ours = applyUnifiedDiff(variant, diff);
        writeFileSync(join(target, 'f.txt'), variant);
        writeFileSync(join(target, 'p.diff'), diff);
        const theirs = trySh(target, ['apply', '--no-index', 'p.diff']);
        assert.equal(ours.ok, theirs.ok, `case ${n}: ours=${ours.ok ? 'ok' : ours.reason} git=${theirs.out}\n--- variant\n${variant}\n--- diff\n${diff}`);
        if (ours.ok) {
          assert.equal(ours.text, readFileSync(join(target, 'f.txt'), 'utf8'), `case ${n}: result differs from git apply`);
          applied++;
        } else refused++;
        compared++;
      }
    }
    // The generator must exercise both outcomes, or the comparison proves little.
    assert.ok(compared >= 300 && applied >= 100 && refused >= 50, `compared ${compared}, applied ${applied}, refused ${refused}`);
  });
});

/** Deterministic PRNG so a failing generated case can be reproduced. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomEdit(rand: () => number): { before: string; after: string } {
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const words = ['alpha', 'beta', 'gamma', 'delta', '}', '', 'return x;', 'if (a) {', 'id = req.query.id;'];
  const count = 5 + Math.floor(rand() * 30);
  const lines = Array.from({ length: count }, (_, i) => `${pick(words)} ${i % 4 === 0 ? '' : i}`.trimEnd());
  const out = [...lines];
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * out.length);
    const r = rand();
    if (r < 0.4) out[at] = `changed ${e} ${pick(words)}`;
    else if (r < 0.7) out.splice(at, 0, `inserted ${e}`, `inserted ${e}b`);
    else if (out.length > 2) out.splice(at, 1 + Math.floor(rand() * 2));
  }
  const beforeEol = rand() < 0.8;
  const afterEol = rand() < 0.8;
  return { before: lines.join('\n') + (beforeEol ? '\n' : ''), after: out.join('\n') + (afterEol ? '\n' : '') };
}

function variants(before: string, rand: () => number): string[] {
  const lines = before.split(/(?<=\n)/);
  const shiftedTop = `// added 1\n// added 2\n// added 3\n${before}`;
  const corrupted = [...lines];
  corrupted[Math.floor(rand() * corrupted.length)] = 'CORRUPTED LINE\n';
  const truncated = lines.slice(0, Math.max(1, lines.length - 2)).join('');
  const appended = `${before}// appended\n`;
  const topRemoved = lines.slice(2).join('');
  // A copy of a block elsewhere makes the preimage ambiguous: the nearest match must win, as in git.
  const from = Math.floor(rand() * lines.length);
  const block = lines.slice(from, from + 4).map((l) => (l.endsWith('\n') ? l : l + '\n'));
  const at = Math.floor(rand() * (lines.length + 1));
  const duplicated = [...lines.slice(0, at), ...block, ...lines.slice(at)].join('');
  return [shiftedTop, corrupted.join(''), truncated, appended, topRemoved, duplicated];
}

// ---------------------------------------------------------------------------------------------------------
const DB_JS = `const db = require('./pool');

function findUser(id) {
  return db.query("SELECT * FROM users WHERE id = " + id);
}

module.exports = { findUser };
`;
const VIEW_JS = `function render(res, name) {
  res.send("<h1>Hello " + name + "</h1>");
}
module.exports = { render };
`;
const RUN_SH = `#!/bin/sh
exec node server.js "$@"
`;

const dbFix: PatchToApply = {
  findingId: 'f-sqli',
  title: 'SQL injection in findUser',
  description: 'Use a parameterised query so the id cannot change the statement.',
  file: 'src/db.js',
  diff: `--- a/src/db.js
+++ b/src/db.js
@@ -1,5 +1,5 @@
 const db = require('./pool');
 
 function findUser(id) {
-  return db.query("SELECT * FROM users WHERE id = " + id);
+  return db.query("SELECT * FROM users WHERE id = ?", [id]);
 }
`,
};
const viewFix: PatchToApply = {
  findingId: 'f-xss',
  title: 'Reflected XSS in render — escape the name',
  file: 'src/view.js',
  diff: `--- a/src/view.js
+++ b/src/view.js
@@ -1,4 +1,5 @@
+const { escape } = require('./escape');
 function render(res, name) {
-  res.send("<h1>Hello " + name + "</h1>");
+  res.send("<h1>Hello " + escape(name) + "</h1>");
 }
 module.exports = { render };
`,
};
const newFile: PatchToApply = {
  findingId: 'f-xss-helper',
  title: 'Add an HTML escaping helper',
  file: 'src/escape.js',
  diff: `--- /dev/null
+++ b/src/escape.js
@@ -0,0 +1,3 @@
+const map = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
+exports.escape = (s) => String(s).replace(/[&<>"']/g, (c) => map[c]);
+// end
`,
};
const scriptFix: PatchToApply = {
  findingId: 'f-script',
  title: 'Quote the script arguments',
  file: 'bin/run.sh',
  diff: `--- a/bin/run.sh
+++ b/bin/run.sh
@@ -1,2 +1,3 @@
 #!/bin/sh
+set -eu
 exec node server.js "$@"
`,
};
/** Made against the dirty working tree at scan time: it cannot apply to the committed file. */
const dirtyFix: PatchToApply = {
  findingId: 'f-dirty',
  title: 'Fix for a line that only exists in the uncommitted edit',
  file: 'src/db.js',
  diff: `--- a/src/db.js
+++ b/src/db.js
@@ -6,3 +6,3 @@
 
-module.exports = { findUser, debugQuery };
+module.exports = { findUser };
 // uncommitted
`,
};

interface Fixture {
  repo: string;
  base: string;
}

/** A repository whose checkout is on another branch, with staged, unstaged and untracked changes. */
function dirtyRepo(): Fixture {
  const repo = tempDir('repo');
  sh(repo, ['init', '-q', '-b', 'main']);
  mkdirSync(join(repo, 'src'));
  mkdirSync(join(repo, 'bin'));
  writeFileSync(join(repo, 'src/db.js'), DB_JS);
  writeFileSync(join(repo, 'src/view.js'), VIEW_JS);
  writeFileSync(join(repo, 'bin/run.sh'), RUN_SH);
  chmodSync(join(repo, 'bin/run.sh'), 0o755);
  sh(repo, ['add', '-A']);
  sh(repo, ['commit', '-q', '-m', 'initial']);
  const base = sh(repo, ['rev-parse', 'HEAD']).trim();
  sh(repo, ['checkout', '-q', '-b', 'feature']);
  writeFileSync(join(repo, 'NOTES.md'), 'feature work\n');
  sh(repo, ['add', 'NOTES.md']);
  sh(repo, ['commit', '-q', '-m', 'feature']);
  // Unstaged edit to a file the patches touch, a staged edit, and an untracked file.
  writeFileSync(join(repo, 'src/db.js'), DB_JS.replace('{ findUser }', '{ findUser, debugQuery }') + '// uncommitted\n');
  writeFileSync(join(repo, 'src/view.js'), VIEW_JS + '// staged\n');
  sh(repo, ['add', 'src/view.js']);
  writeFileSync(join(repo, 'scratch.txt'), 'untracked\n');
  return { repo, base };
}

/** Everything a user could notice: status, checked-out branch, HEAD, index bytes, and every file on disk. */
function observe(repo: string) {
  const status = sh(repo, ['status', '--porcelain=v1', '--untracked-files=all']);
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const rel = relative(repo, p);
      if (rel === '.git') continue;
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else files[rel] = `${st.mode.toString(8)} ${readFileSync(p).toString('base64')}`;
    }
  };
  walk(repo);
  return {
    status,
    branch: sh(repo, ['symbolic-ref', 'HEAD']).trim(),
    head: sh(repo, ['rev-parse', 'HEAD']).trim(),
    index: readFileSync(join(repo, '.git/index')).toString('base64'),
    files,
    otherRefs: sh(repo, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/main', 'refs/heads/feature']),
  };
}

const author = { name: 'Vigil', email: 'vigil@localhost' };
const date = new Date('2025-01-02T03:04:05Z');

describe('commitPatchesOnBranch', () => {
  test('commits approved patches on a new branch without touching the checkout', async () => {
    const { repo, base } = dirtyRepo();
    const before = observe(repo);
    const result = await commitPatchesOnBranch({
      repoDir: repo,
      branch: 'vigil/scan-123',
      baseRef: 'main',
      patches: [dbFix, viewFix, newFile, scriptFix, dirtyFix],
      author,
      message: 'Vigil: fixes approved in scan 123',
      date,
    });
    assert.deepEqual(observe(repo), before, 'working tree, index, HEAD or branches changed');

    assert.equal(result.created, true);
    assert.equal(result.baseCommit, base);
    assert.deepEqual(result.applied, ['f-sqli', 'f-xss', 'f-xss-helper', 'f-script']);
    assert.deepEqual(result.failed.map((f) => f.findingId), ['f-dirty']);
    assert.match(result.failed[0].reason, /src\/db\.js: hunk 1 .*does not match/);

    const commit = sh(repo, ['rev-parse', 'refs/heads/vigil/scan-123']).trim();
    assert.equal(result.commit, commit);
    assert.equal(sh(repo, ['rev-parse', `${commit}^`]).trim(), base);
    assert.equal(sh(repo, ['rev-list', '--count', `${base}..${commit}`]).trim(), '1');
    // Exactly the approved changes, nothing from the dirty tree or the other branch.
    assert.equal(sh(repo, ['diff', '--name-status', base, commit]), 'M\tbin/run.sh\nM\tsrc/db.js\nA\tsrc/escape.js\nM\tsrc/view.js\n');
    assert.equal(sh(repo, ['show', `${commit}:src/db.js`]), DB_JS.replace('id = " + id);', 'id = ?", [id]);'));
    const view = sh(repo, ['show', `${commit}:src/view.js`]);
    assert.ok(view.startsWith("const { escape } = require('./escape');\n") && view.includes('escape(name)') && !view.includes('// staged'));
    assert.match(sh(repo, ['ls-tree', commit, 'bin/run.sh']), /^100755 blob /, 'the executable bit was lost');
    assert.match(sh(repo, ['ls-tree', commit, 'src/escape.js']), /^100644 blob /);
    const meta = sh(repo, ['show', '-s', '--format=%an <%ae>%n%cn <%ce>%n%at%n%B', commit]);
    assert.match(meta, /^Vigil <vigil@localhost>\nVigil <vigil@localhost>\n1735787045\nVigil: fixes approved in scan 123\n/);
    assert.match(meta, /Vigil-Finding: f-sqli\nVigil-Finding: f-xss\nVigil-Finding: f-xss-helper\nVigil-Finding: f-script/);
    assert.doesNotMatch(meta, /f-dirty/);
    assert.equal(sh(repo, ['fsck', '--no-progress', '--no-dangling']), '');

    // Re-running (a retried activity) returns the same commit and changes nothing.
    const again = await commitPatchesOnBranch({
      repoDir: repo,
      branch: 'vigil/scan-123',
      baseRef: 'main',
      patches: [dbFix, viewFix, newFile, scriptFix, dirtyFix],
      author,
      message: 'Vigil: fixes approved in scan 123',
      date: new Date(), // a different date must not matter: identity is tree + parent
    });
    assert.deepEqual(again, { ...result, created: false });
    assert.equal(sh(repo, ['rev-parse', 'refs/heads/vigil/scan-123']).trim(), commit);

    // A different set of patches for the same branch name is a conflict, and the branch is left alone.
    await assert.rejects(
      commitPatchesOnBranch({ repoDir: repo, branch: 'vigil/scan-123', baseRef: 'main', patches: [dbFix], author, message: 'x', date }),
      (err: Error & { type?: string }) => err.type === 'PatchConflictError' && /already exists .*git branch -D vigil\/scan-123/.test(err.message),
    );
    assert.equal(sh(repo, ['rev-parse', 'refs/heads/vigil/scan-123']).trim(), commit);
    assert.deepEqual(observe(repo), before);
  });

  test('defaults to HEAD as the base', async () => {
    const { repo } = dirtyRepo();
    const head = sh(repo, ['rev-parse', 'HEAD']).trim();
    const r = await commitPatchesOnBranch({ repoDir: repo, branch: 'fix-head', patches: [dbFix], author, message: 'fix', date });
    assert.equal(r.baseCommit, head);
    assert.equal(sh(repo, ['rev-parse', 'fix-head^']).trim(), head);
  });

  test('handles paths git quotes (spaces, non-ASCII) in a git-generated diff', async () => {
    const repo = tempDir('quoted');
    sh(repo, ['init', '-q', '-b', 'main']);
    const name = 'docs/café menu*.md';
    mkdirSync(join(repo, 'docs'));
    writeFileSync(join(repo, name), 'Soup\nBread\n');
    sh(repo, ['add', '-A']);
    sh(repo, ['commit', '-q', '-m', 'menu']);
    writeFileSync(join(repo, name), 'Soup\nBread\nCheese\n');
    const diff = sh(repo, ['diff', '--', name]);
    assert.match(diff, /^--- "a\/docs\/caf\\303\\251 menu\*\.md"\t?$/m, 'git should quote the path');
    sh(repo, ['checkout', '-q', '--', name]);
    // A sibling that a glob pathspec would also match must be left alone.
    writeFileSync(join(repo, 'docs/café menu-old.md'), 'old\n');
    sh(repo, ['add', '-A']);
    sh(repo, ['commit', '-q', '-m', 'sibling']);
    const r = await commitPatchesOnBranch({ repoDir: repo, branch: 'menu', patches: [{ findingId: 'm', title: 'cheese', file: name, diff }], author, message: 'm', date });
    assert.deepEqual(r.failed, []);
    assert.equal(sh(repo, ['show', `menu:${name}`]), 'Soup\nBread\nCheese\n');
    assert.equal(sh(repo, ['diff', '--name-only', '-z', 'main', 'menu']), `${name}\0`);
  });

  test('creates no branch when no patch applies', async () => {
    const { repo } = dirtyRepo();
    const r = await commitPatchesOnBranch({ repoDir: repo, branch: 'vigil/none', baseRef: 'main', patches: [dirtyFix], author, message: 'm', date });
    assert.equal(r.commit, undefined);
    assert.equal(r.created, false);
    assert.deepEqual(r.applied, []);
    assert.equal(r.failed.length, 1);
    assert.equal(trySh(repo, ['rev-parse', '--verify', '--quiet', 'refs/heads/vigil/none']).ok, false);
  });

  test('reports unsafe paths and malformed diffs as failed', async () => {
    const { repo } = dirtyRepo();
    const r = await commitPatchesOnBranch({
      repoDir: repo,
      branch: 'vigil/bad-paths',
      baseRef: 'main',
      patches: [
        { ...dbFix, findingId: 'up', file: '../outside.js' },
        { ...dbFix, findingId: 'git', file: '.git/config' },
        { ...dbFix, findingId: 'other', file: 'src/view.js' },
        { ...dbFix, findingId: 'junk', diff: 'not a diff' },
      ],
      author,
      message: 'm',
      date,
    });
    assert.deepEqual(r.applied, []);
    assert.deepEqual(
      r.failed.map((f) => [f.findingId, /\.\.|\.git|edits "src\/db\.js"|no hunks/.test(f.reason)]),
      [['up', true], ['git', true], ['other', true], ['junk', true]],
    );
  });

  test('refuses bad branch names before writing anything', async () => {
    const { repo } = dirtyRepo();
    const refsBefore = sh(repo, ['for-each-ref']);
    for (const branch of ['bad..name', 'has space', '-x', '@{-1}', 'HEAD', 'ends.lock', 'a/', '', 'x~1', 'y:z']) {
      await assert.rejects(
        commitPatchesOnBranch({ repoDir: repo, branch, baseRef: 'main', patches: [dbFix], author, message: 'm', date }),
        (err: Error & { type?: string }) => err.type === 'PatchConflictError' && /branch name/.test(err.message),
        `branch ${JSON.stringify(branch)} was accepted`,
      );
    }
    assert.equal(sh(repo, ['for-each-ref']), refsBefore);
  });

  test('explains a missing repository or base ref', async () => {
    const notRepo = tempDir('plain');
    await assert.rejects(
      commitPatchesOnBranch({ repoDir: notRepo, branch: 'b', patches: [dbFix], author, message: 'm' }),
      (err: Error & { type?: string }) => err.type === 'InvalidSourceError' && /not a git repository/.test(err.message),
    );
    const { repo } = dirtyRepo();
    await assert.rejects(
      commitPatchesOnBranch({ repoDir: repo, branch: 'b', baseRef: 'deadbeef', patches: [dbFix], author, message: 'm' }),
      (err: Error & { type?: string }) => err.type === 'InvalidSourceError' && /does not name a commit/.test(err.message),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('patch series', () => {
  test('git am on a clone of the scanned commit reproduces the branch commitPatchesOnBranch writes', async () => {
    const { repo, base } = dirtyRepo();
    const patches = [dbFix, viewFix, newFile, dirtyFix];
    const branch = await commitPatchesOnBranch({ repoDir: repo, branch: 'vigil/ref', baseRef: base, patches, author, message: 'm', date });

    const committed = (path: string) => {
      const r = trySh(repo, ['show', `${base}:${path}`]);
      return r.ok ? r.out : undefined;
    };
    const built = await buildPatchSeries({ patches, author, baseCommit: base, date, files: { read: committed } });
    assert.deepEqual(built.applied, ['f-sqli', 'f-xss', 'f-xss-helper']);
    assert.deepEqual(built.failed.map((f) => f.findingId), ['f-dirty']);
    assert.equal((built.series.match(/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$/gm) ?? []).length, 3);
    assert.match(built.series, /^Subject: \[PATCH 2\/3\] =\?UTF-8\?B\?/m, 'non-ASCII subject must be RFC 2047 encoded');
    assert.match(built.series, /^base-commit: [0-9a-f]{40}$/m);

    const clone = tempDir('clone');
    sh(clone, ['clone', '-q', '--no-checkout', repo, '.']);
    sh(clone, ['checkout', '-q', '--detach', base]);
    const mbox = join(tempDir('mbox'), 'series.mbox');
    writeFileSync(mbox, built.series);
    sh(clone, ['am', '-q', mbox]);

    assert.equal(sh(clone, ['rev-parse', 'HEAD^{tree}']).trim(), sh(repo, ['rev-parse', `${branch.commit}^{tree}`]).trim());
    assert.equal(
      sh(clone, ['log', '--format=%s|%an <%ae>', `${base}..HEAD`, '--reverse']),
      [
        'SQL injection in findUser|Vigil <vigil@localhost>',
        'Reflected XSS in render — escape the name|Vigil <vigil@localhost>',
        'Add an HTML escaping helper|Vigil <vigil@localhost>',
        '',
      ].join('\n'),
    );
    const body = sh(clone, ['log', '-1', '--format=%B', 'HEAD~2']);
    assert.match(body, /^SQL injection in findUser\n\nUse a parameterised query.*\n\nVigil-Finding: f-sqli\n/);
  });

  test('patchSeries renders headerless diffs and keeps mail structure out of the body', () => {
    const { repo, base } = dirtyRepo();
    const bare: PatchToApply = {
      ...dbFix,
      description: 'Line one.\n---\nnot the patch start\nFrom here on',
      diff: dbFix.diff.split('\n').slice(2).join('\n'),
    };
    const series = patchSeries({ patches: [bare], author: { name: 'Vigil, Bot', email: 'vigil@localhost' }, date });
    assert.match(series, /^From: "Vigil, Bot" <vigil@localhost>$/m);
    assert.match(series, /^Date: Thu, 2 Jan 2025 03:04:05 \+0000$/m);
    assert.match(series, /^diff --git a\/src\/db\.js b\/src\/db\.js$/m);
    const clone = tempDir('clone2');
    sh(clone, ['clone', '-q', repo, '.']);
    sh(clone, ['checkout', '-q', '--detach', base]);
    const mbox = join(tempDir('mbox'), 'series.mbox');
    writeFileSync(mbox, series);
    sh(clone, ['am', '-q', mbox]);
    assert.equal(readFileSync(join(clone, 'src/db.js'), 'utf8'), DB_JS.replace('id = " + id);', 'id = ?", [id]);'));
    assert.match(sh(clone, ['log', '-1', '--format=%an|%B']), /^Vigil, Bot\|SQL injection in findUser\n\nLine one\.\n ---\nnot the patch start\n From here on\n\nVigil-Finding: f-sqli/);
  });

  test('patchSeries refuses a malformed diff, naming the finding', () => {
    assert.throws(
      () => patchSeries({ patches: [{ ...dbFix, findingId: 'f-broken', diff: 'nope' }], author }),
      (err: Error & { type?: string }) => err.type === 'PatchConflictError' && /f-broken/.test(err.message),
    );
  });
});
