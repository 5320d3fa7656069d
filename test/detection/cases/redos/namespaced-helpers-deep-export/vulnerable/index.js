'use strict';
exports.text = require('./text');
exports.version = require('./package.json').version;
