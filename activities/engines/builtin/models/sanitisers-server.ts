// Sanitisers and guards of the server sink classes (SSRF, ReDoS, prototype pollution). Regex replaces that
// escape metacharacters are judged by RULES samples (js/strings.ts), not listed here.
import type { SanitiserModel } from './types.js';

export const SERVER_SANITISERS: SanitiserModel[] = [
  // RegExp escaping: the result matches itself literally.
  ...[['escape-string-regexp', []], ['escape-string-regexp', ['default']], ['lodash', ['escapeRegExp']], ['lodash-es', ['escapeRegExp']], ['lodash/escapeRegExp', []], ['lodash.escaperegexp', []], ['escape-regexp', []], ['regexp.escape', []]].map(
    ([module, path]): SanitiserModel => ({ id: `${module}${(path as string[]).length ? `.${(path as string[]).join('.')}` : ''}`, match: { kind: 'module', module: module as string, path: path as string[] }, cuts: ['redos'], from: 0 }),
  ),
  { id: 'RegExp.escape', match: { kind: 'global', name: 'RegExp', path: ['escape'] }, cuts: ['redos'], from: 0 },
];

/**
 * URL parsers: a check on the parsed URL's host (`ALLOWED.includes(new URL(u).hostname)`, or its origin
 * compared with a constant) fixes where a request to `u` goes.
 */
export const URL_PARSERS = {
  /** `new URL(u)`, `new URL(u, base)`. */
  constructors: ['URL'],
  /** `url.parse(u)`. */
  modules: [{ module: 'url', path: ['parse'] }],
  /** Members of the parsed URL that decide the destination host. */
  hostParts: ['host', 'hostname', 'origin'],
  /** Classes a host check neutralises. */
  cuts: ['ssrf', 'open-redirect'] as const,
};

/**
 * Key names whose rejection makes a dynamic write safe from prototype pollution: "__proto__" must be
 * rejected, and one of "constructor"/"prototype" (without "constructor", `prototype` leads nowhere).
 */
export const POLLUTING_KEYS = { required: ['__proto__'], oneOf: ['constructor', 'prototype'] };

/** Collections of constant strings used as deny-lists of keys (`new Set([...])`). */
export const CONSTANT_SET_CONSTRUCTORS = ['Set'];
