const serialize = require('node-serialize');

function readPreferences(cookie) {
  if (!cookie) return {};
  const text = Buffer.from(cookie, 'base64').toString('utf8');
  return serialize.unserialize(text);
}

function writePreferences(prefs) {
  return Buffer.from(serialize.serialize(prefs)).toString('base64');
}

module.exports = { readPreferences, writePreferences };
