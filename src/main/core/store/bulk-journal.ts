/**
 * A large dataset written through a rollback journal instead of the write-ahead log, when the
 * connection has the store to itself.
 *
 * In WAL mode a dataset is written twice: its pages go into the WAL, then the checkpoint its commit
 * triggers copies them into the database file, and the 200 MiB WAL of the 1M-row fleet is deleted
 * when the store closes. With a rollback journal, pages beyond the file's size at the start of the
 * transaction are not journaled at all (a rollback truncates the file back), so the columns are
 * written once, straight into the database file, and there is no 200 MiB WAL to delete afterwards
 * (26 blobs of 8 MiB, from the transaction's start to the store closed: 0.87–0.99 s through the WAL,
 * 0.28–0.45 s through the journal; `prognos import` of the 1M-row fleet, from the record written to
 * the process gone: 0.35–0.45 s before, about 0.15 s after).
 *
 * Leaving WAL mode needs the store to itself: with any other connection open (the app, a server, a
 * reader in another process) SQLite refuses at once (SQLITE_BUSY) and the insert goes through the
 * WAL as always. For the journal's short life the connection syncs fully (synchronous = FULL, the
 * setting rollback journals are safe with on power loss). A process that opens the store meanwhile
 * waits in `ExperimentStore.open` until the insert has ended, then switches the store back to WAL
 * itself; so does the next open after a killed insert, which first rolls the hot journal back (the
 * store as before: test/integration/import/insert-killed.test.ts).
 */
import Database from 'better-sqlite3';
import type { Db } from './sqlite';

export interface BulkJournal {
  /** Back to WAL mode and the connection's own synchronous setting; where that fails, the next open of the store switches it. */
  restore(): void;
}

/** Switches `db` (in WAL mode, with no other connection to its file) to a rollback journal; undefined where it stays in WAL mode. */
export function rollbackJournalWhileAlone(db: Db): BulkJournal | undefined {
  if (db.memory || db.inTransaction) return undefined;
  if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return undefined;
  const synchronous = Number(db.pragma('synchronous', { simple: true }));
  let mode: string;
  try {
    mode = String(db.pragma('journal_mode = DELETE', { simple: true })).toLowerCase();
  } catch (e) {
    if (e instanceof Database.SqliteError && e.code.startsWith('SQLITE_BUSY')) return undefined; // not alone
    throw e;
  }
  if (mode !== 'delete') return undefined;
  db.pragma('synchronous = FULL');
  let restored = false;
  return {
    restore(): void {
      if (restored) return;
      restored = true;
      try {
        db.pragma(`synchronous = ${synchronous}`);
        db.pragma('journal_mode = WAL');
      } catch {
        // another process opened the store meanwhile and holds it: it set WAL mode as it opened
      }
    },
  };
}
