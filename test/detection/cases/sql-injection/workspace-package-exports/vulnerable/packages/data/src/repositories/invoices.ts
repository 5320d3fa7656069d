import { sql } from '#internal/pool';

export async function invoicesByStatus(tenantId: string, status: string) {
  const { rows } = await sql.query(
    `SELECT id, number, total FROM invoices WHERE tenant_id = $1 AND status = '${status}' ORDER BY number`,
    [tenantId],
  );
  return rows;
}
