// Off-the-shelf validators for infra/deploy/, fetched once from package registries into the cache directory
// (never from GitHub at run time) and pinned, so validation runs offline after the first fetch:
//  - kubeconform, built from the Go module proxy;
//  - the Kubernetes JSON schemas shipped in the kubernetes-validate wheel (PyPI), pinned by sha256;
//  - the Compose specification's JSON schema shipped in the compose-go Go module (what `docker compose`
//    validates with), pinned by its go.sum hash;
//  - check-jsonschema (PyPI) to validate the Compose file against it, in a private venv whose ruamel.yaml
//    also turns the YAML files into JSON for the environment-variable checks.
// `node --import tsx infra/deploy-validators.ts` validates infra/deploy/ and prints what it found.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { vigilCacheDir, withDirLock } from './data-dir.js';
import { findOnPath } from './temporal-cli.js';

const execFileAsync = promisify(execFile);

export const KUBECONFORM_VERSION = 'v0.7.0';
const KUBECONFORM_PACKAGE = 'github.com/yannh/kubeconform/cmd/kubeconform';
/** The Kubernetes version the manifests are validated against (the schemas of that release). */
export const KUBERNETES_VERSION = '1.33.0';
export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
const KUBERNETES_VALIDATE_WHEEL_SHA256 = '85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9';
export const COMPOSE_GO_VERSION = 'v2.16.2';
const COMPOSE_GO_MODULE = 'github.com/compose-spec/compose-go/v2';
const COMPOSE_GO_SUM = 'h1:pTp1DqQwJzFd85GzlWsSszKA1ABrV/ySqsClujIcWA8=';
export const CHECK_JSONSCHEMA_VERSION = '0.39.0';

export interface ToolOptions {
  log?: (line: string) => void;
}

/** `<cache>/deploy-validators/…`: everything this file fetches, one directory per pinned version. */
function toolsDir(...parts: string[]): string {
  return path.join(vigilCacheDir(), 'deploy-validators', ...parts);
}

/** A directory is complete once its marker exists: the marker is written last, so a half-done fetch is redone. */
function isComplete(dir: string): boolean {
  return fs.existsSync(path.join(dir, '.vigil-complete'));
}

function markComplete(dir: string, what: string): void {
  fs.writeFileSync(path.join(dir, '.vigil-complete'), `${what}\n`);
}

/**
 * Fills `dir` once, under a lock. By default into a fresh directory renamed into place, so readers never see
 * half of it; `inPlace` for a venv, whose scripts record their own path (its marker, written last, is what
 * readers trust).
 */
