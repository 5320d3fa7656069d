'use strict';

var paths = module.exports = {};

// Splits 'a.b\\.c' into ['a', 'b.c'] (a backslash keeps a dot inside a key).
function split(path) {
  return path.replace(/\\\./g, '\u0000').split('.').map(function (p) {
    return p.replace(/\u0000/g, '.');
  });
}

// Follows keys from obj; with `make`, missing levels are created on the way.
paths.follow = function (obj, keys, make) {
  var key;
  while (obj && typeof obj === 'object' && keys.length) {
    key = keys.shift();
    if (make && obj[key] === undefined) obj[key] = {};
    obj = obj[key];
  }
  return obj;
};

paths.put = function (obj, path, value) {
  var keys = split(path);
  var last = keys.pop();
  var parent = paths.follow(obj, keys, true);
  if (parent && typeof parent === 'object') parent[last] = value;
  return obj;
};
