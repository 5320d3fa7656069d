var ensure = require('./ensure');

// assign(obj, 'a.b.c', v): obj.a.b.c = v, creating obj.a and obj.a.b when needed.
module.exports = function assign(obj, path, value) {
  var cut = path.lastIndexOf('.');
  var leaf = path.slice(cut + 1);
  if (cut < 0) {
    obj[leaf] = value;
    return obj;
  }
  ensure(obj, path.slice(0, cut))[leaf] = value;
  return obj;
};
