// The event outbox the Kafka tests and bench relay from: the real SQLite store's (every Store keeps one), on a
// file of the test's own, so a child process can publish from the same database.
import type { EventOutbox } from '../../activities/events/cloud-event.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';

export interface SqliteOutbox extends EventOutbox {
  close(): Promise<void>;
}

export function openSqliteOutbox(file: string): SqliteOutbox {
  return openSqliteStore(file);
}
