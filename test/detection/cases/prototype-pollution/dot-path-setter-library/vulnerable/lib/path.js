'use strict';

/** 'a.b[0].c' -> ['a', 'b', '0', 'c'] */
function toSegments(path) {
  if (Array.isArray(path)) return path.map(String);
  return String(path).replace(/\[(\w+)\]/g, '.$1').split('.').filter(Boolean);
}

module.exports = { toSegments };
