export { recordEvent, findEvents } from './store.js';
export type { AuditEvent, EventFilter } from './types.js';
