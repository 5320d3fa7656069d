// Master keys for encryption at rest and of Temporal payloads. A keyring holds several master keys with
// one active: new rows and payloads use the active key, rows written under an older key still decrypt.
// Sources: VIGIL_MASTER_KEY (base64, or "id:base64,id:base64" newest first), VIGIL_MASTER_KEY_FILE, or
// the data directory's generated master.key (0600, created on first start).
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** Used for every new encryption. */
  active: MasterKey;
  /** Every key that can still decrypt, by id. */
  byId: Map<string, MasterKey>;
  /**
   * Keys the keyed hashes (obfuscated paths, token hashes, namespace names) are derived from. It is the
   * oldest key and does not change on rotation, so rows stay findable; rotating it means re-indexing.
   */
  index: MasterKey;
}

export const MASTER_KEY_FILE = 'master.key';

function keyId(key: Buffer): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where}: a master key must be 32 bytes in base64 (got ${key.length} bytes); generate one with \`openssl rand -base64 32\`.`);
  return key;
}

/** Parses "base64" or "id:base64,id:base64" (newest first), or the JSON file form {keys:[{id,key}]}. */
export function parseKeyring(text: string, where: string): Keyring {
  const trimmed = text.trim();
  let keys: MasterKey[];
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as { keys?: { id: string; key: string }[] };
    keys = (parsed.keys ?? []).map((k) => ({ id: k.id, key: decodeKey(k.key, where) }));
  } else {
    keys = trimmed
      .split(/[,\n]/)
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const colon = entry.indexOf(':');
        if (colon > 0) return { id: entry.slice(0, colon), key: decodeKey(entry.slice(colon + 1), where) };
        const key = decodeKey(entry, where);
        return { id: keyId(key), key };
      });
  }
  if (keys.length === 0) throw new Error(`${where}: no master key found.`);
  const byId = new Map<string, MasterKey>();
  for (const k of keys) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(k.id)) throw new Error(`${where}: key id "${k.id}" must be 1-64 of [A-Za-z0-9_.-].`);
    if (byId.has(k.id)) throw new Error(`${where}: key id "${k.id}" appears twice.`);
    byId.set(k.id, k);
  }
  return { active: keys[0]!, byId, index: keys[keys.length - 1]! };
}

export function keyringFromKeys(keys: Buffer[] | MasterKey[]): Keyring {
  const list = keys.map((k) => (Buffer.isBuffer(k) ? { id: keyId(k), key: k } : k));
  return { active: list[0]!, byId: new Map(list.map((k) => [k.id, k])), index: list[list.length - 1]! };
}

/** True when the environment configures a master key explicitly (not the generated file). */
export function masterKeyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.VIGIL_MASTER_KEY || env.VIGIL_MASTER_KEY_FILE);
}

/**
 * The keyring from the environment, else `<dataDir>/master.key`, generated (0600) when `generate` is set
 * and the file does not exist yet. Returns undefined when there is no key and none may be generated.
 */
export function loadKeyring(opts: { env?: NodeJS.ProcessEnv; dataDir?: string; generate?: boolean } = {}): Keyring | undefined {
  const env = opts.env ?? process.env;
  if (env.VIGIL_MASTER_KEY) return parseKeyring(env.VIGIL_MASTER_KEY, 'VIGIL_MASTER_KEY');
  if (env.VIGIL_MASTER_KEY_FILE) return parseKeyring(readFileSync(env.VIGIL_MASTER_KEY_FILE, 'utf8'), env.VIGIL_MASTER_KEY_FILE);
  if (!opts.dataDir) return undefined;
  const file = join(opts.dataDir, MASTER_KEY_FILE);
  if (existsSync(file)) return parseKeyring(readFileSync(file, 'utf8'), file);
  if (!opts.generate) return undefined;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  const body = JSON.stringify({ keys: [{ id: keyId(key), key: key.toString('base64') }] }, null, 2) + '\n';
  try {
    writeFileSync(file, body, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  chmodSync(file, 0o600);
  return parseKeyring(readFileSync(file, 'utf8'), file);
}
