// Who a bearer token is: looks the token's hash up among the keys file's and VIGIL_API_KEYS' entries.
import { readFileSync, statSync } from 'node:fs';
import type { Role } from '../../workflows/definitions.js';
import { parseKeyEntries, resolveDataDir, resolveKeysFile, type ApiKeyEntry } from './keys-file.js';
import { hashApiKey, sameDigest } from './tokens.js';

/** The authenticated caller. Every request acts for exactly one tenant. */
export interface Principal {
  keyId: string;
  name: string;
  tenant: string;
  roles: Role[];
  /** The key's own roots (narrowing the server's VIGIL_SCAN_ROOTS); absent = the server's roots. */
  roots?: string[];
}

export interface KeyRegistry {
  authenticate(token: string): Principal | undefined;
  /**
   * The directories a tenant's keys may use, for checks made without a key at hand (the worker's apply):
   * undefined when one of its keys is not narrowed, else the union of its keys' roots ([] for no key).
   */
  tenantRoots(tenant: string): string[] | undefined;
}

function rootsOfTenant(entries: readonly ApiKeyEntry[], tenant: string): string[] | undefined {
  const own = entries.filter((e) => e.tenant === tenant);
  if (own.some((e) => e.roots === undefined)) return undefined;
  return [...new Set(own.flatMap((e) => e.roots ?? []))];
}

/** Scans every entry with a constant-time compare and no early exit, so timing says nothing about the keys. */
function findByHash(entries: readonly ApiKeyEntry[], token: string): Principal | undefined {
  const digest = hashApiKey(token);
  let match: ApiKeyEntry | undefined;
  for (const entry of entries) {
    if (sameDigest(entry.sha256, digest) && !match) match = entry;
  }
  return (
    match && {
      keyId: match.id,
      name: match.name,
      tenant: match.tenant,
      roles: [...match.roles],
      ...(match.roots ? { roots: [...match.roots] } : {}),
    }
  );
}

export function createKeyRegistry(entries: readonly ApiKeyEntry[]): KeyRegistry {
  const all = [...entries];
  return { authenticate: (token) => findByHash(all, token), tenantRoots: (tenant) => rootsOfTenant(all, tenant) };
}

export interface LoadKeyRegistryOptions {
  /** Defaults to VIGIL_API_KEYS_FILE or <dataDir>/api-keys.json. */
  keysFile?: string;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Called when the keys file changed but could not be read; the previous keys stay in force. */
  onReloadError?: (err: Error) => void;
}

/**
 * Keys from the keys file plus VIGIL_API_KEYS. The file is re-read when it changes, so a key made with
 * createApiKey works without a restart. Throws at load when either source is malformed.
 */
export function loadKeyRegistry(opts: LoadKeyRegistryOptions = {}): KeyRegistry & { keysFile: string } {
  const env = opts.env ?? process.env;
  const keysFile = opts.keysFile ?? resolveKeysFile(opts.dataDir ?? resolveDataDir(env), env);
  const fromEnv = env.VIGIL_API_KEYS ? parseKeyEntries(env.VIGIL_API_KEYS, 'VIGIL_API_KEYS') : [];

  let version = '';
  let failedVersion = '';
  let fromFile: ApiKeyEntry[] = [];
  const refresh = (strict: boolean) => {
    let current = 'missing';
    try {
      const st = statSync(keysFile);
      current = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (current === version || current === failedVersion) return;
    try {
      const text = current === 'missing' ? '' : readFileSync(keysFile, 'utf8');
      fromFile = text.trim() === '' ? [] : parseKeyEntries(text, `API keys file ${keysFile}`);
      version = current;
    } catch (err) {
      if (strict) throw err;
      failedVersion = current; // report a broken file once, not on every request
      opts.onReloadError?.(err as Error);
    }
  };
  refresh(true);

  return {
    keysFile,
    authenticate(token) {
      refresh(false);
      return findByHash([...fromFile, ...fromEnv], token);
    },
    tenantRoots(tenant) {
      refresh(false);
      return rootsOfTenant([...fromFile, ...fromEnv], tenant);
    },
  };
}
