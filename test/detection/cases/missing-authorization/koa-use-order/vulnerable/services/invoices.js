'use strict';
const db = require('../db');

async function listFor(userId) {
  const { rows } = await db.query('SELECT * FROM invoices WHERE owner_id = $1 ORDER BY due_date', [userId]);
  return rows;
}

async function getFor(id, userId) {
  const { rows } = await db.query('SELECT * FROM invoices WHERE id = $1 AND owner_id = $2', [id, userId]);
  return rows[0];
}

async function create(userId, { customer, amount }) {
  const { rows } = await db.query('INSERT INTO invoices (owner_id, customer, amount) VALUES ($1, $2, $3) RETURNING id', [userId, customer, amount]);
  return rows[0];
}

async function overdueSummary() {
  const { rows } = await db.query("SELECT customer, SUM(amount) AS owed FROM invoices WHERE due_date < now() AND paid = false GROUP BY customer");
  return rows;
}

module.exports = { listFor, getFor, create, overdueSummary };
