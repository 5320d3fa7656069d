'use strict';

const FUNCTIONAL = /^((?:rgb|hsl)a?)\(\s*([^)]*)\)/;

/** rgb(1, 2, 3) / hsla(120, 50%, 50%, .5) -> { kind, parts } */
function parseFunctional(input) {
  const m = FUNCTIONAL.exec(input);
  if (!m) return null;
  return { kind: m[1], parts: m[2].split(',').map((p) => p.trim()) };
}

module.exports = { parseFunctional };
