// infra/deploy/ cannot run here (no Docker daemon or cluster in the tests), so it is checked the way a CI
// gate would: Kubernetes manifests with kubeconform -strict against the Kubernetes schemas, the Compose
// file against the Compose specification's schema, and the environment each container gets against
// what the code it runs reads. Validators and schemas come from package registries, cached (infra/deploy-validators.ts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseKeyEntries } from '../api/auth/keys-file.js';
import { hashApiKey } from '../api/auth/tokens.js';
import { deployDir, readYamlDocuments, validateCompose, validateKubernetes } from '../infra/deploy-validators.js';
import { kubectlCommands, makeSecrets, SECRET_FILES } from '../infra/deploy/make-secrets.js';
import { payloadEncryptionFromEnv } from '../workers/codec/data-converter.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const deploy = deployDir();
const k8sDir = path.join(deploy, 'kubernetes');
const composeFile = path.join(deploy, 'compose.yaml');
const log = (line: string) => process.stderr.write(`# ${line}\n`);
let tmp: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-deploy-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of infra/deploy with `edit` applied to one file, for proving that the checks fail. */
function brokenCopy(name: string, file: string, edit: (text: string) => string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(deploy, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}secrets`) });
  const target = path.join(dir, file);
  const before = fs.readFileSync(target, 'utf8');
  const after = edit(before);
  assert.notEqual(after, before, `the edit of ${file} changed nothing: the test would prove nothing`);
  fs.writeFileSync(target, after);
  return dir;
}

describe('Kubernetes manifests (kubeconform -strict)', () => {
  test('are valid against the Kubernetes schemas', async () => {
    const result = await validateKubernetes([k8sDir], { log });
    assert.ok(result.ok, result.output);
    // Every object was checked against a schema (only the Kustomization is skipped), none merely passed over.
    const files = fs.readdirSync(k8sDir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(k8sDir, f));
    const objects = Object.values(await readYamlDocuments(files, { log })).flat().length;
    assert.match(result.output, new RegExp(`${objects} resources found .* Valid: ${objects - 1}, Invalid: 0, Errors: 0, Skipped: 1`));
  });

  test('kustomization.yaml lists every manifest in the directory', () => {
    const listed = /resources:\n((?:\s+- .+\n)+)/.exec(fs.readFileSync(path.join(k8sDir, 'kustomization.yaml'), 'utf8'))?.[1] ?? '';
    const resources = listed.split('\n').map((l) => l.replace(/^\s*-\s*/, '').trim()).filter(Boolean).sort();
    const files = fs.readdirSync(k8sDir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    assert.deepEqual(resources, files);
  });

  test('a field the API does not have is rejected', async () => {
    const dir = brokenCopy('k8s-unknown-field', 'kubernetes/vigil-api.yaml', (t) => t.replace('          args: ["serve"', '          argz: ["x"]\n          args: ["serve"'));
    const result = await validateKubernetes([path.join(dir, 'kubernetes')], { log });
    assert.equal(result.ok, false, result.output);
    assert.match(result.output, /Deployment vigil-api is invalid.*argz/);
  });

  test('a value of the wrong type is rejected', async () => {
    const dir = brokenCopy('k8s-wrong-type', 'kubernetes/vigil-worker.yaml', (t) => t.replace('replicas: 2', 'replicas: two'));
    const result = await validateKubernetes([path.join(dir, 'kubernetes')], { log });
    assert.equal(result.ok, false, result.output);
    assert.match(result.output, /Deployment vigil-worker is invalid.*replicas/);
  });
});

describe('Compose file (Compose specification schema)', () => {
  test('is valid', async () => {
    const result = await validateCompose(composeFile, { log });
    assert.ok(result.ok, result.output);
  });

  test('an unknown service key is rejected', async () => {
    const dir = brokenCopy('compose-unknown-key', 'compose.yaml', (t) => t.replace('    stop_grace_period: 60s', '    stop_grace_periods: 60s'));
    const result = await validateCompose(path.join(dir, 'compose.yaml'), { log });
    assert.equal(result.ok, false, result.output);
    assert.match(result.output, /stop_grace_periods/);
  });
});

// ---- environment variables ------------------------------------------------------------------------------

type Role = 'api' | 'worker';
interface ContainerEnv {
  where: string;
  image: string;
  role?: Role;
  names: Map<string, { secret: boolean; literal?: string }>;
}

/** Names the code reads: `env.NAME`, `env['NAME']` and 'NAME' string literals in the sources that run in the image. */
function namesTheCodeReads(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      // Library models describe the scanned code's environment, not Vigil's; infra/deploy is what is checked.
      if (entry.isDirectory()) {
        if (!['models', 'deploy', 'node_modules'].includes(entry.name)) walk(p);
      } else if (/\.(ts|js|mjs)$/.test(entry.name)) {
        const text = fs.readFileSync(p, 'utf8');
        for (const m of text.matchAll(/\benv(?:\.|\[['"`])([A-Z][A-Z0-9_]+)/g)) out.add(m[1]);
        for (const m of text.matchAll(/['"`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"`]/g)) out.add(m[1]);
      }
    }
  };
  for (const dir of ['activities', 'api', 'workers', 'infra', 'workflows']) walk(path.join(root, dir));
  return out;
}

