'use strict';
// Sets a value inside a document addressed by an RFC 6901 pointer such as "/a/b~1c/0".
function decodeToken(token) {
  if (token.indexOf('~') === -1) return token;
  return token.replace(/~[01]/g, function (m) {
    return m === '~1' ? '/' : '~';
  });
}

function tokensOf(pointer) {
  if (Array.isArray(pointer)) return pointer;
  var tokens = String(pointer).split('/');
  if (tokens[0] !== '') throw new Error('a JSON pointer starts with "/"');
  return tokens;
}

function assignAt(doc, tokens, value) {
  var node = doc;
  var name;
  for (var i = 1, n = tokens.length; i < n;) {
    name = decodeToken(tokens[i++]);
    // "-" names the slot after the last element of an array.
    if (Array.isArray(node) && name === '-') name = node.length;
    if (i === n) break;
    if (node[name] === undefined) node[name] = {};
    node = node[name];
  }
  node[name] = value;
  return doc;
}

function assign(doc, pointer, value) {
  return assignAt(doc, tokensOf(pointer), value);
}

module.exports = { assign: assign };
