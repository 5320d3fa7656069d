// Prototype pollution guard idioms in library code (the library threat model: exported functions' parameters
// are the attacker's). Each guarded form is paired with its unguarded twin, which must still be flagged, so a
// silent "nothing found" cannot pass.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findings } from './helpers.js';

const lib = (code: string) => ({ 'package.json': JSON.stringify({ name: 'lib', version: '1.0.0', main: 'index.js' }), 'index.js': code });

// A set-by-path walker; `GUARD` is placed at the top of the walk loop, `FINAL` before the last write.
const WALK = (guard: string, final = '', head = '') => `${head}
function set(obj, path, value) {
  var parts = path.split('.');
  var last = parts.pop();
  for (var i = 0; i < parts.length; i++) {
    ${guard}
    if (typeof obj[parts[i]] === 'undefined') obj[parts[i]] = {};
    obj = obj[parts[i]];
  }
  ${final}
  obj[last] = value;
  return obj;
}
module.exports = set;
`;

// A merge that descends only into values that are already objects: "constructor" (a function) is never entered.
const MERGE_INTO_OBJECTS = (guard: string) => `function merge(target, source) {
  var keys = Object.keys(source);
  for (var i = 0; i < keys.length; i++) {
    var key = keys[i];
    ${guard}
    var value = source[key];
    if (value && typeof value === 'object') {
      if (!target[key] || typeof target[key] !== 'object') target[key] = clone(value);
      else merge(target[key], value);
    } else {
      target[key] = value;
    }
  }
  return target;
}
function clone(v) { return JSON.parse(JSON.stringify(v)); }
module.exports = merge;
`;

// Two operations in one function; the 'del' clause walks without a check but never runs before the 'put' write.
const SWITCH = (putStep: string) => `function apply(obj, op, keys, value) {
  var cur = obj;
  switch (op) {
    case 'put':
      keys.forEach(function (k, i) {
        if (i < keys.length - 1) { ${putStep} }
        else cur[k] = value;
      });
      break;
    case 'del':
      keys.forEach(function (k, i) {
        if (i < keys.length - 1) cur = cur[k];
        else delete cur[k];
      });
      break;
  }
}
module.exports = apply;
`;

// An INI-style parser: a section line moves the pointer `p`, later lines write keys into it.
const INI = (guard: string) => `function decode(text) {
  var out = {};
  var p = out;
  text.split('\\n').forEach(function (line) {
    var m = line.match(/^\\[(.*)\\]$/);
    if (m) {
      ${guard}
      p = out[m[1]] = out[m[1]] || {};
      return;
    }
    var kv = line.split('=');
    p[kv[0]] = kv[1];
  });
  return out;
}
module.exports = decode;
`;

// A slash-pointer setter whose tokens are decoded before use; `GUARD` checks the raw token, `DECODE` decodes it.
const POINTER = (guard: string, decode: string) => `function decode(t) { ${decode} }
function set(obj, path, value) {
  var parts = path.split('/');
  var key;
  for (var i = 0; i < parts.length;) {
    ${guard}
    key = decode(parts[i++]);
    if (Array.isArray(obj) && key === '-') key = obj.length;
    if (i === parts.length) break;
    if (obj[key] === undefined) obj[key] = {};
    obj = obj[key];
  }
  obj[key] = value;
  return obj;
}
module.exports = set;
`;
// A walk preceded by a check of the whole path (`CHECK` runs once, before the loop).
const CHECKED_PATH = (check: string, tail = '') => WALK('').replace("var last = parts.pop();", `var last = parts.pop();\n  ${check}`) + tail;
const IS_UNSAFE = "function isUnsafe(k) { return k === '__proto__' || k === 'constructor' || k === 'prototype'; }\n";
const IS_SAFE = "var DENY = ['__proto__', 'constructor', 'prototype'];\nfunction isSafe(k) { return DENY.indexOf(k) === -1; }\n";

// A two-level cache keyed by the caller's strings; `MAKE` creates the top-level table.
const CACHE = (make: string, reset: string) => `var table = ${make};
var owner = null;
function remember(a, b, value) {
  if (owner !== a) { owner = a; ${reset} }
  table[a] = table[a] || {};
  table[a][b] = value;
  return value;
}
module.exports = remember;
`;

