// Server-side sink classes: SSRF, unsafe deserialisation, XXE, prototype pollution (library calls), ReDoS,
// and the archive readers whose entry names feed zip slip. Conditions are evaluated in js/sink-conditions.ts.
import type { CalleeMatch, SinkModel } from './types.js';

// ---------------------------------------------------------------- SSRF (CWE-918)

const HTTP_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'request'];

/** `module(url)` and `module.verb(url)`: the URL is argument `arg` (needle takes the method first). */
function httpClient(module: string, opts: { root?: boolean; verbs?: string[]; arg?: number; rootArg?: number } = {}): SinkModel[] {
  const rows: SinkModel[] = [];
  if (opts.root !== false) {
    rows.push({
      id: `${module}()`,
      rule: 'ssrf',
      match: { kind: 'module', module, path: [] },
      args: [opts.rootArg ?? 0],
      condition: 'url-host-tainted',
      label: `sends an HTTP request to the URL (${module})`,
    });
  }
  for (const verb of opts.verbs ?? HTTP_VERBS) {
    rows.push({
      id: `${module}.${verb}`,
      rule: 'ssrf',
      match: { kind: 'module', module, path: [verb] },
      args: [opts.arg ?? 0],
      condition: 'url-host-tainted',
      label: `sends an HTTP request to the URL (${module}.${verb})`,
    });
  }
  return rows;
}

/** Instances made by `axios.create()` / `got.extend()`: typed `http-client` (SERVER_TYPE_PRODUCERS). */
export const HTTP_CLIENT_TYPE = 'http-client';

const ssrfSinks: SinkModel[] = [
  ...['http', 'https'].flatMap((module) =>
    ['get', 'request'].map(
      (fn): SinkModel => ({
        id: `${module}.${fn}`,
        rule: 'ssrf',
        match: { kind: 'module', module, path: [fn] },
        args: [0],
        condition: 'url-host-tainted',
        label: `sends an HTTP request to the URL (${module}.${fn})`,
      }),
    ),
  ),
  { id: 'fetch', rule: 'ssrf', match: { kind: 'global', name: 'fetch' }, args: [0], condition: 'url-host-tainted', label: 'sends an HTTP request to the URL (fetch)' },
  ...httpClient('node-fetch', { verbs: ['default'] }),
  ...httpClient('undici', { root: false, verbs: ['fetch', 'request', 'stream'] }),
  ...httpClient('axios'),
  ...httpClient('got', { verbs: [...HTTP_VERBS, 'stream'] }),
  // needle(method, url) and needle.request(method, url): the URL is the second argument.
  ...httpClient('needle', { rootArg: 1, verbs: ['get', 'head', 'post', 'put', 'patch', 'delete'] }),
  ...httpClient('needle', { root: false, verbs: ['request'], arg: 1 }),
  ...httpClient('superagent'),
  ...httpClient('request'),
  ...httpClient('request-promise'),
  ...httpClient('request-promise-native'),
  {
    id: 'http-client.request',
    rule: 'ssrf',
    match: { kind: 'method', receiverType: HTTP_CLIENT_TYPE, methods: HTTP_VERBS },
    args: [0],
    condition: 'url-host-tainted',
    label: 'sends an HTTP request to the URL (HTTP client instance)',
  },
];

// ---------------------------------------------------------------- Unsafe deserialisation (CWE-502)

const JS_YAML_SAFE_SCHEMAS = ['JSON_SCHEMA', 'CORE_SCHEMA', 'FAILSAFE_SCHEMA', 'DEFAULT_SAFE_SCHEMA'].map((s) => ({ module: 'js-yaml', path: [s] }));

const deserialisationSinks: SinkModel[] = [
  ...(['unserialize', 'deserialize'] as const).map(
    (fn): SinkModel => ({
      id: `node-serialize.${fn}`,
      rule: 'unsafe-deserialization',
      match: { kind: 'module', module: 'node-serialize', path: [fn] },
      args: [0],
      label: `deserialises the data, running embedded functions (node-serialize.${fn})`,
    }),
  ),
  {
    id: 'serialize-to-js.deserialize',
    rule: 'unsafe-deserialization',
    match: { kind: 'module', module: 'serialize-to-js', path: ['deserialize'] },
    args: [0],
    label: 'evaluates the serialised JavaScript (serialize-to-js.deserialize)',
  },
  {
    id: 'funcster.deepDeserialize',
    rule: 'unsafe-deserialization',
    match: { kind: 'module', module: 'funcster', path: ['deepDeserialize'] },
    args: [0],
    label: 'recreates functions from the data (funcster.deepDeserialize)',
  },
  {
    id: 'cryo.parse',
    rule: 'unsafe-deserialization',
    match: { kind: 'module', module: 'cryo', path: ['parse'] },
    args: [0],
    label: 'recreates functions and prototypes from the data (cryo.parse)',
  },
  // js-yaml 3.x: load/loadAll use the full schema (!!js/function) unless a safe schema is passed.
  ...['load', 'loadAll'].map(
    (fn): SinkModel => ({
      id: `js-yaml.${fn}@3`,
      rule: 'unsafe-deserialization',
      match: { kind: 'module', module: 'js-yaml', path: [fn] },
      args: [0],
      condition: 'version-below',
      versions: { package: 'js-yaml', fixed: ['4.0.0'] },
      safeOption: { name: 'schema', members: JS_YAML_SAFE_SCHEMAS },
      patch: 'yaml-safe-schema',
      label: `parses YAML with the full schema of js-yaml 3, which builds JavaScript functions (!!js/function) (yaml.${fn})`,
    }),
  ),
  // Any version: a schema with the JavaScript types.
  ...['load', 'loadAll'].map(
    (fn): SinkModel => ({
      id: `js-yaml.${fn}+js-types`,
      rule: 'unsafe-deserialization',
      match: { kind: 'module', module: 'js-yaml', path: [fn] },
      args: [0],
      condition: 'option-refers',
      option: { names: ['schema'], members: [{ module: 'js-yaml', path: ['DEFAULT_FULL_SCHEMA'] }, { module: 'js-yaml-js-types' }] },
      patch: 'yaml-safe-schema',
      label: `parses YAML with a schema that includes JavaScript types (!!js/function) (yaml.${fn})`,
    }),
  ),
];

