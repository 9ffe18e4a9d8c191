/** Between `SyncAhead` and its thread (src/main/workers/sync-ahead-worker.ts). */

/** state[0]: nothing to sync (the thread waits) */
export const SYNC_AHEAD_IDLE = 0;
/** state[0]: sync files[0] (the write-ahead log) */
export const SYNC_AHEAD_WAL = 1;
/** state[0]: sync files[1] (the database file) */
export const SYNC_AHEAD_DB = 2;
/** state[0]: close the descriptors and end */
export const SYNC_AHEAD_STOP = 3;
/** Pause between two syncs of the same file. */
export const SYNC_AHEAD_INTERVAL_MS = 10;

export interface SyncAheadData {
  /** one Int32 on shared memory: what to sync now */
  state: Int32Array;
  /** the write-ahead log, then the database file */
  files: [string, string];
}
