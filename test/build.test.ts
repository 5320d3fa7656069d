// The JavaScript build made at install (infra/build.mjs): the CLI runs it while it is the build of the sources
// as they are, and never once a source changed (it runs the sources through tsx until the next build), and a
// worker running from a build loads the workflow bundle made from the same sources. On a copy of the
// repository's sources, so the real checkout's build is left alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JavaScript without declarations (it runs before anything is installed)
import { build, currentBuild } from '../infra/build.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
let copy: string;

before(() => {
  copy = mkdtempSync(join(tmpdir(), 'vigil-build-'));
  for (const entry of ['activities', 'api', 'infra', 'workers', 'workflows', 'package.json', 'package-lock.json']) {
    cpSync(join(repo, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(realpathSync(join(repo, 'node_modules')), join(copy, 'node_modules'));
});
after(() => rmSync(copy, { recursive: true, force: true }));

/** `vigil --help` from the copy: its output, and which code the launcher ran (its timing mark). */
function help(): { usage: string; ran: string } {
  const timings = join(copy, `timings-${Date.now()}.jsonl`);
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_TIMINGS: timings, VIGIL_CACHE_DIR: join(copy, 'cache') };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [join(copy, 'api', 'bin', 'vigil.js'), '--help'], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const marks = readFileSync(timings, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { mark: string }).mark);
  const ran = marks.find((m) => m.startsWith('launcher.'));
  assert.ok(ran, `no launcher mark in ${marks.join(', ')}`);
  return { usage: r.stdout.split('\n')[0], ran };
}

function edit(rel: string, from: string, to: string): void {
  const file = join(copy, rel);
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${rel} lacks ${from}`);
  writeFileSync(file, text.replace(from, to));
}

test('the CLI runs the current build, runs the sources through tsx once a source changed, and a rebuild is used again', { timeout: 240_000 }, async () => {
  assert.equal(currentBuild(copy), undefined, 'a build before building');
  assert.equal(help().ran, 'launcher.tsx');

  const first = await build(copy, () => {});
  assert.equal(currentBuild(copy), first);
  assert.ok(existsSync(join(first, 'api', 'cli', 'main.js')) && existsSync(join(first, 'workflow-bundle.js')));
  assert.deepEqual(help(), { usage: 'Usage:', ran: 'launcher.built' });

  // A changed source: the build is no longer the current code's, so the CLI must not run it.
  edit('api/cli/main.ts', 'const USAGE = `Usage:', 'const USAGE = `Usage (edited):');
  assert.equal(currentBuild(copy), undefined, 'the build of the old sources still counts as current');
  assert.deepEqual(help(), { usage: 'Usage (edited):', ran: 'launcher.tsx' });

  const second = await build(copy, () => {});
  assert.notEqual(second, first);
  assert.deepEqual(help(), { usage: 'Usage (edited):', ran: 'launcher.built' });
  assert.equal(await build(copy, () => {}), second, 'an existing build is made again');
});

test('a worker running from a build loads the bundle of its own workflow sources; from the sources, a fresh one', { timeout: 240_000 }, async () => {
  const probe = `vigil-build-probe-${process.pid}-${Date.now()}`;
  edit('workflows/definitions.ts', "export const TASK_QUEUE = 'vigil-scans';", `export const TASK_QUEUE = 'vigil-scans';\nexport const BUILD_PROBE = '${probe}';`);
  const dir = await build(copy, () => {});
  const fromBuild = await import(join(dir, 'workers', 'workflow-bundle.js'));
  const bundled = (await fromBuild.workflowBundle()) as { codePath?: string };
  assert.equal(bundled.codePath, join(dir, 'workflow-bundle.js'));
  assert.ok(readFileSync(bundled.codePath!, 'utf8').includes(probe), 'the build bundled other workflow sources than its own');

  // The sources as tests and tsx run them bundle the workflow code they have now (cached under its hash).
  const changed = `${probe}-changed`;
  edit('workflows/definitions.ts', probe, changed);
  assert.equal(currentBuild(copy), undefined);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `const m = await import(${JSON.stringify(join(copy, 'workers', 'workflow-bundle.ts'))}); const b = await m.workflowBundle(); process.stdout.write(JSON.stringify({ codePath: b.codePath, fresh: (b.code ?? '').includes(${JSON.stringify(changed)}) }));`],
    { env: { ...process.env, VIGIL_CACHE_DIR: join(copy, 'cache') }, encoding: 'utf8', cwd: copy },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { fresh: true });
});
