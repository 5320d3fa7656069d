'use strict';
const stripTags = require('./strip-tags');
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
module.exports = { stripTags, escapeHtml };