// A reducer walk; `GUARD` runs first in the reducer, with the element also reachable as keys[i].
const REDUCER = (guard: string) => `var DENY = ['__proto__', 'constructor', 'prototype'];
function put(root, path, value) {
  var keys = path.split('.');
  var leaf = keys.pop();
  var holder = keys.reduce(function (o, k, i) {
    ${guard}
    return o[k] || (o[k] = {});
  }, root);
  holder[leaf] = value;
  return root;
}
module.exports = put;
`;

const RAW_CHECK = "if (parts[i] === '__proto__' || parts[i] === 'constructor' || parts[i] === 'prototype') return obj;";
const TILDE = "return t.replace(/~[01]/g, function (m) { return m === '~1' ? '/' : '~'; });";

interface Case {
  name: string;
  vulnerable: string;
  guarded: string;
}

const CASES: Case[] = [
  {
    name: 'a check on the array element before the step (`if (parts[i] === ...) return`)',
    vulnerable: WALK(''),
    guarded: WALK("if (parts[i] === '__proto__' || parts[i] === 'constructor' || parts[i] === 'prototype') return obj;"),
  },
  {
    name: 'a check on a variable declared as the element (`let part = parts[i]; if (part === ...) return`)',
    vulnerable: WALK('let part = parts[i];'),
    guarded: WALK("let part = parts[i];\n    if (part === '__proto__' || part === 'constructor') return obj;"),
  },
  {
    name: 'a deny-list tested with indexOf (`if (BAD.indexOf(k) !== -1) continue`)',
    vulnerable: WALK('if (BAD.indexOf(parts[i]) === 5) continue;', '', "var BAD = ['__proto__', 'constructor', 'prototype'];"),
    guarded: WALK('if (BAD.indexOf(parts[i]) !== -1) continue;', '', "var BAD = ['__proto__', 'constructor', 'prototype'];"),
  },
  {
    name: 'a helper that throws on polluting names, called as a statement (`checkKey(k);`)',
    vulnerable: WALK('checkKey(parts[i]);', 'checkKey(last);', "function checkKey(k) { if (k === '__proto__') console.log(k); }"),
    guarded: WALK('checkKey(parts[i]);', 'checkKey(last);', "function checkKey(k) { if (k === '__proto__' || k === 'constructor' || k === 'prototype') { throw new Error('refused'); } }"),
  },
  {
    name: 'a step taken only into own properties (`if (obj.hasOwnProperty(k)) obj = obj[k]`)',
    vulnerable: `function put(obj, keys, value) {
  keys.forEach(function (k, i) {
    if (!(k in obj)) obj[k] = {};
    if (i < keys.length - 1) obj = obj[k];
    else obj[k] = value;
  });
}
module.exports = put;
`,
    guarded: `function put(obj, keys, value) {
  keys.forEach(function (k, i) {
    if (!(k in obj)) obj[k] = {};
    if (i < keys.length - 1 && Object.prototype.hasOwnProperty.call(obj, k)) obj = obj[k];
    else obj[k] = value;
  });
}
module.exports = put;
`,
  },
  {
    name: 'a validation loop over the whole path before the walk',
    vulnerable: `var IGNORE = ['__proto__', 'constructor', 'prototype'];
function set(path, val, o) {
  var parts = path.split('.');
  for (var i = 0; i < parts.length; ++i) {
    if (IGNORE.indexOf(parts[i]) === 7) return;
  }
  var obj = o;
  for (var j = 0; j < parts.length - 1; ++j) obj = obj[parts[j]];
  obj[parts[parts.length - 1]] = val;
}
module.exports = set;
`,
    guarded: `var IGNORE = ['__proto__', 'constructor', 'prototype'];
function set(path, val, o) {
  var parts = path.split('.');
  for (var i = 0; i < parts.length; ++i) {
    if (IGNORE.indexOf(parts[i]) !== -1) return;
  }
  var obj = o;
  for (var j = 0; j < parts.length - 1; ++j) obj = obj[parts[j]];
  obj[parts[parts.length - 1]] = val;
}
module.exports = set;
`,
  },
  {
    name: 'recursion only into an object (`typeof target[k] === \'object\'`) plus a "__proto__" check',
    vulnerable: MERGE_INTO_OBJECTS(''),
    guarded: MERGE_INTO_OBJECTS("if (key === '__proto__') continue;"),
  },
  {
    name: 'a filter that must keep every element (`if (parts.filter(ok).length !== parts.length) throw`)',
    vulnerable: WALK('', '', '').replace("var parts = path.split('.');", "var parts = path.split('.');\n  var kept = parts.filter(isAllowed);\n  if (kept.length > parts.length) throw new Error('refused');") + "var BAD = ['__proto__', 'constructor', 'prototype'];\nfunction isAllowed(p) { return BAD.indexOf(p) === -1; }\n",
    guarded: WALK('', '', '').replace("var parts = path.split('.');", "var parts = path.split('.');\n  var kept = parts.filter(isAllowed);\n  if (kept.length !== parts.length) throw new Error('refused');") + "var BAD = ['__proto__', 'constructor', 'prototype'];\nfunction isAllowed(p) { return BAD.indexOf(p) === -1; }\n",
  },
  {
    name: 'an unguarded walk in another `case` clause does not reach the guarded one',
    vulnerable: SWITCH('cur = cur[k];'),
    guarded: SWITCH('if (cur.hasOwnProperty(k)) cur = cur[k];'),
  },
  {
    name: 'a section pointer taken through a chained assignment (`p = out[s] = out[s] || {}`)',
    vulnerable: INI(''),
    guarded: INI("if (m[1] === '__proto__' || m[1] === 'constructor' || m[1] === 'prototype') return;"),
  },
  {
    name: 'a check on the raw token before a decoder that cannot spell a polluting name (`~0`/`~1` unescaping)',
    vulnerable: POINTER('', TILDE),
    guarded: POINTER(RAW_CHECK, TILDE),
  },
  {
    name: 'a deny-list assigned after its declaration (`var BAD; BAD = [...]`)',
    vulnerable: WALK('if (BAD.indexOf(parts[i]) === 5) continue;', '', "var BAD;\nBAD = ['__proto__', 'constructor', 'prototype'];"),
    guarded: WALK('if (BAD.indexOf(parts[i]) !== -1) continue;', '', "var BAD;\nBAD = ['__proto__', 'constructor', 'prototype'];"),
  },
  {
    name: 'a deny-list tested with includes (`if (BLOCKED.includes(k)) continue`)',
    vulnerable: WALK('if (OTHER.includes(parts[i])) continue;', '', "const OTHER = ['length', 'name'];"),
    guarded: WALK('if (BLOCKED.includes(parts[i])) continue;', '', "const BLOCKED = ['__proto__', 'constructor', 'prototype'];"),
  },
  {
    name: 'the whole path checked with some() before the walk (`if (parts.some(isUnsafe)) throw`)',
    vulnerable: CHECKED_PATH("if (parts.some(isUnsafe)) console.log('odd path');", IS_UNSAFE),
    guarded: CHECKED_PATH("if (parts.some(isUnsafe) || isUnsafe(last)) throw new Error('refused');", IS_UNSAFE),
  },
  {
    name: 'the whole path checked with every() before the walk (`if (!parts.every(isSafe)) return`)',
    vulnerable: CHECKED_PATH('if (!parts.every(isSafe)) console.log(parts);', IS_SAFE),
    guarded: CHECKED_PATH('if (!parts.every(isSafe) || !isSafe(last)) return obj;', IS_SAFE),
  },
  {
    name: 'an own-property exit guard before the step (`if (!hasOwnProperty.call(obj, k)) return`)',
    vulnerable: WALK("if (!Object.prototype.hasOwnProperty.call(parts, parts[i])) return obj;"),
    guarded: WALK("if (!Object.prototype.hasOwnProperty.call(obj, parts[i])) return obj;"),
  },
  {
    name: 'an inherited member skipped (`if (k in obj && !obj.hasOwnProperty(k)) continue`)',
    vulnerable: WALK('if (parts[i] in obj && !parts.hasOwnProperty(parts[i])) continue;'),
    guarded: WALK('if (parts[i] in obj && !obj.hasOwnProperty(parts[i])) continue;'),
  },
  {
    name: 'a key rejected by a regex that matches the polluting names',
    vulnerable: WALK('if (/^__proto__$/.test(parts[i])) return obj;'),
    guarded: WALK('if (/^(__proto__|constructor|prototype)$/.test(parts[i])) return obj;'),
  },
  {
    name: 'a key accepted only by a regex that none of the polluting names match',
    vulnerable: WALK('if (!/^[a-z0-9]+$/i.test(parts[i])) return obj;'),
    guarded: WALK('if (!/^[0-9a-f]{8}$/.test(parts[i])) return obj;'),
  },
  {
    name: 'a table without a prototype (`Object.create(null)`), also after a reset',
    vulnerable: CACHE('Object.create(null)', 'table = {};'),
    guarded: CACHE('Object.create(null)', 'table = Object.create(null);'),
  },
  {
    name: 'the path text checked for the polluting names as substrings before it is split',
    vulnerable: WALK('').replace("var parts = path.split('.');", "if (path.includes('__proto__')) return obj;\n  var parts = path.split('.');"),
    guarded: WALK('').replace("var parts = path.split('.');", "if (path.includes('__proto__') || path.includes('constructor') || path.indexOf('prototype') !== -1) return obj;\n  var parts = path.split('.');"),
  },
  {
    name: 'a reducer that skips a denied element read as keys[i] (its parameter k is that element)',
    vulnerable: REDUCER("if (keys[i] === '__proto__') return o;"),
    guarded: REDUCER('if (DENY.includes(keys[i])) return o;'),
  },
];

