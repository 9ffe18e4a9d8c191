/**
 * The thread behind `SyncAhead` (src/main/core/store/sync-ahead.ts): syncs one of a store's two files
 * to disk over and over while SQLite writes it, so that the sync SQLite waits for finds little left
 * to write. It only ever calls fdatasync on descriptors of its own (opened without creating); what
 * reaches the disk and when it counts as durable stays SQLite's business.
 */
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { SYNC_AHEAD_IDLE, SYNC_AHEAD_INTERVAL_MS, SYNC_AHEAD_STOP, type SyncAheadData } from '../core/store/sync-ahead-protocol';

const { state, files } = workerData as SyncAheadData;
const fds: (number | undefined)[] = files.map(() => undefined);

for (;;) {
  const target = Atomics.load(state, 0);
  if (target === SYNC_AHEAD_STOP) break;
  if (target === SYNC_AHEAD_IDLE) {
    Atomics.wait(state, 0, SYNC_AHEAD_IDLE);
    continue;
  }
  const i = target - 1;
  try {
    fds[i] ??= openSync(files[i]!, 'r+');
    fdatasyncSync(fds[i]);
  } catch {
    // not there yet (SQLite creates the WAL with its first frame), or the sync failed: the sync SQLite
    // itself waits for reports its own errors
  }
  Atomics.wait(state, 0, target, SYNC_AHEAD_INTERVAL_MS);
}
for (const fd of fds) if (fd !== undefined) closeSync(fd);
