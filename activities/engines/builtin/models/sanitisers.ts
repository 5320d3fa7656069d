// Sanitisers (calls whose result is safe for some classes) and guards (conditions that, when they hold,
// make a value safe). String transformations with regexes are judged by RULES[*].samples, not listed here.
import type { CalleeMatch, GuardModel, SanitiserModel } from './types.js';
import { WEB_GUARDS, WEB_SANITISERS } from './sanitisers-web.js';
import { SERVER_SANITISERS } from './sanitisers-server.js';

const numeric = (name: string, path?: string[]): SanitiserModel => ({
  id: path ? `${name}.${path.join('.')}` : name,
  match: { kind: 'global', name, path },
  cuts: 'all',
});

export const SANITISERS: SanitiserModel[] = [
  numeric('parseInt'),
  numeric('parseFloat'),
  numeric('Number'),
  numeric('Boolean'),
  numeric('Math', ['*']),
  numeric('Number', ['parseInt']),
  numeric('Number', ['parseFloat']),
  numeric('Date', ['parse']),
  { id: 'path.basename', match: { kind: 'module', module: 'path', path: ['basename'] }, cuts: ['path-traversal'], from: 0 },
  { id: 'encodeURIComponent', match: { kind: 'global', name: 'encodeURIComponent' }, cuts: ['path-traversal', 'command-injection', 'xss', 'open-redirect', 'log-injection'], from: 0 },
  // SQL escaping: the result is a quoted literal.
  ...['mysql', 'mysql2', 'sqlstring'].flatMap((module): SanitiserModel[] => [
    { id: `${module}.escape`, match: { kind: 'module', module, path: ['escape'] }, cuts: ['sql-injection'], from: 0 },
    { id: `${module}.escapeId`, match: { kind: 'module', module, path: ['escapeId'] }, cuts: ['sql-injection'], from: 0 },
    { id: `${module}.format`, match: { kind: 'module', module, path: ['format'] }, cuts: ['sql-injection'], from: 0 },
  ]),
  { id: 'sql-client.escape', match: { kind: 'method', receiverType: 'sql-client', methods: ['escape', 'escapeId', 'escapeLiteral', 'escapeIdentifier', 'format'] }, cuts: ['sql-injection'], from: 0 },
  { id: 'pg-format', match: { kind: 'module', module: 'pg-format', path: [] }, cuts: ['sql-injection'], from: 0 },
  { id: 'pg-format.literal', match: { kind: 'module', module: 'pg-format', path: ['literal'] }, cuts: ['sql-injection'], from: 0 },
  // Shell quoting.
  { id: 'shell-quote.quote', match: { kind: 'module', module: 'shell-quote', path: ['quote'] }, cuts: ['command-injection'], from: 0 },
  { id: 'shell-escape', match: { kind: 'module', module: 'shell-escape', path: [] }, cuts: ['command-injection'], from: 0 },
  { id: 'shescape.quote', match: { kind: 'module', module: 'shescape', path: ['quote'] }, cuts: ['command-injection'], from: 0 },
  ...WEB_SANITISERS,
  ...SERVER_SANITISERS,
];

const VALIDATORS = ['isInt', 'isNumeric', 'isAlphanumeric', 'isAlpha', 'isUUID', 'isEmail', 'isHexadecimal', 'isMongoId', 'isIn'];

export const GUARDS: GuardModel[] = [
  // Allow-lists: ALLOWED.includes(x), allowed.has(x), ALLOWED.indexOf(x) >= 0 (see conditions.ts).
  { id: 'allow-list', match: { kind: 'any-method', methods: ['includes', 'has', 'indexOf'] }, subject: 0, cuts: 'all', untaintedReceiver: true },
  // Confinement: only meaningful on a normalised path (path.resolve/join/normalize).
  { id: 'startsWith', match: { kind: 'any-method', methods: ['startsWith'] }, subject: -1, cuts: ['path-traversal'], requiresTag: 'normalised-path' },
  { id: 'Number.isInteger', match: { kind: 'global', name: 'Number', path: ['isInteger'] }, subject: 0, cuts: 'all' },
  { id: 'Number.isSafeInteger', match: { kind: 'global', name: 'Number', path: ['isSafeInteger'] }, subject: 0, cuts: 'all' },
  ...VALIDATORS.map((fn): GuardModel => ({ id: `validator.${fn}`, match: { kind: 'module', module: 'validator', path: [fn] }, subject: 0, cuts: 'all' })),
  ...WEB_GUARDS,
];

