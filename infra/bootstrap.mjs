// First step of `npm test` and `npm run scan` on a fresh clone: install the npm dependencies when they
// are missing or stale (plain JavaScript, so it runs before anything is installed), then build the
// JavaScript and the workflow bundle for the sources as they are (infra/build.mjs; nothing to do when that
// build exists). The Temporal CLI is provisioned later, by the TypeScript launcher, when a server is first needed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.vigil-installed');
const want = createHash('sha256').update(readFileSync(lock)).digest('hex');

if (!existsSync(marker) || readFileSync(marker, 'utf8') !== want) {
  console.error('vigil: installing npm dependencies (npm ci) ...');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  writeFileSync(marker, want);
}

// After the install: the build needs TypeScript and the Temporal SDK. Without a build the CLI still runs
// (from the sources, through tsx, only slower to start), so a failed build is a warning, not a stop.
const { build } = await import('./build.mjs');
try {
  await build(root);
} catch (err) {
  console.error(`vigil: warning: the JavaScript build failed (${err.message}); the CLI will run the TypeScript sources through tsx.`);
}
