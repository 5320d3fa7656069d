'use strict';

const { toSegments } = require('./path');

function get(obj, path, fallback) {
  let cur = obj;
  for (const seg of toSegments(path)) {
    if (cur == null) return fallback;
    cur = cur[seg];
  }
  return cur === undefined ? fallback : cur;
}

function set(obj, path, value) {
  const segs = toSegments(path);
  let cur = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i];
    if (typeof cur[seg] !== 'object' || cur[seg] === null) cur[seg] = {};
    cur = cur[seg];
  }
  const last = segs[segs.length - 1];
  cur[last] = value;
  return obj;
}

module.exports = { get, set };
