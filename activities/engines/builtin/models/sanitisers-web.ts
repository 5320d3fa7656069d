// Sanitisers and guards for the web classes: HTML escaping and sanitising libraries, Mongo filter
// sanitisers, log encoders, id validators. Appended to SANITISERS / GUARDS (sanitisers.ts).
import type { CalleeMatch, GuardModel, RuleId, SanitiserModel } from './types.js';

const mod = (id: string, module: string, path: string[], cuts: SanitiserModel['cuts'], from = 0): SanitiserModel => ({
  id,
  match: { kind: 'module', module, path },
  cuts,
  from,
});

/** The classes where the attacker's text itself does harm (markup, SQL, commands, paths ...). */
const TEXT_INJECTION: RuleId[] = [
  'xss', 'sql-injection', 'nosql-injection', 'command-injection', 'path-traversal', 'code-injection', 'template-injection', 'log-injection', 'open-redirect', 'ssrf',
];

export const WEB_SANITISERS: SanitiserModel[] = [
  // A copy of the request's own parsed URL (Next.js `request.nextUrl.clone()`) keeps this server's origin: a redirect
  // to it, with another path, stays on the site (the usual middleware sign-in redirect).
  { id: 'next.nextUrl.clone', match: { kind: 'method', receiverType: 'next.url', methods: ['clone'], receiverNames: /^nextUrl$/ }, cuts: ['open-redirect'], from: -1 },
  // HTML escaping / sanitising (CWE-79).
  mod('escape-html', 'escape-html', [], ['xss']),
  mod('he.encode', 'he', ['encode'], ['xss']),
  mod('he.escape', 'he', ['escape'], ['xss']),
  mod('lodash.escape', 'lodash', ['escape'], ['xss']),
  mod('lodash.escape', 'lodash.escape', [], ['xss']),
  mod('lodash.escape', 'lodash-es', ['escape'], ['xss']),
  mod('underscore.escape', 'underscore', ['escape'], ['xss']),
  mod('validator.escape', 'validator', ['escape'], ['xss']),
  mod('DOMPurify.sanitize', 'isomorphic-dompurify', ['sanitize'], ['xss']),
  mod('DOMPurify.sanitize', 'dompurify', ['sanitize'], ['xss']),
  { id: 'DOMPurify.sanitize', match: { kind: 'method', receiverType: 'dompurify', methods: ['sanitize'], receiverNames: /^(DOMPurify|domPurify|purify|dompurify)$/ }, cuts: ['xss'], from: 0 },
  mod('sanitize-html', 'sanitize-html', [], ['xss']),
  mod('xss.filterXSS', 'xss', [], ['xss']),
  mod('xss.filterXSS', 'xss', ['filterXSS'], ['xss']),
  mod('html-escaper.escape', 'html-escaper', ['escape'], ['xss']),
  mod('escape-goat.htmlEscape', 'escape-goat', ['htmlEscape'], ['xss']),
  mod('entities.encode', 'entities', ['encode'], ['xss']),
  mod('entities.encode', 'entities', ['encodeHTML'], ['xss']),
  mod('entities.encode', 'entities', ['escape'], ['xss']),
  mod('Handlebars.escapeExpression', 'handlebars', ['escapeExpression'], ['xss']),
  mod('Handlebars.escapeExpression', 'handlebars', ['Utils', 'escapeExpression'], ['xss']),
  // Rendering data through an escaping template: the output is HTML-encoded (noEscape templates are sinks).
  mod('ejs.render', 'ejs', ['render'], ['xss'], 1),
  mod('pug.render', 'pug', ['render'], ['xss'], 1),
  mod('mustache.render', 'mustache', ['render'], ['xss'], 1),
  { id: 'template.render', match: { kind: 'method', receiverType: 'html-template', methods: ['()'] }, cuts: ['xss'], from: 0 },
  // Encoded results that cannot carry the data's text: a signed JWT is base64url (header.payload.signature).
  mod('jsonwebtoken.sign', 'jsonwebtoken', ['sign'], TEXT_INJECTION),
  // Lookups: the result is the document's own nodes, not the query text (the query itself is the injection point).
  mod('xpath.evaluate', 'xpath', ['evaluate'], TEXT_INJECTION),
  mod('xpath.select', 'xpath', ['select'], TEXT_INJECTION),
  mod('xpath.select1', 'xpath', ['select1'], TEXT_INJECTION),
  // MongoDB: keys starting with "$" are removed, so request objects carry no operators.
  mod('mongo-sanitize', 'mongo-sanitize', [], ['nosql-injection']),
  mod('express-mongo-sanitize.sanitize', 'express-mongo-sanitize', ['sanitize'], ['nosql-injection']),
  mod('mongoose.sanitizeFilter', 'mongoose', ['sanitizeFilter'], ['nosql-injection']),
  // Logs: JSON encoding escapes CR/LF and control characters.
  { id: 'JSON.stringify', match: { kind: 'global', name: 'JSON', path: ['stringify'] }, cuts: ['log-injection'], from: 0 },
];

export const WEB_GUARDS: GuardModel[] = [
  // A valid ObjectId is 24 hex digits (or 12 bytes): safe for every class.
  { id: 'mongoose.isValidObjectId', match: { kind: 'module', module: 'mongoose', path: ['isValidObjectId'] }, subject: 0, cuts: 'all' },
  { id: 'mongoose.isObjectIdOrHexString', match: { kind: 'module', module: 'mongoose', path: ['isObjectIdOrHexString'] }, subject: 0, cuts: 'all' },
  { id: 'ObjectId.isValid', match: { kind: 'module', module: 'mongoose', path: ['Types', 'ObjectId', 'isValid'] }, subject: 0, cuts: 'all' },
  { id: 'ObjectId.isValid', match: { kind: 'module', module: 'mongodb', path: ['ObjectId', 'isValid'] }, subject: 0, cuts: 'all' },
];

/**
 * `new URL(path, base)`: a path on this site (`'/login?next=…'`) resolved against a base keeps the base's origin,
 * which in a handler is the request's own URL (`new URL('/login', request.url)`): not an open redirect. The base
 * still decides where a server-side request goes, so only `cuts` apply.
 */
export const URL_RESOLVERS: { match: CalleeMatch; relative: number; base: number; cuts: RuleId[] }[] = [
  { match: { kind: 'global', name: 'URL', construct: true }, relative: 0, base: 1, cuts: ['open-redirect'] },
];
