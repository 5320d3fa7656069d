'use strict';

var kinds = require('./lib/kinds');

/**
 * mix([deep,] target, source1, source2, ...): copies the sources' properties onto target; with deep = true,
 * nested plain objects are merged instead of replaced.
 */
function mix() {
  var target = arguments[0] || {};
  var deep = false;
  var start = 1;
  if (typeof target === 'boolean') {
    deep = target;
    target = arguments[1] || {};
    start = 2;
  }
  for (var n = start; n < arguments.length; n++) {
    var from = arguments[n];
    if (from == null) continue;
    for (var prop in from) {
      var existing = target[prop];
      var incoming = from[prop];
      if (incoming === target) continue;
      if (deep && kinds.isPlain(incoming)) {
        var base = existing && kinds.isPlain(existing) ? existing : {};
        target[prop] = mix(true, base, incoming);
      } else if (incoming !== undefined) {
        target[prop] = incoming;
      }
    }
  }
  return target;
}

module.exports = mix;
