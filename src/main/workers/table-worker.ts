/**
 * Worker thread: reads a stored dataset's table — every column blob, its SHA-256 checked against the
 * one recorded at insert — into shared memory, so the thread that serves the UI gets the columns
 * without doing that work or copying them. A read-only connection of its own: in WAL mode it reads
 * the last commit while the serving thread's connection goes on writing.
 */
import { loadTable } from '../core/store/datasets';
import { openDatabase } from '../core/store/sqlite';
import { shareTable } from '../services/shared-table';
import { toWire, type WireTable } from './import-protocol';
import { serveJob } from './serve-job';
import type { TableRequest } from './table-protocol';

serveJob<TableRequest, WireTable>('table-worker', ({ dbPath, datasetId }) => {
  const db = openDatabase(dbPath, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    return Promise.resolve({ value: toWire(shareTable(loadTable(db, datasetId))) });
  } finally {
    db.close();
  }
});
