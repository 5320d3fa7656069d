// deepPut(target, 'a.b.c', v): creates the intermediate objects and sets the last key.
export function deepPut(target, path, v) {
  const m = /^(.*)\.([^.]+)$/.exec(path);
  if (!m) {
    target[path] = v;
    return target;
  }
  let node = target;
  for (const key of m[1].split('.')) {
    node = node[key] ?? (node[key] = {});
  }
  node[m[2]] = v;
  return target;
}