async function ensureDir(
  dir: string,
  what: string,
  fill: (target: string) => Promise<void>,
  log: (line: string) => void,
  inPlace = false,
): Promise<string> {
  if (isComplete(dir)) return dir;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  return withDirLock(
    `${dir}.lock`,
    async () => {
      if (isComplete(dir)) return dir;
      log(`Fetching ${what} into ${dir} (once)...`);
      if (inPlace) {
        fs.rmSync(dir, { recursive: true, force: true });
        await fill(dir);
        markComplete(dir, what);
        return dir;
      }
      const tmp = fs.mkdtempSync(`${dir}.fetch-`);
      try {
        await fill(tmp);
        markComplete(tmp, what);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(tmp, dir);
        return dir;
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
    { purpose: `fetch ${what}`, timeoutMs: 20 * 60_000, log },
  );
}

async function run(cmd: string, args: string[], what: string, advice: string, env?: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await execFileAsync(cmd, args, { timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024, env: env ?? process.env });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const tail = (e.stderr ?? '').trim().split('\n').slice(-8).join('\n');
    throw new Error(`Could not ${what}: ${tail || e.message}. ${advice}`, { cause: err });
  }
}

function go(): string {
  const bin = findOnPath('go');
  if (!bin) throw new Error('Validating infra/deploy needs Go once, to build kubeconform and fetch the Compose schema from the Go module proxy. Install Go (https://go.dev/dl/).');
  return bin;
}

/** Absolute path of the pinned kubeconform, built with `go install` on first use. */
export async function ensureKubeconform(opts: ToolOptions = {}): Promise<string> {
  const dir = toolsDir('kubeconform', KUBECONFORM_VERSION);
  await ensureDir(
    dir,
    `kubeconform ${KUBECONFORM_VERSION}`,
    async (tmp) => {
      await run(go(), ['install', `${KUBECONFORM_PACKAGE}@${KUBECONFORM_VERSION}`], `go install kubeconform ${KUBECONFORM_VERSION}`,
        `Check access to the Go module proxy (GOPROXY=${process.env.GOPROXY ?? 'default'}).`, { ...process.env, GOBIN: tmp });
    },
    opts.log ?? (() => {}),
  );
  return path.join(dir, 'kubeconform');
}

function venvBin(venv: string, name: string): string {
  return path.join(venv, 'bin', name);
}

/** A private venv with check-jsonschema (and its ruamel.yaml); returns the venv directory. */
export async function ensureValidatorVenv(opts: ToolOptions = {}): Promise<string> {
  return ensureDir(
    toolsDir('python', `check-jsonschema-${CHECK_JSONSCHEMA_VERSION}`),
    `check-jsonschema ${CHECK_JSONSCHEMA_VERSION}`,
    async (tmp) => {
      const python = process.env.VIGIL_PYTHON ?? 'python3';
      await run(python, ['-m', 'venv', tmp], 'create a Python venv', 'Install Python 3.9+ with venv (apt-get install python3-venv), or set VIGIL_PYTHON.');
      await run(venvBin(tmp, 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `check-jsonschema==${CHECK_JSONSCHEMA_VERSION}`],
        `pip install check-jsonschema==${CHECK_JSONSCHEMA_VERSION}`, 'Check that pip can reach PyPI (proxy, PIP_INDEX_URL).');
    },
    opts.log ?? (() => {}),
    true,
  );
}

/**
 * The Kubernetes JSON schemas of KUBERNETES_VERSION (strict: no properties the API does not define), from
 * the kubernetes-validate wheel. Its schemas name each other by `$id` under https://kubernetes.io/; here
 * every `$ref` is made relative to the schema file and the `$id`s dropped, so kubeconform resolves them on
 * disk. Returns kubeconform's -schema-location template.
 */
export async function ensureKubernetesSchemas(opts: ToolOptions = {}): Promise<string> {
  const log = opts.log ?? (() => {});
  const venv = await ensureValidatorVenv(opts);
  const flavour = `v${KUBERNETES_VERSION}-local-strict`;
  const dir = toolsDir('kubernetes-json-schema', `kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}`, flavour);
  await ensureDir(
    dir,
    `Kubernetes ${KUBERNETES_VERSION} JSON schemas (kubernetes-validate ${KUBERNETES_VALIDATE_VERSION})`,
    async (tmp) => {
      const download = path.join(tmp, 'download');
      await run(venvBin(venv, 'python'), ['-m', 'pip', 'download', '--disable-pip-version-check', '--quiet', '--no-deps', '--only-binary=:all:',
        `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`, '-d', download], `pip download kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`,
        'Check that pip can reach PyPI (proxy, PIP_INDEX_URL).');
      const wheel = path.join(download, `kubernetes_validate-${KUBERNETES_VALIDATE_VERSION}-py3-none-any.whl`);
      const sha = createHash('sha256').update(fs.readFileSync(wheel)).digest('hex');
      if (sha !== KUBERNETES_VALIDATE_WHEEL_SHA256) {
        throw new Error(`${path.basename(wheel)} has sha256 ${sha}, expected ${KUBERNETES_VALIDATE_WHEEL_SHA256}: the index served a different file. Refusing to use it.`);
      }
      const prefix = `kubernetes_validate/kubernetes-json-schema/${flavour}/`;
      const extracted = path.join(tmp, 'extracted');
      await run(venvBin(venv, 'python'), ['-c', EXTRACT_PY, wheel, prefix, extracted], `extract ${prefix} from ${path.basename(wheel)}`,
        `kubernetes-validate ${KUBERNETES_VALIDATE_VERSION} should ship ${prefix}; pick a KUBERNETES_VERSION it has.`);
      let count = 0;
      for (const name of fs.readdirSync(extracted)) {
        const schema = JSON.parse(fs.readFileSync(path.join(extracted, name), 'utf8')) as unknown;
        fs.writeFileSync(path.join(tmp, name), JSON.stringify(localiseRefs(schema)));
        count++;
      }
      fs.rmSync(download, { recursive: true, force: true });
      fs.rmSync(extracted, { recursive: true, force: true });
      if (!fs.existsSync(path.join(tmp, 'deployment-apps-v1.json'))) throw new Error(`No Deployment schema among the ${count} files of ${prefix}.`);
      log(`${count} Kubernetes ${KUBERNETES_VERSION} schemas ready.`);
    },
    log,
  );
  return `${dir}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
}

const EXTRACT_PY = `
import os, sys, zipfile
wheel, prefix, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.startswith(prefix) and n.endswith('.json') and '/' not in n[len(prefix):]]
    if not names:
        sys.exit('no files under ' + prefix)
    for n in names:
        with open(os.path.join(out, n[len(prefix):]), 'wb') as f:
            f.write(z.read(n))
`;

const KUBERNETES_ID = /^https:\/\/kubernetes\.io\//;

/** `/api/_definitions.json#/$defs/X` → `_definitions.json#/$defs/X`, and no `$id`s under https://kubernetes.io/. */
export function localiseRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(localiseRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$id' && typeof v === 'string' && KUBERNETES_ID.test(v)) continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('/api/')) out[k] = v.slice('/api/'.length);
    else out[k] = localiseRefs(v);
  }
  return out;
}

