'use strict';

/**
 * put(target, 'a.b.c', value): walks the dotted path with reduce, creating plain objects on the way, and stores
 * value at the last key. Returns the value stored.
 */
module.exports = function put(target, dotted, value) {
  if (typeof dotted !== 'string' || !dotted) return undefined;
  var keys = dotted.split('.');
  return keys.reduce(function (node, key, i) {
    if (i === keys.length - 1) {
      node[key] = value;
    } else if (node[key] === undefined || node[key] === null) {
      node[key] = {};
    }
    return node[key];
  }, target);
};
