const pool = require('../db');

async function listByCategory(category, sort) {
  const order = sort === 'price' ? 'price' : 'name';
  const { rows } = await pool.query(`SELECT id, name, price FROM products WHERE category = '${category}' ORDER BY ${order}`);
  return rows;
}

async function findById(id) {
  const { rows } = await pool.query('SELECT id, name, price FROM products WHERE id = $1', [id]);
  return rows[0];
}

module.exports = { listByCategory, findById };
