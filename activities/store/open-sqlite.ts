// How Vigil opens each of its SQLite files (store, stat cache, vectors): private (0600, its -wal/-shm too),
// WAL, and a lock wait instead of a failure, since several processes (API, worker, CLI) may share one file.
import Database from 'better-sqlite3';
import { prepareSqliteFile, tightenSqliteFile } from '../../infra/private-files.js';

export function openPrivateSqlite(file: string): Database.Database {
  // Created 0600 before SQLite opens it, so the files SQLite adds beside it are private too.
  if (file !== ':memory:') prepareSqliteFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  if (file !== ':memory:') tightenSqliteFile(file);
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  return db;
}
