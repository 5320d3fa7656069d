// Sinks: calls where attacker-controlled data becomes a vulnerability. One row per library member.
import type { SinkModel } from './types.js';
import { WEB_SINKS } from './sinks-web.js';
import { SERVER_SINKS } from './sinks-server.js';

const FS_MODULES = ['fs', 'fs/promises', 'fs-extra', 'graceful-fs'];
const FS_ONE_PATH = [
  'readFile', 'readFileSync', 'createReadStream', 'createWriteStream', 'writeFile', 'writeFileSync',
  'appendFile', 'appendFileSync', 'unlink', 'unlinkSync', 'rm', 'rmSync', 'rmdir', 'rmdirSync', 'readdir',
  'readdirSync', 'open', 'openSync', 'opendir', 'mkdir', 'mkdirSync', 'truncate', 'truncateSync', 'readJson',
  'readJsonSync', 'outputFile', 'outputFileSync', 'remove', 'removeSync', 'writeJson', 'writeJsonSync', 'stat',
  'statSync', 'access', 'accessSync', 'exists', 'existsSync',
];
const FS_TWO_PATHS = ['copyFile', 'copyFileSync', 'rename', 'renameSync', 'copy', 'copySync', 'move', 'moveSync', 'symlink', 'link'];

const fsSinks: SinkModel[] = FS_MODULES.flatMap((module) => [
  ...FS_ONE_PATH.map((fn): SinkModel => ({
    id: `${module}.${fn}`,
    rule: 'path-traversal',
    match: { kind: 'module', module, path: [fn] },
    args: [0],
    patch: 'path-confine',
    label: `opens the file with ${module}.${fn}()`,
  })),
  ...FS_TWO_PATHS.map((fn): SinkModel => ({
    id: `${module}.${fn}`,
    rule: 'path-traversal',
    match: { kind: 'module', module, path: [fn] },
    args: [0, 1],
    label: `uses the path in ${module}.${fn}()`,
  })),
]);

const SQL_METHODS = ['query', 'execute', 'raw', 'all', 'get', 'run', 'exec', 'each', 'prepare', 'none', 'one', 'oneOrNone', 'many', 'manyOrNone', 'any', 'whereRaw', 'havingRaw', 'orderByRaw', 'joinRaw', 'fromRaw'];
const DB_NAMES = /^(db|database|pool|conn|connection|client|knex|sequelize|sql|mysql|pg|sqlite|tx|trx|transaction|[a-z]*(Db|DB|Pool|Client|Connection|Conn))$/;

export const SINKS: SinkModel[] = [
  // CWE-89: SQL text built from request data, on a driver client (typed, or recognised by name + SQL text).
  {
    id: 'sql-client.query',
    rule: 'sql-injection',
    match: { kind: 'method', receiverType: 'sql-client', methods: SQL_METHODS, receiverNames: DB_NAMES, symbolicMethods: ['query', 'execute', 'raw', 'prepare', 'whereRaw'] },
    args: [0],
    condition: 'sql-text',
    patch: 'sql-parameterise',
    label: 'executes the SQL text',
  },
  // CWE-78: a shell runs the command line.
  ...['exec', 'execSync'].map((fn): SinkModel => ({
    id: `child_process.${fn}`,
    rule: 'command-injection',
    match: { kind: 'module', module: 'child_process', path: [fn] },
    args: [0],
    patch: 'exec-to-execfile',
    label: `runs the command line in a shell (child_process.${fn})`,
  })),
  ...['execFile', 'execFileSync', 'spawn', 'spawnSync'].map((fn): SinkModel => ({
    id: `child_process.${fn}`,
    rule: 'command-injection',
    match: { kind: 'module', module: 'child_process', path: [fn] },
    args: [0],
    conditionalArgs: [1],
    condition: 'shell-option',
    label: `starts the program with child_process.${fn}`,
  })),
  { id: 'shelljs.exec', rule: 'command-injection', match: { kind: 'module', module: 'shelljs', path: ['exec'] }, args: [0], label: 'runs the command line in a shell (shelljs.exec)' },
  // CWE-22: file system paths.
  ...fsSinks,
  ...['sendFile', 'download'].map((fn): SinkModel => ({
    id: `express.response.${fn}`,
    rule: 'path-traversal',
    match: { kind: 'method', receiverType: 'express.response', methods: [fn], receiverNames: /^(res|response)$/, symbolicMethods: [fn] },
    args: [0],
    condition: 'no-root-option',
    patch: 'path-confine',
    label: `sends the file with res.${fn}()`,
  })),
  // CWE-94/95: strings evaluated as code.
  { id: 'eval', rule: 'code-injection', match: { kind: 'global', name: 'eval' }, args: [0], patch: 'eval-json', label: 'evaluates the string as JavaScript (eval)' },
  { id: 'Function', rule: 'code-injection', match: { kind: 'global', name: 'Function' }, args: 'all', label: 'compiles the string into a function (Function)' },
  { id: 'new Function', rule: 'code-injection', match: { kind: 'global', name: 'Function', construct: true }, args: 'all', label: 'compiles the string into a function (new Function)' },
  ...['setTimeout', 'setInterval', 'setImmediate'].map((fn): SinkModel => ({
    id: fn,
    rule: 'code-injection',
    match: { kind: 'global', name: fn },
    args: [0],
    label: `evaluates a string callback (${fn})`,
  })),
  ...['runInNewContext', 'runInThisContext', 'runInContext', 'compileFunction'].map((fn): SinkModel => ({
    id: `vm.${fn}`,
    rule: 'code-injection',
    match: { kind: 'module', module: 'vm', path: [fn] },
    args: [0],
    label: `runs the string as JavaScript (vm.${fn})`,
  })),
  { id: 'vm.Script', rule: 'code-injection', match: { kind: 'module', module: 'vm', path: ['Script'], construct: true }, args: [0], label: 'compiles the string as JavaScript (new vm.Script)' },
  // ORM SQL, NoSQL, templates, XSS, redirects, logs (models/sinks-web.ts).
  ...WEB_SINKS,
  // SSRF, deserialisation, XXE, prototype pollution, ReDoS (models/sinks-server.ts).
  ...SERVER_SINKS,
];

/** Module specifiers that name the same module (the `node:` prefix is stripped before this). */
export const MODULE_MEMBER_ALIASES: { module: string; member: string; to: string }[] = [
  { module: 'fs', member: 'promises', to: 'fs/promises' },
  { module: 'fs-extra', member: 'promises', to: 'fs/promises' },
];
