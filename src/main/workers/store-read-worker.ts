/**
 * Worker thread: reads from the store what is too large to read on the thread that serves the UI —
 * a dataset's table (every column blob, its SHA-256 checked against the one recorded at insert) into
 * shared memory, or a finished run's artifacts (each checked the same way). A read-only connection of
 * its own: in WAL mode it reads the last commit while the serving thread's connection goes on writing.
 */
import { assertNever } from '../../shared/brand';
import { loadTable } from '../core/store/datasets';
import { openDatabase } from '../core/store/sqlite';
import { shareTable } from '../services/shared-table';
import { toWire } from './import-protocol';
import { readRunArtifacts } from './run-artifacts';
import { readOnlyRuns } from './run-reader';
import { serveJob } from './serve-job';
import type { StoreReadRequest, StoreReadValue } from './store-read-protocol';

serveJob<StoreReadRequest, StoreReadValue>('store-read-worker', (req) => {
  const db = openDatabase(req.dbPath, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    switch (req.op) {
      case 'table':
        return Promise.resolve({ value: { op: 'table', table: toWire(shareTable(loadTable(db, req.datasetId))) } });
      case 'artifacts': {
        const artifacts = readRunArtifacts(readOnlyRuns(db, req.dbPath), req.runId);
        // the model texts are strings (copied); the weights' bytes are moved, not copied
        const transfer = [artifacts.lstm?.weights.buffer, artifacts.rul?.lstm?.weights.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
        return Promise.resolve({ value: { op: 'artifacts', artifacts }, transfer });
      }
      default:
        return assertNever(req, 'store read');
    }
  } finally {
    db.close();
  }
});
