// Compiled from CoffeeScript: functions are declared first and assigned later.
var isBag, overlay;

isBag = function(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
};

overlay = function(base, layer) {
  var name, value;
  for (name in layer) {
    value = layer[name];
    if (isBag(base[name]) && isBag(value)) {
      overlay.call(null, base[name], value);
    } else {
      base[name] = value;
    }
  }
  return base;
};

module.exports = overlay;
