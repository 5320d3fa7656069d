'use strict'

var units = require('./src/units')

// number, optional blanks, optional unit; the whole string must be a duration
var DURATION = new RegExp(
  '^([0-9]*)\\.?([0-9]+)' + ' *' + '(' + units.SPELLINGS.join('|') + ')?$',
  'i'
)

function toMilliseconds (value) {
  if (typeof value === 'number') return value
  var found = DURATION.exec(String(value))
  if (!found) return NaN
  var amount = parseFloat(found[1] + '.' + found[2])
  if (!found[1]) amount = parseFloat(found[2])
  var unit = (found[3] || 'ms').toLowerCase()
  return amount * units.UNITS[unit]
}

module.exports = toMilliseconds
