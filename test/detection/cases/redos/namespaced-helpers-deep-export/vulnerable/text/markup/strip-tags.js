'use strict';

// An opening tag with attributes, or a closing tag.
const TAG = /<\w+(?:\s+(?:"[^"]*"|'[^']*'|[^>])+)?>|<\/\w+>/gi;

module.exports = function stripTags(html, keep) {
  const text = String(html).replace(TAG, '');
  return keep ? text : text.trim();
};