// ---------------------------------------------------------------- XXE (CWE-611)

const xxeSinks: SinkModel[] = ['libxmljs', 'libxmljs2'].flatMap((module) =>
  ['parseXml', 'parseXmlString', 'parseXmlAsync'].map(
    (fn): SinkModel => ({
      id: `${module}.${fn}`,
      rule: 'xxe',
      match: { kind: 'module', module, path: [fn] },
      args: [0],
      condition: 'option-true',
      option: { names: ['noent', 'dtdload', 'dtdvalid'] },
      patch: 'xml-no-entities',
      label: `parses the XML with external entity expansion enabled (${module}.${fn})`,
    }),
  ),
);

// ---------------------------------------------------------------- Prototype pollution (CWE-1321), library calls

/** A deep-write helper: `argsAt` are the attacker-relevant arguments (sources merged in, or a key path). */
function polluter(module: string, path: string[], args: number[], pkg: string, fixed: string[], what: string): SinkModel {
  return {
    id: `${module}${path.length ? `.${path.join('.')}` : ''}`,
    rule: 'prototype-pollution',
    match: { kind: 'module', module, path },
    args,
    condition: 'version-below',
    versions: { package: pkg, fixed },
    label: `${what} without rejecting "__proto__" (${pkg} before ${fixed[fixed.length - 1]})`,
  };
}

const SOURCES = [1, 2, 3, 4];
// lodash advisories: merge/mergeWith CVE-2018-16487 (4.17.11), defaultsDeep CVE-2019-10744 (4.17.12),
// set/setWith/zipObjectDeep/update CVE-2020-8203 (4.17.20).
const LODASH: [string, number[], string, string][] = [
  ['merge', SOURCES, '4.17.11', 'deep-merges the object into the target'],
  ['mergeWith', [1, 2, 3], '4.17.11', 'deep-merges the object into the target'],
  ['defaultsDeep', SOURCES, '4.17.12', 'deep-merges the object into the target'],
  ['set', [1], '4.17.20', 'writes the value at the key path'],
  ['setWith', [1], '4.17.20', 'writes the value at the key path'],
  ['update', [1], '4.17.20', 'writes the value at the key path'],
  ['updateWith', [1], '4.17.20', 'writes the value at the key path'],
  ['zipObjectDeep', [0], '4.17.20', 'builds nested objects from the key paths'],
];

const pollutionSinks: SinkModel[] = [
  ...['lodash', 'lodash-es'].flatMap((module) => LODASH.map(([fn, args, fixed, what]) => polluter(module, [fn], args, module, [fixed], what))),
  ...LODASH.map(([fn, args, fixed, what]) => polluter(`lodash/${fn}`, [], args, 'lodash', [fixed], what)),
  polluter('lodash.merge', [], SOURCES, 'lodash.merge', ['4.6.2'], 'deep-merges the object into the target'),
  polluter('lodash.mergewith', [], [1, 2, 3], 'lodash.mergewith', ['4.6.2'], 'deep-merges the object into the target'),
  polluter('lodash.defaultsdeep', [], SOURCES, 'lodash.defaultsdeep', ['4.6.1'], 'deep-merges the object into the target'),
  // lodash.set was never fixed: every version is vulnerable.
  polluter('lodash.set', [], [1], 'lodash.set', ['999.0.0'], 'writes the value at the key path'),
  polluter('dot-prop', ['set'], [1], 'dot-prop', ['4.2.1', '5.1.1'], 'writes the value at the key path'),
  polluter('set-value', [], [1], 'set-value', ['2.0.1', '3.0.3', '4.0.1'], 'writes the value at the key path'),
  polluter('dset', ['dset'], [1], 'dset', ['3.1.2'], 'writes the value at the key path'),
  polluter('dset', [], [1], 'dset', ['3.1.2'], 'writes the value at the key path'),
  polluter('deep-extend', [], SOURCES, 'deep-extend', ['0.5.1'], 'deep-merges the object into the target'),
  polluter('merge', ['recursive'], SOURCES, 'merge', ['2.1.1'], 'deep-merges the object into the target'),
  polluter('mixin-deep', [], SOURCES, 'mixin-deep', ['1.3.2', '2.0.1'], 'deep-merges the object into the target'),
  polluter('object-path', ['set'], [1], 'object-path', ['0.11.8'], 'writes the value at the key path'),
];