/** `export NAME=` in a shell wrapper: the Compose file reads secret files into variables that way. */
function exportedNames(command: unknown): string[] {
  const text = Array.isArray(command) ? command.join('\n') : typeof command === 'string' ? command : '';
  return [...text.matchAll(/\bexport\s+([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]);
}

function roleOf(args: unknown): Role | undefined {
  const first = Array.isArray(args) ? args[0] : undefined;
  return first === 'serve' ? 'api' : first === 'worker' ? 'worker' : undefined;
}

async function kubernetesEnvs(dir: string): Promise<ContainerEnv[]> {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f));
  const docs = Object.values(await readYamlDocuments(files, { log })).flat() as any[];
  const configMaps = new Map<string, Record<string, string>>(docs.filter((d) => d.kind === 'ConfigMap').map((d) => [d.metadata.name, d.data ?? {}]));
  const out: ContainerEnv[] = [];
  for (const doc of docs) {
    const pod = doc.kind === 'CronJob' ? doc.spec.jobTemplate.spec.template.spec : doc.spec?.template?.spec;
    if (!pod) continue;
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      const names = new Map<string, { secret: boolean; literal?: string }>();
      for (const from of c.envFrom ?? []) {
        const data = configMaps.get(from.configMapRef?.name);
        assert.ok(data, `${doc.kind} ${doc.metadata.name}: envFrom names ConfigMap ${from.configMapRef?.name}, which is not among the manifests`);
        for (const [k, v] of Object.entries(data)) names.set(k, { secret: false, literal: String(v) });
      }
      for (const e of c.env ?? []) names.set(e.name, { secret: Boolean(e.valueFrom?.secretKeyRef), ...(e.value !== undefined ? { literal: String(e.value) } : {}) });
      for (const n of exportedNames(c.command)) names.set(n, { secret: true });
      out.push({ where: `${doc.kind} ${doc.metadata.name}, container ${c.name}`, image: c.image, role: roleOf(c.args), names });
    }
  }
  return out;
}

async function composeEnvs(file: string): Promise<ContainerEnv[]> {
  const [doc] = Object.values(await readYamlDocuments([file], { log }))[0] as any[];
  return Object.entries<any>(doc.services).map(([name, s]) => {
    const names = new Map<string, { secret: boolean; literal?: string }>();
    const env = Array.isArray(s.environment)
      ? Object.fromEntries(s.environment.map((kv: string) => [kv.split('=')[0], kv.split('=').slice(1).join('=')]))
      : (s.environment ?? {});
    for (const [k, v] of Object.entries(env)) names.set(k, { secret: false, literal: String(v) });
    for (const n of exportedNames(s.entrypoint)) names.set(n, { secret: true });
    return { where: `Compose service ${name}`, image: s.image, role: roleOf(s.command), names };
  });
}

