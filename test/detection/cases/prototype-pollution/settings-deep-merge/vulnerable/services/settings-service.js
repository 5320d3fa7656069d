const { deepMerge } = require('../utils/merge');

const settings = { theme: 'light', notifications: { email: true, sms: false } };

function current() {
  return settings;
}

function applyChanges(changes) {
  return deepMerge(settings, changes);
}

module.exports = { current, applyChanges };
