// Unit spellings and their size in milliseconds, longest spelling first so the alternation prefers it.
var UNITS = {
  ms: 1, msec: 1, msecs: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60000, min: 60000, mins: 60000, minute: 60000, minutes: 60000,
  h: 3600000, hr: 3600000, hrs: 3600000, hour: 3600000, hours: 3600000
};

exports.UNITS = UNITS;
exports.SPELLINGS = [
  'milliseconds', 'millisecond', 'msecs', 'msec', 'ms',
  'seconds', 'second', 'secs', 'sec', 's',
  'minutes', 'minute', 'mins', 'min', 'm',
  'hours', 'hour', 'hrs', 'hr', 'h'
];
