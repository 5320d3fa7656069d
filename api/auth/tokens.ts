// API key material: generation, hashing and redaction. Only sha256 hashes of keys are ever stored, so a
// leaked keys file does not leak usable credentials.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'vgl_';

/** A new plaintext key: the prefix makes leaked keys easy to spot (and to redact). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two hex sha256 digests in constant time (no early exit on the first differing byte). */
export function sameDigest(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

/** What an HTTP header can carry byte for byte: printable ASCII, no spaces (a Bearer token is one word). */
const PRINTABLE_ASCII_TOKEN = /^[\x21-\x7e]+$/;

/**
 * Throws unless `key` can travel in "Authorization: Bearer <key>" unchanged. A key with other characters
 * would load but never authenticate (headers are bytes; its hash would never match). The error names
 * `origin` (an env var, a file) and never the key itself.
 */
export function assertUsableApiKey(key: string, origin: string): void {
  if (key.length === 0) throw new Error(`The API key in ${origin} is empty; put the key (vgl_...) there, or remove it.`);
  if (!PRINTABLE_ASCII_TOKEN.test(key)) {
    throw new Error(
      `The API key in ${origin} contains spaces, control or non-ASCII characters, so it can never authenticate ` +
        '(HTTP headers carry printable ASCII only). Copy the key again (vgl_ followed by letters, digits, "_" and "-"), ' +
        'or ask an operator for a new one.',
    );
  }
}

const KEY_PATTERN = new RegExp(`${API_KEY_PREFIX}[A-Za-z0-9_-]{8,}`, 'g');

/** Masks anything that looks like a Vigil key, as a last line of defence before text reaches a log. */
export function redactSecrets(text: string): string {
  return text.replace(KEY_PATTERN, `${API_KEY_PREFIX}[redacted]`);
}
