'use strict';
// Caches the display label of an (account, field) pair; both come from the caller.
const labels = {};

function labelFor(account, field) {
  const row = labels[account];
  if (row && row[field] !== undefined) return row[field];
  const label = `${account}:${field}`.toUpperCase();
  labels[account] = row || {};
  labels[account][field] = label;
  return label;
}

module.exports = { labelFor };
