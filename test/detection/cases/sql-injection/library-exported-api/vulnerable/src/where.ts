import type { EventFilter } from './types.js';

/** WHERE clause for a filter. */
export function whereClause(filter: EventFilter): string {
  const parts: string[] = [];
  if (filter.actor) parts.push(`actor = '${filter.actor}'`);
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}
