// What counts as a secret, shared by the engine's hard-coded-secrets check (which reads code) and the
// masking of every text that leaves Vigil (mask.ts, which reads arbitrary text). The data (token formats,
// secret names, placeholders) lives with the engine's other library knowledge in models/checks.ts.
import { NOT_SECRET_NAMES, PLACEHOLDER, PLACEHOLDER_PART, SECRET_NAME_ENDINGS } from '../engines/builtin/models/checks.js';

/** Names whose value is a password: a shorter, less random literal still counts. */
export const PASSWORD_HOLDER = /(password|passwd|pwd|pass)$/i;

/** A secret as it may be shown: a short prefix (four characters at most, fewer for short secrets) and its length. */
export function mask(secret: string): string {
  return `${secret.slice(0, Math.min(4, Math.floor(secret.length / 4)))}…(${secret.length} chars)`;
}

/** Text already masked by mask(): never masked again (masking is idempotent). */
export const MASKED_FORM = /…\(\d+ chars\)/;

export function isPlaceholder(text: string): boolean {
  return PLACEHOLDER.test(text.trim()) || PLACEHOLDER_PART.test(text);
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** A name that holds a secret (JWT_SECRET, dbPassword, stripe.apiKey). */
export function isSecretName(name: string | undefined): boolean {
  if (!name || NOT_SECRET_NAMES.test(name)) return false;
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_NAME_ENDINGS.some((e) => n.endsWith(e));
}

/** A literal that looks like a real secret rather than a label, a path, a placeholder or an env var name. */
export function looksLikeSecret(text: string, passwordLike: boolean): boolean {
  if (text.length < (passwordLike ? 6 : 8) || /\s/.test(text) || isPlaceholder(text)) return false;
  if (/^[A-Z][A-Z0-9_]+$/.test(text)) return false; // an environment variable's name
  if (/^(https?:\/\/|\/|\.\.?\/|[a-z]+:\/\/)/i.test(text) && !/:[^/@\s]+@/.test(text)) return false; // URLs and paths without credentials
  if (/^[a-z]+([-_.][a-z]+)*$/.test(text) && !passwordLike) return false; // identifiers, config words
  if (/^[A-Za-z][a-z]+([A-Z][a-z]+)+$/.test(text)) return false; // camelCase names (storage keys, field names)
  return entropy(text) >= (passwordLike ? 2.5 : 3.0);
}

/** `password: 'password'`, `SECRET = 'secret_value'`: a value that repeats its name is a placeholder. */
export function repeatsName(name: string, value: string): boolean {
  const squash = (x: string) => x.toLowerCase().replace(/[^a-z0-9]/g, '');
  return squash(value).includes(squash(name));
}

/** A literal stored under `name` is a hard-coded secret: the rule of the engine's check and of masking. */
export function isSecretAssignment(name: string, value: string): boolean {
  return isSecretName(name) && looksLikeSecret(value, PASSWORD_HOLDER.test(name)) && !repeatsName(name, value);
}
