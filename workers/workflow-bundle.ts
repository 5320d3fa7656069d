// Bundling workflow code takes seconds. The JavaScript build (infra/build.mjs, .build/<hash>/) carries the bundle
// made from the same sources as its modules, and a worker running from it loads that file. Run from the
// TypeScript sources (tests, a changed source), the bundle depends only on the workflow sources and the SDK
// version, so it is cached on disk under that hash and reused by every worker process.
import { bundleWorkflowCode } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mark } from '../infra/timings.js';

const here = dirname(fileURLToPath(import.meta.url));
export const workflowsDir = join(here, '..', 'workflows');

function sourcesHash(): string {
  const h = createHash('sha256');
  const sdk = createRequire(import.meta.url)('@temporalio/workflow/package.json') as { version: string };
  h.update(sdk.version);
  for (const f of readdirSync(workflowsDir).sort()) {
    h.update(f).update(readFileSync(join(workflowsDir, f)));
  }
  return h.digest('hex').slice(0, 20);
}

function cacheDir(): string {
  return process.env.VIGIL_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vigil');
}

/** Set only in a build: <build>/workflow-bundle.js, beside the BUILD_COMPLETE marker of that build. */
function prebuiltBundle(): string | undefined {
  const root = join(here, '..');
  const file = join(root, 'workflow-bundle.js');
  return existsSync(join(root, 'BUILD_COMPLETE')) && existsSync(file) ? file : undefined;
}

export async function workflowBundle(): Promise<{ code: string } | { codePath: string }> {
  const prebuilt = prebuiltBundle();
  if (prebuilt) return { codePath: prebuilt };
  const file = join(cacheDir(), 'workflow-bundles', `${sourcesHash()}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const { code } = await bundleWorkflowCode({ workflowsPath: join(workflowsDir, 'index.ts'), logger: quietLogger });
  mkdirSync(dirname(file), { recursive: true });
  // Write then rename, so a concurrent reader never sees half a bundle.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  return { code };
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
