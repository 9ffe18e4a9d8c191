/**
 * Syncing a store's files to disk ahead of SQLite while a large dataset is inserted.
 *
 * A dataset is written twice: into the write-ahead log during the transaction, then into the
 * database file by the checkpoint that its commit triggers (the WAL then holds far more than
 * wal_autocheckpoint's 1000 pages). The checkpoint syncs the WAL before it copies, and the database
 * file after; with nothing flushed before, each sync waits for the disk to take the whole dataset
 * (the 1M-row fleet: ~200 MiB, 150–180 ms each here, this thread idle meanwhile). SQLite runs the
 * checkpoint inside the commit call, so nothing on this thread can act during it; a thread of its
 * own (workers/sync-ahead-worker.ts) can: it syncs the WAL every few milliseconds while the columns
 * are written, then the database file while the checkpoint copies, so the disk writes while this
 * thread does, and SQLite's own syncs find little left.
 *
 * Durability is SQLite's as before: its commit and checkpoint sync as the connection's synchronous
 * setting says (not changed here); these syncs only write earlier what SQLite's would write, and one
 * that fails is ignored (the sync that counts reports its own errors). A process killed mid-insert
 * leaves the store as it was (test/integration/import/insert-killed.test.ts). With a rollback journal
 * instead of the WAL (bulk-journal.ts) only the database file is followed: the columns go straight
 * there. Not on Windows (a file deleted there while another handle holds it stays in the way of the
 * next WAL of the same name), nor for an in-memory store.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { SYNC_AHEAD_WORKER } from '../../paths';
import type { Db } from './sqlite';
import { SYNC_AHEAD_DB, SYNC_AHEAD_STOP, SYNC_AHEAD_WAL, type SyncAheadData } from './sync-ahead-protocol';

export class SyncAhead {
  private stopped = false;

  private constructor(private readonly state: Int32Array) {}

  /** The syncing thread for `db`'s files (idle until told what to follow); undefined where it does not apply or cannot start. */
  static start(db: Db): SyncAhead | undefined {
    if (db.memory || process.platform === 'win32' || !existsSync(SYNC_AHEAD_WORKER)) return undefined;
    const state = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const data: SyncAheadData = { state, files: [`${db.name}-wal`, db.name] };
    let worker: Worker;
    try {
      worker = new Worker(SYNC_AHEAD_WORKER, { workerData: data, stdout: false, stderr: false });
    } catch {
      return undefined;
    }
    // it never holds the process open, and a thread that fails only leaves SQLite's syncs to do it all
    worker.unref();
    worker.on('error', () => undefined);
    return new SyncAhead(state);
  }

  /** Sync the write-ahead log (while a transaction writes it) or the database file (while a checkpoint copies into it). */
  follow(file: 'wal' | 'db'): void {
    if (this.stopped) return;
    Atomics.store(this.state, 0, file === 'wal' ? SYNC_AHEAD_WAL : SYNC_AHEAD_DB);
    Atomics.notify(this.state, 0);
  }

  /** Ends the thread (it closes its descriptors on its way out); never waits for it. */
  stop(): void {
    this.stopped = true;
    Atomics.store(this.state, 0, SYNC_AHEAD_STOP);
    Atomics.notify(this.state, 0);
  }
}
