'use strict';

exports.isPlain = function (v) {
  return Object.prototype.toString.call(v) === '[object Object]';
};
