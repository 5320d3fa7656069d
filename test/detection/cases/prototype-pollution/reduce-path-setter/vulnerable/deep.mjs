const toKeys = (path) => (Array.isArray(path) ? path.slice() : String(path).split(/[.[\]]+/).filter(Boolean));

export const get = (source, path, fallback) => {
  const found = toKeys(path).reduce((node, key) => (node == null ? node : node[key]), source);
  return found === undefined ? fallback : found;
};

export const assign = (target, path, value) => {
  const keys = toKeys(path);
  const leaf = keys.pop();
  const holder = keys.reduce((node, key) => node[key] || (node[key] = {}), target);
  holder[leaf] = value;
  return target;
};