/** Calls whose result is a normalised path (what a startsWith confinement check needs). */
export const PATH_NORMALISERS = [
  { module: 'path', path: ['resolve'] },
  { module: 'path', path: ['join'] },
  { module: 'path', path: ['normalize'] },
];

/** Wrappers whose result is the wrapped function (so `promisify(exec)` is still exec). */
export const FUNCTION_WRAPPERS = [{ module: 'util', path: ['promisify'] }];

/** Array/promise methods that call their callback with the receiver's elements (or the resolved value). */
export const CALLBACK_METHODS: Record<string, { arg: number; passes: 'element' | 'receiver'; returns: 'callback' | 'receiver' | 'callback-array' }> = {
  map: { arg: 0, passes: 'element', returns: 'callback-array' },
  flatMap: { arg: 0, passes: 'element', returns: 'callback-array' },
  forEach: { arg: 0, passes: 'element', returns: 'receiver' },
  filter: { arg: 0, passes: 'element', returns: 'receiver' },
  find: { arg: 0, passes: 'element', returns: 'receiver' },
  some: { arg: 0, passes: 'element', returns: 'receiver' },
  every: { arg: 0, passes: 'element', returns: 'receiver' },
  // reduce(fn, initial): the callback (argument 0) gets the accumulator, then each element.
  reduce: { arg: 0, passes: 'element', returns: 'callback' },
  reduceRight: { arg: 0, passes: 'element', returns: 'callback' },
  then: { arg: 0, passes: 'receiver', returns: 'callback' },
  finally: { arg: 0, passes: 'receiver', returns: 'receiver' },
};

/**
 * Iteration helpers of utility libraries and their look-alikes (`_.each(obj, fn)`, `forOwn(obj, fn)`): called with
 * a collection and a callback, they call the callback with each value and its key. Used when the helper's own
 * code is not seen.
 */
export const ITERATION_HELPERS = ['each', 'forEach', 'forOwn', 'forIn', 'eachOf', 'forEachOwn', 'mapValues', 'mapKeys', 'map', 'transform'];

/**
 * Parsers that hand their result to a callback: the callback's parameter `param` receives the parsed form of
 * argument `from` (a SOAP/XML body parsed by xml2js is still the client's). Other callbacks of unseen code
 * receive nothing we know: `fs.readFile(path, cb)` passes the file, not the path.
 */
export const PARSING_CALLBACKS: { match: CalleeMatch; from: number; param: number }[] = [
  ...['parseString', 'Parser.parseString'].map((p) => ({ match: { kind: 'module', module: 'xml2js', path: p.split('.') } as CalleeMatch, from: 0, param: 1 })),
  { match: { kind: 'module', module: 'xml-js', path: ['xml2js'] }, from: 0, param: 1 },
  { match: { kind: 'module', module: 'xml2json', path: ['toJson'] }, from: 0, param: 1 },
];

/** String/array methods whose result is derived from the receiver (and arguments) only. */
export const DERIVING_METHODS = [
  'trim', 'trimStart', 'trimEnd', 'toLowerCase', 'toUpperCase', 'toLocaleLowerCase', 'toLocaleUpperCase', 'concat',
  'replace', 'replaceAll', 'split', 'join', 'slice', 'substring', 'substr', 'padStart', 'padEnd', 'normalize',
  'toString', 'valueOf', 'repeat', 'at', 'charAt', 'flat', 'reverse', 'sort', 'trimLeft', 'trimRight',
];

/** Methods that store their arguments into the receiver (arrays, sets, maps, URLSearchParams). */
export const MUTATING_METHODS = ['push', 'unshift', 'splice', 'add', 'set', 'append'];
