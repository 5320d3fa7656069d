'use strict';

const families = require('./lib/families');

/** Whether `agent` (a User-Agent header value) belongs to the client family called `family`. */
function isFamily(agent, family) {
  const pattern = families[family];
  if (!pattern) throw new Error('unknown client family: ' + family);
  return pattern.test(agent);
}

/** The families `agent` belongs to. */
function familiesOf(agent) {
  return Object.keys(families).filter((name) => isFamily(agent, name));
}

module.exports = { isFamily, familiesOf };
