import { pool } from './pool.js';

export async function insertMember(email, password) {
  const { rows } = await pool.query(
    'INSERT INTO members (email, password) VALUES ($1, $2) RETURNING id',
    [email, password]
  );
  return rows[0].id;
}

export async function memberByEmail(email) {
  const { rows } = await pool.query('SELECT id, email, password FROM members WHERE email = $1', [email]);
  return rows[0];
}
