'use strict';

// Whitespace helpers shared by the parsers.
function trimRight(str) {
  return String(str).replace(/\s+$/, '');
}

module.exports = { trimRight };
