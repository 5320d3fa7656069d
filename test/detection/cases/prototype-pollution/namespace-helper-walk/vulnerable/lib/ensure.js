// ensure(root, 'a.b'): the object at that dotted path, created level by level when missing.
function ensure(root, dotted) {
  var node = root;
  dotted.split('.').forEach(function (key) {
    if (node[key] == null) node[key] = {};
    node = node[key];
  });
  return node;
}

module.exports = ensure;
