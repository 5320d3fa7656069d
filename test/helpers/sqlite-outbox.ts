// SCAFFOLDING for the Kafka publisher's tests (issue 14): a minimal EventOutbox on a real SQLite file, used
// only until the stores implement the outbox themselves (the events part of issue 14 does that). It follows
// the contract in activities/events/cloud-event.ts: ids are unique (a re-append adds nothing), seq strictly
// increases, sink cursors are named.
import Database from 'better-sqlite3';
import type { CloudEvent, EventOutbox, OutboxRecord } from '../../activities/events/cloud-event.js';

export interface SqliteOutbox extends EventOutbox {
  close(): void;
}

export function openSqliteOutbox(file: string): SqliteOutbox {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS event_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, type TEXT NOT NULL, event TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS event_sink_cursors (sink TEXT PRIMARY KEY, seq INTEGER NOT NULL);
  `);
  const insert = db.prepare('INSERT OR IGNORE INTO event_outbox (id, tenant, type, event) VALUES (?, ?, ?, ?)');
  const appendAll = db.transaction((events: CloudEvent[]) => {
    for (const e of events) insert.run(e.id, e.tenant, e.type, JSON.stringify(e));
  });
  const getCursor = db.prepare('SELECT seq FROM event_sink_cursors WHERE sink = ?');
  const setCursor = db.prepare('INSERT INTO event_sink_cursors (sink, seq) VALUES (?, ?) ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq');
  return {
    async appendEvents(events) {
      appendAll(events);
    },
    async readEvents({ tenant, after = 0, limit, types }) {
      const where = ['seq > ?'];
      const params: unknown[] = [after];
      if (tenant !== undefined) (where.push('tenant = ?'), params.push(tenant));
      if (types?.length) (where.push(`type IN (${types.map(() => '?').join(',')})`), params.push(...types));
      const rows = db.prepare(`SELECT seq, event FROM event_outbox WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...params, limit) as { seq: number; event: string }[];
      return rows.map((r): OutboxRecord => ({ seq: r.seq, event: JSON.parse(r.event) as CloudEvent }));
    },
    async getSinkCursor(sink) {
      return (getCursor.get(sink) as { seq: number } | undefined)?.seq ?? 0;
    },
    async setSinkCursor(sink, seq) {
      setCursor.run(sink, seq);
    },
    close: () => db.close(),
  };
}