describe('prototype pollution: guard idioms in library code', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const vulnerable = await findings(lib(c.vulnerable), 'prototype-pollution');
      assert.ok(vulnerable.length >= 1, 'the unguarded form is flagged');
      const guarded = await findings(lib(c.guarded), 'prototype-pollution');
      assert.deepEqual(guarded.map((f) => f.location.startLine), [], 'the guarded form is not flagged');
    });
  }

  test('a check that misses "constructor" and "prototype" keeps the finding', async () => {
    const onlyProto = await findings(lib(WALK("if (parts[i] === '__proto__') return obj;")), 'prototype-pollution');
    assert.ok(onlyProto.length >= 1, '"__proto__" alone');
    const typeofSource = await findings(lib(MERGE_INTO_OBJECTS("if (key === '__proto__') continue;").replace("typeof target[key] !== 'object'", "typeof value !== 'object'")), 'prototype-pollution');
    assert.ok(typeofSource.length >= 1, '"__proto__" alone, with the typeof check on the source value');
  });

  test('a check on the raw token does not hold after a decoder that can spell a polluting name', async () => {
    for (const decode of ['return decodeURIComponent(t);', "return t.replace(/%5F/g, '_');", "return t.replace(/~/g, '');"]) {
      const out = await findings(lib(POINTER(RAW_CHECK, decode)), 'prototype-pollution');
      assert.ok(out.length >= 1, decode);
    }
  });

  test('a package with both `main` and `module` exposes both files (require loads main)', async () => {
    const body = "(obj, keys, val) {\n  var t = obj;\n  for (var i = 0; i < keys.length - 1; i++) t = t[keys[i]];\n  t[keys[keys.length - 1]] = val;\n}\n";
    const files = {
      'package.json': JSON.stringify({ name: 'lib', version: '1.0.0', main: 'dist/lib.js', module: 'dist/lib.mjs' }),
      'dist/lib.js': 'module.exports = function ' + body,
      'dist/lib.mjs': 'export default function ' + body,
    };
    const out = await findings(files, 'prototype-pollution');
    assert.deepEqual(out.map((f) => f.location.file).sort(), ['dist/lib.js', 'dist/lib.mjs']);
  });
});
