// The snapshot stage against real directories, real git and the real SQLite store.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { failureType } from '../activities/errors.js';
import { cloneGitSource } from '../activities/snapshot/git-clone.js';
import { runGit } from '../activities/git/run-git.js';
import { gitRevision } from '../activities/git/revision.js';
import { allowedProtocols, checkGitSource, gitUrlProtocol } from '../activities/snapshot/git-source.js';
import { maxFileBytesFromEnv } from '../activities/snapshot/limits.js';
import { readLocalTree } from '../activities/snapshot/read-tree.js';
import { snapshotId } from '../activities/snapshot/snapshot-id.js';
import { isFresh, openStatCache, RACY_MARGIN_MS } from '../activities/snapshot/stat-cache.js';
import { takeSnapshot } from '../activities/snapshot/take-snapshot.js';
import { openSqliteStore } from '../activities/store/sqlite-store.js';
import type { Store } from '../activities/store/store.js';

const MiB = 1024 * 1024;
const scratch = mkdtempSync(join(tmpdir(), 'vigil-snapshot-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const tempDir = (name: string) => {
  const d = join(scratch, `${name}-${++counter}`);
  mkdirSync(d, { recursive: true });
  return d;
};

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
}

/** Moves every file's mtime an hour back, so the stat cache trusts it (see RACY_MARGIN_MS). */
function ageFiles(root: string, rels: string[]): void {
  const old = new Date(Date.now() - 3600_000);
  for (const rel of rels) utimesSync(join(root, rel), old, old);
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
}

/** The store, counting writes, so a test can prove that nothing was written. */
function countingStore(file: string): Store & { writes: string[] } {
  const inner = openSqliteStore(file);
  const writes: string[] = [];
  return Object.assign(Object.create(null), inner, {
    writes,
    putBlobs: (t: string, b: { hash: string; content: Buffer }[]) => (writes.push(`blobs:${b.length}`), inner.putBlobs(t, b)),
    putSnapshot: (s: Parameters<Store['putSnapshot']>[0]) => (writes.push(`snapshot:${s.id}`), inner.putSnapshot(s)),
  });
}

const isFailure = (type: string, pattern: RegExp) => (err: unknown) => {
  assert.equal(failureType(err), type, `expected ${type}, got ${String(err)}`);
  assert.match((err as Error).message, pattern);
  return true;
};

