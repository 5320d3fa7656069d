'use strict';
module.exports = {
  markup: require('./markup'),
  pad: function pad(s, n) {
    s = String(s);
    while (s.length < n) s = ' ' + s;
    return s;
  }
};
