'use strict';

function FormulaSheet(options) {
  var self = this;
  this.precision = (options && options.precision) || 6;
  this.formulas = {};

  function compile(body) {
    return new Function('x', 'return (' + body + ');');
  }

  this.define = function (name, body) {
    self.formulas[name] = compile(body);
    return self;
  };

  this.run = function (name, x) {
    var f = self.formulas[name];
    if (!f) throw new Error('unknown formula ' + name);
    return Number(f(Number(x)).toFixed(self.precision));
  };
}

module.exports = FormulaSheet;
