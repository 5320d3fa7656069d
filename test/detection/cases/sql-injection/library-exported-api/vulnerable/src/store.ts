import type { Pool } from 'pg';
import type { AuditEvent, EventFilter } from './types.js';
import { whereClause } from './where.js';

export async function recordEvent(pool: Pool, actor: string, action: string): Promise<void> {
  await pool.query('INSERT INTO audit_events (actor, action, at) VALUES ($1, $2, now())', [actor, action]);
}

export async function findEvents(pool: Pool, filter: EventFilter = {}): Promise<AuditEvent[]> {
  const limit = Math.min(Number(filter.limit) || 100, 1000);
  const { rows } = await pool.query(`SELECT id, actor, action, at FROM audit_events ${whereClause(filter)} ORDER BY at DESC LIMIT ${limit}`);
  return rows;
}
