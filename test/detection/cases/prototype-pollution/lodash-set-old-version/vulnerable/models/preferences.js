const _ = require('lodash');

const store = new Map();

function load(userId) {
  if (!store.has(userId)) store.set(userId, { ui: { density: 'comfortable' } });
  return store.get(userId);
}

function setValue(userId, path, value) {
  const prefs = load(userId);
  _.set(prefs, path, value);
  return prefs;
}

module.exports = { load, setValue };