/** The Compose specification's JSON schema, from the compose-go module (verified against its pinned go.sum hash). */
export async function ensureComposeSchema(opts: ToolOptions = {}): Promise<string> {
  const dir = toolsDir('compose-spec', COMPOSE_GO_VERSION);
  await ensureDir(
    dir,
    `the Compose schema of compose-go ${COMPOSE_GO_VERSION}`,
    async (tmp) => {
      const out = await run(go(), ['mod', 'download', '-json', `${COMPOSE_GO_MODULE}@${COMPOSE_GO_VERSION}`], `go mod download ${COMPOSE_GO_MODULE}@${COMPOSE_GO_VERSION}`,
        `Check access to the Go module proxy (GOPROXY=${process.env.GOPROXY ?? 'default'}).`);
      const info = JSON.parse(out) as { Dir?: string; Sum?: string; Error?: string };
      if (info.Error || !info.Dir) throw new Error(`go mod download ${COMPOSE_GO_MODULE}@${COMPOSE_GO_VERSION} failed: ${info.Error ?? 'no directory'}`);
      if (info.Sum !== COMPOSE_GO_SUM) throw new Error(`${COMPOSE_GO_MODULE}@${COMPOSE_GO_VERSION} has hash ${info.Sum}, expected ${COMPOSE_GO_SUM}. Refusing to use it.`);
      fs.copyFileSync(path.join(info.Dir, 'schema', 'compose-spec.json'), path.join(tmp, 'compose-spec.json'));
    },
    opts.log ?? (() => {}),
  );
  return path.join(dir, 'compose-spec.json');
}

export interface ValidationResult {
  ok: boolean;
  /** The validator's own report, for the failure message. */
  output: string;
}

/** kubeconform -strict over `paths` (files or directories); Kustomization files are not Kubernetes objects. */
export async function validateKubernetes(paths: string[], opts: ToolOptions = {}): Promise<ValidationResult> {
  const [kubeconform, location] = await Promise.all([ensureKubeconform(opts), ensureKubernetesSchemas(opts)]);
  const args = ['-strict', '-summary', '-kubernetes-version', KUBERNETES_VERSION, '-schema-location', location, '-skip', 'Kustomization', ...paths];
  return outcome(kubeconform, args);
}

/** check-jsonschema against the Compose specification's schema. */
export async function validateCompose(file: string, opts: ToolOptions = {}): Promise<ValidationResult> {
  const [venv, schema] = await Promise.all([ensureValidatorVenv(opts), ensureComposeSchema(opts)]);
  return outcome(venvBin(venv, 'check-jsonschema'), ['--schemafile', schema, file]);
}

async function outcome(cmd: string, args: string[]): Promise<ValidationResult> {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, output: `${stdout}${stderr}`.trim() };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number | string; message: string };
    if (typeof e.code !== 'number') throw err; // it did not run at all
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() };
  }
}

/** Every YAML document of each file, as parsed data (through the venv's ruamel.yaml, merge keys resolved). */
export async function readYamlDocuments(files: string[], opts: ToolOptions = {}): Promise<Record<string, unknown[]>> {
  const venv = await ensureValidatorVenv(opts);
  const out = await run(venvBin(venv, 'python'), ['-c', YAML_TO_JSON_PY, ...files], 'parse YAML', 'Fix the YAML syntax the error names.');
  return JSON.parse(out) as Record<string, unknown[]>;
}

const YAML_TO_JSON_PY = `
import json, sys
from ruamel.yaml import YAML
yaml = YAML(typ='safe', pure=True)
out = {}
for f in sys.argv[1:]:
    with open(f) as fh:
        out[f] = [d for d in yaml.load_all(fh) if d is not None]
print(json.dumps(out, default=str))
`;

/** The repository's infra/deploy directory. */
export function deployDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'deploy');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const dir = process.argv[2] ?? deployDir();
  const k8s = await validateKubernetes([path.join(dir, 'kubernetes')], { log });
  const compose = await validateCompose(path.join(dir, 'compose.yaml'), { log });
  console.log(`kubeconform ${KUBECONFORM_VERSION}, Kubernetes ${KUBERNETES_VERSION} schemas: ${k8s.ok ? 'valid' : 'INVALID'}\n${k8s.output}`);
  console.log(`Compose spec (compose-go ${COMPOSE_GO_VERSION}): ${compose.ok ? 'valid' : 'INVALID'}\n${compose.output}`);
  process.exitCode = k8s.ok && compose.ok ? 0 : 1;
}
