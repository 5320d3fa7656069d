const vm = require('vm');

// Spreadsheet-style formulas over a row of numbers, e.g. "price * qty".
function evaluate(formula, row) {
  const sandbox = { ...row };
  return vm.runInNewContext(formula, sandbox, { timeout: 50 });
}

module.exports = { evaluate };