/** ENV in the Dockerfile counts for every Vigil container. */
function dockerfileEnv(): string[] {
  const text = fs.readFileSync(path.join(deploy, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  return [...text.matchAll(/^ENV\s+(.+)$/gm)].flatMap((m) => [...m[1].matchAll(/([A-Z][A-Z0-9_]*)=/g)].map((x) => x[1]));
}

const isVigil = (c: ContainerEnv) => /^vigil[:@]/.test(c.image ?? '');

/**
 * What each role cannot do without, read from the code: a cluster (without TEMPORAL_ADDRESS `connectTemporal`
 * starts a dev server), the shared store (VIGIL_STORE=postgres needs VIGIL_DATABASE_URL), one keyring for all
 * replicas (without it each generates its own master.key), one set of API keys (without it each API replica
 * creates its own admin key), and a writable data directory (the default is under the read-only root).
 */
const REQUIRED: Record<Role, { anyOf: string[]; why: string }[]> = {
  api: [
    { anyOf: ['TEMPORAL_ADDRESS'], why: 'without it the process starts its own dev server' },
    { anyOf: ['VIGIL_STORE'], why: 'the shared PostgreSQL store' },
    { anyOf: ['VIGIL_DATABASE_URL'], why: 'VIGIL_STORE=postgres needs it' },
    { anyOf: ['VIGIL_MASTER_KEY', 'VIGIL_MASTER_KEY_FILE'], why: 'every replica needs the same keyring' },
    { anyOf: ['VIGIL_API_KEYS_FILE', 'VIGIL_API_KEYS'], why: 'every replica needs the same API keys' },
    { anyOf: ['VIGIL_DATA_DIR'], why: 'the default ~/.vigil is on the read-only root filesystem' },
    { anyOf: ['VIGIL_CODEC_CORS_ORIGINS'], why: 'the Web UI calls the codec endpoint from its own origin' },
  ],
  worker: [
    { anyOf: ['TEMPORAL_ADDRESS'], why: 'without it the process starts its own dev server' },
    { anyOf: ['VIGIL_STORE'], why: 'the shared PostgreSQL store' },
    { anyOf: ['VIGIL_DATABASE_URL'], why: 'VIGIL_STORE=postgres needs it' },
    { anyOf: ['VIGIL_MASTER_KEY', 'VIGIL_MASTER_KEY_FILE'], why: 'workers must decrypt what the API encrypts' },
    { anyOf: ['VIGIL_DATA_DIR'], why: 'the default ~/.vigil is on the read-only root filesystem' },
  ],
};

/** The problems with the environment of Vigil's containers: unknown names, missing required ones, literal secrets. */
function envProblems(containers: ContainerEnv[], known: Set<string>): string[] {
  const problems: string[] = [];
  const vigil = containers.filter(isVigil);
  assert.ok(vigil.some((c) => c.role === 'api') && vigil.some((c) => c.role === 'worker'), 'expected an API and a worker container');
  const fromImage = dockerfileEnv();
  for (const c of vigil) {
    const unknown = [...c.names.keys(), ...fromImage].filter((n) => !known.has(n));
    if (unknown.length) problems.push(`${c.where} sets ${[...new Set(unknown)].join(', ')}, which no code in activities/ api/ workers/ infra/ workflows/ reads`);
    for (const need of REQUIRED[c.role ?? 'worker']) {
      if (!need.anyOf.some((n) => c.names.has(n) || fromImage.includes(n))) problems.push(`${c.where} does not set ${need.anyOf.join(' or ')} (${need.why})`);
    }
    if (c.names.get('VIGIL_STORE')?.literal !== undefined && c.names.get('VIGIL_STORE')?.literal !== 'postgres') problems.push(`${c.where}: VIGIL_STORE must be postgres`);
  }
  // A secret's value never appears in the files: such variables come from a Secret or a secret file.
  for (const c of containers) {
    for (const [n, v] of c.names) {
      if (/PASSWORD$|PWD$|SECRET|API_KEY$|DATABASE_URL$|CODEC_ENDPOINT$|^VIGIL_MASTER_KEY$|^VIGIL_API_KEYS$/.test(n) && !v.secret) {
        problems.push(`${c.where} sets ${n} as a literal; take it from a Secret (Kubernetes) or a secret file (Compose)`);
      }
    }
  }
  return problems;
}

describe('environment variables', () => {
  const known = namesTheCodeReads();

  test('the required names are ones the code reads (the table above cannot drift from the code)', () => {
    const required = Object.values(REQUIRED).flatMap((r) => r.flatMap((x) => x.anyOf));
    assert.deepEqual(required.filter((n) => !known.has(n)), []);
  });

  test('Kubernetes: every variable set for Vigil is read by the code, the required ones are set, no secret is literal', async () => {
    assert.deepEqual(envProblems(await kubernetesEnvs(k8sDir), known), []);
  });

  test('Compose: every variable set for Vigil is read by the code, the required ones are set, no secret is literal', async () => {
    assert.deepEqual(envProblems(await composeEnvs(composeFile), known), []);
  });

  test('a misspelt, a missing and a literal secret variable are each reported by name', async () => {
    const dir = brokenCopy('env', 'kubernetes/vigil-config.yaml', (t) =>
      t.replace('  VIGIL_STORE: postgres', '  VIGIL_STOER: postgres').replace('  VIGIL_LOG_FORMAT: json', '  VIGIL_LOG_FORMAT: json\n  VIGIL_MASTER_KEY: c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI='),
    );
    const problems = envProblems(await kubernetesEnvs(path.join(dir, 'kubernetes')), known);
    assert.ok(problems.some((p) => /vigil-api.*sets VIGIL_STOER, which no code/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /vigil-worker.*does not set VIGIL_STORE/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /vigil-api.*sets VIGIL_MASTER_KEY as a literal/.test(p)), problems.join('\n'));
  });

  test('Temporal containers set only variables the pinned images read (server config template, SQL tool, UI config)', async () => {
    const gomod = (mod: string) => JSON.parse(execFileSync('go', ['mod', 'download', '-json', mod], { encoding: 'utf8' })).Dir as string;
    const server = fs.readFileSync(path.join(gomod('go.temporal.io/server@v1.29.1'), 'docker', 'config_template.yaml'), 'utf8');
    const sqlTool = fs.readFileSync(path.join(gomod('go.temporal.io/server@v1.29.1'), 'tools', 'sql', 'main.go'), 'utf8');
    const ui = fs.readFileSync(path.join(gomod('github.com/temporalio/ui-server/v2@v2.42.1'), 'config', 'docker.yaml'), 'utf8');
    const read = {
      // SERVICES is read by the image's start script (which services this process runs), not the template.
      server: new Set([...server.matchAll(/\.Env\.([A-Z0-9_]+)/g)].map((m) => m[1]).concat('SERVICES')),
      sqlTool: new Set([...sqlTool.matchAll(/EnvVar:\s*"([A-Z0-9_]+)"/g)].map((m) => m[1]).concat('SQL_DATABASE')),
      ui: new Set([...ui.matchAll(/env "([A-Z0-9_]+)"/g)].map((m) => m[1])),
    };
    const problems: string[] = [];
    for (const c of [...(await kubernetesEnvs(k8sDir)), ...(await composeEnvs(composeFile))]) {
      const names = [...c.names.keys()];
      const allowed = c.image?.startsWith('temporalio/server:') ? read.server : c.image?.startsWith('temporalio/ui:') ? read.ui
        : c.image?.startsWith('temporalio/admin-tools:') ? new Set([...read.sqlTool, 'TEMPORAL_ADDRESS']) : undefined;
      if (!allowed) continue;
      const unknown = names.filter((n) => !allowed.has(n));
      if (unknown.length) problems.push(`${c.where} (${c.image}) sets ${unknown.join(', ')}, which the image does not read`);
    }
    assert.ok(read.server.has('POSTGRES_PWD') && read.ui.has('TEMPORAL_CODEC_ENDPOINT') && read.sqlTool.has('SQL_PASSWORD'), 'the sources were not read');
    assert.deepEqual(problems, []);
  });
});

describe('make-secrets.ts', () => {
  test('writes every secret file the deployment mounts, consistent with each other, and never overwrites them', () => {
    const dir = path.join(tmp, 'secrets');
    const written = makeSecrets(dir, { apiUrl: 'http://localhost:8787' });
    assert.deepEqual(written.sort(), Object.values(SECRET_FILES).sort());
    const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');

    // The keys file holds the admin key's hash only, and loads as Vigil loads it.
    const [entry] = parseKeyEntries(read(SECRET_FILES.apiKeys), 'keys file');
    assert.equal(entry.sha256, hashApiKey(read(SECRET_FILES.adminKey).trim()));
    assert.ok(!read(SECRET_FILES.apiKeys).includes(read(SECRET_FILES.adminKey).trim()));
    assert.equal(fs.statSync(path.join(dir, SECRET_FILES.adminKey)).mode & 0o777, 0o600);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);

    // The Web UI's endpoint carries the token `vigil serve` accepts for this master key.
    const payloads = payloadEncryptionFromEnv(path.join(tmp, 'data'), { VIGIL_MASTER_KEY_FILE: path.join(dir, SECRET_FILES.masterKey) });
    assert.equal(read(SECRET_FILES.codecUiEndpoint), `http://localhost:8787/codec/ui/${payloads!.codec.uiToken}`);

    // The database URL names the password PostgreSQL is given.
    const url = new URL(read(SECRET_FILES.databaseUrl));
    assert.equal(decodeURIComponent(url.password), read(SECRET_FILES.postgresPassword));
    assert.equal(`${url.hostname}${url.pathname}`, 'postgres/vigil');

    const before = Object.fromEntries(Object.values(SECRET_FILES).map((n) => [n, read(n)]));
    assert.deepEqual(makeSecrets(dir, { apiUrl: 'http://elsewhere:1' }), []);
    assert.deepEqual(Object.fromEntries(Object.values(SECRET_FILES).map((n) => [n, read(n)])), before);
  });

  test('the Secret keys it loads are the ones the manifests reference', async () => {
    const commands = kubectlCommands('/s').join('\n');
    const docs = Object.values(await readYamlDocuments(fs.readdirSync(k8sDir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(k8sDir, f)), { log })).flat();
    const refs = new Set<string>();
    JSON.stringify(docs, (k, v) => {
      if (v && typeof v === 'object' && typeof v.name === 'string' && typeof v.key === 'string' && !v.optional) refs.add(`${v.name}/${v.key}`);
      if (v && typeof v === 'object' && typeof v.secretName === 'string') for (const i of v.items ?? []) refs.add(`${v.secretName}/${i.key}`);
      return v;
    });
    assert.ok(refs.size >= 4, [...refs].join(', '));
    for (const ref of refs) {
      const [secret, key] = ref.split('/');
      assert.match(commands, new RegExp(`create secret generic ${secret} .*--from-file=${key.replace('.', '\\.')}=`), `${ref} is not created by make-secrets`);
    }
  });
});
