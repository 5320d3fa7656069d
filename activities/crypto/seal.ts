// AES-256-GCM envelopes and keyed hashes under per-tenant keys derived (HKDF-SHA256) from the keyring.
// An envelope names its key id, so a row written before a rotation still opens after it.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Keyring, MasterKey } from './keyring.js';

const MAGIC = Buffer.from([0x56, 0x47, 0x01]); // "VG" v1
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function deriveKey(master: MasterKey, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master.key, Buffer.from('vigil/v1'), Buffer.from(info), 32));
}

/** magic | idLen | id | iv | tag | ciphertext. `aad` binds the envelope to its row so rows cannot be swapped. */
export function sealWith(keyId: string, key: Buffer, plain: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  const id = Buffer.from(keyId);
  return Buffer.concat([MAGIC, Buffer.from([id.length]), id, iv, cipher.getAuthTag(), ct]);
}

export function isSealed(buf: Buffer): boolean {
  return buf.length > MAGIC.length + 1 && buf.subarray(0, MAGIC.length).equals(MAGIC);
}

export function sealedKeyId(buf: Buffer): string {
  if (!isSealed(buf)) throw new Error('not a Vigil envelope');
  return buf.subarray(MAGIC.length + 1, MAGIC.length + 1 + buf[MAGIC.length]!).toString();
}

export function openWith(keyFor: (id: string) => Buffer, sealed: Buffer, aad: string): Buffer {
  const id = sealedKeyId(sealed);
  let at = MAGIC.length + 1 + sealed[MAGIC.length]!;
  const iv = sealed.subarray(at, (at += IV_BYTES));
  const tag = sealed.subarray(at, (at += TAG_BYTES));
  const decipher = createDecipheriv('aes-256-gcm', keyFor(id), iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(at)), decipher.final()]);
}

export interface TenantCrypto {
  readonly tenant: string;
  /** The key id new envelopes are written with. */
  readonly activeKeyId: string;
  seal(plain: Buffer, aad: string): Buffer;
  open(sealed: Buffer, aad: string): Buffer;
  sealJson(value: unknown, aad: string): Buffer;
  openJson<T>(sealed: Buffer, aad: string): T;
  /** A keyed, one-way tag for an identifier (repository key, blob hash, row id): hex, 32 chars. */
  tag(kind: string, value: string): string;
  /** The path with each segment replaced by its keyed hash: structure kept, names gone. */
  obfuscatePath(path: string): string;
  /** Keyed hashes of the searchable tokens of a text (identifiers and words, and their camel/snake parts). */
  tokenHashes(text: string): string[];
}

export interface StoreCrypto {
  forTenant(tenant: string): TenantCrypto;
}

/** Identifiers and words, lowercased, plus the parts of camelCase and snake_case names. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  // match() with /g returns plain strings: much cheaper than matchAll's match objects on large inputs.
  for (const word of text.match(WORD) ?? []) {
    const t = wordTokens(word);
    if (t.length === 1) out.push(t[0]);
    else for (const x of t) out.push(x);
  }
  return out;
}

const WORD = /[A-Za-z_$][A-Za-z0-9_$]*|[0-9]+/g;
const PARTS = /[_$]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/;

const NEEDS_SPLIT = /[A-Z_$]/;
// Identifiers repeat heavily across a codebase: remembering recent splits made indexing ~5x faster.
const splitMemo = new Map<string, string[]>();
const SPLIT_MEMO_LIMIT = 50_000;

function wordTokens(word: string): string[] {
  if (!NEEDS_SPLIT.test(word)) return [word]; // already lower case, nothing to split
  let tokens = splitMemo.get(word);
  if (!tokens) {
    const lower = word.toLowerCase();
    const parts = word.split(PARTS).filter((p) => p.length > 1);
    tokens = parts.length > 1 ? [lower, ...parts.map((p) => p.toLowerCase())] : [lower];
    if (splitMemo.size >= SPLIT_MEMO_LIMIT) splitMemo.clear();
    splitMemo.set(word, tokens);
  }
  return tokens;
}

export function createStoreCrypto(keyring: Keyring): StoreCrypto {
  const cache = new Map<string, TenantCrypto>();
  return {
    forTenant(tenant) {
      let c = cache.get(tenant);
      if (!c) cache.set(tenant, (c = tenantCrypto(keyring, tenant)));
      return c;
    },
  };
}

function tenantCrypto(keyring: Keyring, tenant: string): TenantCrypto {
  const dataKeys = new Map<string, Buffer>();
  const dataKey = (id: string): Buffer => {
    let k = dataKeys.get(id);
    if (!k) {
      const master = keyring.byId.get(id);
      if (!master) throw new Error(`a row is encrypted under master key "${id}", which is not in the keyring; add it back to VIGIL_MASTER_KEY or the key file.`);
      dataKeys.set(id, (k = deriveKey(master, `data:${tenant}`)));
    }
    return k;
  };
  const indexKey = deriveKey(keyring.index, `index:${tenant}`);
  const mac = (kind: string, value: string) => createHmac('sha256', indexKey).update(kind).update('\0').update(value).digest();
  const segmentCache = new Map<string, string>();
  const tokenCache = new Map<string, string[]>();
  const c: TenantCrypto = {
    tenant,
    activeKeyId: keyring.active.id,
    seal: (plain, aad) => sealWith(keyring.active.id, dataKey(keyring.active.id), plain, `${tenant}\0${aad}`),
    open: (sealed, aad) => openWith(dataKey, sealed, `${tenant}\0${aad}`),
    sealJson: (value, aad) => c.seal(Buffer.from(JSON.stringify(value)), aad),
    openJson: <T>(sealed: Buffer, aad: string) => JSON.parse(c.open(sealed, aad).toString('utf8')) as T,
    tag: (kind, value) => mac(kind, value).subarray(0, 16).toString('hex'),
    obfuscatePath(path) {
      return path
        .split('/')
        .map((seg) => {
          let h = segmentCache.get(seg);
          if (h === undefined) {
            h = mac('path', seg).subarray(0, 12).toString('base64url');
            if (segmentCache.size < 100_000) segmentCache.set(seg, h);
          }
          return h;
        })
        .join('/');
    },
    tokenHashes(text) {
      // Words repeat across a code base: hash each distinct word (and its parts) once.
      const out: string[] = [];
      for (const m of text.matchAll(WORD)) {
        let hashed = tokenCache.get(m[0]);
        if (hashed === undefined) {
          hashed = wordTokens(m[0]).map((t) => `t${mac('token', t).subarray(0, 8).toString('hex')}`);
          if (tokenCache.size < 500_000) tokenCache.set(m[0], hashed);
        }
        for (const h of hashed) out.push(h);
      }
      return out;
    },
  };
  return c;
}
