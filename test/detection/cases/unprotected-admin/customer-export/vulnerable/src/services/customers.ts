import { pool } from '../db';

export async function search(term: string) {
  const { rows } = await pool.query('SELECT id, name, city FROM customers WHERE name ILIKE $1 LIMIT 50', [`%${term}%`]);
  return rows;
}

export async function exportAll(): Promise<string> {
  const { rows } = await pool.query('SELECT id, name, email, phone, iban FROM customers ORDER BY id');
  return rows.map((r) => [r.id, r.name, r.email, r.phone, r.iban].join(',')).join('\n');
}

export async function remove(id: string) {
  await pool.query('DELETE FROM customers WHERE id = $1', [id]);
}
