import db from '@db';

export async function ordersForCustomer(customerId: string, status: string) {
  const [rows] = await db.query(`SELECT id, total, status FROM orders WHERE customer_id = ? AND status = '${status}'`, [customerId]);
  return rows;
}
