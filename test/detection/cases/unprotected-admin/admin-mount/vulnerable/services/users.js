'use strict';
const db = require('../db');

async function listAll() {
  const { rows } = await db.query('SELECT id, email, role, created_at FROM users ORDER BY id');
  return rows;
}

async function setRole(id, role) {
  await db.query('UPDATE users SET role = $1 WHERE id = $2', [role, id]);
}

module.exports = { listAll, setRole };
