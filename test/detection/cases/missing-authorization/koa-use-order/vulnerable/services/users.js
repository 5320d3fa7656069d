'use strict';
const db = require('../db');

async function byId(id) {
  const { rows } = await db.query('SELECT id, email, role FROM users WHERE id = $1', [id]);
  return rows[0];
}

module.exports = { byId };
