// The API keys file: a JSON array of {id, name, tenant, roles, sha256, roots?}. It holds hashes only; a plaintext
// key exists once, in the answer to whoever created it (or in admin.key for the first, bootstrap key).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Role } from '../../workflows/definitions.js';
import { generateApiKey, hashApiKey } from './tokens.js';

/** The roles the first admin key gets. */
export const ROLES = ['scanner', 'approver', 'operator'] as const satisfies readonly Role[];
/** Every role a key may list: `admin` (tenant deletion, irreversible) only where an operator grants it. */
export const ALL_ROLES = [...ROLES, 'admin'] as const satisfies readonly Role[];
export const roleSchema = z.enum(ALL_ROLES);

// Tenants end up in workflow ids and visibility queries, so they are kept to a quote-free alphabet.
export const tenantSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'tenant must be 1-63 characters of a-z, 0-9, "_" or "-", starting with a letter or digit');

export const keyNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]+$/u, 'name must not contain control characters');

/** An absolute directory, as listed in a key's optional "roots". */
export const rootPathSchema = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^\/[^\0]*$/, 'each root must be an absolute path (starting with "/")');

export const apiKeyEntrySchema = z.object({
  id: z.string().min(1).max(100),
  name: keyNameSchema,
  tenant: tenantSchema,
  roles: z.array(roleSchema).min(1),
  // Either case is accepted (sha256sum prints lowercase, other tools upper); compared as bytes.
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'sha256 must be the 64 hex characters of the key\'s SHA-256 (printf %s "$KEY" | sha256sum)')
    .transform((hex) => hex.toLowerCase()),
  /**
   * Optional: the only directories this key may scan and write branches into, each within the server's
   * VIGIL_SCAN_ROOTS (the key gets the intersection). Absent: the server's roots. Empty: no local paths.
   */
  roots: z.array(rootPathSchema).max(64).optional(),
});
export type ApiKeyEntry = z.infer<typeof apiKeyEntrySchema>;

export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIGIL_DATA_DIR || join(homedir(), '.vigil');
}

export function resolveKeysFile(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.VIGIL_API_KEYS_FILE || join(dataDir, 'api-keys.json');
}

/** Validates a JSON array of key entries; `origin` names where it came from so the error says what to fix. */
export function parseKeyEntries(json: string, origin: string): ApiKeyEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`${origin} is not valid JSON (${(err as Error).message}); fix it or remove it.`);
  }
  const plaintext = Array.isArray(raw) ? raw.findIndex((e) => e !== null && typeof e === 'object' && 'key' in e) : -1;
  if (plaintext >= 0) {
    // Never echo the value: it may be a live key.
    throw new Error(
      `${origin}: ${describeEntry(raw as unknown[], plaintext)} has a "key" field, but the keys file holds only hashes. ` +
        'Replace it with "sha256": the SHA-256 of the key (printf %s "$KEY" | sha256sum); keys are printable ASCII (vgl_...).',
    );
  }
  const parsed = z.array(apiKeyEntrySchema).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => {
        const [index, ...field] = i.path;
        const where = typeof index === 'number' ? `${describeEntry(raw as unknown[], index)}${field.length ? ` ${field.join('.')}` : ''}` : '(root)';
        return `${where}: ${i.message}`;
      })
      .join('; ');
    throw new Error(`${origin} must be a JSON array of {id, name, tenant, roles, sha256, roots?}: ${problems}. Fix or remove those entries.`);
  }
  return parsed.data;
}

/** 'entry 2 (id key_ab12, name "ci")': enough to find it in the file, nothing secret. */
function describeEntry(entries: unknown[], index: number): string {
  const e = entries[index] as { id?: unknown; name?: unknown } | null;
  const safe = (v: unknown) => (typeof v === 'string' && /^[\x20-\x7e]{1,100}$/.test(v) ? v : undefined);
  const id = safe(e?.id);
  const name = safe(e?.name);
  const labels = [id ? `id ${id}` : '', name ? `name ${JSON.stringify(name)}` : ''].filter(Boolean).join(', ');
  return `entry ${index}${labels ? ` (${labels})` : ''}`;
}

/** The keys file's entries; a missing file has none. */
export async function readKeysFile(file: string): Promise<ApiKeyEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text.trim() === '' ? [] : parseKeyEntries(text, `API keys file ${file}`);
}

/** Writes atomically (temp file + rename) with mode 0600, so a crash never leaves half a file. */
async function writePrivateFile(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode: 0o600, flag: 'wx' });
  await rename(tmp, file);
}

export async function writeKeysFile(file: string, entries: ApiKeyEntry[]): Promise<void> {
  await writePrivateFile(file, JSON.stringify(entries, null, 2) + '\n');
}

export interface CreateApiKeyInput {
  tenant: string;
  roles: Role[];
  name: string;
  keysFile: string;
}

/** Creates a key and appends its hash. The returned plaintext is the only copy: hand it over, never log it. */
export async function createApiKey(input: CreateApiKeyInput): Promise<{ key: string; entry: ApiKeyEntry }> {
  const key = generateApiKey();
  const entry = apiKeyEntrySchema.parse({
    id: `key_${randomBytes(6).toString('hex')}`,
    name: input.name,
    tenant: input.tenant,
    roles: [...new Set(input.roles)],
    sha256: hashApiKey(key),
  });
  const entries = await readKeysFile(input.keysFile);
  await writeKeysFile(input.keysFile, [...entries, entry]);
  return { key, entry };
}

export type EnsureAdminKeyResult =
  | { created: true; keyPath: string; keysFile: string }
  | { created: false; keysFile: string };

/**
 * First start of the embedded default: when the keys file holds no key, creates an all-roles key for
 * tenant 'default' and writes its plaintext to <dataDir>/admin.key (0600). Returns that path so the caller
 * can say where the key is; the key itself is never returned or printed.
 */
export async function ensureAdminKey(
  dataDir: string,
  opts: { keysFile?: string } = {},
): Promise<EnsureAdminKeyResult> {
  const keysFile = opts.keysFile ?? resolveKeysFile(dataDir);
  const entries = await readKeysFile(keysFile);
  if (entries.length > 0) return { created: false, keysFile };

  const key = generateApiKey();
  const keyPath = join(dataDir, 'admin.key');
  // Plaintext first: if we crash before the hash lands, the next start simply makes a new key.
  await writePrivateFile(keyPath, key + '\n');
  const entry: ApiKeyEntry = {
    id: `key_${randomBytes(6).toString('hex')}`,
    name: 'admin',
    tenant: 'default',
    roles: [...ROLES],
    sha256: hashApiKey(key),
  };
  await writeKeysFile(keysFile, [entry]);
  return { created: true, keyPath, keysFile };
}
