// put(tree, 'a/b/0/c', value): writes value under a slash-separated path, creating the missing levels.
export function put(tree, path, value) {
  const keys = Array.isArray(path) ? path : String(path).split('/');
  let node = tree;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i];
    if (node[k] === undefined || node[k] === null) {
      node = node[k] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    } else {
      node = node[k];
    }
  }
  node[keys[keys.length - 1]] = value;
  return tree;
}