describe('readLocalTree', () => {
  test('honours root and nested .gitignore, negation and .git/info/exclude, exactly like git', async () => {
    const root = tempDir('ignore');
    git(root, 'init', '-q');
    write(root, {
      '.gitignore': '# comment\n*.log\nbuild/\n!keep.log\n/only-root.txt\n**/generated/\ndocs/*.md\n!docs/keep.md\n*.min.js\n',
      'docs/drop.md': 'path rule', 'docs/keep.md': 'path negation', 'docs/sub/nested.md': 'docs/*.md does not reach here',
      'a/b/generated/x.ts': 'double star', 'app.min.js': 'name rule', 'Keep.LOG': 'case-sensitive like git on Linux',
      'a.log': 'x',
      'keep.log': 'kept by negation',
      'build/out.js': 'ignored dir',
      'only-root.txt': 'anchored',
      'src/only-root.txt': 'anchored pattern does not reach here',
      'src/.gitignore': 'secret.txt\n!important.log\n',
      'src/secret.txt': 'nested rule',
      'src/important.log': 'nested negation beats root *.log',
      'src/other.log': 'root rule still applies',
      'src/main.js': 'console.log(1)\n',
      'src/deep/secret.txt': 'nested rule applies below its directory',
      'src/deep/ok.js': 'ok',
      'excluded.txt': 'info/exclude',
      'README.md': '# hi\n',
      'vendor/.gitignore': '!build/\n',
      'vendor/build/lib.js': 'a deeper rule re-includes a directory a shallower one excludes',
    });
    writeFileSync(join(root, '.git/info/exclude'), 'excluded.txt\n');

    const tree = await readLocalTree(root, { maxFileBytes: MiB });
    const ours = tree.files.map((f) => f.path);
    const gits = git(root, 'ls-files', '--others', '--exclude-standard').trim().split('\n').sort();
    assert.deepEqual(ours, gits);
    assert.deepEqual(ours, ['.gitignore', 'Keep.LOG', 'README.md', 'docs/keep.md', 'docs/sub/nested.md', 'keep.log', 'src/.gitignore', 'src/deep/ok.js', 'src/important.log', 'src/main.js', 'src/only-root.txt', 'vendor/.gitignore', 'vendor/build/lib.js']);
    // a.log, build/, only-root.txt, docs/drop.md, a/b/generated/, app.min.js, excluded.txt,
    // src/secret.txt, src/other.log, src/deep/secret.txt
    assert.equal(tree.skipped.ignored, 10);
    assert.ok(!ours.some((p) => p.startsWith('.git/')));
  });

  test('records sha256, size, exec mode and POSIX paths sorted', async () => {
    const root = tempDir('modes');
    write(root, { 'b/run.sh': '#!/bin/sh\necho hi\n', 'a.txt': 'hello', 'b/a b.txt': 'space' });
    chmodSync(join(root, 'b/run.sh'), 0o755);
    const tree = await readLocalTree(root, { maxFileBytes: MiB });
    assert.deepEqual(tree.files, [
      { path: 'a.txt', hash: sha256('hello'), size: 5, mode: '100644' },
      { path: 'b/a b.txt', hash: sha256('space'), size: 5, mode: '100644' },
      { path: 'b/run.sh', hash: sha256('#!/bin/sh\necho hi\n'), size: 18, mode: '100755' },
    ]);
    assert.equal(tree.bytes, 28);
  });

  test('skips and counts binary files the way git detects them', async () => {
    const root = tempDir('binary');
    const lateNul = Buffer.alloc(9000, 0x61);
    lateNul[8500] = 0; // NUL after the first 8000 bytes: git calls this text
    write(root, { 'img.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), 'late.txt': lateNul, 'ok.txt': 'text' });
    const tree = await readLocalTree(root, { maxFileBytes: MiB });
    assert.deepEqual(tree.files.map((f) => f.path), ['late.txt', 'ok.txt']);
    assert.equal(tree.skipped.binary, 1);
  });

  test('skips a 50 MB file by its size without reading it', async () => {
    const root = tempDir('huge');
    write(root, { 'small.txt': 'small' });
    execFileSync('truncate', ['-s', '50M', join(root, 'huge.sql')]);
    const tree = await readLocalTree(root, { maxFileBytes: maxFileBytesFromEnv({}) });
    assert.deepEqual(tree.files.map((f) => f.path), ['small.txt']);
    assert.equal(tree.skipped.tooLarge, 1);
    assert.equal(tree.stats.bytesRead, 5);
  });

  test('VIGIL_MAX_FILE_BYTES sets the limit and rejects nonsense', () => {
    assert.equal(maxFileBytesFromEnv({}), 2 * MiB);
    assert.equal(maxFileBytesFromEnv({ VIGIL_MAX_FILE_BYTES: '1000' }), 1000);
    assert.throws(() => maxFileBytesFromEnv({ VIGIL_MAX_FILE_BYTES: '2MB' }), /VIGIL_MAX_FILE_BYTES must be a positive whole number/);
  });

  test('never follows symlinks: outside targets are counted apart and never stored', async () => {
    const root = tempDir('symlink');
    write(root, { 'real.txt': 'inside' });
    symlinkSync('/etc/passwd', join(root, 'passwd'));
    symlinkSync('../../../../../../etc', join(root, 'etc-dir'));
    symlinkSync('real.txt', join(root, 'alias.txt'));
    symlinkSync('missing.txt', join(root, 'dangling.txt'));
    const tree = await readLocalTree(root, { maxFileBytes: MiB });
    assert.deepEqual(tree.files.map((f) => f.path), ['real.txt']);
    assert.equal(tree.skipped.symlinkOutside, 2);
    assert.equal(tree.skipped.symlink, 2);

    const store = openSqliteStore(join(tempDir('store'), 'store.db'));
    try {
      await takeSnapshot(store, { tenant: 't1', repoKey: 'r', source: { kind: 'local', path: root }, workDir: tempDir('work') });
      assert.equal(await store.getBlob('t1', sha256(readFileSync('/etc/passwd'))), undefined);
      assert.ok(await store.getBlob('t1', sha256('inside')));
    } finally {
      await store.close();
    }
  });

  test('a missing path, a file path and a special file are clear InvalidSourceErrors', async () => {
    const root = tempDir('invalid');
    write(root, { 'file.txt': 'x' });
    await assert.rejects(readLocalTree(join(root, 'nope'), { maxFileBytes: MiB }), isFailure('InvalidSourceError', /path ".*nope" does not exist/));
    await assert.rejects(readLocalTree(join(root, 'file.txt'), { maxFileBytes: MiB }), isFailure('InvalidSourceError', /is a file; give the repository directory/));
    await assert.rejects(readLocalTree('/dev/null', { maxFileBytes: MiB }), isFailure('InvalidSourceError', /is not a directory/));
  });

  test('a cancelled walk stops with the abort reason', async () => {
    const root = tempDir('abort');
    write(root, { 'a.txt': 'a' });
    const ac = new AbortController();
    ac.abort(new Error('scan cancelled'));
    await assert.rejects(readLocalTree(root, { maxFileBytes: MiB, signal: ac.signal }), /scan cancelled/);
  });
});

describe('stat cache', () => {
  test('a hit skips reading and gives the same hashes; an edit with the same size and mtime is still seen', async () => {
    const root = tempDir('cache');
    write(root, { 'a.txt': 'alpha', 'b/c.txt': 'gamma', 'bin.dat': Buffer.from([1, 0, 2]) });
    ageFiles(root, ['a.txt', 'b/c.txt', 'bin.dat']);
    const cache = openStatCache(join(tempDir('data'), 'statcache.db'));
    try {
      const first = await readLocalTree(root, { maxFileBytes: MiB, statCache: cache });
      assert.equal(first.stats.hashed, 3);
      const second = await readLocalTree(root, { maxFileBytes: MiB, statCache: cache });
      assert.deepEqual(second.stats, { hashed: 0, cacheHits: 3, bytesRead: 0 });
      assert.deepEqual(second.files, first.files);
      assert.equal(second.skipped.binary, 1);

      // Same size, and the mtime put back: the inode change time still gives it away.
      const { mtime } = statSync(join(root, 'a.txt'));
      writeFileSync(join(root, 'a.txt'), 'ALPHA');
      utimesSync(join(root, 'a.txt'), mtime, mtime);
      const third = await readLocalTree(root, { maxFileBytes: MiB, statCache: cache });
      assert.equal(third.stats.hashed, 1);
      assert.equal(third.files.find((f) => f.path === 'a.txt')!.hash, sha256('ALPHA'));
    } finally {
      cache.close();
    }
  });

  test('racy entries (mtime not clearly older than the walk that hashed them) are hashed again', async () => {
    const root = tempDir('racy');
    write(root, { 'fresh.txt': 'just written', 'old.txt': 'old' });
    ageFiles(root, ['old.txt']);
    const cache = openStatCache(join(tempDir('data'), 'statcache.db'));
    try {
      await readLocalTree(root, { maxFileBytes: MiB, statCache: cache });
      // Unchanged, but a rewrite within the same clock tick would have kept its stat data: re-hash it.
      const again = await readLocalTree(root, { maxFileBytes: MiB, statCache: cache });
      assert.deepEqual(again.stats, { hashed: 1, cacheHits: 1, bytesRead: 12 });
    } finally {
      cache.close();
    }
    const now = { size: 1, mtimeMs: 1_000_000, ctimeMs: 1_000_000, ino: 7 };
    const entry = { ...now, hash: 'h', checkedAtMs: now.mtimeMs + RACY_MARGIN_MS + 1 };
    assert.equal(isFresh(entry, now), true);
    assert.equal(isFresh({ ...entry, checkedAtMs: now.mtimeMs + RACY_MARGIN_MS }, now), false);
    assert.equal(isFresh(entry, { ...now, ctimeMs: now.ctimeMs + 1 }), false);
    assert.equal(isFresh(entry, { ...now, ino: 8 }), false);
    assert.equal(isFresh(undefined, now), false);
  });

  test('forgets deleted files', async () => {
    const root = tempDir('forget');
    write(root, { 'a.txt': 'a', 'b.txt': 'b' });
    ageFiles(root, ['a.txt', 'b.txt']);
    const cache = openStatCache(join(tempDir('data'), 'statcache.db'));
    try {
      await readLocalTree(root, { maxFileBytes: MiB, statCache: cache });
      rmSync(join(root, 'b.txt'));
      const tree = await readLocalTree(root, { maxFileBytes: MiB, statCache: cache });
      assert.deepEqual([...cache.load(tree.root).keys()], ['a.txt']);
    } finally {
      cache.close();
    }
  });
});

describe('takeSnapshot', () => {
  test('the id is stable across runs, across a stat-cache hit and without the cache; a retry writes nothing new', async () => {
    const root = tempDir('stable');
    write(root, { 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 2;\n', 'README.md': 'x', 'dup.ts': 'export const a = 1;\n' });
    ageFiles(root, ['src/a.ts', 'src/b.ts', 'README.md', 'dup.ts']);
    const dataDir = tempDir('data');
    const store = countingStore(join(dataDir, 'store.db'));
    const input = {
      tenant: 't1',
      repoKey: root,
      source: { kind: 'local' as const, path: root },
      workDir: join(dataDir, 'work'),
      statCacheFile: join(dataDir, 'statcache.db'),
    };
    try {
      const first = await takeSnapshot(store, input);
      assert.equal(first.files, 4);
      assert.equal(first.uploadedBlobs, 3); // dup.ts shares a.ts's blob
      const files = [
        { path: 'README.md', hash: sha256('x'), mode: '100644' },
        { path: 'dup.ts', hash: sha256('export const a = 1;\n'), mode: '100644' },
        { path: 'src/a.ts', hash: sha256('export const a = 1;\n'), mode: '100644' },
        { path: 'src/b.ts', hash: sha256('export const b = 2;\n'), mode: '100644' },
      ];
      assert.equal(first.snapshotId, snapshotId(files, { repoKey: root }));
      const origin = `origin ${root}\0\0clean\n`;
      assert.equal(first.snapshotId, createHash('sha256').update(origin + files.map((f) => `${f.mode} ${f.path}\0${f.hash}\n`).join('')).digest('hex'));
      // The same files in another repository make another snapshot record (it names its own repo and commit).
      assert.notEqual(snapshotId(files, { repoKey: `${root}-copy` }), first.snapshotId);

      const writesBefore = store.writes.length;
      const second = await takeSnapshot(store, input); // every file a stat-cache hit
      assert.equal(second.snapshotId, first.snapshotId);
      assert.equal(second.uploadedBlobs, 0);
      assert.deepEqual(store.writes.slice(writesBefore), [`snapshot:${first.snapshotId}`]);

      const noCache = await takeSnapshot(store, { ...input, statCacheFile: undefined });
      assert.equal(noCache.snapshotId, first.snapshotId);

      const stored = await store.getSnapshot('t1', first.snapshotId);
      assert.equal(stored?.files.length, 4);
      assert.equal(stored?.repoKey, root);
    } finally {
      await store.close();
    }
  });

  test('stat-cache hits still upload blobs this tenant lacks, read back and verified', async () => {
    const root = tempDir('tenants');
    write(root, { 'a.txt': 'alpha', 'b.txt': 'beta' });
    ageFiles(root, ['a.txt', 'b.txt']);
    const dataDir = tempDir('data');
    const store = openSqliteStore(join(dataDir, 'store.db'));
    const base = { repoKey: 'r', source: { kind: 'local' as const, path: root }, workDir: join(dataDir, 'work'), statCacheFile: join(dataDir, 'sc.db') };
    try {
      await takeSnapshot(store, { ...base, tenant: 'one' });
      const other = await takeSnapshot(store, { ...base, tenant: 'two' });
      assert.equal(other.uploadedBlobs, 2);
      assert.equal((await store.getBlob('two', sha256('beta')))?.toString(), 'beta');
    } finally {
      await store.close();
    }
  });

  test('records the commit of a local repository and whether it is dirty', async () => {
    const root = tempDir('local-git');
    git(root, 'init', '-q');
    write(root, { 'a.js': 'let a;\n' });
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'one');
    const head = git(root, 'rev-parse', 'HEAD').trim();
    assert.deepEqual(await gitRevision(root), { commit: head, dirty: false });
    write(root, { 'b.js': 'let b;\n' });
    assert.deepEqual(await gitRevision(root), { commit: head, dirty: true });
    assert.equal(await gitRevision(tempDir('not-a-repo')), undefined);

    const store = openSqliteStore(join(tempDir('data'), 'store.db'));
    try {
      const snap = await takeSnapshot(store, { tenant: 't', repoKey: 'r', source: { kind: 'local', path: root }, workDir: tempDir('work') });
      assert.equal(snap.commit, head);
      assert.equal(snap.dirty, true);
      assert.equal((await store.getSnapshot('t', snap.snapshotId))?.commit, head);
    } finally {
      await store.close();
    }
  });

  test('an invalid source writes nothing', async () => {
    const dataDir = tempDir('data');
    const store = countingStore(join(dataDir, 'store.db'));
    const base = { tenant: 't', repoKey: 'r', workDir: join(dataDir, 'work') };
    try {
      await assert.rejects(takeSnapshot(store, { ...base, source: { kind: 'local', path: join(dataDir, 'missing') } }), isFailure('InvalidSourceError', /does not exist/));
      await assert.rejects(takeSnapshot(store, { ...base, source: { kind: 'git', url: 'http://example.com/r.git' } }), isFailure('DisallowedSourceError', /"http"/));
      await assert.rejects(takeSnapshot(store, { ...base, source: { kind: 'git', url: 'https://example.com/r.git', ref: '--upload-pack=touch /tmp/x' } }), isFailure('InvalidSourceError', /starts with "-"/));
      assert.deepEqual(store.writes, []);
      assert.equal(existsSync(base.workDir), false);
    } finally {
      await store.close();
    }
  });
});

describe('git sources', () => {
  test('checkGitSource: only allowed protocols, never ext, nothing that git could read as an option', () => {
    const https = ['https', 'ssh'];
    assert.equal(checkGitSource({ url: 'https://github.com/org/repo.git' }, https).protocol, 'https');
    assert.equal(checkGitSource({ url: 'git@github.com:org/repo.git', ref: 'release/1.2' }, https).protocol, 'ssh');
    assert.equal(checkGitSource({ url: 'ssh://git@host:22/r.git' }, https).protocol, 'ssh');
    assert.equal(checkGitSource({ url: 'https://h/r.git', ref: 'a'.repeat(40) }, https).refIsCommit, true);

    const refused = (source: { url: string; ref?: string }, type: string, pattern: RegExp, allowed = https) =>
      assert.throws(() => checkGitSource(source, allowed), isFailure(type, pattern));
    refused({ url: '-uhttps://evil' }, 'InvalidSourceError', /starts with "-"/);
    refused({ url: '--upload-pack=touch /tmp/x' }, 'InvalidSourceError', /starts with "-"/);
    refused({ url: 'https://h/r.git', ref: '-b' }, 'InvalidSourceError', /starts with "-"/);
    refused({ url: 'https://h/r.git', ref: 'a..b' }, 'InvalidSourceError', /not a valid branch or tag name/);
    refused({ url: 'https://h/r.git', ref: 'x.lock' }, 'InvalidSourceError', /\.lock/);
    refused({ url: 'ssh://-oProxyCommand=id/r' }, 'InvalidSourceError', /starting with "-"/);
    refused({ url: 'http://example.com/r.git' }, 'DisallowedSourceError', /protocol "http".*allowed: https, ssh/);
    refused({ url: 'file:///srv/r.git' }, 'DisallowedSourceError', /"file"/);
    refused({ url: '/srv/r.git' }, 'DisallowedSourceError', /"file"/);
    refused({ url: 'ext::sh -c touch% /tmp/pwned' }, 'DisallowedSourceError', /ext is never allowed/, ['ext', 'https']);
    refused({ url: 'https://h/r\n.git' }, 'InvalidSourceError', /control characters/);

    assert.deepEqual(allowedProtocols({}), ['https', 'ssh']);
    assert.deepEqual(allowedProtocols({ GIT_ALLOW_PROTOCOL: 'ext:file:HTTPS' }), ['file', 'https']);
    assert.equal(gitUrlProtocol('git+ssh://h/r'), 'ssh');
    assert.equal(gitUrlProtocol('[h:22]:r.git'), 'ssh');
    assert.equal(gitUrlProtocol('./a:b'), 'file');
  });

  /** A bare repository with two commits on main and a branch, served over file://. */
  function bareRepo(): { url: string; first: string; head: string } {
    const work = tempDir('origin-work');
    git(work, 'init', '-q');
    write(work, { 'app.js': 'v1\n' });
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', 'one');
    const first = git(work, 'rev-parse', 'HEAD').trim();
    write(work, { 'app.js': 'v2\n', 'lib/util.js': 'u\n' });
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', 'two');
    git(work, 'branch', 'feature', first);
    const bare = join(tempDir('origin'), 'repo.git');
    git(scratch, 'clone', '-q', '--bare', work, bare);
    return { url: `file://${bare}`, first, head: git(work, 'rev-parse', 'HEAD').trim() };
  }

  test('clones file:// when the operator allows file, by default branch, branch name and commit id', async () => {
    const { url, first, head } = bareRepo();
    const env = { ...process.env, GIT_ALLOW_PROTOCOL: 'file' };
    const a = await cloneGitSource({ url }, join(tempDir('clone'), 'r'), { env });
    assert.equal(a.commit, head);
    assert.equal(readFileSync(join(a.dir, 'app.js'), 'utf8'), 'v2\n');
    const b = await cloneGitSource({ url, ref: 'feature' }, join(tempDir('clone'), 'r'), { env });
    assert.equal(b.commit, first);
    const c = await cloneGitSource({ url, ref: first }, join(tempDir('clone'), 'r'), { env });
    assert.equal(c.commit, first);
    assert.equal(readFileSync(join(c.dir, 'app.js'), 'utf8'), 'v1\n');
    await assert.rejects(cloneGitSource({ url, ref: 'no-such-branch' }, join(tempDir('clone'), 'r'), { env }), isFailure('InvalidSourceError', /ref "no-such-branch" was not found/));
    // Under the default allow-list the same URL is refused before git runs.
    await assert.rejects(cloneGitSource({ url }, join(tempDir('clone'), 'r'), { env: { ...process.env, GIT_ALLOW_PROTOCOL: '' } }), isFailure('DisallowedSourceError', /"file"/));
  });

  test('ext:: is refused even when GIT_ALLOW_PROTOCOL lists ext, and git never runs it', async () => {
    const marker = join(tempDir('ext'), 'pwned');
    const env = { ...process.env, GIT_ALLOW_PROTOCOL: 'ext:file:https' };
    await assert.rejects(cloneGitSource({ url: `ext::sh -c touch% ${marker}` }, join(tempDir('clone'), 'r'), { env }), isFailure('DisallowedSourceError', /ext is never allowed/));
    assert.equal(existsSync(marker), false);
  });

  test('a cancelled clone rejects', async () => {
    const { url } = bareRepo();
    const ac = new AbortController();
    ac.abort(new Error('scan cancelled'));
    await assert.rejects(cloneGitSource({ url }, join(tempDir('clone'), 'r'), { env: { ...process.env, GIT_ALLOW_PROTOCOL: 'file' }, signal: ac.signal }), /scan cancelled/);
  });

  test('cancelling kills a running git and everything it started', async () => {
    const ac = new AbortController();
    const started = performance.now();
    setTimeout(() => ac.abort(new Error('scan cancelled')), 100);
    // An alias runs through a shell, as git's helpers (remote-https, ssh) run as children of git.
    await assert.rejects(runGit(['-c', 'alias.slow=!sleep 30', 'slow'], { signal: ac.signal }), /scan cancelled/);
    assert.ok(performance.now() - started < 5000);
  });

  test('takeSnapshot of a git URL records the commit and removes its clone', async () => {
    const { url, head } = bareRepo();
    const saved = process.env.GIT_ALLOW_PROTOCOL;
    process.env.GIT_ALLOW_PROTOCOL = 'file';
    const dataDir = tempDir('data');
    const store = openSqliteStore(join(dataDir, 'store.db'));
    try {
      const workDir = join(dataDir, 'work');
      const snap = await takeSnapshot(store, { tenant: 't', repoKey: url, source: { kind: 'git', url }, workDir });
      assert.equal(snap.commit, head);
      assert.equal(snap.dirty, false);
      assert.equal(snap.files, 2);
      assert.deepEqual(readdirSync(workDir), []);
      assert.equal((await store.getBlob('t', sha256('v2\n')))?.toString(), 'v2\n');
    } finally {
      if (saved === undefined) delete process.env.GIT_ALLOW_PROTOCOL;
      else process.env.GIT_ALLOW_PROTOCOL = saved;
      await store.close();
    }
  });
});
