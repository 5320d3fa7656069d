// First step of `npm test` and `npm run scan` on a fresh clone: install the npm dependencies when they
// are missing or stale (plain JavaScript, so it runs before anything is installed), then build the
// JavaScript and the workflow bundle for the sources as they are (infra/build.mjs; nothing to do when that
// build exists), provision the embedding model for retrieval once (infra/embedding-model.ts) and embed the guidance once (infra/guidance-vectors.ts). The Temporal CLI is provisioned later, by the TypeScript launcher, when a server is first needed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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

// The embedding model (decision memory) is an install step, never a scan's: fetched once into the cache.
// Without it scans still run, without similar past decisions, so a failure here is a warning too.
const pins = JSON.parse(readFileSync(join(root, 'infra', 'embedding-model.json'), 'utf8'));
const digest = createHash('sha256').update(pins.wheels.map((w) => w.sha256).join(',')).digest('hex').slice(0, 12);
const xdg = process.env.XDG_CACHE_HOME;
const cache = process.env.VIGIL_CACHE_DIR
  ? resolve(process.env.VIGIL_CACHE_DIR)
  : join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'vigil');
if (process.env.VIGIL_RETRIEVAL !== 'off' && !existsSync(join(cache, 'models', `all-minilm-l6-v2-int8-${digest}`, 'vigil-provisioned'))) {
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'infra', 'embedding-model.ts')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    console.error('vigil: warning: the embedding model was not provisioned; scans run without similar past decisions (retry with `npm run models:fetch`).');
  }
}

// The guidance passages embedded once per machine into the shared cache (infra/guidance-vectors.ts), again only
// when the model or the guidance changed: without it each fresh data directory's first scan would embed them.
const modelDir = join(cache, 'models', `all-minilm-l6-v2-int8-${digest}`);
if (process.env.VIGIL_RETRIEVAL !== 'off' && existsSync(join(modelDir, 'vigil-provisioned'))) {
  const guidanceDir = join(root, 'activities', 'retrieval', 'guidance');
  const docs = existsSync(guidanceDir) ? readdirSync(guidanceDir).filter((f) => f.endsWith('.md')).sort() : [];
  const hash = createHash('sha256').update(digest);
  for (const f of docs) hash.update(`\0${f}\0`).update(readFileSync(join(guidanceDir, f)));
  const warm = join(cache, 'guidance', `warm-${hash.digest('hex').slice(0, 16)}`);
  if (docs.length > 0 && !existsSync(warm)) {
    try {
      execFileSync(process.execPath, ['--import', 'tsx', join(root, 'infra', 'guidance-vectors.ts')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
      mkdirSync(dirname(warm), { recursive: true });
      writeFileSync(warm, '');
    } catch {
      console.error('vigil: warning: the guidance was not embedded ahead; the first scan embeds it (retry with `npm run guidance:embed`).');
    }
  }
}
