// The JavaScript build of Vigil's TypeScript, made once at install (infra/bootstrap.mjs) so the CLI does not
// transpile on every run. It lives in <repo>/.build/<hash>/ (gitignored; inside the repository so the built
// modules resolve the repository's node_modules), where <hash> is a sha256 of every source file, the package
// manifests and this script: a build is only ever found under the hash of the sources it was made from, so a
// changed source means no build (api/bin/vigil.js then runs the sources through tsx) until the next bootstrap.
// Plain JavaScript, like bootstrap.mjs: it runs before anything could transpile it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['activities', 'api', 'infra', 'workers', 'workflows'];
const MANIFESTS = ['package.json', 'package-lock.json'];
/** Written last: a build directory without it is incomplete and never used. */
const COMPLETE = 'BUILD_COMPLETE';
const KEEP_BUILDS = 3;

/** Relative paths (with '/') of every file the build is made from, sorted. */
function sourceFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.isFile()) out.push(rel);
    }
  };
  SOURCE_DIRS.forEach(walk);
  return [...out.sort(), ...MANIFESTS];
}

/** The sources' contents and their hash (the build's key). */
export function readSources(root = repoRoot) {
  const h = createHash('sha256');
  const files = new Map();
  for (const rel of sourceFiles(root)) {
    const body = readFileSync(join(root, rel));
    files.set(rel, body);
    h.update(`${rel}\0${body.length}\0`).update(body);
  }
  return { hash: h.digest('hex').slice(0, 24), files };
}

export function buildsDir(root = repoRoot) {
  return join(root, '.build');
}

/** The directory of the build for the sources as they are now, or undefined when there is none (or it is unfinished). */
export function currentBuild(root = repoRoot) {
  const dir = join(buildsDir(root), readSources(root).hash);
  return existsSync(join(dir, COMPLETE)) ? dir : undefined;
}

/**
 * Builds the sources as they are now unless that build exists: each .ts file transpiled to .js beside the
 * other files copied as they are, package.json (its "type": "module" and version), and the workflow bundle
 * (workflow-bundle.js, what the Worker loads through `workflowBundle: { codePath }`). Returns its directory.
 */
export async function build(root = repoRoot, log = (line) => console.error(line)) {
  const { hash, files } = readSources(root);
  const out = join(buildsDir(root), hash);
  if (existsSync(join(out, COMPLETE))) return out;
  log(`vigil: building the JavaScript and the workflow bundle into ${relative(root, out)} ...`);
  const started = Date.now();
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const ts = (await import('typescript')).default;
    for (const [rel, body] of files) {
      const target = join(tmp, rel);
      mkdirSync(dirname(target), { recursive: true });
      if (!rel.endsWith('.ts') || rel.endsWith('.d.ts')) {
        writeFileSync(target, body);
        continue;
      }
      const { outputText, diagnostics } = ts.transpileModule(body.toString('utf8'), {
        fileName: rel,
        reportDiagnostics: true,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, isolatedModules: true, sourceMap: false },
      });
      if (diagnostics?.length) {
        const first = ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n');
        throw new Error(`${rel}: ${first}`);
      }
      writeFileSync(target.replace(/\.ts$/, '.js'), outputText);
    }
    const { bundleWorkflowCode } = await import('@temporalio/worker');
    const noop = () => {};
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(root, 'workflows', 'index.ts'),
      logger: { trace: noop, debug: noop, info: noop, warn: noop, error: (m) => log(m), log: noop },
    });
    writeFileSync(join(tmp, 'workflow-bundle.js'), code);
    // Bundled from the files on disk: if they changed while we built, this build is not of `hash`.
    if (readSources(root).hash !== hash) throw new Error('the sources changed during the build; run it again');
    writeFileSync(join(tmp, COMPLETE), `${new Date().toISOString()}\n`);
    try {
      renameSync(tmp, out);
    } catch (err) {
      if (!existsSync(join(out, COMPLETE))) throw err; // else another process finished the same build first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  pruneOldBuilds(root, out);
  log(`vigil: build ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

/**
 * Keeps the newest few builds (a process started from an older one may still load modules from it), and
 * removes what builds interrupted by a crash left behind.
 */
function pruneOldBuilds(root, keep) {
  const dir = buildsDir(root);
  for (const name of readdirSync(dir)) {
    const pid = Number(/\.tmp-(\d+)$/.exec(name)?.[1]);
    if (pid && !isAlive(pid)) rmSync(join(dir, name), { recursive: true, force: true });
  }
  const builds = readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((p) => p !== keep && existsSync(join(p, COMPLETE)))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of builds.slice(KEEP_BUILDS - 1)) rmSync(old, { recursive: true, force: true });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await build();
}
