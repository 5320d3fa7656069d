const db = require('../db');

async function findByName(name) {
  const [rows] = await db.promise().query("SELECT id, name, email FROM users WHERE name = '" + name + "'");
  return rows;
}

module.exports = { findByName };
