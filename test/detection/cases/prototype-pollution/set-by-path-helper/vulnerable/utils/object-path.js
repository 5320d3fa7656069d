function setPath(obj, path, value) {
  const keys = String(path).split('.');
  const last = keys.pop();
  let cur = obj;
  for (const key of keys) {
    if (cur[key] === undefined) cur[key] = {};
    cur = cur[key];
  }
  cur[last] = value;
  return obj;
}

module.exports = { setPath };
