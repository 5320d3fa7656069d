'use strict';

const { trimRight } = require('./lib/text');
const { parseFunctional } = require('./lib/functional');

const NAMED = { black: [0, 0, 0, 1], white: [255, 255, 255, 1], red: [255, 0, 0, 1] };

function parseColor(text) {
  const input = String(text).toLowerCase();
  const bare = trimRight(input);
  if (NAMED[bare]) return NAMED[bare];
  if (bare[0] === '#') {
    const hex = bare.slice(1);
    const n = parseInt(hex.length === 3 ? hex.replace(/./g, '$&$&') : hex, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1];
  }
  const f = parseFunctional(input);
  if (!f) throw new Error(`Unrecognised colour: ${text}`);
  const nums = f.parts.map(parseFloat);
  return [nums[0], nums[1], nums[2], nums[3] === undefined ? 1 : nums[3]];
}

module.exports = parseColor;
module.exports.parseColor = parseColor;
