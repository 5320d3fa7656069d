const _ = require('underscore');

// fill(dest, defaults): gives dest every property it lacks, descending into nested objects.
function fill(dest, defaults) {
  if (!_.isObject(dest)) return dest;
  _.each(defaults, (value, name) => {
    if (dest[name] === undefined) {
      dest[name] = value;
    } else if (_.isObject(value) && !_.isArray(value)) {
      fill(dest[name], value);
    }
  });
  return dest;
}

// defaults(dest, ...layers) forwards to fill one layer at a time.
function defaults(dest) {
  for (let i = 1; i < arguments.length; i++) fill.apply(null, [dest, arguments[i]]);
  return dest;
}

module.exports = { fill, defaults };
