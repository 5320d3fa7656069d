// Writes the secret files infra/deploy/ expects, once (an existing file is never overwritten):
//   node --import tsx infra/deploy/make-secrets.ts [dir=infra/deploy/secrets] [--api-url http://localhost:8787]
// postgres_password, vigil_database_url, vigil_master_key, vigil_api_keys.json (the hash of a new admin key,
// whose plaintext goes to admin.key and nowhere else), codec_ui_endpoint (the Web UI's codec URL with the
// decode-only token derived from the master key) and an empty anthropic_api_key. The Compose file mounts
// them as secrets; for Kubernetes it prints the `kubectl create secret` commands that load the same files.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseKeyring } from '../../activities/crypto/keyring.js';
import { ROLES, type ApiKeyEntry } from '../../api/auth/keys-file.js';
import { generateApiKey, hashApiKey } from '../../api/auth/tokens.js';
import { createEncryptionCodec } from '../../workers/codec/encryption-codec.js';

export interface MakeSecretsOptions {
  /** The API's URL as a browser reaches it (the Web UI calls the codec endpoint from the browser). */
  apiUrl: string;
  /** Host and database of PostgreSQL as the Vigil containers reach it (the Service / Compose name). */
  databaseHost?: string;
}

/** What each secret file is called; the Compose file and the Kubernetes Secret keys use these names. */
export const SECRET_FILES = {
  postgresPassword: 'postgres_password',
  databaseUrl: 'vigil_database_url',
  masterKey: 'vigil_master_key',
  apiKeys: 'vigil_api_keys.json',
  adminKey: 'admin.key',
  codecUiEndpoint: 'codec_ui_endpoint',
  anthropicApiKey: 'anthropic_api_key',
} as const;

/** Creates the missing files in `dir`; returns the names it wrote. */
export function makeSecrets(dir: string, opts: MakeSecretsOptions): string[] {
  const url = new URL(opts.apiUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--api-url must be an http(s) URL (got ${opts.apiUrl}).`);
  // The directory keeps the files private on the host; the files themselves must be readable by the
  // containers' own users (Compose bind-mounts them as they are), hence 0644 inside a 0700 directory.
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const written: string[] = [];
  const file = (name: string) => path.join(dir, name);
  const put = (name: string, content: () => string) => {
    if (fs.existsSync(file(name))) return;
    fs.writeFileSync(file(name), content(), { mode: 0o644, flag: 'wx' });
    written.push(name);
  };
  put(SECRET_FILES.postgresPassword, () => randomBytes(24).toString('base64url'));
  const password = fs.readFileSync(file(SECRET_FILES.postgresPassword), 'utf8').trim();
  put(SECRET_FILES.databaseUrl, () => `postgres://vigil:${encodeURIComponent(password)}@${opts.databaseHost ?? 'postgres'}:5432/vigil`);
  put(SECRET_FILES.masterKey, () => `${randomBytes(32).toString('base64')}\n`);
  if (!fs.existsSync(file(SECRET_FILES.apiKeys))) {
    const key = generateApiKey();
    const entry: ApiKeyEntry = { id: `key_${randomBytes(6).toString('hex')}`, name: 'admin', tenant: 'default', roles: [...ROLES], sha256: hashApiKey(key) };
    // Plaintext only for the operator, 0600, and not mounted anywhere.
    if (!fs.existsSync(file(SECRET_FILES.adminKey))) {
      fs.writeFileSync(file(SECRET_FILES.adminKey), `${key}\n`, { mode: 0o600, flag: 'wx' });
      written.push(SECRET_FILES.adminKey);
    }
    put(SECRET_FILES.apiKeys, () => `${JSON.stringify([entry], null, 2)}\n`);
  }
  const keyring = parseKeyring(fs.readFileSync(file(SECRET_FILES.masterKey), 'utf8'), file(SECRET_FILES.masterKey));
  const base = opts.apiUrl.replace(/\/+$/, '');
  put(SECRET_FILES.codecUiEndpoint, () => `${base}/codec/ui/${createEncryptionCodec(keyring).uiToken}`);
  put(SECRET_FILES.anthropicApiKey, () => '');
  return written;
}

/** The commands that load the same files into the Secrets the Kubernetes manifests name. */
export function kubectlCommands(dir: string): string[] {
  const f = (name: string) => path.join(dir, name);
  return [
    `kubectl create namespace vigil`,
    `kubectl -n vigil create secret generic vigil-postgres --from-file=password=${f(SECRET_FILES.postgresPassword)}`,
    `kubectl -n vigil create secret generic vigil-secrets --from-file=database-url=${f(SECRET_FILES.databaseUrl)} ` +
      `--from-file=master-key=${f(SECRET_FILES.masterKey)} --from-file=api-keys.json=${f(SECRET_FILES.apiKeys)} ` +
      `--from-file=codec-ui-endpoint=${f(SECRET_FILES.codecUiEndpoint)}` +
      ` # add --from-file=anthropic-api-key=<file> for the Claude engine`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'api-url': { type: 'string', default: 'http://localhost:8787' }, 'database-host': { type: 'string' } },
  });
  const dir = path.resolve(positionals[0] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'secrets'));
  const written = makeSecrets(dir, { apiUrl: values['api-url']!, ...(values['database-host'] ? { databaseHost: values['database-host'] } : {}) });
  console.error(written.length ? `Wrote ${written.join(', ')} in ${dir}.` : `All secret files already exist in ${dir}; nothing written.`);
  console.error(`The admin API key is in ${path.join(dir, SECRET_FILES.adminKey)}. For Kubernetes:`);
  for (const line of kubectlCommands(dir)) console.log(line);
}