// ---------------------------------------------------------------- ReDoS (CWE-1333)

const REGEX_ANY_RECEIVER = /(?:)/;

const redosSinks: SinkModel[] = [
  { id: 'RegExp', rule: 'redos', match: { kind: 'global', name: 'RegExp' }, args: [0], patch: 'regexp-escape', label: 'compiles the text as a regular expression (RegExp)' },
  { id: 'new RegExp', rule: 'redos', match: { kind: 'global', name: 'RegExp', construct: true }, args: [0], patch: 'regexp-escape', label: 'compiles the text as a regular expression (new RegExp)' },
  // A literal pattern with catastrophic backtracking run on the data: re.test(s) / re.exec(s).
  {
    id: 'regex.test',
    rule: 'redos',
    match: { kind: 'method', receiverType: 'regex', methods: ['test', 'exec'], receiverNames: REGEX_ANY_RECEIVER },
    args: [0],
    condition: 'catastrophic-regex',
    returnsInput: true,
    label: 'runs a regular expression with catastrophic backtracking on the text',
  },
  // s.match(re), s.replace(re, x) ...: the receiver (-1) is the text.
  {
    id: 'string.match',
    rule: 'redos',
    match: { kind: 'method', receiverType: 'string', methods: ['match', 'matchAll', 'replace', 'replaceAll', 'split', 'search'], receiverNames: REGEX_ANY_RECEIVER },
    args: [-1],
    condition: 'catastrophic-regex',
    returnsInput: true,
    label: 'runs a regular expression with catastrophic backtracking on the text',
  },
];

export const SERVER_SINKS: SinkModel[] = [...ssrfSinks, ...deserialisationSinks, ...xxeSinks, ...pollutionSinks, ...redosSinks];

// ---------------------------------------------------------------- archive entries (zip slip)

/**
 * Calls whose result holds an archive's entries: every entry name (`entryName`, `path`, `fileName`) is
 * chosen by whoever built the archive, so a name like "../../app/server.js" escapes the extraction directory.
 */
export interface ArchiveReader {
  id: string;
  match: CalleeMatch;
  label: string;
  /** The archive is the receiver (-1) or this argument; default: the receiver for methods, else argument 0. */
  from?: number;
  /** Callback style: the last function argument receives the entries (or the opened archive) as parameter `param`. */
  callback?: { param: number; event?: string };
}

export const ARCHIVE_READERS: ArchiveReader[] = [
  { id: 'adm-zip.getEntries', match: { kind: 'method', receiverType: 'archive', methods: ['getEntries'], receiverNames: REGEX_ANY_RECEIVER }, label: 'the archive\'s entries (adm-zip getEntries()): each `entryName` is chosen by whoever built the archive' },
  ...['buffer', 'file', 'url', 's3'].map((fn) => ({
    id: `unzipper.Open.${fn}`,
    match: { kind: 'module', module: 'unzipper', path: ['Open', fn] } as CalleeMatch,
    label: 'the archive\'s directory (unzipper.Open): each entry `path` is chosen by whoever built the archive',
  })),
  // yauzl: open(path | buffer, [options], (err, zipfile) => ...); zipfile.on('entry', (entry) => entry.fileName).
  ...['open', 'fromBuffer', 'fromFd', 'fromRandomAccessReader'].map((fn): ArchiveReader => ({
    id: `yauzl.${fn}`,
    match: { kind: 'module', module: 'yauzl', path: [fn] },
    from: 0,
    callback: { param: 1 },
    label: 'the opened archive (yauzl): each entry `fileName` is chosen by whoever built the archive',
  })),
  // Streaming readers (unzipper.Parse, yauzl zipfile, tar-stream extract): `.on('entry', (entry) => ...)`.
  {
    id: 'archive.on-entry',
    match: { kind: 'method', receiverType: 'archive', methods: ['on', 'once'], receiverNames: REGEX_ANY_RECEIVER },
    from: -1,
    callback: { param: 0, event: 'entry' },
    label: 'an archive entry (`entry` event): its name (`path`, `fileName`, `name`) is chosen by whoever built the archive',
  },
];

/** Calls that give an HTTP client instance whose methods send requests (typed HTTP_CLIENT_TYPE). */
export const HTTP_CLIENT_FACTORIES: CalleeMatch[] = [
  { kind: 'module', module: 'axios', path: ['create'] },
  { kind: 'module', module: 'got', path: ['extend'] },
  { kind: 'module', module: 'superagent', path: ['agent'] },
];

/** Options (of an options object) that choose where a request goes. */
export const URL_OPTION_KEYS = ['url', 'uri', 'baseURL', 'baseUrl', 'prefixUrl', 'host', 'hostname', 'origin', 'href'];
